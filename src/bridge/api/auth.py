"""Who a bridge API key acts as: its role and, for a custodian, the registry account it is bound to.

The keys are the service's settings (``BridgeSettings.api_keys``); a key is compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi.security import APIKeyHeader

from bridge.api.errors import ApiError, ApiErrorCode
from bridge.settings import BridgeSettings, Role

api_key_scheme = APIKeyHeader(
    name="X-API-Key", scheme_name="BridgeApiKey", auto_error=False, description="bridge API key"
)


@dataclass(frozen=True)
class ApiPrincipal:
    """Who a bridge API key acts as."""

    name: str
    role: Role
    account: int | None = None


def principal_of(settings: BridgeSettings, key: str) -> ApiPrincipal | None:
    """The principal of ``key``, or None for a key the settings do not hold."""
    for setting in settings.api_keys:
        if hmac.compare_digest(setting.key.get_secret_value().encode(), key.encode()):
            return ApiPrincipal(setting.name or setting.role, setting.role, setting.account)
    return None


def authenticate(settings: BridgeSettings, key: str | None) -> ApiPrincipal:
    """The principal of a presented key; ``unauthorized`` (401) when it is missing or unknown."""
    if not key:
        raise ApiError("this operation needs an API key (header X-API-Key)", code=ApiErrorCode.UNAUTHORIZED)
    principal = principal_of(settings, key)
    if principal is None:
        raise ApiError("the API key is not valid", code=ApiErrorCode.UNAUTHORIZED)
    return principal
