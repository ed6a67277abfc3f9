"""API keys of the registry, and who may do what with one.

Keys. ``issue_api_key(registry, accounts=[...], operator=False, label=...)`` returns a new random key
(``crk_`` + 43 url-safe characters, 256 bits) exactly once; the registry stores only its sha256 and
its first 12 characters (to tell keys apart in listings). ``resolve_api_key`` turns a presented key
into a ``Principal``; an unknown, revoked or missing key is ``unauthorized`` (401). Keys are access
credentials, not ledger state: they are not journaled and not part of ``Registry.snapshot()``. A key may
act for no account and not be the operator's: a reader's (a verifier's), which can move nothing.

Rules (the HTTP API and ``InProcessRegistryClient`` both apply exactly these, through ``RegistryAccess``):

* Reading is public: no key needed.
* A key acts for a set of registry accounts. Holder operations (``Access.HOLDER`` in the operation table:
  transfer, retire, cancel, move to buffer, immobilize, release, retire from trust) take units only
  from an account the key acts for:
  ``from_account`` when given, else the account holding the block named by ``serial``, else the key's
  only account. Destinations are anyone's: a custodian immobilizes INTO the bridge's trust account,
  the bridge releases to a redeemer's holding account. Release and retire-from-trust therefore need a
  key for the trust account (only immobilized units, which sit in trust accounts, can be released).
  Anything else is ``forbidden`` (403).
* The operator key (registry administrator) may do the operator operations (``Access.OPERATOR``: create
  programs, projects and accounts, close accounts, issue, freeze and unfreeze), manage API keys, and
  retire, cancel or move to buffer held units in any account (on behalf of a holder:
  ``Operation.on_behalf``; this is how a registry's own records of past retirements are imported). For
  other holder operations (immobilize, release, transfer) it acts only for accounts it holds.
* A retry of an idempotent request (same ``request_id``) acts as the first attempt did, so it returns
  the first result even after the block has moved on. Request ids are scoped per principal: the ids an
  account (or the operator) used are looked up for that account only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.registry._auth_models import ApiKey, ApiKeyAccount
from bridge.registry.db import session_factory
from bridge.registry.enums import AccountStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import Access, Operation
from bridge.registry.models import Account
from bridge.registry.views.lookup import block_account, check_id, recorded_requests
from bridge.registry.views.queries import MAX_ID

KEY_PREFIX: Final = "crk_"
API_KEY_HEADER: Final = "X-API-Key"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
"""HTTP headers: the caller's API key, and the idempotency key (the ledger's ``request_id``)."""
_SHOWN_PREFIX: Final = 12


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: one API key, the accounts it acts for, and whether it is the operator's."""

    key_id: int
    label: str
    operator: bool
    accounts: frozenset[int]


class ApiKeyPublic(BaseModel):
    """An API key as listings show it (never the key itself)."""

    model_config = ConfigDict(frozen=True)

    id: int
    label: str
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    operator: bool
    accounts: list[int]
    created_at: datetime
    revoked_at: datetime | None


_Label = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]


