"""Helpers for pool tests: bridging classes to a holder and deploying pools quickly."""

from __future__ import annotations

from itertools import count

from bridge.chain.attestation import CreditClass, Lock
from bridge.chain.local import LocalBridge
from bridge.pools.contract import PoolHandle, deploy_pool
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


def pool_for(local: LocalBridge, rules_or_preset: object, **kwargs: object) -> PoolHandle:
    options: dict[str, object] = {"name": "Test Pool", "symbol": "TP", "gas": POOL_GAS, "tx_gas": TX_GAS, **kwargs}
    return deploy_pool(
        local.sender(),
        local.deployment.address,
        rules_or_preset,  # type: ignore[arg-type]
        admin=options.pop("admin", local.sender().address),  # type: ignore[arg-type]
        fee_recipient=options.pop("fee_recipient", local.users[-1].address),  # type: ignore[arg-type]
        artifacts=local.deployment.artifacts,
        **options,  # type: ignore[arg-type]
    )


__all__ = ["TONNE", "lock_for", "mint_classes", "pool_for"]
