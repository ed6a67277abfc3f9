"""Property tests: the EIP-712 encoding matches for any attestation, and supply always equals reserve."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.chain.attestation import Adjustment, Attestation, CreditClass
from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.primitives import TONNE
from chain_factories import fresh_block, verra_class

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
short_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=32)  # codes
classes = st.builds(
    CreditClass,
    program=short_text,
    project_id=text,
    vintage_start=st.integers(19000101, 99991231),
    vintage_end=st.integers(19000101, 99991231),
    methodology=st.text(max_size=20),
    host_country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    labels=st.integers(0, 255),
    adjustment=st.sampled_from(list(Adjustment)),
)
attestations = st.builds(
    Attestation,
    registry=short_text,
    serial=text,
    block_start=st.integers(0, 2**64 - 1),
    block_end=st.integers(0, 2**64 - 1),
    quantity=st.integers(0, 2**64 - 1),
    credit_class=classes,
    recipient=st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    nonce=st.integers(0, 2**256 - 1),
    deadline=st.integers(0, 2**256 - 1),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attestation=attestations)
def test_contract_digest_equals_eth_account_digest_for_any_attestation(
    session_bridge: LocalBridge, attestation: Attestation
) -> None:
    typed = attestation.typed_data(chain_id=session_bridge.chain.chain_id, bridge=session_bridge.deployment.address)
    signable = encode_typed_data(full_message=typed)
    expected = keccak(b"\x19\x01" + signable.header + signable.body)
    assert session_bridge.bridge.functions.hashAttestation(attestation.as_tuple()).call() == expected
    assert session_bridge.bridge.functions.classIdOf(attestation.credit_class.as_tuple()).call() == (
        attestation.credit_class.class_id
    )


steps = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 5000), st.booleans()),
    min_size=1,
    max_size=8,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_supply_equals_attested_reserve_after_any_sequence_of_mints(
    session_bridge: LocalBridge, steps: list[tuple[int, int, bool]]
) -> None:
    """Random mints across three classes, some replayed: each class's supply is its reserve in tonnes."""
    local = session_bridge
    snapshot = local.chain.snapshot()
    try:
        classes = [verra_class(project_id=f"P{i}") for i in range(3)]
        expected = [0, 0, 0]
        minted: list[Attestation] = []
        for class_index, quantity, replay in steps:
            if replay and minted:
                again = minted[-1].model_copy(update={"nonce": local.next_nonce()})
                try:
                    local.mint(again)
                    raise AssertionError("a replayed serial block was minted twice")
                except ContractRevert as error:
                    assert error.error_name == "BridgeBatchAlreadyBridged"
                continue
            serial, start, end = fresh_block(quantity)
            attestation = local.attestation(
                classes[class_index], serial=serial, start=start, end=end, recipient=local.users[class_index].address
            )
            local.mint(attestation)
            minted.append(attestation)
            expected[class_index] += quantity
        for credit_class, tonnes in zip(classes, expected, strict=True):
            reserve = local.bridge.functions.classReserve(credit_class.class_id).call()
            assert reserve == tonnes
            token = local.deployment.class_token(credit_class)
            supply = 0 if token is None else token.functions.totalSupply().call()
            assert supply == tonnes * TONNE
    finally:
        local.chain.revert(snapshot)
        local.resync()
