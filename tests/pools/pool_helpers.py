"""Helpers for pool tests: bridging classes to a holder and deploying pools quickly."""

from __future__ import annotations

from itertools import count

from bridge.chain.attestation import CreditClass, Lock
from bridge.chain.local import LocalBridge
from bridge.pools.contract import PoolHandle, deploy_pool
from bridge.pools.rules import PoolRules
from bridge.pools.spec import PoolSpec
from bridge.primitives import TONNE

POOL_GAS = 6_000_000  # deployment gas: skips estimation (one dry run instead)
TX_GAS = 1_000_000  # gas of every pool transaction in tests, for the same reason
_serials = count(0)


def lock_for(local: LocalBridge, credit_class: CreditClass, holder: str, tonnes: int = 100) -> Lock:
    """A lock of a never-used serial block of ``tonnes`` of ``credit_class`` for ``holder``."""
    start = 70_000_001 + next(_serials) * 1_000_000
    end = start + tonnes - 1
    serial = f"POOLTEST-{credit_class.program}-{credit_class.project_id}-{start}-{end}"
    return local.lock(credit_class, serial=serial, start=start, end=end, recipient=holder)


def mint_classes(local: LocalBridge, classes: list[CreditClass], holder: str, tonnes: int = 100) -> list[str]:
    """Bridge ``tonnes`` of each class to ``holder`` in one transaction; the class token addresses."""
    local.mint_locks([lock_for(local, c, holder, tonnes) for c in classes])
    return [str(local.token(c).address) for c in classes]


def pool_for(local: LocalBridge, rules_or_preset: PoolRules | str, **fields: object) -> PoolHandle:
    """A pool on ``local``: a preset's (by key) or one from rules ("Test Pool", TP, no fee, no caps), with the
    spec ``fields`` given instead (not checked: ``deploy_pool`` checks them) and deployed by ``admin`` (default:
    the local sender)."""
    admin = str(fields.pop("admin", local.sender().address))
    recipient = local.users[-1].address
    if isinstance(rules_or_preset, str):
        spec = PoolSpec.of_preset(rules_or_preset, recipient)
    else:
        test_pool = {"name": "Test Pool", "symbol": "TP", "fee_bps": 0, "supply_cap": None, "class_cap": None}
        spec = PoolSpec(rules=rules_or_preset, fee_recipient=recipient, **test_pool)  # type: ignore[arg-type]
    return deploy_pool(
        local.sender(),
        local.deployment.address,
        spec.model_copy(update=fields),
        admin=admin,
        artifacts=local.deployment.artifacts,
        gas=POOL_GAS,
        tx_gas=TX_GAS,
    )


__all__ = ["TONNE", "lock_for", "mint_classes", "pool_for"]
