"""Units and shared types every layer speaks: tonnes and wei, EVM addresses, idempotency keys, pages.

A class token has 18 decimals: ``TONNE`` wei is one tonne (one registry unit). Amounts are integers of
wei everywhere; text is only for people (``format_tonnes``) and JSON (decimal strings: JSON numbers lose
precision above 2**53 in most languages).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Annotated, Final, Generic, TypeVar

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema

T = TypeVar("T")

TONNE: Final = 10**18
"""Wei of a class token per tonne (18 decimals)."""

IDEMPOTENCY_KEY_PATTERN: Final = r"^[A-Za-z0-9._:@+=-]{8,128}$"
IdempotencyKey = Annotated[str, StringConstraints(pattern=IDEMPOTENCY_KEY_PATTERN)]
"""A client's key for a request it may repeat: the repeat returns the first result."""

WeiText = Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, int) else value)]
"""Wei as a decimal string (an integer is accepted and written out)."""


def _integer(value: object) -> object:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


Wei = Annotated[
    int,
    BeforeValidator(_integer),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+$", "description": "wei, a decimal string"}),
]
"""Wei in Python (an int) and in JSON (a decimal string: exact in every language)."""


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
    if not isinstance(value, str):
        raise ValueError("not a 20-byte hex address")
    return _checked_address(value)


@lru_cache(maxsize=4096)  # two keccaks per address: a batch names the same few addresses again and again
def _checked_address(value: str) -> str:
    if not is_address(value):
        raise ValueError("not a 20-byte hex address")
    has_mixed_case = value[2:] != value[2:].lower() and value[2:] != value[2:].upper()
    if has_mixed_case and not is_checksum_address(value):
        raise ValueError("address checksum is wrong")
    if int(value, 16) == 0:
        raise ValueError("the zero address cannot hold tokens")
    return to_checksum_address(value)


Address = Annotated[str, AfterValidator(checked_address)]
"""An EVM address a caller gives: checked (``checked_address``) and checksummed."""


@lru_cache(maxsize=4096)
def checksummed(address: str) -> str:
    """``address`` in its EIP-55 form. Cached: a keccak per call, and a batch names the same few addresses
    (recipient, token, bridge) in every one of its locks and logs."""
    return to_checksum_address(address)


ChecksumAddress = Annotated[str, AfterValidator(checksummed)]
"""An EVM address the bridge itself read or derived, written checksummed."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def encode_cursor(kind: str, key: Sequence[str | int]) -> str:
    """An opaque cursor: where a page of list ``kind`` ended (the sort key of its last item)."""
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> list[str | int]:
    """The sort key ``encode_cursor(kind, ...)`` put in ``cursor``; ``ValueError`` for anything else (another
    list's cursor, a cursor edited by hand)."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise ValueError("not a cursor this list gave out") from None
    if not isinstance(decoded, list) or len(decoded) < 2 or decoded[0] != kind:
        raise ValueError("not a cursor this list gave out")
    key = decoded[1:]
    if not all(isinstance(part, str | int) and not isinstance(part, bool) for part in key):
        raise ValueError("not a cursor this list gave out")
    return key


# One page of a list: its items, how it was cut, how many there are, and the cursor of the next page.
# (No docstring: it would become the description of every page schema in the OpenAPI document.)
class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int
    next_cursor: str | None = None
