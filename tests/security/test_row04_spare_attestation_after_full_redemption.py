"""Row 4 (medium): a spare attestation minted the same tonnes twice.

Verifiers signed the same block again under any new nonce, and the contract refused only a used nonce or
an active batch: after the batch was fully redeemed, a spare attestation minted 10 t with 0 units in trust.

Now an attestation binds the registry's own lock id, which the contract records forever: signatures over
the same lock, asked for again and kept aside, mint nothing once the lock was bridged (``BridgeLockUsed``),
also after every unit of it was redeemed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.chain.errors import ContractRevert
from bridge.primitives import TONNE
from engine_harness import BridgeWorld, request_redemption, tokenize
from security.attacks import verifier


def spare_signatures(bw: BridgeWorld, tokenization_id: int) -> Callable[[], Any]:
    """Two verifiers' signatures over the tokenization's block asked for again while it is in trust (and kept
    aside); returns the mint a holder sends with them later (anyone may relay signed locks)."""
    flow = bw.engine.tokenize
    row = flow._load(tokenization_id)
    relayer = bw.local.sender(bw.local.users[2])
    try:
        from bridge.engine.locks import lock_of
        from bridge.verifier.schemas import AttestationRequest
    except ImportError:  # before #11: an attestation of the block's content under a fresh nonce
        spare = flow.attestation_of(row, bw.local.deadline()).model_copy(update={"nonce": 10**6})
        signatures = [verifier(bw, i).attest(spare) for i in (0, 1)]
        order = sorted(range(2), key=lambda i: int(verifier(bw, i).address, 16))
        call = bw.local.bridge.functions.mint(spare.as_tuple(), [signatures[i] for i in order])
        return lambda: relayer.transact(call)
    request = AttestationRequest.of([lock_of(row)], deadline=bw.local.deadline())
    answers = [verifier(bw, i).attest(request) for i in (0, 1)]  # the same leaf again: a lock is one leaf
    tree = request.tree()
    ordered = [a.signature_bytes for a in sorted(answers, key=lambda a: int(a.signer, 16))]
    args = tree.mint_args(tree.lock_batch(request.deadline), ordered)
    data = "0x" + args.calldata().hex()
    return lambda: relayer.send_prepared(bw.local.deployment.address, data, gas=args.gas_budget())


def test_a_spare_attestation_after_a_full_redemption_cannot_mint_again(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 10)
    assert done.class_id and done.token_address
    spare_mint = spare_signatures(bw, done.id)
    redemption = request_redemption(bw, done.class_id, 10, bw.world.trader)
    bw.settle()
    assert bw.engine.get_redemption(redemption).step == "completed"
    token = bw.local.deployment.token_at(done.token_address)
    assert token.functions.totalSupply().call() == 0
    with pytest.raises(ContractRevert) as refused:
        spare_mint()
    assert refused.value.error_name == "BridgeLockUsed"
    assert token.functions.totalSupply().call() == 0, "tokens minted with nothing in trust"
    assert bw.registry.list_blocks(account_id=bw.world.trust, status="immobilized") == []
    assert bw.engine.proof_of_reserve().ok
    assert sum(b.quantity for b in bw.registry.list_blocks(account_id=bw.world.trader)) * TONNE == 10 * TONNE
