"""``/v1/tokenizations``: bridge a serial block (custodian or operator key, Idempotency-Key), or many at once
(``/bulk``: a key per tokenization, all or none), follow them.

Who may tokenize what is ``bridge.api.auth.tokenizing_account``: a custodian from its own account to any
recipient; the operator from a named account only to a destination its custodian registered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from bridge.api import examples
from bridge.api.auth import ApiPrincipal, tokenizing_account
from bridge.api.deps import IdempotencyKeyHeader, IdPath, PageParams, ServiceDep, TokenizerDep
from bridge.api.errors import HTTP_ERRORS
from bridge.api.schemas import TokenizationCreate, TokenizationItem, TokenizationsCreate
from bridge.engine.errors import BridgeError
from bridge.engine.filters import TokenizationFilter
from bridge.engine.intake import at_index
from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL, TokenizationPublic, TokenizationRequest
from bridge.errors import CodedError
from bridge.primitives import Page
from bridge.service import BridgeService

router = APIRouter(prefix="/v1", tags=["tokenizations"])
_HEADER = {"idempotency_key": "Idempotency-Key"}  # the request field as the client sent it: a header


@router.post(
    "/tokenizations",
    status_code=202,
    summary="Bridge a serial block: lock it in trust and mint its tokens (asynchronous)",
    **examples.docs(examples.TOKENIZATION | {"step": "received"}, 401, 403, 409, status=202),
)
def create_tokenization(
    service: ServiceDep, principal: TokenizerDep, body: TokenizationCreate, idempotency_key: IdempotencyKeyHeader
) -> TokenizationPublic:
    account = tokenizing_account(service.settings, principal, body.custodian_account, body.recipient)
    try:
        request = TokenizationRequest(
            idempotency_key=idempotency_key, custodian_account=account, **body.model_dump(exclude={"custodian_account"})
        )
    except ValidationError as exc:
        raise HTTP_ERRORS.invalid(exc, rename=_HEADER) from exc
    try:
        return service.tokenize(request)
    except BridgeError as exc:
        exc.field = _HEADER.get(exc.field or "", exc.field)
        raise


@router.post(
    "/tokenizations/bulk",
    status_code=202,
    summary="Bridge many serial blocks at once, all or none (asynchronous)",
    description=f"At most {MAX_TOKENIZATIONS_PER_CALL} tokenizations, each with its own idempotency key, checked "
    "as one request each would be (who may tokenize what included) and recorded in one transaction. The first "
    "bad one refuses the whole call, naming its index (`tokenizations.3.serial`, `details.index`), and nothing "
    "is recorded. A key used before returns its first tokenization. The answer lists the tokenizations in the "
    "order asked.",
    **examples.docs([examples.TOKENIZATION | {"step": "received"}], 401, 403, 409, status=202),
)
def create_tokenizations(
    service: ServiceDep, principal: TokenizerDep, body: TokenizationsCreate
) -> list[TokenizationPublic]:
    requests = [_request(service, principal, item, index) for index, item in enumerate(body.tokenizations)]
    return service.tokenize_many(requests)


def _request(
    service: BridgeService, principal: ApiPrincipal, item: TokenizationItem, index: int
) -> TokenizationRequest:
    """The engine's request for item ``index``, if ``principal`` may make it (refusals name the index)."""
    try:
        account = tokenizing_account(service.settings, principal, item.custodian_account, item.recipient)
        try:
            return TokenizationRequest(custodian_account=account, **item.model_dump(exclude={"custodian_account"}))
        except ValidationError as exc:
            raise HTTP_ERRORS.invalid(exc) from exc
    except CodedError as exc:
        raise at_index(index, exc) from exc


@router.get("/tokenizations/{tokenization_id}", summary="One tokenization", **examples.docs(examples.TOKENIZATION, 404))
def get_tokenization(service: ServiceDep, tokenization_id: IdPath) -> TokenizationPublic:
    return service.tokenization(tokenization_id)


@router.get(
    "/tokenizations", summary="Tokenizations, newest first", **examples.docs(examples.page(examples.TOKENIZATION))
)
def list_tokenizations(
    service: ServiceDep, page: PageParams, filters: Annotated[TokenizationFilter, Query()]
) -> Page[TokenizationPublic]:
    return service.tokenizations(filters, page)
