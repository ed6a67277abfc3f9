"""Operator actions (operator key): enforce the reserve, drive the engine once. Both are safe to repeat,
so an Idempotency-Key is accepted and not needed."""

from __future__ import annotations

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import OperatorDep, RepeatableKeyHeader, ServiceDep
from bridge.api.schemas import EngineRun
from bridge.engine.schemas import ReserveReport

router = APIRouter(prefix="/v1")


@router.post(
    "/reserves/enforce",
    tags=["reserves"],
    summary="Check the reserve; on a mismatch pause minting (operator)",
    **examples.docs(examples.RESERVE, 401, 403, 409),
)
def enforce_reserves(
    service: ServiceDep, principal: OperatorDep, idempotency_key: RepeatableKeyHeader = None
) -> ReserveReport:
    return service.enforce_reserves()


@router.post(
    "/engine/run",
    tags=["operator"],
    summary="Drive every flow once, until idle (operator)",
    **examples.docs(examples.ENGINE_RUN, 401, 403),
)
def run_engine(service: ServiceDep, principal: OperatorDep, idempotency_key: RepeatableKeyHeader = None) -> EngineRun:
    return EngineRun(moved=service.run_engine())
