"""``/v1/batches`` and ``/v1/classes``: what the bridge has minted, and what still backs it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import Limit, Offset, ServiceDep
from bridge.engine.schemas import BatchPublic, ClassPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["classes"])


@router.get(
    "/batches", summary="Bridged batches and what still backs them", **examples.docs(examples.page(examples.BATCH))
)
def list_batches(
    service: ServiceDep,
    limit: Limit = 50,
    offset: Offset = 0,
    class_id: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$")] = None,
) -> Page[BatchPublic]:
    return service.batches(limit=limit, offset=offset, class_id=class_id)


@router.get(
    "/classes",
    summary="Credit classes with a token, and their attributes",
    **examples.docs(examples.page(examples.CREDIT_CLASS)),
)
def list_classes(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> Page[ClassPublic]:
    return service.classes(limit=limit, offset=offset)
