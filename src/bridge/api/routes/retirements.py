"""``/v1/retirements`` and ``/v1/settlements``: certificates of on-chain retirements, and their registry
settlements in whole units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import BigIdPath, Limit, Offset, ServiceDep
from bridge.engine.schemas import RetirementPublic, SettlementPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["retirements"])


@router.get("/retirements", summary="Retirement certificates", **examples.docs(examples.page(examples.RETIREMENT)))
def list_retirements(
    service: ServiceDep,
    limit: Limit = 50,
    offset: Offset = 0,
    beneficiary: Annotated[str | None, Query(min_length=1, max_length=256)] = None,
) -> Page[RetirementPublic]:
    return service.retirements(limit=limit, offset=offset, beneficiary=beneficiary)


@router.get(
    "/retirements/{certificate_id}", summary="One retirement certificate", **examples.docs(examples.RETIREMENT, 404)
)
def get_retirement(service: ServiceDep, certificate_id: BigIdPath) -> RetirementPublic:
    return service.retirement(certificate_id)


@router.get(
    "/settlements",
    summary="Registry settlements of on-chain retirements",
    **examples.docs(examples.page(examples.SETTLEMENT)),
)
def list_settlements(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> Page[SettlementPublic]:
    return service.settlements(limit=limit, offset=offset)
