"""Carbon-credit pools: eligibility rules, exchange-style presets, and a service to deploy and trade them.

- ``bridge.pools.rules``: ``PoolRules`` (the on-chain struct, validated) and ``eligibility`` (the contract's
  checks in Python, same reason codes);
- ``bridge.pools.presets``: nature-based, CORSIA-eligible, CCP-approved and removals pools;
- ``bridge.pools.service``: ``deploy_pool``, ``deploy_presets`` and ``PoolHandle`` (deposit, redeem, swap,
  redeem-and-retire, rules and caps);
- ``bridge.pools.errors``: ``PoolError`` and its ``PoolErrorCode`` catalogue.
"""

from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.presets import PRESETS, PoolPreset, preset
from bridge.pools.rules import Eligibility, EligibilityReason, PoolRules, eligibility
from bridge.pools.service import ClassHolding, PoolHandle, Preview, deploy_pool, deploy_presets

__all__ = [
    "PRESETS",
    "ClassHolding",
    "Eligibility",
    "EligibilityReason",
    "PoolError",
    "PoolErrorCode",
    "PoolHandle",
    "PoolPreset",
    "PoolRules",
    "Preview",
    "deploy_pool",
    "deploy_presets",
    "eligibility",
    "preset",
]
