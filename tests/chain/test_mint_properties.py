"""Property tests: the contract hashes every lock and batch as Python does; any subset of a signed batch mints
with its multiproof, exactly its locks, and never twice; a tampered lock never mints; and each class's
supply is its reserve in registry units times its unit, whatever the sequence of mints."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.chain.attestation import Lock, LockBatch
from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from chain_factories import fresh_block, locks, verra_class


@contextmanager
def rolled_back(local: LocalBridge) -> Iterator[LocalBridge]:
    snapshot = local.chain.snapshot()
    try:
        yield local
    finally:
        local.chain.revert(snapshot)
        local.resync()


def small_batch(local: LocalBridge, size: int, kilograms: list[bool]) -> list[Lock]:
    """``size`` fresh locks of two classes (one counted in kilograms when asked) to two users."""
    tonnes, kilos = verra_class(project_id="T"), verra_class(project_id="K", unit_decimals=3)
    batch = []
    for i in range(size):
        serial, start, end = fresh_block(10 + i)
        credit_class = kilos if kilograms[i % len(kilograms)] else tonnes
        recipient = local.users[i % 2].address
        batch.append(local.lock(credit_class, serial=serial, start=start, end=end, recipient=recipient))
    return batch


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lock=locks(), deadline=st.integers(0, 2**256 - 1), root=st.binary(min_size=32, max_size=32))
def test_the_contract_hashes_any_lock_and_batch_as_python_does(
    session_bridge: LocalBridge, lock: Lock, deadline: int, root: bytes
) -> None:
    bridge = session_bridge.bridge.functions
    assert bridge.hashLock(lock.as_tuple()).call() == lock.leaf()
    assert bridge.classIdOf(lock.credit_class.as_tuple()).call() == lock.credit_class.class_id
    assert bridge.classHashOf(lock.credit_class.as_tuple()).call() == lock.credit_class.class_hash
    batch = LockBatch(locks_root=root, deadline=deadline)
    chain_id, address = session_bridge.chain.chain_id, session_bridge.deployment.address
    assert bridge.hashLockBatch(batch.as_tuple()).call() == batch.digest(chain_id=chain_id, bridge=address)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(1, 10),
    kilograms=st.lists(st.booleans(), min_size=1, max_size=3),
    sort_leaves=st.booleans(),
    data=st.data(),
)
def test_any_subset_of_a_signed_batch_mints_exactly_its_locks_once(
    session_bridge: LocalBridge, size: int, kilograms: list[bool], sort_leaves: bool, data: st.DataObject
) -> None:
    with rolled_back(session_bridge) as local:
        batch = small_batch(local, size, kilograms)
        signed = local.sign_locks(batch, sort_leaves=sort_leaves)
        remaining = list(batch)
        minted: list[Lock] = []
        while remaining:
            part = data.draw(st.lists(st.sampled_from(remaining), min_size=1, unique=True))
            local.mint_signed(signed, subset=part)
            minted += part
            remaining = [lock for lock in remaining if lock not in part]
            for lock in batch:
                assert local.bridge.functions.isLockUsed(lock.registry, lock.lock_id).call() == (lock in minted)
        for credit_class in {lock.credit_class for lock in batch}:
            units = sum(lock.quantity for lock in batch if lock.credit_class == credit_class)
            assert local.bridge.functions.classReserve(credit_class.class_id).call() == units
            assert local.token(credit_class).functions.totalSupply().call() == units * credit_class.wei_per_unit
        again = data.draw(st.lists(st.sampled_from(batch), min_size=1, unique=True))
        try:
            local.mint_signed(signed, subset=again)
            raise AssertionError("a part of a signed batch minted twice")
        except ContractRevert as error:
            assert error.error_name == "BridgeLockUsed"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(1, 8),
    field=st.sampled_from(["lock_id", "serial", "block_start", "block_end", "recipient", "unit_decimals"]),
    data=st.data(),
)
def test_a_lock_changed_after_signing_never_mints(
    session_bridge: LocalBridge, size: int, field: str, data: st.DataObject
) -> None:
    with rolled_back(session_bridge) as local:
        batch = small_batch(local, size, [False])
        signed = local.sign_locks(batch)
        part = data.draw(st.lists(st.sampled_from(batch), min_size=1, unique=True))
        args = signed.mint_args(part)
        victim = data.draw(st.integers(0, len(args.leaves) - 1))
        leaves = [list(leaf) for leaf in args.leaves]
        classes = [list(c) for c in args.classes]
        if field == "unit_decimals":  # the class of the victim counted in kilograms instead of tonnes
            classes[leaves[victim][5]][8] = 3
        else:
            position = {"lock_id": 0, "serial": 2, "block_start": 3, "block_end": 4, "recipient": 6}[field]
            value = leaves[victim][position]
            changed = {"serial": lambda v: v + "0", "recipient": lambda v: local.users[3].address}
            leaves[victim][position] = changed.get(field, lambda v: v + 1)(value)
        tampered = args._replace(leaves=tuple(map(tuple, leaves)), classes=tuple(map(tuple, classes)))
        try:
            local.sender().send_prepared(local.deployment.address, "0x" + tampered.calldata().hex())
            raise AssertionError("a tampered lock minted")
        except ContractRevert as error:
            assert error.error_name in {"BridgeInvalidLockProof", "BridgeInvalidBlock"}
        for lock in batch:
            assert not local.bridge.functions.isLockUsed(lock.registry, lock.lock_id).call()


steps = st.lists(st.tuples(st.integers(0, 2), st.integers(1, 5000), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_supply_equals_the_reserve_in_units_after_any_sequence_of_mints(
    session_bridge: LocalBridge, steps: list[tuple[int, int, bool]]
) -> None:
    """Random locks across three classes (one counted in kilograms), some replayed under a new lock id."""
    with rolled_back(session_bridge) as local:
        credit_classes = [verra_class(project_id=f"P{i}", unit_decimals=3 if i == 2 else 0) for i in range(3)]
        expected = [0, 0, 0]
        minted: list[Lock] = []
        for class_index, quantity, replay in steps:
            if replay and minted:
                again = minted[-1].model_copy(update={"lock_id": local.next_lock_id()})
                try:
                    local.mint_locks([again])
                    raise AssertionError("an active serial block was minted twice")
                except ContractRevert as error:
                    assert error.error_name == "BridgeBatchAlreadyBridged"
                continue
            serial, start, end = fresh_block(quantity)
            recipient = local.users[class_index].address
            lock = local.lock(credit_classes[class_index], serial=serial, start=start, end=end, recipient=recipient)
            local.mint_locks([lock])
            minted.append(lock)
            expected[class_index] += quantity
        for credit_class, units in zip(credit_classes, expected, strict=True):
            assert local.bridge.functions.classReserve(credit_class.class_id).call() == units
            token = local.deployment.class_token(credit_class)
            supply = 0 if token is None else token.functions.totalSupply().call()
            assert supply == units * credit_class.wei_per_unit
