"""What the attacks of rows 1, 4 and 7 need, written so that the same test runs on the code before issue #11
(where it fails: the attack went through) and after it: the admin and the attestation format changed there,
so these helpers take whichever path the code under test has."""

from __future__ import annotations

from typing import Any

from engine_harness import BridgeWorld


def engine_nonce(bw: BridgeWorld) -> int:
    """Transactions the engine's sending key has sent (each one paid for, failed or not)."""
    return int(bw.local.chain.w3.eth.get_transaction_count(bw.engine.chain.sender.address))


def admin_change(bw: BridgeWorld, call: Any) -> None:
    """An admin change as the deployment allows it: through the timelock (after #11), or by the engine's key,
    which was the admin before."""
    if hasattr(bw.local, "admin_execute"):
        bw.local.admin_execute(call)
    else:
        bw.local.sender().transact(call)


def attest_without_minting(bw: BridgeWorld, tokenization_id: int) -> None:
    """Lock the tokenization's block and gather its signatures, without minting yet."""
    flow = bw.engine.tokenize
    flow._immobilize(tokenization_id)
    if hasattr(flow, "attest_ready"):  # a batch of locks, one root
        flow.attest_ready()
    else:  # one attestation per tokenization
        flow._attest(tokenization_id)
    assert bw.engine.get_tokenization(tokenization_id).step == "attested"


def verifier(bw: BridgeWorld, index: int) -> Any:
    """The engine's ``index``-th verifier object (a service in this process)."""
    return bw.verifiers[index] if hasattr(bw, "verifiers") else bw.engine.tokenize.verifiers[index]
