"""What each list of the engine's rows can be narrowed to, and how it is cut into pages: one model per
list, and one for its pages, declared once.

The API route takes them as its query parameters (FastAPI's query parameter models: the OpenAPI document
lists their fields), the SDK (``BridgeClient.list_*``) sends them, and the engine's reads (``EngineReads``)
take them as they are. A filter left None filters nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, Field

from bridge.chain.attestation import Label
from bridge.engine.store import RedeemStep, TokenizeStep

LABEL_PATTERN = "^(" + "|".join(label.name.lower() for label in Label if label.name) + ")$"
MAX_PAGE: Final = 100
MAX_OFFSET: Final = 10**9


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


ClassIdFilter = Annotated[
    str | None,
    Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="a class id"),
    AfterValidator(_lower),  # class ids are stored in lower case
]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="items to skip (or follow next_cursor instead)")]
PageCursor = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the next_cursor of the previous page (opaque)",
    ),
]


class PageQuery(BaseModel):
    """The paging parameters of every list: ``limit`` items after ``offset`` items, or after ``cursor``."""

    limit: Limit = 50
    offset: Offset = 0
    cursor: PageCursor = None


class FeedQuery(BaseModel):
    """The paging parameters of a feed, followed by its cursor alone: ``limit`` items after ``cursor``."""

    limit: Limit = 50
    cursor: PageCursor = None


class ListFilter(BaseModel):
    """The filters of one list; None: any."""

    def query(self) -> dict[str, Any]:
        """The filters given, as the API's query parameters."""
        return self.model_dump(mode="json", exclude_none=True)


class ClassOnlyFilter(ListFilter):
    """Batches and settlements: by class."""

    class_id: ClassIdFilter = None


class TokenizationFilter(ListFilter):
    step: Annotated[TokenizeStep | None, Field(description="only this step")] = None
    custodian_account: Annotated[int | None, Field(ge=1, le=2**62)] = None


class RedemptionFilter(ListFilter):
    """``holder`` is checksummed by whoever takes it in (the API route, the CLI)."""

    class_id: ClassIdFilter = None
    status: Annotated[RedeemStep | None, Field(description="only redemptions at this step")] = None
    holder: Annotated[str | None, Field(min_length=1, max_length=64, description="an EVM address")] = None


class RetirementFilter(ListFilter):
    """``retiree`` is checksummed by the API route."""

    beneficiary: Annotated[str | None, Field(min_length=1, max_length=256)] = None
    class_id: ClassIdFilter = None
    retiree: Annotated[str | None, Field(min_length=1, max_length=64, description="who retired")] = None


class ClassFilter(ListFilter):
    program: Annotated[str | None, Field(min_length=1, max_length=32, description="program code, e.g. VCS")] = None
    vintage: Annotated[int | None, Field(ge=1900, le=9999, description="a year the vintage covers")] = None
    label: Annotated[str | None, Field(pattern=LABEL_PATTERN, description="a label the class carries")] = None
    name: Annotated[str | None, Field(min_length=1, max_length=200, description="part of the name, any case")] = None


class EventFilter(ListFilter):
    name: Annotated[str | None, Field(pattern=r"^[A-Za-z]{1,64}$", description="only this event")] = None
    class_id: ClassIdFilter = None
