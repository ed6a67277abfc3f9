"""Units and shared types every layer speaks: tonnes and wei, EVM addresses, idempotency keys, pages.

A class token has 18 decimals: ``TONNE`` wei is one tonne (one registry unit). Amounts are integers of
wei everywhere; text is only for people (``format_tonnes``) and JSON (decimal strings: JSON numbers lose
precision above 2**53 in most languages).
"""

from __future__ import annotations

from typing import Annotated, Final, Generic, TypeVar

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import BaseModel, BeforeValidator, StringConstraints

T = TypeVar("T")

TONNE: Final = 10**18
"""Wei of a class token per tonne (18 decimals)."""

IDEMPOTENCY_KEY_PATTERN: Final = r"^[A-Za-z0-9._:@+=-]{8,128}$"
IdempotencyKey = Annotated[str, StringConstraints(pattern=IDEMPOTENCY_KEY_PATTERN)]
"""A client's key for a request it may repeat: the repeat returns the first result."""

WeiText = Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, int) else value)]
"""Wei as a decimal string (an integer is accepted and written out)."""


def tonnes_to_wei(tonnes: int) -> int:
    """Whole tonnes in wei of a class token."""
    return tonnes * TONNE


def format_tonnes(wei: int) -> str:
    """Wei as tonnes for a sentence, exactly (no float rounding), without trailing zeros: 2.5, 1000,
    0.000000000000000001."""
    whole, fraction = divmod(abs(wei), TONNE)
    text = f"{whole}.{fraction:018d}".rstrip("0") if fraction else str(whole)
    return ("-" if wei < 0 else "") + text


def checked_address(value: str) -> str:
    """An EVM address, checksummed: any-case hex is accepted, but a mixed-case one must carry a valid
    checksum, and the zero address (which cannot hold tokens) is refused. Raises ``ValueError``."""
    if not isinstance(value, str) or not is_address(value):
        raise ValueError("not a 20-byte hex address")
    has_mixed_case = value[2:] != value[2:].lower() and value[2:] != value[2:].upper()
    if has_mixed_case and not is_checksum_address(value):
        raise ValueError("address checksum is wrong")
    if int(value, 16) == 0:
        raise ValueError("the zero address cannot hold tokens")
    return to_checksum_address(value)


# One page of a list: its items, how it was cut and how many there are. (No docstring: it would
# become the description of every page schema in the OpenAPI document.)
class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int
