"""The engine on its chain: the watcher reads history in pieces and saves its cursor after each, so a
crash mid-scan resumes where it stopped (nothing read twice is acted on twice); an engine round reads
the chain's head once."""

from __future__ import annotations

from typing import Any

import pytest
from web3.eth import Eth

from bridge.chain.logs import LogScanner
from bridge.engine.engine import EVENT_CURSOR
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.store import Cursor
from engine_harness import BridgeWorld, request_redemption, tokenize


class ScanCrash(Exception):
    pass


def test_a_scan_that_dies_midway_resumes_from_its_last_saved_piece(
    bridge_world: BridgeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    bw = bridge_world
    done = tokenize(bw, 40)
    assert done.class_id
    first_block = bw.local.chain.w3.eth.block_number + 1
    redemptions = []
    for _ in range(6):  # a request every other block: the history spans a dozen blocks
        redemptions.append(request_redemption(bw, done.class_id, 1, bw.world.trader))
        bw.local.chain.mine(1)
    bw.local.chain.mine(bw.confirmations)
    engine_chain = bw.engine.chain
    engine_chain.scanner = LogScanner(engine_chain.w3, max_span=3)
    pieces: list[tuple[int, int]] = []
    events = engine_chain.events

    def dies_on_the_third_piece(name: str, start: int, end: int) -> Any:
        if name == "RedemptionRequested" and end >= first_block:
            pieces.append((start, end))
            if len(pieces) == 3:
                raise ScanCrash
        return events(name, start, end)

    monkeypatch.setattr(engine_chain, "events", dies_on_the_third_piece)
    with pytest.raises(ScanCrash):
        bw.engine.watch()
    with bw.store.session() as session:
        saved = session.get_one(Cursor, EVENT_CURSOR).block
    assert saved == pieces[1][1]  # the two pieces read whole are saved; the third is read again
    seen = {r for r in redemptions if _recorded(bw, r)}
    assert seen and seen != set(redemptions)

    bw.restart()
    bw.engine.chain.scanner = LogScanner(bw.engine.chain.w3, max_span=3)
    bw.settle()
    assert [bw.engine.get_redemption(r).step for r in redemptions] == ["completed"] * 6
    released = bw.registry.list_blocks(account_id=bw.world.trader)
    assert sum(b.quantity for b in released) == 6  # one tonne each, once
    assert bw.engine.proof_of_reserve().ok


def _recorded(bw: BridgeWorld, redemption_id: int) -> bool:
    try:
        bw.engine.get_redemption(redemption_id)
    except Exception:
        return False
    return True


def test_an_engine_round_reads_the_head_once(bridge_world: BridgeWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    bw = bridge_world
    done = tokenize(bw, 30)
    assert done.class_id
    for _ in range(3):
        request_redemption(bw, done.class_id, 1, bw.world.trader)
    for index in range(3):  # three mints to confirm, each asking whether it is deep enough
        issued = bw.world.issue(5)
        bw.engine.request_tokenization(
            TokenizationRequest(
                idempotency_key=f"head-read-{index}",
                custodian_account=bw.world.custodian,
                serial=issued.block.serial,
                recipient=bw.holder.address,
            )
        )
    reads: list[int] = []
    block_number = Eth.block_number

    def counted(eth: Eth) -> int:
        reads.append(1)
        return block_number.fget(eth)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(Eth, "block_number", property(counted))
    moves: list[int] = []
    for _ in range(8):
        reads.clear()
        moves.append(bw.engine.tick())
        assert len(reads) == 1, f"round {len(moves)} read the head {len(reads)} times"
        bw.local.chain.mine(bw.confirmations)
    assert sum(moves) >= 15 and moves[-1] == 0  # 3 mints and 3 redemptions, every step: one read a round
    assert [bw.engine.get_tokenization(done.id + i).step for i in (1, 2, 3)] == ["completed"] * 3
