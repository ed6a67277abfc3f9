"""``/v1/batches`` and ``/v1/classes``: what the bridge has minted, and what still backs it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from bridge.api import examples
from bridge.api.deps import PageParams, ServiceDep
from bridge.engine.filters import ClassFilter, ClassOnlyFilter
from bridge.engine.schemas import BatchPublic, ClassPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["classes"])


@router.get(
    "/batches", summary="Bridged batches and what still backs them", **examples.docs(examples.page(examples.BATCH))
)
def list_batches(
    service: ServiceDep, page: PageParams, filters: Annotated[ClassOnlyFilter, Query()]
) -> Page[BatchPublic]:
    return service.batches(filters, page)


@router.get(
    "/classes",
    summary="Credit classes with a token, by name, with their attributes; filter by program, vintage, label",
    **examples.docs(examples.page(examples.CREDIT_CLASS)),
)
def list_classes(service: ServiceDep, page: PageParams, filters: Annotated[ClassFilter, Query()]) -> Page[ClassPublic]:
    return service.classes(filters, page)


@router.get(
    "/classes/{class_ref}",
    summary="One class, by its id, its token's address or its name",
    **examples.with_errors(examples.CREDIT_CLASS, examples.CLASS_ERRORS),
)
def get_class(
    service: ServiceDep,
    class_ref: Annotated[str, Path(min_length=1, max_length=200, description="class id, token address or name")],
) -> ClassPublic:
    return service.credit_class(class_ref)
