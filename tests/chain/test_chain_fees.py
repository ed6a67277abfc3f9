"""EIP-1559 fees: learned from the node's fee history, never past the policy's cap, and a replacement's
bump always enough for the nodes' rule (both fees up by 10% at least)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.backend import InProcessChain
from bridge.chain.compiler import find_project_root
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.fees import Fees, offer, replacement_fees, suggest_fees
from bridge.chain.policy import GWEI, ChainPolicy

wei = st.integers(min_value=0, max_value=10**15)
policies = st.builds(
    ChainPolicy,
    max_fee_gwei=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3),
    min_tip_gwei=st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=3),
    base_fee_headroom=st.decimals(min_value=Decimal(1), max_value=Decimal(10), places=2),
    bump_percent=st.integers(min_value=10, max_value=200),
)


@given(base_fee=wei, tip=wei, policy=policies)
def test_an_offer_never_passes_the_cap_and_covers_the_base_fee_it_was_made_for(
    base_fee: int, tip: int, policy: ChainPolicy
) -> None:
    if base_fee > policy.max_fee_wei:
        with pytest.raises(ChainError) as refused:
            offer(base_fee, tip, policy)
        assert refused.value.code is ChainErrorCode.FEE_ABOVE_CAP
        return
    fees = offer(base_fee, tip, policy)
    assert base_fee <= fees.max_fee <= policy.max_fee_wei
    assert fees.tip <= fees.max_fee
    assert fees.tip == min(max(tip, policy.min_tip_wei), fees.max_fee)
    if int(base_fee * policy.base_fee_headroom) + fees.tip <= policy.max_fee_wei:
        assert fees.max_fee == int(base_fee * policy.base_fee_headroom) + fees.tip


@given(max_fee=st.integers(min_value=1, max_value=10**15), tip_share=st.floats(0, 1), policy=policies)
def test_a_replacement_raises_both_fees_by_the_bump_or_is_not_sent(
    max_fee: int, tip_share: float, policy: ChainPolicy
) -> None:
    previous = Fees(max_fee=max_fee, tip=int(max_fee * tip_share))
    replacement = replacement_fees(previous, None, policy)
    needed = -(-previous.max_fee * (100 + policy.bump_percent) // 100)
    if max(needed, previous.max_fee + 1) > policy.max_fee_wei:
        assert replacement is None  # a smaller bump would be refused by the node, a bigger one passes the cap
        return
    assert replacement is not None
    for new, old in ((replacement.max_fee, previous.max_fee), (replacement.tip, previous.tip)):
        assert new * 100 >= old * (100 + policy.bump_percent) and new > old  # the nodes' rule: >= +10%, exact
    assert replacement.tip <= replacement.max_fee <= policy.max_fee_wei


def test_a_replacement_pays_at_least_what_the_market_asks_now() -> None:
    policy = ChainPolicy(max_fee_gwei=Decimal(100))
    previous = Fees(max_fee=10 * GWEI, tip=GWEI)
    market = Fees(max_fee=40 * GWEI, tip=3 * GWEI)
    assert replacement_fees(previous, market, policy) == market
    assert replacement_fees(previous, Fees(max_fee=GWEI, tip=1), policy) == Fees(
        max_fee=11_200_000_000, tip=1_120_000_000
    )


@pytest.fixture
def anvil() -> Iterator[AnvilChain]:
    chain = AnvilChain(find_anvil(find_project_root())).start()
    yield chain
    chain.stop()


def test_the_tip_is_learned_from_recent_blocks_and_the_base_fee_is_the_pending_blocks(anvil: AnvilChain) -> None:
    w3 = anvil.w3
    payer, payee = anvil.accounts[0], anvil.accounts[1]
    tips = [GWEI, 2 * GWEI, 7 * GWEI]  # one transaction a block: the median block tip is 2 gwei
    for nonce, tip in enumerate(tips):
        tx = {"to": payee.address, "value": 1, "gas": 21_000, "chainId": anvil.chain_id, "nonce": nonce}
        signed = payer.sign_transaction({**tx, "maxFeePerGas": 50 * GWEI, "maxPriorityFeePerGas": tip})
        w3.eth.send_raw_transaction(signed.raw_transaction)  # anvil mines each at once
    anvil.mine(2)  # empty blocks say nothing about the market: they are not counted
    anvil._rpc("anvil_setNextBlockBaseFeePerGas", [hex(3 * GWEI)])
    # the pending block's base fee: 3 gwei as set, unless anvil sealed one more empty block meanwhile (seen
    # under load: 2.625 gwei); either way the offer must follow the pending block, not an older one
    pending = int(w3.eth.get_block("pending")["baseFeePerGas"])
    assert pending in (3 * GWEI, 3 * GWEI * 7 // 8)
    policy = ChainPolicy(fee_history_blocks=10, tip_percentile=50, base_fee_headroom=Decimal(2))
    assert suggest_fees(w3, policy) == Fees(max_fee=2 * pending + 2 * GWEI, tip=2 * GWEI)
    capped = ChainPolicy(max_fee_gwei=Decimal(7))
    assert suggest_fees(w3, capped) == Fees(max_fee=7 * GWEI, tip=2 * GWEI)
    with pytest.raises(ChainError) as refused:
        suggest_fees(w3, ChainPolicy(max_fee_gwei=Decimal(2)))
    assert refused.value.code is ChainErrorCode.FEE_ABOVE_CAP and refused.value.field == "chain_policy.max_fee_gwei"


def test_a_chain_without_fee_history_gets_the_nodes_own_tip() -> None:
    chain = InProcessChain()  # eth-tester: no fee history on a new chain
    fees = suggest_fees(chain.w3, ChainPolicy())
    pending = int(chain.w3.eth.get_block("pending")["baseFeePerGas"])
    assert fees.tip == int(chain.w3.eth.max_priority_fee)
    assert fees.max_fee == 2 * pending + fees.tip
