"""EIP-1559 fees from the node, within the chain policy's cap, and the bump a replacement needs.

The base fee is the pending block's (the last entry of ``eth_feeHistory``'s ``baseFeePerGas``); the tip is
the median over recent non-empty blocks of the policy's percentile of their tips (empty blocks say
nothing about the market). Without any (a quiet chain, a node without fee history) the node's own
``eth_maxPriorityFeePerGas`` is taken. ``maxFeePerGas`` leaves headroom over the base fee, since the base
fee may rise each block until the transaction is mined; it never passes the policy's cap.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.policy import GWEI, ChainPolicy

log = logging.getLogger(__name__)


def _ceil_percent(value: int, percent: int) -> int:
    """``value`` raised by ``percent``%, rounded up (exact integers: no float rounding below the rule)."""
    return -(-value * (100 + percent) // 100)


@dataclass(frozen=True)
class Fees:
    """What one transaction offers per gas, in wei."""

    max_fee: int
    tip: int

    def fields(self) -> dict[str, int]:
        return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.tip}

    def bumped(self, percent: int) -> Fees:
        """Both fees raised by at least ``percent``% (and by 1 wei at least), as a replacement must."""
        return Fees(
            max_fee=max(_ceil_percent(self.max_fee, percent), self.max_fee + 1),
            tip=max(_ceil_percent(self.tip, percent), self.tip + 1),
        )

    def at_least(self, other: Fees) -> Fees:
        return Fees(max_fee=max(self.max_fee, other.max_fee), tip=max(self.tip, other.tip))


def _gwei(wei: int) -> str:
    return f"{wei / GWEI:.3f} gwei"


def offer(base_fee: int, tip: int, policy: ChainPolicy) -> Fees:
    """The fees to offer on a pending base fee and a tip, capped by the policy; refused (nothing is sent)
    when even the base fee is above the cap."""
    cap = policy.max_fee_wei
    if base_fee > cap:
        raise ChainError(
            f"the chain's base fee {_gwei(base_fee)} is above the fee cap {_gwei(cap)}: nothing was sent "
            "(it is tried again when fees fall, or raise chain_policy.max_fee_gwei)",
            code=ChainErrorCode.FEE_ABOVE_CAP,
            field="chain_policy.max_fee_gwei",
        )
    tip = max(tip, policy.min_tip_wei)
    max_fee = min(int(base_fee * policy.base_fee_headroom) + tip, cap)
    return Fees(max_fee=max_fee, tip=min(tip, max_fee))


def _tip_from_history(history: Any) -> int | None:
    rewards = history.get("reward") or []
    ratios = history.get("gasUsedRatio") or []
    tips = [int(reward[0]) for reward, used in zip(rewards, ratios, strict=False) if reward and used > 0]
    return int(statistics.median(tips)) if tips else None


def suggest_fees(w3: Web3, policy: ChainPolicy) -> Fees:
    """The fees a transaction sent now should offer (one ``eth_feeHistory`` call, more on a quiet chain)."""
    history = w3.eth.fee_history(policy.fee_history_blocks, "latest", [policy.tip_percentile])
    bases = history.get("baseFeePerGas") or []
    if bases:
        base_fee = int(bases[-1])
    else:  # no history yet (a new chain): the pending block says it
        pending = w3.eth.get_block("pending")
        if pending.get("baseFeePerGas") is None:
            raise ChainError(
                "this chain has no base fee: the bridge sends EIP-1559 transactions only",
                code=ChainErrorCode.INVALID_CHAIN_CONFIG,
                field="chain",
            )
        base_fee = int(pending["baseFeePerGas"])
    tip = _tip_from_history(history)
    if tip is None:
        tip = int(w3.eth.max_priority_fee)
    return offer(base_fee, tip, policy)


def replacement_fees(previous: Fees, market: Fees | None, policy: ChainPolicy) -> Fees | None:
    """The fees of a replacement for a transaction sent with ``previous``: bumped by the policy's percent and
    at least what the market asks now; None when that would pass the cap (it cannot be replaced)."""
    bumped = previous.bumped(policy.bump_percent)
    if market is not None:
        bumped = bumped.at_least(market)
    if bumped.max_fee > policy.max_fee_wei:
        return None
    return Fees(max_fee=bumped.max_fee, tip=min(bumped.tip, bumped.max_fee))
