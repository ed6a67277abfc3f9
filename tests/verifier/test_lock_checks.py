"""A verifier re-reads every lock from the registry and signs a batch only if each lock is exactly what its
leaf says: locked in the bridge's trust account for this chain, class token, batch and recipient, all its
units still there, of the class the registry's credit derives to, and eligible. It never signs two leaves
for one lock id, across restarts."""

from __future__ import annotations

from pathlib import Path

from verifying import ask, locked, refusal

from bridge.chain.attestation import lock_batch_signer
from bridge.verifier.memory import SignedLocks
from bridge.verifier.schemas import AttestationRequest
from engine_harness import BridgeWorld


def test_a_verifier_signs_the_root_of_what_the_registry_shows(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    locks = [locked(bw), locked(bw, 20)]
    request = AttestationRequest.of(locks, deadline=bw.local.deadline())
    answer = bw.verifiers[0].attest(request)
    tree = request.tree()
    assert answer.root_bytes == tree.root and answer.locks == 2
    signer = lock_batch_signer(
        tree.lock_batch(request.deadline),
        answer.signature_bytes,
        chain_id=bw.local.chain.chain_id,
        bridge=bw.local.deployment.address,
    )
    assert signer == answer.signer == bw.verifiers[0].address
    signed = bw.local.sign_locks(locks, sort_leaves=False)  # the contract takes the same tree
    assert signed.tree.root == tree.root


def test_a_verifier_refuses_a_range_the_lock_does_not_have(bridge_world: BridgeWorld) -> None:
    lock = locked(bridge_world)
    error = refusal(bridge_world, lock.model_copy(update={"block_end": lock.block_end + 5}))
    assert error.field == "leaves[0]" and error.details["lock_id"] == lock.lock_id


def test_a_verifier_refuses_labels_the_project_does_not_have(bridge_world: BridgeWorld) -> None:
    lock = locked(bridge_world)
    upgraded = lock.credit_class.model_copy(update={"labels": lock.credit_class.labels | 4})
    error = refusal(bridge_world, lock.model_copy(update={"credit_class": upgraded}))
    assert "class" in error.message


def test_a_verifier_refuses_a_lock_id_the_registry_does_not_have(bridge_world: BridgeWorld) -> None:
    lock = locked(bridge_world)
    assert "no such lock" in refusal(bridge_world, lock.model_copy(update={"lock_id": 999})).message


def test_a_verifier_refuses_another_recipient_than_the_lock_names(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    lock = locked(bw)
    error = refusal(bw, lock.model_copy(update={"recipient": bw.local.users[3].address}))
    assert "recipient" in error.message


def test_a_verifier_refuses_a_lock_whose_units_left_trust(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    lock = locked(bw, 10)
    # the registry operator releases one unit behind the bridge's back
    bw.registry.release(actor_account=None, to_account=bw.world.trader, serial=lock.serial, quantity=1)
    assert "held" in refusal(bw, lock).message


def test_a_verifier_refuses_a_frozen_lock(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    lock = locked(bw)
    bw.registry.freeze(serial=lock.serial, reason="issued in error")
    assert "frozen" in refusal(bw, lock).message


def test_a_verifier_refuses_units_locked_for_another_token(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    issued = bw.world.issue(10)
    result = bw.registry.immobilize(
        actor_account=bw.world.custodian,
        trust_account=bw.world.trust,
        marketplace="another-exchange",
        marketplace_identifier={"chain_id": 1, "token_address": "0x" + "ab" * 20, "batch_id": "lot-7"},
        serial=issued.block.serial,
    )
    lock = locked(bw).model_copy(
        update={
            "lock_id": result.blocks[0].lock_id,
            "serial": issued.block.serial,
            "block_start": result.blocks[0].start,
            "block_end": result.blocks[0].end,
        }
    )
    assert "locked for 1:" in refusal(bw, lock).message


def test_one_refused_lock_refuses_the_whole_batch_and_signs_nothing(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    good, bad = locked(bw), locked(bw, 12)
    error = refusal(bw, good, bad.model_copy(update={"block_start": bad.block_start + 1}))
    assert error.field == "leaves[1]"
    assert len(bw.verifiers[0].memory) == 0  # nothing remembered: nothing signed


def test_a_verifier_never_signs_two_leaves_for_one_lock_even_after_a_restart(
    bridge_world: BridgeWorld, tmp_path: Path
) -> None:
    bw = bridge_world
    lock = locked(bw)
    ask(bw, lock)
    bw.restart()  # the verifiers' processes stop; their memory files stay
    ask(bw, lock)  # the same leaf again (in another batch, say): signed
    # the registry now shows the lock for another recipient (its locker re-locked it): not this lock id again
    redirected = lock.model_copy(update={"recipient": bw.local.users[3].address})
    bw.registry.release(actor_account=bw.world.trust, to_account=bw.world.custodian, serial=lock.serial)
    relocked = bw.registry.immobilize(
        actor_account=bw.world.custodian,
        trust_account=bw.world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier={
            "chain_id": bw.local.chain.chain_id,
            "token_address": bw.engine.chain.predict_token(lock.credit_class),
            "batch_id": lock.batch_key.hex(),
            "recipient": redirected.recipient,
        },
        serial=lock.serial,
    )
    assert relocked.blocks[0].lock_id != lock.lock_id  # the registry gives a new lock id
    forged = redirected  # the old lock id with the new recipient: refused by the registry's record first
    assert refusal(bw, forged).details["lock_id"] == lock.lock_id
    memory = SignedLocks(tmp_path / "verifier-0.db")
    assert memory.leaf_of(lock.lock_id) == lock.leaf()
    memory.close()


def test_the_memory_refuses_a_second_leaf_for_a_lock_id_whatever_the_registry_says(tmp_path: Path) -> None:
    memory = SignedLocks(tmp_path / "memory.db")
    memory.remember([(7, b"a" * 32), (8, b"b" * 32)])
    memory.remember([(7, b"a" * 32)])  # the same leaf: fine
    from bridge.verifier.errors import VerifierError

    try:
        memory.remember([(9, b"c" * 32), (8, b"x" * 32)])
        raise AssertionError("a second leaf for lock 8 was accepted")
    except VerifierError as exc:
        assert exc.code == "lock_attested_otherwise" and exc.details["lock_id"] == 8
    assert memory.leaf_of(9) is None  # all or nothing
    memory.close()
    assert SignedLocks(tmp_path / "memory.db").leaf_of(8) == b"b" * 32


def test_a_verifier_refuses_a_deadline_in_the_past_or_too_far_ahead(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    lock = locked(bw)
    refusal(bw, lock, code="deadline_refused", deadline=2**40)
    refusal(bw, lock, code="deadline_refused", deadline=1)
