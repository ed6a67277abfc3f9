"""``/v1/retirements`` and ``/v1/settlements``: certificates of on-chain retirements, the names a retiree
discloses for a certificate that keeps them off-chain, and the registry settlements in whole units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import BigIdPath, ClassIdQuery, PageParams, RepeatableKeyHeader, ServiceDep
from bridge.api.errors import ApiError, ApiErrorCode
from bridge.chain.retirement import PersonalData
from bridge.engine.schemas import RetirementPublic, SettlementPublic
from bridge.primitives import Page, checked_address

router = APIRouter(prefix="/v1", tags=["retirements"])


@router.get(
    "/retirements",
    summary="Retirement certificates; filter by beneficiary, class, retiree",
    **examples.docs(examples.page(examples.RETIREMENT)),
)
def list_retirements(
    service: ServiceDep,
    page: PageParams,
    beneficiary: Annotated[str | None, Query(min_length=1, max_length=256)] = None,
    class_id: ClassIdQuery = None,
    retiree: Annotated[str | None, Query(min_length=1, max_length=64, description="who retired")] = None,
) -> Page[RetirementPublic]:
    if retiree is not None:
        try:
            retiree = checked_address(retiree)
        except ValueError as exc:
            raise ApiError(f"retiree: {exc}", code=ApiErrorCode.INVALID_REQUEST, field="retiree") from None
    return service.retirements(**page.model_dump(), beneficiary=beneficiary, class_id=class_id, retiree=retiree)


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
    service: ServiceDep,
    page: PageParams,
    class_id: ClassIdQuery = None,
) -> Page[SettlementPublic]:
    return service.settlements(**page.model_dump(), class_id=class_id)
