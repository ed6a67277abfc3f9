"""Row 7 (medium): after a verifier was removed on-chain (or the threshold raised), the engine re-attested and
sent failing ``mintBatch`` transactions in a loop, paying gas each time (50 per ``run_until_idle``).

Now the engine reads the on-chain verifier set and threshold before it asks for signatures (only verifiers
the contract counts, as many as it needs), dry-runs every mint before sending it, and waits with a coded
reason when too few verifiers answer: its key sends no transaction that fails.
"""

from __future__ import annotations

from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.engine.schemas import TokenizationRequest
from engine_harness import BridgeWorld
from security.attacks import admin_change, attest_without_minting, engine_nonce, verifier


def requested(bw: BridgeWorld, quantity: int = 10) -> int:
    issued = bw.world.issue(quantity)
    return bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key=f"row7-block-{issued.block.id}",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    ).id


def test_after_a_signer_is_removed_on_chain_the_engine_mints_with_the_others_and_sends_nothing_that_fails(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    tokenization = requested(bw)
    attest_without_minting(bw, tokenization)
    signer = bw.engine.get_tokenization(tokenization).attested_by[0]  # type: ignore[index]
    admin_change(bw, bw.local.bridge.functions.removeVerifier(signer))
    before = engine_nonce(bw)
    bw.settle()
    assert engine_nonce(bw) - before == 1, "the engine paid for failing transactions"
    done = bw.engine.get_tokenization(tokenization)
    assert done.step == "completed"
    assert signer not in (done.attested_by or [])


def test_after_the_threshold_is_raised_the_engine_gathers_as_many_signatures_as_the_contract_needs(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    tokenization = requested(bw)
    attest_without_minting(bw, tokenization)
    admin_change(bw, bw.local.bridge.functions.setThreshold(3))
    before = engine_nonce(bw)
    bw.settle()
    assert engine_nonce(bw) - before == 1, "the engine paid for failing transactions"
    done = bw.engine.get_tokenization(tokenization)
    assert done.step == "completed" and len(done.attested_by or []) == 3


def test_when_too_few_verifiers_answer_for_a_raised_threshold_the_engine_waits_and_pays_nothing(
    bridge_world: BridgeWorld, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    bw = bridge_world
    tokenization = requested(bw)
    attest_without_minting(bw, tokenization)
    admin_change(bw, bw.local.bridge.functions.setThreshold(3))

    def down(*_: object, **__: object) -> None:
        raise ChainError("verifier 2 is down", code=ChainErrorCode.CHAIN_UNAVAILABLE)

    monkeypatch.setattr(verifier(bw, 2), "attest", down)
    before = engine_nonce(bw)
    for _ in range(3):
        bw.settle()
    assert engine_nonce(bw) == before, "the engine paid for failing transactions while blocked"
    waiting = bw.engine.get_tokenization(tokenization)
    assert waiting.step != "completed"
    assert waiting.error_code in ("not_enough_attestations", "mint_blocked")
    monkeypatch.undo()  # the verifier is back
    bw.restart()
    bw.settle()
    assert bw.engine.get_tokenization(tokenization).step == "completed"
    assert engine_nonce(bw) - before == 1
