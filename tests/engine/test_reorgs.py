"""Chain reorganizations: a request that disappears is never acted on; a mint that disappears is redone."""

from __future__ import annotations

from bridge.engine.errors import BridgeError
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
