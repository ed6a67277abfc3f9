"""Ready-made pools modelled on the standardized baskets exchanges sell.

Each preset is a name, a symbol, a redemption/swap fee, eligibility rules and caps; ``deploy_presets`` in
``bridge.pools.contract`` deploys them. Caps are in whole tonnes here (the contract counts wei, 1e18 per
tonne); ``None`` means no cap. The per-class cap keeps one project or vintage from making up most of a
basket, which is what buyers of a basket pay for.

- ``nature``: nature-based tonnes (like exchange "nature-based" baskets): forest protection (REDD+),
  afforestation/reforestation/revegetation (ARR), improved forest management (IFM) and blue-carbon /
  peatland methodologies, vintage 2016 or later.
- ``corsia``: tonnes eligible for CORSIA's first phase: the CORSIA_ELIGIBLE label, from the programs
  approved for that phase (ACR, ART, CAR, GCC, GS, VCS), vintage 2021 or later. An airline that must also
  show a corresponding adjustment would use a stricter variant (``require_corresponding_adjustment``).
- ``ccp``: CCP-approved tonnes: the CCP_APPROVED label (ICVCM Core Carbon Principles), any program.
- ``removals``: removal tonnes only (the REMOVAL label): engineered and nature-based removals, which
  trade above avoidance credits; a higher fee and a lower per-class cap (smaller, pricier supply).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bridge.chain.attestation import Label
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.rules import PoolRules
from bridge.primitives import TONNE

# Verra VCS and CDM methodology codes of nature-based project types.
REDD_METHODOLOGIES = ("VM0006", "VM0007", "VM0009", "VM0015", "VM0037", "VM0048")
ARR_METHODOLOGIES = ("VM0047", "AR-ACM0003", "AR-AMS0007", "AR-AM0014")
IFM_METHODOLOGIES = ("VM0003", "VM0010", "VM0012", "VM0045")
WETLAND_METHODOLOGIES = ("VM0033", "VM0036")
NATURE_METHODOLOGIES = REDD_METHODOLOGIES + ARR_METHODOLOGIES + IFM_METHODOLOGIES + WETLAND_METHODOLOGIES

CORSIA_FIRST_PHASE_PROGRAMS = ("ACR", "ART", "CAR", "GCC", "GS", "VCS")


class PoolPreset(BaseModel):
    """A pool to deploy: token name and symbol, fee, rules and caps (whole tonnes; None = no cap)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=64)
    symbol: str = Field(min_length=1, max_length=11)
    fee_bps: int = Field(ge=0, le=1_000)
    rules: PoolRules
    supply_cap_tonnes: int | None = Field(default=None, ge=0)
    class_cap_tonnes: int | None = Field(default=None, ge=0)
    description: str = ""

    @property
    def supply_cap(self) -> int | None:
        """The supply cap in wei, or None."""
        return None if self.supply_cap_tonnes is None else self.supply_cap_tonnes * TONNE

    @property
    def class_cap(self) -> int | None:
        """The default per-class cap in wei, or None."""
        return None if self.class_cap_tonnes is None else self.class_cap_tonnes * TONNE


NATURE = PoolPreset(
    key="nature",
    name="Nature-Based Tonne",
    symbol="NBT",
    fee_bps=100,
    rules=PoolRules(methodologies=NATURE_METHODOLOGIES, min_vintage_start=20160101),
    supply_cap_tonnes=50_000_000,
    class_cap_tonnes=2_000_000,
    description="REDD+, ARR, IFM, blue-carbon and peatland credits, vintage 2016 or later.",
)

CORSIA = PoolPreset(
    key="corsia",
    name="CORSIA Eligible Tonne",
    symbol="CET",
    fee_bps=50,
    rules=PoolRules(
        programs=CORSIA_FIRST_PHASE_PROGRAMS,
        min_vintage_start=20210101,
        required_labels=Label.CORSIA_ELIGIBLE,
    ),
    supply_cap_tonnes=50_000_000,
    class_cap_tonnes=2_000_000,
    description="CORSIA first-phase eligible credits (ACR, ART, CAR, GCC, GS, VCS), vintage 2021 or later.",
)

CCP = PoolPreset(
    key="ccp",
    name="CCP-Approved Tonne",
    symbol="CCPT",
    fee_bps=50,
    rules=PoolRules(required_labels=Label.CCP_APPROVED),
    supply_cap_tonnes=50_000_000,
    class_cap_tonnes=2_000_000,
    description="Credits carrying the ICVCM CCP-Approved label, any program.",
)

REMOVALS = PoolPreset(
    key="removals",
    name="Carbon Removal Tonne",
    symbol="CDRT",
    fee_bps=150,
    rules=PoolRules(required_labels=Label.REMOVAL),
    supply_cap_tonnes=5_000_000,
    class_cap_tonnes=250_000,
    description="Removal credits only (engineered and nature-based), no avoidance.",
)

PRESETS: dict[str, PoolPreset] = {preset.key: preset for preset in (NATURE, CORSIA, CCP, REMOVALS)}


def preset(key: str) -> PoolPreset:
    """The preset named ``key`` (``nature``, ``corsia``, ``ccp``, ``removals``)."""
    try:
        return PRESETS[key]
    except KeyError:
        raise PoolError(
            f"no pool preset {key!r}; presets: {', '.join(PRESETS)}",
            code=PoolErrorCode.UNKNOWN_POOL_PRESET,
            field="preset",
        ) from None
