"""The engine's registry request ids: unguessable, and a conflict on one is an alarm, never a refusal.

Every registry operation of a flow carries a request id (the registry's idempotency key), so a retry after
a crash returns the first result instead of acting twice. The id names the flow row and its step, and a
random 128-bit token drawn when the row is created (``request_token``): nobody can tell in advance which
id the engine will use. The registry scopes ids per principal, so another registry user could not take
them anyway; the token is defence in depth (and keeps an id unique if a flow row id is ever reused).

If the registry still answers ``idempotency_conflict`` (a different request was recorded under the
engine's own id), something is badly wrong: the flow is not cancelled or rejected on that answer, it keeps
waiting with ``error_code = "registry_request_conflict"`` and an error in the log, for an operator.
"""

from __future__ import annotations

import logging
import secrets

from bridge.engine.errors import BridgeErrorCode
from bridge.errors import CodedError
from bridge.registry.errors import RegistryErrorCode

log = logging.getLogger(__name__)
TOKEN_BYTES = 16
REQUEST_CONFLICT = str(BridgeErrorCode.REGISTRY_REQUEST_CONFLICT)


def new_request_token() -> str:
    """A fresh 128-bit token (32 hex digits) for a new flow row."""
    return secrets.token_hex(TOKEN_BYTES)


def registry_request_id(flow: str, row_id: int, token: str | None, step: str | int) -> str:
    """The request id of ``step`` of flow row ``row_id``: ``<flow>-<id>-<token>-<step>``. Rows written
    before the token existed keep the id they were already using (``<flow>-<id>-<step>``)."""
    return f"{flow}-{row_id}-{step}" if token is None else f"{flow}-{row_id}-{token}-{step}"


def is_request_conflict(exc: CodedError) -> bool:
    """Whether the registry refused because the request id was recorded for a different request."""
    return exc.code == RegistryErrorCode.IDEMPOTENCY_CONFLICT


def raise_alarm(flow: str, row_id: int, exc: CodedError, *, current_code: str | None) -> tuple[str, str]:
    """Log the conflict at error level (once: ``current_code`` is the row's error code so far, and every
    round after the first logs at debug level); the ``(error_code, error_message)`` to keep on the row."""
    log.log(
        logging.DEBUG if current_code == REQUEST_CONFLICT else logging.ERROR,
        "%s %s waits: the registry recorded a different request under the engine's own request id (%s); "
        "an operator must look into it",
        flow,
        row_id,
        exc.message,
    )
    return REQUEST_CONFLICT, f"registry request id conflict: {exc.message}"
