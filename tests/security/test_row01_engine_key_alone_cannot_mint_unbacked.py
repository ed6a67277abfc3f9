"""Row 1 (high): one key minted 1,000 t with nothing locked.

The bridge's admin roles (DEFAULT_ADMIN, VERIFIER_MANAGER) were the engine's sending key, and every verifier
key sat in the engine's process: with the engine's key alone, ``addVerifier(self)``, ``setThreshold(1)``, a
self-signed attestation and a mint went through.

Now the admin is a timelock whose proposer is a separate key; the engine's key holds only PAUSER and
SETTLER. Each step of the attack is refused with a coded error, and nothing changes.
"""

from __future__ import annotations

import pytest

from bridge.chain.errors import ContractRevert
from engine_harness import BridgeWorld


def test_with_the_engine_key_alone_adding_itself_and_lowering_the_threshold_are_refused(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    engine = bw.engine.chain.sender  # the key the engine's process holds and sends with
    bridge = bw.local.bridge
    verifiers, threshold = sorted(bridge.functions.verifiers().call()), bridge.functions.threshold().call()
    for call in (bridge.functions.addVerifier(engine.address), bridge.functions.setThreshold(1)):
        with pytest.raises(ContractRevert) as refused:
            engine.transact(call)
        assert (refused.value.code, refused.value.error_name) == (
            "contract_reverted",
            "AccessControlUnauthorizedAccount",
        )
        assert refused.value.error_args[0].lower() == engine.address.lower()
    assert sorted(bridge.functions.verifiers().call()) == verifiers
    assert bridge.functions.threshold().call() == threshold
    for role in ("DEFAULT_ADMIN_ROLE", "VERIFIER_MANAGER_ROLE"):
        role_id = getattr(bridge.functions, role)().call()
        assert not bridge.functions.hasRole(role_id, engine.address).call(), f"the engine's key holds {role}"


def test_a_mint_signed_by_the_engine_key_alone_is_refused_and_mints_nothing(bridge_world: BridgeWorld) -> None:
    from bridge.chain.attestation import Lock, order_signatures, sign_lock_batch
    from bridge.chain.lock_batch import LockTree
    from chain_factories import fresh_block, verra_class

    bw = bridge_world
    engine = bw.engine.chain.sender
    serial, start, end = fresh_block(1_000)
    unbacked = Lock(
        lock_id=10**9,  # no such lock: nothing is locked anywhere
        registry="VCS",
        serial=serial,
        block_start=start,
        block_end=end,
        credit_class=verra_class(),
        recipient=engine.address,
    )
    tree = LockTree.of([unbacked])
    lock_batch = tree.lock_batch(bw.local.deadline())
    signature = sign_lock_batch(
        lock_batch, engine.account.key, chain_id=bw.local.chain.chain_id, bridge=bw.local.deployment.address
    )
    args = tree.mint_args(lock_batch, order_signatures([(engine.address, signature)]))
    with pytest.raises(ContractRevert) as refused:
        engine.send_prepared(bw.local.deployment.address, "0x" + args.calldata().hex(), gas=args.gas_budget())
    assert refused.value.error_name in ("BridgeInsufficientSignatures", "BridgeUnknownSigner")
    assert bw.local.deployment.class_token(verra_class()) is None  # no token, no supply
    assert not bw.local.bridge.functions.isLockUsed("VCS", 10**9).call()
