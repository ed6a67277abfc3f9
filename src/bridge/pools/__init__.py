"""Carbon-credit pools: eligibility rules, exchange-style presets, the pool contract from Python, and the
pools a bridge deploys and knows.

- ``bridge.pools.rules``: ``PoolRules`` (the on-chain struct, validated) and ``eligibility`` (the contract's
  checks in Python, same reason codes);
- ``bridge.pools.presets``: nature-based, CORSIA-eligible, CCP-approved and removals pools;
- ``bridge.pools.spec``: ``PoolSpec``, a pool to deploy, resolved once (a preset's with overrides, or rules);
- ``bridge.pools.contract``: ``deploy_pool`` (of a spec), ``deploy_presets`` and ``PoolHandle`` (deposit, redeem,
  swap, redeem-and-retire, rules and caps);
- ``bridge.pools.repository``: ``PoolRepository``, the pools one bridge deployed (recorded in its database,
  one pool per request key, finished after a crash);
- ``bridge.pools.views``: a pool and a class's eligibility as the API shows them, read from the chain;
- ``bridge.pools.transactions``: a trader's unsigned transactions, checked first so a refusal costs no gas;
- ``bridge.pools.schemas``: what the pools API receives and returns;
- ``bridge.pools.errors``: ``PoolError`` and its ``PoolErrorCode`` catalogue.
"""

from bridge.pools.contract import ClassHolding, PoolHandle, Preview, deploy_pool, deploy_presets
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.presets import PRESETS, PoolPreset, preset
from bridge.pools.rules import Eligibility, EligibilityReason, PoolRules, eligibility
from bridge.pools.spec import PoolSpec

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
    "PoolSpec",
    "Preview",
    "deploy_pool",
    "deploy_presets",
    "eligibility",
    "preset",
]
