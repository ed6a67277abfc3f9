"""The engine database: one made by an older engine opens and gains the columns added since."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from bridge.engine.store import EngineStore, RedeemStep, Redemption


def test_a_database_without_the_newer_error_columns_gains_them_when_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    old = EngineStore(url)
    with old.session() as session:
        session.add(
            Redemption(
                id=1,
                class_id="0x" + "ab" * 32,
                holder="0x" + "11" * 20,
                tonnes=3,
                registry_account="5",
                event_block=1,
                event_block_hash="0x" + "00" * 32,
                event_tx="0x" + "00" * 32,
                step=RedeemStep.SEEN,
            )
        )
    with old.engine.begin() as connection:  # as an engine from before these columns left it
        for table in ("redemptions", "settlements"):
            for column in ("error_code", "error_message"):
                connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    old.close()

    store = EngineStore(url)
    for table in ("redemptions", "settlements"):
        columns = {c["name"] for c in inspect(store.engine).get_columns(table)}
        assert {"error_code", "error_message"} <= columns
    with store.session() as session:
        row = session.get_one(Redemption, 1)
        assert (row.tonnes, row.error_code) == (3, None)
    store.close()
