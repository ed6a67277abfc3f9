"""``/v1/batches`` and ``/v1/classes``: what the bridge has minted, and what still backs it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from bridge.api import examples
from bridge.api.deps import ClassIdQuery, PageParams, ServiceDep
from bridge.chain.attestation import Label
from bridge.engine.schemas import BatchPublic, ClassPublic
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["classes"])
LABEL_PATTERN = "^(" + "|".join(label.name.lower() for label in Label if label.name) + ")$"


@router.get(
    "/batches", summary="Bridged batches and what still backs them", **examples.docs(examples.page(examples.BATCH))
)
def list_batches(
    service: ServiceDep,
    page: PageParams,
    class_id: ClassIdQuery = None,
) -> Page[BatchPublic]:
    return service.batches(**page.model_dump(), class_id=class_id)


@router.get(
    "/classes",
    summary="Credit classes with a token, by name, with their attributes; filter by program, vintage, label",
    **examples.docs(examples.page(examples.CREDIT_CLASS)),
)
def list_classes(
    service: ServiceDep,
    page: PageParams,
    program: Annotated[str | None, Query(min_length=1, max_length=32, description="program code, e.g. VCS")] = None,
    vintage: Annotated[int | None, Query(ge=1900, le=9999, description="a year the vintage covers")] = None,
    label: Annotated[str | None, Query(pattern=LABEL_PATTERN, description="a label the class carries")] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200, description="part of the name, any case")] = None,
) -> Page[ClassPublic]:
    return service.classes(**page.model_dump(), program=program, vintage=vintage, label=label, name=name)


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
