"""How the bridge behaves on its chain (``BRIDGE_CHAIN_POLICY__*``): what it pays, when it replaces a stuck
transaction, how it polls for receipts and how much history one ``eth_getLogs`` call may ask for.

The defaults suit a public network with a few seconds per block; a development chain (in-process EVM,
anvil) mines at once and never needs a replacement. Set them per chain: an L2 with cheap blocks wants a
lower fee cap than Ethereum's mainnet, a provider that serves 500 blocks per log query a smaller span.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

GWEI = 10**9


class ChainPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_fee_gwei: Decimal = Field(
        default=Decimal(500),
        gt=0,
        description="the most the bridge pays per gas (maxFeePerGas), replacements included; above it nothing is sent",
    )
    tip_percentile: float = Field(
        default=50, ge=0, le=100, description="the tip: this percentile of recent blocks' tips (eth_feeHistory)"
    )
    min_tip_gwei: Decimal = Field(default=Decimal("0.001"), ge=0, description="never tip less than this")
    fee_history_blocks: int = Field(default=10, ge=1, le=1024, description="recent blocks the tip is learned from")
    base_fee_headroom: Decimal = Field(
        default=Decimal(2),
        ge=1,
        le=10,
        description="maxFeePerGas = this x the pending block's base fee + the tip (2: six full blocks of rises)",
    )
    bump_percent: int = Field(
        default=12,
        ge=10,
        le=200,
        description="a replacement raises both fees by this much (nodes refuse a replacement under +10%)",
    )
    replace_after_s: float = Field(
        default=30, gt=0, description="a transaction not mined after this long is replaced with higher fees"
    )
    max_replacements: int = Field(default=5, ge=0, le=50, description="replacements of one transaction at most")
    receipt_timeout_s: float = Field(
        default=120, gt=0, description="how long one wait for a receipt lasts (a later wait goes on replacing)"
    )
    poll_min_s: float = Field(
        default=0.005,
        gt=0,
        description="first interval between receipt polls (a dev chain mines at once: the first polls find it)",
    )
    poll_max_s: float = Field(default=2.0, gt=0, description="polls slow down (doubling) to this interval")
    log_max_span: int = Field(
        default=2_000, ge=1, le=1_000_000, description="blocks one eth_getLogs call covers (fewer when refused)"
    )

    @property
    def max_fee_wei(self) -> int:
        return int(self.max_fee_gwei * GWEI)

    @property
    def min_tip_wei(self) -> int:
        return int(self.min_tip_gwei * GWEI)
