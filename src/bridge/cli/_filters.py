"""The filters of the CLI's lists (``classes list``, ``redemptions list``, ``retirements list``), made before
the bridge is asked and refused as the bridge would refuse them."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from bridge.api.errors import HTTP_ERRORS
from bridge.engine.filters import ListFilter

F = TypeVar("F", bound=ListFilter)


def list_filter(model: type[F], **given: Any) -> F:
    """The list filter ``model`` of the options given. A value the bridge would refuse raises the coded error the
    bridge answers it with, so ``reported`` shows the refusal it always did, before asking."""
    try:
        return model(**given)
    except ValidationError as exc:
        raise HTTP_ERRORS.invalid(exc) from None
