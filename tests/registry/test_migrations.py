"""The shipped migrations build exactly the ORM's schema, upgrade idempotently and downgrade cleanly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from bridge.registry.db import VERSION_TABLE, alembic_config, create_registry_db, session_factory, upgrade
from bridge.registry.journal import canonical_json, read_jsonl
from bridge.registry.ledger import Registry
from bridge.registry.models import Base

JOURNAL_V1 = Path(__file__).parent / "data" / "journal_v1.jsonl"


def test_the_migrated_schema_matches_the_models(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_is_harmless_and_downgrade_removes_everything(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert [t for t in inspect(engine).get_table_names() if t != VERSION_TABLE] == []
    upgrade(engine)
    assert "registry_unit_blocks" in inspect(engine).get_table_names()


def test_open_creates_the_database_file_and_its_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'registry.db'}"
    registry = Registry.open(url)
    registry.create_account(kind="holding", owner="x")
    registry.close()
    again = Registry.open(create_registry_db(url))
    assert [a.owner for a in again.list_accounts()][-1] == "x"
    assert again.journal_head().seq == 2
    again.close()


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_scoping_request_ids_gives_each_old_id_the_actor_its_entry_records(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    _downgrade(engine, "0002")  # a registry written before idempotency keys were scoped per principal
    with JOURNAL_V1.open(encoding="utf-8") as source:
        entries = list(read_jsonl(source))
    operator_entry = entries[-1].model_copy(update={"seq": len(entries) + 1, "request_id": "op-1", "hash": "f" * 64})
    with engine.begin() as connection:
        for entry in [*entries, operator_entry]:
            connection.execute(
                text(
                    "INSERT INTO registry_journal (seq, recorded_at, operation, request_id, payload, prev_hash, hash) "
                    "VALUES (:seq, :at, :operation, :request_id, :payload, :prev_hash, :hash)"
                ),
                {
                    "seq": entry.seq,
                    "at": entry.recorded_at.replace(tzinfo=None),
                    "operation": entry.operation,
                    "request_id": entry.request_id,
                    "payload": canonical_json(entry.payload),
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                },
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT request_id, actor_scope FROM registry_journal ORDER BY seq")).all()
    scopes = {request_id: scope for request_id, scope in rows if request_id is not None}
    assert scopes == {"t-1": "account:4", "r-1": "account:5", "lock-1": "account:4", "op-1": "operator"}
    assert all(scope is None for request_id, scope in rows if request_id is None)
    with pytest.raises(DBAPIError), engine.begin() as connection:  # still append-only after the migration
        connection.execute(text("UPDATE registry_journal SET actor_scope = 'operator' WHERE request_id = 't-1'"))
    with engine.begin() as connection:  # the same id by another principal is another request
        connection.execute(
            text(
                "INSERT INTO registry_journal (seq, recorded_at, operation, request_id, actor_scope, payload, "
                "prev_hash, hash) SELECT 100, recorded_at, operation, request_id, 'account:5', payload, prev_hash, "
                "'e' || substr(hash, 2) FROM registry_journal WHERE request_id = 't-1'"
            )
        )


_BEFORE_0004 = [
    "INSERT INTO registry_programs (code, name, unit_type, category, ccp_eligible, corsia_phases, created_at) VALUES"
    " ('GS', 'Gold Standard', 'VER', 'independent', true, '[\"pilot\", \"first\"]', '2024-01-01 00:00:00'),"
    " ('ISOMETRIC', 'Isometric', 'credit', 'independent', true, '[]', '2024-01-01 00:00:00')",
    "INSERT INTO registry_projects (id, program_code, project_id, name, methodology_id, methodology_category, sector,"
    " sectoral_scope, host_country, mitigation_type, ex_post, ccp_approved, corsia_eligible, corsia_phase,"
    " article6_authorization, corresponding_adjustment_declaration, corresponding_adjustment_status, sdg_goals,"
    " additional_certifications, created_at) VALUES"
    " (1, 'GS', '2211', 'Uganda Cookstoves', 'GS-TPDDTEC', 'Cookstoves', 'Energy', '3', 'UG', 'reduction', true,"
    " true, true, 'pilot', 'not_authorized', 'Unknown', 'Not Applicable', '[]', '[]', '2024-01-01 00:00:00'),"
    " (2, 'ISOMETRIC', 'iso-1', 'DAC 1', 'ISO-DACS', 'DAC', 'Removal', 'dac', 'IS', 'removal', true,"
    " false, false, NULL, 'ndc_use', 'Committed', 'Pending', '[]', '[]', '2024-01-01 00:00:00')",
    "INSERT INTO registry_accounts (id, kind, owner, name, status, system, created_at) VALUES"
    " (4, 'holding', 'Acme', 'Acme holding account', 'open', false, '2024-01-01 00:00:00')",
    "INSERT INTO registry_issuances (id, project_id, vintage_start, vintage_end, issued_on, quantity, unit_space,"
    " unit_start, unit_end, serial, issuance_ref, issued_to_account_id, created_at) VALUES"
    " (1, 1, '2021-01-01', '2021-12-31', '2022-03-01', 100, 'GS', 1, 100, 'GS1-1-UG-GS2211-1-2021-1-1-100',"
    " 'GS1-1-UG-GS2211-1-2021-1', 4, '2024-01-01 00:00:00'),"
    " (2, 2, '2023-01-01', '2023-12-31', '2024-03-01', 10, 'ISOMETRIC', 1, 10, 'ISOMETRIC-7-1-10', 'ISOMETRIC-7', 4,"
    " '2024-01-01 00:00:00')",
    "INSERT INTO registry_unit_blocks (id, issuance_id, unit_space, unit_start, unit_end, quantity, serial, status,"
    " account_id, frozen, created_at, updated_at) VALUES"
    " (1, 1, 'GS', 1, 40, 40, 'GS1-1-UG-GS2211-1-2021-1-1-40', 'held', 4, false, '2024-01-01', '2024-01-01'),"
    " (2, 1, 'GS', 41, 100, 60, 'GS1-1-UG-GS2211-1-2021-1-41-100', 'held', 4, false, '2024-01-01', '2024-01-01'),"
    " (3, 2, 'ISOMETRIC', 1, 10, 10, 'ISOMETRIC-7-1-10', 'held', 4, false, '2024-01-01', '2024-01-01')",
]


def test_a_registry_written_before_0004_upgrades_with_its_labels_units_and_numbering(
    new_engine: Callable[[], Engine],
) -> None:
    engine = new_engine()
    _downgrade(engine, "0002")
    with engine.begin() as connection:
        for statement in _BEFORE_0004:
            connection.execute(text(statement))
    upgrade(engine)
    registry = Registry(session_factory(engine))
    gs = registry.get_project(program="GS", project_id="2211")
    assert (gs.corsia_pilot, gs.corsia_first_phase, gs.corsia_phase) == ("yes", "unknown", "pilot")
    dac = registry.get_project(program="ISOMETRIC", project_id="iso-1")
    assert (dac.corsia_pilot, dac.corsia_first_phase, dac.corsia_eligible) == ("unknown", "unknown", False)
    issued = registry.get_issuance(1)
    assert (issued.ccp_approved, issued.corsia_phase, issued.mitigation_type, issued.buffer_quantity) == (
        True,
        "pilot",
        "reduction",
        0,
    )
    assert registry.get_issuance(2).article6_authorization == "ndc_use"
    assert issued.unit_space == "GS:GS1-1-UG-GS2211-1-2021-1"
    assert {b.unit_space for b in registry.list_blocks(issuance_id=1)} == {issued.unit_space}
    assert registry.get_credit("GS1-1-UG-GS2211-1-2021-1-41-100").block.id == 2
    legacy = registry.get_credit("ISOMETRIC-7-1-10")  # the older opaque form still reads
    assert (legacy.block.unit_space, legacy.program.unit_decimals) == ("ISOMETRIC", 0)  # recorded in tonnes
    assert registry.check_integrity().ok
