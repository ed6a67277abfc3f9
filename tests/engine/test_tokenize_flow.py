"""Tokenization end to end: registry block locked in trust, attested by verifiers, minted, confirmed."""

from __future__ import annotations

import pytest

from bridge.engine.errors import BridgeError
from bridge.engine.locks import lock_of
from bridge.engine.schemas import TokenizationRequest
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, tonnes


def request(bw: BridgeWorld, serial: str, key: str = "tok-0001", **overrides: object) -> TokenizationRequest:
    fields: dict[str, object] = {
        "idempotency_key": key,
        "custodian_account": bw.world.custodian,
        "serial": serial,
        "recipient": bw.holder.address,
    }
    fields.update(overrides)
    return TokenizationRequest(**fields)  # type: ignore[arg-type]


def test_a_whole_block_is_locked_attested_minted_and_confirmed(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(500)
    tokenization = bw.engine.request_tokenization(request(bw, issued.block.serial))
    assert tokenization.step == "received"
    bw.settle()
    done = bw.engine.get_tokenization(tokenization.id)
    assert done.step == "completed", done
    assert len(done.attested_by or []) == 2
    assert done.token_address is not None
    assert bw.balance(done.token_address, bw.holder) == tonnes(500)
    block = bw.registry.get_credit(done.serial or "").block
    assert block.status == BlockStatus.IMMOBILIZED
    assert block.account_id == bw.world.trust
    assert block.marketplace is not None
    assert block.marketplace.identifier.batch_id == (done.batch_key or "").removeprefix("0x")
    assert bw.engine.proof_of_reserve().ok


def test_part_of_a_block_is_split_off_and_bridged(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(10_000)
    tokenization = bw.engine.request_tokenization(request(bw, issued.block.serial, quantity=300))
    bw.settle()
    done = bw.engine.get_tokenization(tokenization.id)
    assert done.step == "completed"
    assert done.quantity == 300
    held = bw.registry.list_blocks(account_id=bw.world.custodian, status="held")
    assert sum(b.quantity for b in held) == 9_700
    assert bw.engine.proof_of_reserve().ok


def test_a_repeated_idempotency_key_returns_the_first_tokenization(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(100)
    first = bw.engine.request_tokenization(request(bw, issued.block.serial))
    again = bw.engine.request_tokenization(request(bw, issued.block.serial))
    assert again.id == first.id


def test_a_reused_idempotency_key_with_another_body_is_a_conflict(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(100)
    bw.engine.request_tokenization(request(bw, issued.block.serial))
    with pytest.raises(BridgeError) as info:
        bw.engine.request_tokenization(request(bw, issued.block.serial, recipient=bw.local.users[1].address))
    assert info.value.code == "idempotency_conflict"


def test_a_block_in_someone_elses_account_is_refused_and_nothing_changes(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(100, to=bw.world.trader)
    before = bw.registry.snapshot()
    with pytest.raises(BridgeError) as info:
        bw.engine.request_tokenization(request(bw, issued.block.serial))
    assert (info.value.code, info.value.field) == ("block_not_available", "serial")
    assert bw.registry.snapshot() == before


def test_many_ready_tokenizations_mint_in_one_transaction(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    ids = []
    for i in range(4):
        issued = bw.world.issue(10 + i)
        ids.append(bw.engine.request_tokenization(request(bw, issued.block.serial, key=f"tok-batch-{i}")).id)
    bw.settle()
    hashes = {bw.engine.get_tokenization(i).tx_hash for i in ids}
    assert len(hashes) == 1
    assert all(bw.engine.get_tokenization(i).step == "completed" for i in ids)


def test_a_paused_bridge_holds_tokenizations_until_unpaused(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    bw.local.sender().transact(bw.local.bridge.functions.pause())
    ids = [
        bw.engine.request_tokenization(request(bw, bw.world.issue(10 + i).block.serial, key=f"tok-paused-{i}")).id
        for i in range(2)
    ]
    bw.settle()
    held = [bw.engine.get_tokenization(i) for i in ids]
    assert [t.step for t in held] == ["attested", "attested"]  # waiting, not failed
    bw.local.admin_execute(bw.local.bridge.functions.unpause())  # the admin's, through the timelock
    bw.settle()
    assert [bw.engine.get_tokenization(i).step for i in ids] == ["completed", "completed"]
    assert bw.engine.proof_of_reserve().ok


def test_one_lock_the_contract_refuses_does_not_hold_back_the_rest_of_a_batch(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    flow = bw.engine.tokenize
    ids = [
        bw.engine.request_tokenization(request(bw, bw.world.issue(10 + i).block.serial, key=f"tok-iso-{i}")).id
        for i in range(2)
    ]
    for tokenization_id in ids:
        flow._immobilize(tokenization_id)
    assert flow.attest_ready() == 2  # one batch, not yet minted
    # the first serial gets bridged under another lock before the engine mints (say, a second engine)
    first = flow._load(ids[0])
    other = lock_of(first).model_copy(update={"lock_id": 10**6})
    bw.local.mint_locks([other])
    bw.settle()
    refused, minted = (bw.engine.get_tokenization(i) for i in ids)
    assert refused.step == "attested" and refused.error_code == "mint_blocked"
    assert "BridgeBatchAlreadyBridged" in (refused.error_message or "")
    assert minted.step == "completed"


def test_units_locked_in_trust_for_another_marketplace_do_not_break_the_proof(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    tokenize_done = bw.engine.request_tokenization(request(bw, bw.world.issue(25).block.serial, key="tok-own-class"))
    bw.settle()
    assert bw.engine.get_tokenization(tokenize_done.id).step == "completed"
    foreign = bw.world.issue(5)
    bw.registry.immobilize(
        actor_account=bw.world.custodian,
        trust_account=bw.world.trust,
        marketplace="another-exchange",
        marketplace_identifier={"chain_id": 1, "token_address": "0x" + "ab" * 20, "batch_id": "lot-7"},
        serial=foreign.block.serial,
    )
    report = bw.engine.proof_of_reserve()
    assert report.ok, report
    assert [c.units_in_trust for c in report.classes if c.class_id] == [25]
