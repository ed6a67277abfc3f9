"""``/v1/retirements`` and ``/v1/settlements``: certificates of on-chain retirements, the names a retiree
discloses for a certificate that keeps them off-chain, and the registry settlements in whole units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import BigIdPath, PageParams, RepeatableKeyHeader, ServiceDep, query_address
from bridge.chain.retirement import PersonalData
from bridge.engine.filters import ClassOnlyFilter, RetirementFilter
from bridge.engine.schemas import RetirementPublic, SettlementPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["retirements"])


@router.get(
    "/retirements",
    summary="Retirement certificates; filter by beneficiary, class, retiree",
    **examples.docs(examples.page(examples.RETIREMENT)),
)
def list_retirements(
    service: ServiceDep, page: PageParams, filters: Annotated[RetirementFilter, Query()]
) -> Page[RetirementPublic]:
    retiree = query_address(filters.retiree, "retiree")
    return service.retirements(filters.model_copy(update={"retiree": retiree}), page)


@router.get(
    "/retirements/{certificate_id}", summary="One retirement certificate", **examples.docs(examples.RETIREMENT, 404)
)
def get_retirement(service: ServiceDep, certificate_id: BigIdPath) -> RetirementPublic:
    return service.retirement(certificate_id)


@router.post(
    "/retirements/{certificate_id}/personal-data",
    summary="Disclose the names a retirement keeps off-chain (checked against its on-chain hash)",
    description=(
        "For a retirement made with only `personalDataHash` on-chain: send the salt and the names; the bridge "
        "checks that `keccak256(abi.encode(salt, beneficiary_name, retiring_entity))` is the on-chain hash, then "
        "names the beneficiary on the certificate and in the registry retirement that settles it. No key is "
        "needed (only the retiree knows the preimage); repeating it changes nothing."
    ),
    **examples.with_errors(examples.RETIREMENT, examples.DISCLOSURE_ERRORS),
)
def disclose_personal_data(
    service: ServiceDep, certificate_id: BigIdPath, body: PersonalData, idempotency_key: RepeatableKeyHeader = None
) -> RetirementPublic:
    return service.disclose(certificate_id, body)


@router.get(
    "/settlements",
    summary="Registry settlements of on-chain retirements",
    **examples.docs(examples.page(examples.SETTLEMENT)),
)
def list_settlements(
    service: ServiceDep, page: PageParams, filters: Annotated[ClassOnlyFilter, Query()]
) -> Page[SettlementPublic]:
    return service.settlements(filters, page)