class ApiKeyCreate(BaseModel):
    """A new API key: the accounts it acts for and/or the operator role (the API's request body)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: list[Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]] = Field(
        default_factory=list, description="the registry accounts the key acts for"
    )
    operator: StrictBool = Field(False, description="the registry operator's key (administrative operations)")
    label: _Label | None = None


class IssuedApiKey(BaseModel):
    """A key just created: ``key`` is shown this once and cannot be recovered."""

    model_config = ConfigDict(frozen=True)

    key: str
    api_key: ApiKeyPublic


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _refuse(code: RegistryErrorCode, message: str, *, field: str | None = None) -> RegistryError:
    return RegistryError(message, code=code, field=field)


def _public(key: ApiKey, accounts: Iterable[int]) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        label=key.label,
        prefix=key.prefix,
        operator=key.operator,
        accounts=sorted(accounts),
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def _accounts_of(session: Session, key_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = session.execute(
        select(ApiKeyAccount.key_id, ApiKeyAccount.account_id).where(ApiKeyAccount.key_id.in_(key_ids))
    ).all()
    found: dict[int, list[int]] = {key_id: [] for key_id in key_ids}
    for key_id, account_id in rows:
        found[key_id].append(account_id)
    return found


def create_api_key(
    registry: Registry,
    *,
    accounts: Iterable[int] = (),
    operator: bool = False,
    label: str | None = None,
    secret: str | None = None,
) -> IssuedApiKey:
    """A new key acting for ``accounts`` (open accounts of any kind), and/or the operator's; with neither, a
    key that can move nothing (a reader's credential: a verifier's, an auditor's).

    ``secret`` fixes the key text (at least 24 characters) instead of drawing a random one: for
    reproducible demo data only.
    """
    try:
        request = ApiKeyCreate(accounts=list(accounts), operator=operator, label=label)
    except ValueError as exc:
        raise _refuse(RegistryErrorCode.INVALID_REQUEST, f"api key: {exc}", field="accounts") from None
    wanted = sorted(set(request.accounts))
    if secret is not None and (not isinstance(secret, str) or len(secret) < 24 or not secret.isprintable()):
        raise _refuse(
            RegistryErrorCode.INVALID_REQUEST, "secret: give at least 24 printable characters", field="secret"
        )
    key = secret if secret is not None else new_key()
    name = request.label or (
        "operator" if request.operator else "accounts " + ", ".join(map(str, wanted)) if wanted else "reads only"
    )
    sessions = session_factory(registry.engine)
    try:
        with sessions() as session, session.begin():
            for account_id in wanted:
                account = session.get(Account, account_id)
                if account is None:
                    raise _refuse(
                        RegistryErrorCode.UNKNOWN_ACCOUNT, f"account {account_id} does not exist", field="accounts"
                    )
                if account.status is AccountStatus.CLOSED:
                    raise _refuse(RegistryErrorCode.ACCOUNT_CLOSED, f"account {account_id} is closed", field="accounts")
            row = ApiKey(
                key_hash=hash_key(key),
                prefix=key[:_SHOWN_PREFIX],
                label=name,
                operator=request.operator,
                created_at=datetime.now(UTC),
                revoked_at=None,
            )
            session.add(row)
            session.flush()
            session.add_all(ApiKeyAccount(key_id=row.id, account_id=account_id) for account_id in wanted)
            public = _public(row, wanted)
    except IntegrityError as exc:
        raise _refuse(
            RegistryErrorCode.CONSTRAINT_VIOLATION, f"the API key could not be stored: {exc.orig}", field="secret"
        ) from exc
    return IssuedApiKey(key=key, api_key=public)


def issue_api_key(
    registry: Registry,
    *,
    accounts: Iterable[int] = (),
    operator: bool = False,
    label: str | None = None,
    secret: str | None = None,
) -> str:
    """A new API key (the text, shown this once) acting for ``accounts`` and/or as the operator."""
    return create_api_key(registry, accounts=accounts, operator=operator, label=label, secret=secret).key


def resolve_api_key(registry: Registry, key: str | None) -> Principal:
    """The principal a presented key acts as; ``unauthorized`` when it is missing, unknown or revoked."""
    if not key:
        raise _refuse(RegistryErrorCode.UNAUTHORIZED, "this operation needs an API key (header X-API-Key)")
    with registry.read_session() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).one_or_none()
        if row is None:
            raise _refuse(RegistryErrorCode.UNAUTHORIZED, "the API key is not valid")
        if row.revoked_at is not None:
            raise _refuse(RegistryErrorCode.UNAUTHORIZED, f"the API key {row.prefix}... was revoked")
        accounts = _accounts_of(session, [row.id])[row.id]
        return Principal(key_id=row.id, label=row.label, operator=row.operator, accounts=frozenset(accounts))


def list_api_keys(registry: Registry) -> list[ApiKeyPublic]:
    with registry.read_session() as session:
        rows = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
        accounts = _accounts_of(session, [row.id for row in rows])
        return [_public(row, accounts[row.id]) for row in rows]


def get_api_key(registry: Registry, key_id: int) -> ApiKeyPublic:
    check_id(key_id, "key_id")
    with registry.read_session() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise _refuse(RegistryErrorCode.UNKNOWN_API_KEY, f"API key {key_id} does not exist", field="key_id")
        return _public(row, _accounts_of(session, [row.id])[row.id])


def revoke_api_key(registry: Registry, key_id: int) -> ApiKeyPublic:
    """Revoke a key for good (revoking a revoked key changes nothing)."""
    check_id(key_id, "key_id")
    with session_factory(registry.engine)() as session, session.begin():
        row = session.get(ApiKey, key_id, with_for_update=True)
        if row is None:
            raise _refuse(RegistryErrorCode.UNKNOWN_API_KEY, f"API key {key_id} does not exist", field="key_id")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        return _public(row, _accounts_of(session, [row.id])[row.id])


# --- rules -----------------------------------------------------------------------------------------


def require_key(principal: Principal | None) -> Principal:
    if principal is None:
        raise _refuse(RegistryErrorCode.UNAUTHORIZED, "this operation needs an API key (header X-API-Key)")
    return principal


def require_operator(principal: Principal | None, what: str) -> Principal:
    """The principal, if it is the operator's (``forbidden`` otherwise); ``what`` names what it asked for."""
    found = require_key(principal)
    if not found.operator:
        raise _refuse(
            RegistryErrorCode.FORBIDDEN,
            f"{what.replace('_', ' ')} is for the registry operator; this API key is not the operator's",
        )
    return found


def _forbidden(account: int, field: str) -> RegistryError:
    return _refuse(RegistryErrorCode.FORBIDDEN, f"this API key does not act for account {account}", field=field)


def acting_account(
    registry: Registry,
    principal: Principal | None,
    operation: Operation[Any, Any],
    *,
    serial: str | None,
    from_account: int | None,
    request_id: str | None,
) -> int | None:
    """The account a holder operation acts for (``actor_account``; None: the operator, on behalf).

    Raises ``unauthorized`` without a key, ``forbidden`` when the units' account is not the key's.
    """
    if operation.access is not Access.HOLDER:
        raise ValueError(f"{operation.name} is not a holder operation")
    key = require_key(principal)
    on_behalf = key.operator and operation.on_behalf

    if request_id is not None and isinstance(request_id, str):
        # A retry acts as the first attempt did (the ledger then returns the first result, or refuses a
        # different request under the same id). Only this key's own principals' ids count: another
        # account's use of the same string is another request.
        principals: list[int | None] = [*key.accounts, *([None] if on_behalf else [])]
        with registry.read_session() as session:
            earlier = [
                recorded.actor_account
                for name, recorded in recorded_requests(session, request_id, principals)
                if name == operation.name
            ]
        if len(earlier) == 1:
            return earlier[0]

    source, field = from_account, "from_account"
    if source is None and serial is not None:
        with registry.read_session() as session:
            source, field = block_account(session, serial), "serial"
    if source is not None:
        if source in key.accounts:
            return source
        if on_behalf:
            return None
        raise _forbidden(source, field)
    if len(key.accounts) == 1:
        # the ledger names what is wrong (no such block, no such units in this account)
        return next(iter(key.accounts))
    if on_behalf:
        return None
    if serial is not None:
        raise _refuse(RegistryErrorCode.BLOCK_NOT_FOUND, f"no block has serial {serial}", field="serial")
    if not key.accounts:
        raise _refuse(RegistryErrorCode.FORBIDDEN, f"this API key acts for no account; {operation.name} needs one")
    held = ", ".join(str(account) for account in sorted(key.accounts))
    raise _refuse(
        RegistryErrorCode.INVALID_REQUEST,
        f"from_account: this API key acts for accounts {held}; name the one to take units from",
        field="from_account",
    )
