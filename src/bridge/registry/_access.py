"""The registry as one caller sees it: public reads for anyone, operations as its API key allows.

``RegistryAccess(registry, principal)`` is the one place where the access rules of ``bridge.registry.auth``
meet the ledger; the HTTP API and ``InProcessRegistryClient`` both go through it, so they refuse and
answer alike. It also turns database failures into coded errors (``registry_unavailable``) and refuses
ids the database cannot store before they reach the driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import DataError, OperationalError

from bridge.registry import auth, views
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.schemas import (
    AccountBalance,
    AccountPublic,
    CreditPublic,
    IntegrityReport,
    IssuancePublic,
    IssuanceTotals,
    JournalCheckpoint,
    JournalEntryPublic,
    JournalReport,
    ProgramPublic,
    ProjectPublic,
    UnitBlockPublic,
)

M = TypeVar("M", bound=BaseModel)

_ID_FIELDS: Final = (
    "to_account",
    "from_account",
    "issuance_id",
    "trust_account",
    "retirement_account",
    "cancellation_account",
    "buffer_account",
    "account_id",
)
_MAX_BIGINT: Final = 2**63 - 1


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database's own failures into coded registry errors."""
    try:
        yield
    except DataError as exc:
        raise RegistryError(
            f"the database refused a value: {exc.orig}", code=RegistryErrorCode.INVALID_REQUEST
        ) from exc
    except OperationalError as exc:
        raise RegistryError(
            f"the registry database is unavailable: {exc.orig}", code=RegistryErrorCode.REGISTRY_UNAVAILABLE
        ) from exc


def _check_fields(fields: dict[str, Any]) -> None:
    for name in _ID_FIELDS:
        auth.check_id(fields.get(name), name)
    identifier = fields.get("marketplace_identifier")
    chain_id = identifier.get("chain_id") if isinstance(identifier, dict) else None
    if isinstance(chain_id, int) and chain_id > _MAX_BIGINT:
        raise RegistryError(
            f"marketplace_identifier.chain_id: must be at most {_MAX_BIGINT}",
            code=RegistryErrorCode.INVALID_REQUEST,
            field="marketplace_identifier.chain_id",
        )


class RegistryAccess:
    """One caller's view of ``registry``: ``principal`` is its API key (None: anonymous, reads only)."""

    def __init__(self, registry: Registry, principal: auth.Principal | None) -> None:
        self.registry = registry
        self.principal = principal

    # --- operations ------------------------------------------------------------------------------

    def operate(self, operation: str, fields: dict[str, Any], *, request_id: str | None, result: type[M]) -> M:
        """Run ledger operation ``operation`` with ``fields`` (its keyword arguments but ``actor_account``)."""
        with database_errors():
            if operation in auth.HOLDER_OPERATIONS:
                actor = auth.acting_account(
                    self.registry,
                    self.principal,
                    operation,
                    serial=fields.get("serial"),
                    from_account=fields.get("from_account"),
                    request_id=request_id,
                )
                _check_fields(fields)
                outcome = getattr(self.registry, operation)(actor_account=actor, request_id=request_id, **fields)
            elif operation in auth.OPERATOR_OPERATIONS:
                auth.require_operator(self.principal, operation)
                _check_fields(fields)
                outcome = getattr(self.registry, operation)(request_id=request_id, **fields)
            else:
                raise ValueError(f"unknown registry operation {operation!r}")
        assert isinstance(outcome, result), type(outcome)
        return outcome

    def whoami(self) -> auth.ApiKeyPublic:
        key = auth.require_key(self.principal)
        with database_errors():
            return auth.get_api_key(self.registry, key.key_id)

    def create_api_key(self, *, accounts: list[int], operator: bool, label: str | None) -> auth.IssuedApiKey:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.create_api_key(self.registry, accounts=accounts, operator=operator, label=label)

    def list_api_keys(self) -> list[auth.ApiKeyPublic]:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.list_api_keys(self.registry)

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic:
        auth.require_operator(self.principal, "manage_api_keys")
        with database_errors():
            return auth.revoke_api_key(self.registry, key_id)

    # --- public reads ----------------------------------------------------------------------------

    def get_program(self, code: str) -> ProgramPublic:
        with database_errors():
            return self.registry.get_program(code)

    def get_project(self, *, program: str, project_id: str) -> ProjectPublic:
        with database_errors():
            return self.registry.get_project(program=program, project_id=project_id)

    def get_issuance(self, issuance_id: int) -> IssuancePublic:
        auth.check_id(issuance_id, "issuance_id")
        with database_errors():
            return self.registry.get_issuance(issuance_id)

    def issuance_totals(self, issuance_id: int) -> IssuanceTotals:
        auth.check_id(issuance_id, "issuance_id")
        with database_errors():
            return self.registry.issuance_totals(issuance_id)

    def get_block(self, block_id: int) -> UnitBlockPublic:
        auth.check_id(block_id, "block_id")
        with database_errors():
            return self.registry.get_block(block_id)

    def get_credit(self, serial: str) -> CreditPublic:
        with database_errors():
            return self.registry.get_credit(serial)

    def get_account(self, account_id: int) -> AccountPublic:
        auth.check_id(account_id, "account_id")
        with database_errors():
            return self.registry.get_account(account_id)

    def account_balance(self, account_id: int) -> AccountBalance:
        auth.check_id(account_id, "account_id")
        with database_errors():
            return self.registry.account_balance(account_id)

    def journal_head(self) -> JournalCheckpoint:
        with database_errors():
            return self.registry.journal_head()

    def verify_journal(self, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport:
        with database_errors():
            return self.registry.verify_journal(checkpoint=checkpoint)

    def check_integrity(self) -> IntegrityReport:
        with database_errors():
            return self.registry.check_integrity()

    def search_programs(self, query: views.ProgramQuery) -> views.Page[ProgramPublic]:
        return views.search_programs(self.registry, query)

    def search_projects(self, query: views.ProjectQuery) -> views.Page[ProjectPublic]:
        return views.search_projects(self.registry, query)

    def search_issuances(self, query: views.IssuanceQuery) -> views.Page[IssuancePublic]:
        return views.search_issuances(self.registry, query)

    def search_blocks(self, query: views.BlockQuery) -> views.Page[UnitBlockPublic]:
        return views.search_blocks(self.registry, query)

    def search_retirements(self, query: views.RetirementQuery) -> views.Page[views.RetirementRecord]:
        return views.search_retirements(self.registry, query)

    def search_accounts(self, query: views.AccountQuery) -> views.Page[AccountPublic]:
        return views.search_accounts(self.registry, query)

    def search_journal(self, query: views.JournalQuery) -> views.Page[JournalEntryPublic]:
        return views.search_journal(self.registry, query)
