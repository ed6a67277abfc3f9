"""The registry as one caller sees it: public reads for anyone, operations as its API key allows.

``RegistryAccess(registry, principal)`` is the one place where the access rules of ``bridge.registry.auth``
meet the ledger; the HTTP API and ``InProcessRegistryClient`` both go through it, so they refuse and
answer alike. An operation's ``Access`` (in the operation table) decides which rule applies. It also
turns database failures into coded errors (``registry_unavailable``).

Reading is public and has no rule to apply: readers call the ledger's reads (``Registry.get_*``,
``search``, ``list_*``) directly.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bridge.registry import auth
from bridge.registry.db import database_errors
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import Access, operation_for
from bridge.registry.requests import BlockSelection, ImmobilizeManyRequest


class RegistryAccess:
    """One caller's view of ``registry``: ``principal`` is its API key (None: anonymous, reads only)."""

    def __init__(self, registry: Registry, principal: auth.Principal | None) -> None:
        self.registry = registry
        self.principal = principal

    # --- operations ------------------------------------------------------------------------------

    def execute(self, request: BaseModel, *, request_id: str | None) -> Any:
        """Run the operation ``request`` is the request of, acting as the API key may: a holder operation
        for the account the key acts for, an operator operation only with the operator's key."""
        op = operation_for(request)
        with database_errors():
            if op.access is Access.HOLDER:
                assert isinstance(request, BlockSelection | ImmobilizeManyRequest)
                actor = auth.acting_account(
                    self.registry,
                    self.principal,
                    op,
                    serial=request.serial,
                    from_account=request.from_account,
                    request_id=request_id,
                )
                return self.registry.execute(request, actor_account=actor, request_id=request_id)
            if op.access is Access.OPERATOR:
                auth.require_operator(self.principal, op.name)
                return self.registry.execute(request, request_id=request_id)
        raise RegistryError(f"{op.name} is not an operation callers ask for", code=RegistryErrorCode.FORBIDDEN)

    def whoami(self) -> auth.ApiKeyPublic:
        key = auth.require_key(self.principal)
        with database_errors():
            return auth.get_api_key(self.registry, key.key_id)

    def create_api_key(self, request: auth.ApiKeyCreate) -> auth.IssuedApiKey:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.create_api_key(
                self.registry, accounts=request.accounts, operator=request.operator, label=request.label
            )

    def list_api_keys(self) -> list[auth.ApiKeyPublic]:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.list_api_keys(self.registry)

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.revoke_api_key(self.registry, key_id)
