"""``/v1/redemptions``: redemptions the engine has seen on-chain, and where each stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import BigIdPath, PageParams, ServiceDep, query_address
from bridge.engine.filters import RedemptionFilter
from bridge.engine.schemas import RedemptionPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["redemptions"])


@router.get(
    "/redemptions",
    summary="Redemptions, newest first; filter by holder, class, status",
    **examples.docs(examples.page(examples.REDEMPTION)),
)
def list_redemptions(
    service: ServiceDep, page: PageParams, filters: Annotated[RedemptionFilter, Query()]
) -> Page[RedemptionPublic]:
    holder = query_address(filters.holder, "holder")
    return service.redemptions(filters.model_copy(update={"holder": holder}), page)


@router.get("/redemptions/{redemption_id}", summary="One redemption", **examples.docs(examples.REDEMPTION, 404))
def get_redemption(service: ServiceDep, redemption_id: BigIdPath) -> RedemptionPublic:
    return service.redemption(redemption_id)
