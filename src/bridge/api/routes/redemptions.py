"""``/v1/redemptions``: redemptions the engine has seen on-chain, and where each stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import BigIdPath, ClassIdQuery, HolderQuery, PageParams, ServiceDep
from bridge.engine.schemas import RedemptionPublic
from bridge.engine.store import RedeemStep
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["redemptions"])


@router.get(
    "/redemptions",
    summary="Redemptions, newest first; filter by holder, class, status",
    **examples.docs(examples.page(examples.REDEMPTION)),
)
def list_redemptions(
    service: ServiceDep,
    holder: HolderQuery,
    page: PageParams,
    class_id: ClassIdQuery = None,
    status: Annotated[RedeemStep | None, Query(description="only redemptions at this step")] = None,
) -> Page[RedemptionPublic]:
    return service.redemptions(**page.model_dump(), holder=holder, class_id=class_id, step=status)


@router.get("/redemptions/{redemption_id}", summary="One redemption", **examples.docs(examples.REDEMPTION, 404))
def get_redemption(service: ServiceDep, redemption_id: BigIdPath) -> RedemptionPublic:
    return service.redemption(redemption_id)
