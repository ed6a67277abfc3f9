"""The engine's registry request ids carry each flow row's random token, and a conflict on one of them is
an alarm: the flow waits with ``registry_request_conflict``, it is never cancelled or rejected for it."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from bridge.engine.request_ids import REQUEST_CONFLICT, registry_request_id
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.store import Redemption, Settlement, Tokenization
from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, request_redemption, retire, tokenize

pytestmark = pytest.mark.sqlite_only  # the registry request ids the engine sends: the same on every engine database


def _token(bw: BridgeWorld, model: type, row_id: int) -> str:
    with bw.store.session() as session:
        token = session.get_one(model, row_id).request_token
    assert token is not None and re.fullmatch(r"[0-9a-f]{32}", token)
    return str(token)


def test_every_registry_request_of_a_flow_names_the_rows_random_token(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    minted = tokenize(bw, 20)
    assert minted.class_id
    redemption_id = request_redemption(bw, minted.class_id, 3, bw.world.trader)
    retire(bw, minted.class_id, 2 * TONNE)
    bw.settle()
    [settlement] = bw.engine.list_settlements()
    with bw.store.session() as session:
        lock_request = session.get_one(Tokenization, minted.id).lock_request
    assert lock_request is not None
    assert re.fullmatch(
        rf"tokenize-{minted.id}-{_token(bw, Tokenization, minted.id)}-lock-[0-9a-f]{{16}}", lock_request
    )
    tokens = {
        lock_request,
        f"redeem-{redemption_id}-{_token(bw, Redemption, redemption_id)}-0",
        f"settle-{settlement.id}-{_token(bw, Settlement, settlement.id)}-0",
    }
    used = {e.request_id for e in bw.registry.journal_entries() if e.request_id is not None}
    assert tokens <= used
    assert len({request_id.split("-")[2] for request_id in tokens}) == 3, "each row draws its own token"


def test_a_row_written_before_tokens_existed_keeps_the_id_it_was_using() -> None:
    assert registry_request_id("redeem", 7, None, 0) == "redeem-7-0"
    assert registry_request_id("tokenize", 7, "ab" * 16, "immobilize") == f"tokenize-7-{'ab' * 16}-immobilize"


def test_a_conflict_on_the_engines_release_id_is_an_alarm_and_the_redemption_waits_with_its_escrow(
    bridge_world: BridgeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    bw = bridge_world
    minted = tokenize(bw, 20)
    assert minted.class_id and minted.serial
    redemption_id = request_redemption(bw, minted.class_id, 3, bw.world.trader)
    bw.local.chain.mine(bw.confirmations)
    bw.engine.watch()  # the redemption is recorded: its token is drawn
    engine_id = registry_request_id("redeem", redemption_id, _token(bw, Redemption, redemption_id), 0)
    # something holding the trust account's key records another request under the engine's own id
    bw.client(bw.world.trust).release(
        serial=minted.serial, quantity=1, to_account=bw.world.custodian, request_id=engine_id
    )
    with caplog.at_level(logging.DEBUG, logger="bridge.engine.request_ids"):
        bw.settle()
        bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert (redemption.step, redemption.error_code) == ("releasing", REQUEST_CONFLICT)
    assert bw.local.bridge.functions.redemption(redemption_id).call()[3] == 1, "the escrow is kept, not cancelled"
    alarms = [r for r in caplog.records if r.levelno == logging.ERROR and f"redemption {redemption_id}" in r.message]
    assert len(alarms) == 1, "one error line, not one per round"


def test_a_conflict_on_the_engines_lock_id_leaves_the_tokenization_waiting_not_rejected(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    issued = bw.world.issue(10)
    other = bw.world.issue(4)
    tokenization = bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key="conflicting-lock-id",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )
    [[row]] = bw.engine.tokenize.locking.groups()  # the group is named (and saved) before it is sent
    assert row.lock_request is not None
    bw.client(bw.world.custodian).transfer(
        serial=other.block.serial, to_account=bw.world.trader, request_id=row.lock_request
    )
    bw.settle()
    waiting = bw.engine.get_tokenization(tokenization.id)
    assert (waiting.step, waiting.error_code) == ("received", REQUEST_CONFLICT)
    assert bw.registry.find_block(issued.block.serial).status == BlockStatus.HELD, "nothing was locked"
    with bw.store.session() as session:
        assert session.scalars(select(Tokenization.step)).all() == ["received"]
