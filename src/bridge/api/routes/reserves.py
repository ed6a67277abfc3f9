"""``GET /v1/reserves``: the proof of reserve, per class (enforcing it is an operator action)."""

from __future__ import annotations

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import ServiceDep
from bridge.engine.schemas import ReserveReport

router = APIRouter(prefix="/v1", tags=["reserves"])


@router.get("/reserves", summary="Proof of reserve, per class", **examples.docs(examples.RESERVE))
def get_reserves(service: ServiceDep) -> ReserveReport:
    return service.reserves()
