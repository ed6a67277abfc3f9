"""Who a bridge API key acts as: its role and, for a custodian, the registry account it is bound to.

The keys are the service's settings (``BridgeSettings.api_keys``); a key is compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi.security import APIKeyHeader

from bridge.api.errors import ApiError, ApiErrorCode
from bridge.primitives import checked_address
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


def tokenizing_account(settings: BridgeSettings, principal: ApiPrincipal, account: int | None, recipient: str) -> int:
    """The registry account a tokenization by ``principal`` takes credits from, if it may.

    A custodian key tokenizes from its own account, to any recipient. The operator key names the account,
    and may send its credits only to a destination that account's custodian registered (its key's
    ``destinations``): the operator cannot mint a custodian's credits to anyone it likes. ``forbidden``
    (403, naming ``custodian_account`` or ``recipient``) otherwise.
    """
    if principal.role == "custodian":
        if account is not None and account != principal.account:
            raise ApiError(
                f"this key acts for registry account {principal.account}, not {account}",
                code=ApiErrorCode.FORBIDDEN,
                field="custodian_account",
            )
        assert principal.account is not None  # a custodian key always names its account
        return principal.account
    if account is None:
        raise ApiError("custodian_account: the operator must name the account", field="custodian_account")
    try:
        address = checked_address(recipient)
    except ValueError:
        return account  # malformed: refused as such (422) when the request is read
    if address.lower() not in settings.destinations_of(account):
        raise ApiError(
            f"recipient {recipient} is not a destination the custodian of account {account} registered: "
            "the operator tokenizes a custodian's credits only to those (the custodian's own key may tokenize "
            "to any address)",
            code=ApiErrorCode.FORBIDDEN,
            field="recipient",
        )
    return account
