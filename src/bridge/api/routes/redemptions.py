"""``/v1/redemptions/{id}``: a redemption, once the engine has seen its on-chain request."""

from __future__ import annotations

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import BigIdPath, ServiceDep
from bridge.engine.schemas import RedemptionPublic

router = APIRouter(prefix="/v1", tags=["redemptions"])


@router.get("/redemptions/{redemption_id}", summary="One redemption", **examples.docs(examples.REDEMPTION, 404))
def get_redemption(service: ServiceDep, redemption_id: BigIdPath) -> RedemptionPublic:
    return service.redemption(redemption_id)
