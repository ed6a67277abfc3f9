"""Chain reorganizations: a request that disappears is never acted on; a mint that disappears is redone."""

from __future__ import annotations

import pytest

from bridge.chain.errors import ChainError
from bridge.engine.errors import BridgeError
from bridge.engine.schemas import TokenizationRequest
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, request_redemption, tokenize, tonnes


def test_a_redemption_that_vanishes_before_it_is_deep_enough_is_never_acted_on(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 50)
    assert done.class_id and done.token_address
    snapshot = bw.local.chain.snapshot()
    redemption_id = request_redemption(bw, done.class_id, 5, bw.world.trader)
    bw.engine.run_until_idle()  # one block deep, confirmations = 2: not yet acted on
    bw.local.chain.revert(snapshot)  # the block with the request is replaced
    bw.local.resync()
    bw.settle()
    try:
        bw.engine.get_redemption(redemption_id)
        raise AssertionError("a vanished redemption request was recorded")
    except BridgeError as error:
        assert error.code == "not_found"
    assert bw.registry.list_blocks(account_id=bw.world.trader) == []
    assert bw.balance(done.token_address, bw.holder) == tonnes(50)
    assert bw.engine.proof_of_reserve().ok


def test_a_confirmed_redemption_is_acted_on_exactly_once(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 50)
    assert done.class_id
    redemption_id = request_redemption(bw, done.class_id, 5, bw.world.trader)
    bw.local.chain.mine(1)
    bw.engine.run_until_idle()
    assert bw.registry.list_blocks(account_id=bw.world.trader) == []  # still too shallow
    bw.settle()
    assert bw.engine.get_redemption(redemption_id).step == "completed"
    assert sum(b.quantity for b in bw.registry.list_blocks(account_id=bw.world.trader)) == 5


def test_a_mint_lost_with_the_chains_newest_blocks_is_sent_again_on_restart(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    snapshot = bw.local.chain.snapshot()
    done = tokenize(bw, 80)
    assert done.token_address
    bw.local.chain.revert(snapshot)  # e.g. a local chain restarted from an older state file
    bw.local.resync()
    assert bw.local.deployment.class_token(_class(done)) is None  # the chain no longer shows the mint
    bw.restart()
    bw.settle()
    again = bw.engine.get_tokenization(done.id)
    assert again.step == "completed"
    assert bw.balance(done.token_address, bw.holder) == tonnes(80)
    trust = bw.registry.list_blocks(account_id=bw.world.trust, status=BlockStatus.IMMOBILIZED.value)
    assert sum(b.quantity for b in trust) == 80  # locked once, minted once
    assert bw.engine.proof_of_reserve().ok


def _class(done: object) -> bytes:
    return bytes.fromhex(done.class_id[2:])  # type: ignore[attr-defined]


def test_a_node_that_cannot_be_asked_for_a_receipt_leaves_the_sent_mint_waiting(
    bridge_world: BridgeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receipt that cannot be read is not a mint that is gone: the confirm step raises ``chain_unavailable``
    and changes nothing (it used to send the mint back to be minted again), then completes it once the node
    answers."""
    bw = bridge_world
    issued = bw.world.issue(40)
    request = TokenizationRequest(
        idempotency_key="receipt-outage-1",
        custodian_account=bw.world.custodian,
        serial=issued.block.serial,
        recipient=bw.holder.address,
    )
    tokenization = bw.engine.request_tokenization(request)
    flow = bw.engine.tokenize
    for _ in range(6):
        if bw.engine.get_tokenization(tokenization.id).step == "submitted":
            break
        flow.drive()
    assert bw.engine.get_tokenization(tokenization.id).step == "submitted"
    provider = bw.engine.chain.w3.provider
    asked = provider.make_request

    def unreachable(method: str, params: object) -> object:
        if method == "eth_getTransactionReceipt":
            raise ConnectionError("connection refused")
        return asked(method, params)

    def refusing(method: str, params: object) -> object:
        if method == "eth_getTransactionReceipt":
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "internal error"}}
        return asked(method, params)

    for broken in (unreachable, refusing):
        monkeypatch.setattr(provider, "make_request", broken)
        with pytest.raises(ChainError) as caught:
            flow.confirm_submitted()
        assert caught.value.code == "chain_unavailable"
        assert bw.engine.get_tokenization(tokenization.id).step == "submitted"
    monkeypatch.setattr(provider, "make_request", asked)
    bw.settle()
    assert bw.engine.get_tokenization(tokenization.id).step == "completed"
    assert bw.engine.proof_of_reserve().ok
