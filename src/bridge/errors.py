"""Errors as values: every failure the bridge reports has a stable, machine-readable code.

Each layer has one root exception (``RegistryError``, ``ChainError``, ``BridgeError``) deriving from
``CodedError`` and its own catalogue of codes (an ``ErrorCode`` enum). The API maps any ``CodedError``
to a JSON body ``{"code", "message", "field"}`` with the code's HTTP status (the clients read it back
with ``ErrorBody``); the CLI prints the same message; tests assert on the code. ``docs/errors.md`` is
generated from the catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar


class ErrorCode(StrEnum):
    """Base for per-layer code catalogues.

    Members are declared as ``NAME = ("code_string", http_status, "one-line meaning")``.
    """

    http_status: int
    meaning: str

    def __new__(cls, value: str, http_status: int = 400, meaning: str = "") -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.http_status = http_status
        member.meaning = meaning
        return member


C = TypeVar("C", bound=ErrorCode)
E = TypeVar("E", bound="CodedError")


class CodedError(Exception):
    """An error with a stable code, a human message and, where one input is to blame, its field."""

    default_code: ClassVar[ErrorCode | None] = None

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        resolved = code or self.default_code
        if resolved is None:
            raise TypeError(f"{type(self).__name__} needs an error code")
        super().__init__(message)
        self.code: ErrorCode = resolved
        self.message = message
        self.field = field
        self.details = details or {}

    @property
    def http_status(self) -> int:
        return self.code.http_status

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body

    def __str__(self) -> str:
        prefix = f"{self.field}: " if self.field and not self.message.startswith(self.field) else ""
        return f"[{self.code}] {prefix}{self.message}"


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """An error response's JSON body (``CodedError.to_dict``) as a client reads it back, each part only if it
    has the type the body's writer gives it."""

    code: str
    message: str | None
    field: str | None
    details: dict[str, Any] | None

    @classmethod
    def of(cls, body: object) -> ErrorBody | None:
        """``body`` (decoded JSON) as an error body; None unless it is an object with a text ``code``."""
        if not isinstance(body, dict) or not isinstance(body.get("code"), str):
            return None
        message, field, details = body.get("message"), body.get("field"), body.get("details")
        return cls(
            code=body["code"],
            message=message if isinstance(message, str) else None,
            field=field if isinstance(field, str) else None,
            details=details if isinstance(details, dict) else None,
        )

    def code_in(self, codes: type[C]) -> C | None:
        """The body's code as a member of ``codes``; None if that catalogue has no such code."""
        try:
            return codes(self.code)
        except ValueError:
            return None

    def error(self, error: type[E], code: ErrorCode) -> E:
        """The error the body stands for: ``error`` with ``code``, and the body's message, field and details."""
        return error(self.message or "", code=code, field=self.field, details=self.details)
