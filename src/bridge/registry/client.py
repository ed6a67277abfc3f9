"""Clients of the registry: the one interface the bridge (and anyone else) uses to talk to it.

``RegistryClient`` is the interface; two implementations answer identically:

* ``InProcessRegistryClient(registry, api_key)``: calls the ledger in this process, through the very
  access rules the HTTP API applies (``bridge.registry._access``);
* ``HttpRegistryClient(base_url, api_key, http=...)``: calls the HTTP API (``bridge.registry.api``);
  ``http`` may be any ``httpx.Client``, e.g. FastAPI's ``TestClient``, so tests need no server.

Methods have the names and keyword-only signatures of the ``Registry`` methods, without
``actor_account``: the API key decides who acts. Both return the same pydantic models and raise
``RegistryError`` with the same codes (the HTTP client rebuilds the error from the response body; a
connection failure is ``registry_unavailable``, 503). ``list_*`` methods return plain lists (all
matches by default; ``limit``/``offset`` take a slice); the HTTP client pages through the API for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final, Protocol, TypeVar, runtime_checkable
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from bridge.registry import auth, views
from bridge.registry._access import RegistryAccess
from bridge.registry.errors import (
    IntegrityViolationError,
    JournalCorruptError,
    RegistryError,
    RegistryErrorCode,
    ReplayError,
    SerialFormatError,
)
from bridge.registry.ledger import Registry
from bridge.registry.schemas import (
    AccountBalance,
    AccountPublic,
    BlockOperationResult,
    CreditPublic,
    IntegrityReport,
    IssuancePublic,
    IssuanceResult,
    IssuanceTotals,
    JournalCheckpoint,
    JournalEntryPublic,
    JournalReport,
    MarketplaceIdentifier,
    ProgramPublic,
    ProjectPublic,
    UnitBlockPublic,
)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Q = TypeVar("Q", bound=views.PageQuery)

RetirementRecord = views.RetirementRecord
Page = views.Page


@runtime_checkable
class RegistryClient(Protocol):
    """The registry as one API key sees it (anonymous without a key: reads only)."""

    # --- public reads ------------------------------------------------------------------------------

    def list_programs(
        self,
        *,
        category: str | None = None,
        ccp_eligible: bool | None = None,
        corsia_phase: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProgramPublic]: ...

    def get_program(self, code: str) -> ProgramPublic: ...

    def list_projects(
        self,
        *,
        program: str | None = None,
        country: str | None = None,
        methodology: str | None = None,
        category: str | None = None,
        sector: str | None = None,
        mitigation_type: str | None = None,
        removal: bool | None = None,
        ccp_approved: bool | None = None,
        corsia_eligible: bool | None = None,
        corsia_phase: str | None = None,
        article6_authorized: bool | None = None,
        corresponding_adjustment: str | None = None,
        sdg: int | None = None,
        certification: str | None = None,
        name: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProjectPublic]: ...

    def get_project(self, *, program: str, project_id: str) -> ProjectPublic: ...

    def list_issuances(
        self,
        *,
        program: str | None = None,
        project_id: str | None = None,
        country: str | None = None,
        vintage: int | None = None,
        vintage_from: int | None = None,
        vintage_to: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[IssuancePublic]: ...

    def get_issuance(self, issuance_id: int) -> IssuancePublic: ...

    def issuance_totals(self, issuance_id: int) -> IssuanceTotals: ...

    def list_blocks(
        self,
        *,
        account_id: int | None = None,
        status: str | None = None,
        issuance_id: int | None = None,
        frozen: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
        program: str | None = None,
        project_id: str | None = None,
        serial: str | None = None,
    ) -> list[UnitBlockPublic]: ...

    def get_block(self, block_id: int) -> UnitBlockPublic: ...

    def find_block(self, serial: str) -> UnitBlockPublic: ...

    def get_credit(self, serial: str) -> CreditPublic: ...

    def list_retirements(
        self,
        *,
        beneficiary: str | None = None,
        reason: str | None = None,
        program: str | None = None,
        project_id: str | None = None,
        issuance_id: int | None = None,
        retired_from: date | None = None,
        retired_to: date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RetirementRecord]: ...

    def list_accounts(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        owner: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[AccountPublic]: ...

    def get_account(self, account_id: int) -> AccountPublic: ...

    def account_balance(self, account_id: int) -> AccountBalance: ...

    def journal_entries(
        self, *, after_seq: int = 0, operation: str | None = None, limit: int | None = None
    ) -> list[JournalEntryPublic]: ...

    def journal_head(self) -> JournalCheckpoint: ...

    def verify_journal(self, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport: ...

    def check_integrity(self) -> IntegrityReport: ...

    # --- holder operations -------------------------------------------------------------------------

    def transfer(
        self,
        *,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def retire(
        self,
        *,
        beneficiary: str,
        reason: str,
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def cancel(
        self,
        *,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        cancellation_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def move_to_buffer(
        self,
        *,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        buffer_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def immobilize(
        self,
        *,
        trust_account: int,
        marketplace: str,
        marketplace_identifier: MarketplaceIdentifier | dict[str, Any],
        marketplace_link: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def release(
        self,
        *,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def retire_from_trust(
        self,
        *,
        beneficiary: str,
        reason: str,
        settles: list[str],
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    # --- operator operations -----------------------------------------------------------------------

    def create_program(
        self,
        *,
        code: str,
        category: str,
        name: str | None = None,
        unit_type: str | None = None,
        ccp_eligible: bool = False,
        corsia_phases: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProgramPublic: ...

    def create_project(
        self,
        *,
        program: str,
        project_id: str,
        name: str,
        methodology_id: str,
        methodology_category: str,
        sector: str,
        sectoral_scope: str,
        host_country: str,
        mitigation_type: str,
        ex_post: bool = True,
        ccp_approved: bool = False,
        corsia_eligible: bool = False,
        corsia_phase: str | None = None,
        article6_authorization: str = "not_authorized",
        corresponding_adjustment_declaration: str = "Unknown",
        corresponding_adjustment_status: str = "Not Applicable",
        sdg_goals: list[int] | None = None,
        additional_certifications: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProjectPublic: ...

    def create_account(
        self, *, kind: str, owner: str, name: str | None = None, request_id: str | None = None
    ) -> AccountPublic: ...

    def close_account(self, *, account_id: int, request_id: str | None = None) -> AccountPublic: ...

    def issue(
        self,
        *,
        program: str,
        project_id: str,
        to_account: int,
        quantity: int,
        vintage_start: date,
        vintage_end: date,
        issued_on: date | None = None,
        first_unit: int | None = None,
        program_fields: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> IssuanceResult: ...

    def freeze(
        self,
        *,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    def unfreeze(
        self,
        *,
        reason: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult: ...

    # --- API keys ----------------------------------------------------------------------------------

    def whoami(self) -> auth.ApiKeyPublic: ...

    def create_api_key(
        self, *, accounts: list[int] | None = None, operator: bool = False, label: str | None = None
    ) -> auth.IssuedApiKey: ...

    def list_api_keys(self) -> list[auth.ApiKeyPublic]: ...

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic: ...


# --- shared helpers --------------------------------------------------------------------------------


def _query(model: type[Q], filters: dict[str, Any], *, limit: int, offset: int) -> Q:
    """A search query model, refusing bad filters with ``invalid_request`` naming the filter."""
    try:
        return model.model_validate(
            {**{k: v for k, v in filters.items() if v is not None}, "limit": limit, "offset": offset}
        )
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        text = f"{field}: {error['msg']}" if field else error["msg"]
        raise RegistryError(text, code=RegistryErrorCode.INVALID_REQUEST, field=field) from None


def _collect(fetch: Callable[[int, int], views.Page[T]], limit: int | None, offset: int) -> list[T]:
    """Every item from ``offset`` on (at most ``limit``), fetched a page at a time."""
    if limit is not None and limit < 0:
        raise RegistryError("limit: must be 0 or more", code=RegistryErrorCode.INVALID_REQUEST, field="limit")
    if limit == 0:
        return []
    items: list[T] = []
    while limit is None or len(items) < limit:
        size = views.MAX_PAGE if limit is None else min(views.MAX_PAGE, limit - len(items))
        page = fetch(size, offset + len(items))
        items.extend(page.items)
        if len(page.items) < size or offset + len(items) >= page.total:
            break
    return items


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """A method's keyword arguments as an operation's fields (``self`` and ``request_id`` dropped)."""
    return {key: value for key, value in values.items() if key not in ("self", "request_id")}


def _identifier(value: MarketplaceIdentifier | dict[str, Any]) -> Any:
    return value.model_dump() if isinstance(value, MarketplaceIdentifier) else value


class _ClientBase:
    """Every method of both clients, written once over three primitives each client implements:
    ``_operate`` (an operation), ``_list`` (a search, all pages collected) and ``_read`` (one answer)."""

    def _operate(self, operation: str, fields: dict[str, Any], request_id: str | None, result: type[M]) -> M:
        raise NotImplementedError

    def _list(self, search: str, item: type[M], filters: dict[str, Any]) -> list[M]:
        """The items of search ``search`` ("blocks", "projects", ...); ``filters`` hold limit and offset."""
        raise NotImplementedError

    def _read(self, name: str, result: type[M], *args: Any, **kwargs: Any) -> M:
        """The answer of public read ``name`` (named as the ``RegistryAccess`` method)."""
        raise NotImplementedError

    # --- public reads ------------------------------------------------------------------------------

    def list_programs(
        self,
        *,
        category: str | None = None,
        ccp_eligible: bool | None = None,
        corsia_phase: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProgramPublic]:
        return self._list("programs", ProgramPublic, _fields(locals()))

    def get_program(self, code: str) -> ProgramPublic:
        return self._read("get_program", ProgramPublic, code)

    def list_projects(
        self,
        *,
        program: str | None = None,
        country: str | None = None,
        methodology: str | None = None,
        category: str | None = None,
        sector: str | None = None,
        mitigation_type: str | None = None,
        removal: bool | None = None,
        ccp_approved: bool | None = None,
        corsia_eligible: bool | None = None,
        corsia_phase: str | None = None,
        article6_authorized: bool | None = None,
        corresponding_adjustment: str | None = None,
        sdg: int | None = None,
        certification: str | None = None,
        name: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProjectPublic]:
        return self._list("projects", ProjectPublic, _fields(locals()))

    def get_project(self, *, program: str, project_id: str) -> ProjectPublic:
        return self._read("get_project", ProjectPublic, program=program, project_id=project_id)

    def list_issuances(
        self,
        *,
        program: str | None = None,
        project_id: str | None = None,
        country: str | None = None,
        vintage: int | None = None,
        vintage_from: int | None = None,
        vintage_to: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[IssuancePublic]:
        return self._list("issuances", IssuancePublic, _fields(locals()))

    def get_issuance(self, issuance_id: int) -> IssuancePublic:
        return self._read("get_issuance", IssuancePublic, issuance_id)

    def issuance_totals(self, issuance_id: int) -> IssuanceTotals:
        return self._read("issuance_totals", IssuanceTotals, issuance_id)

    def list_blocks(
        self,
        *,
        account_id: int | None = None,
        status: str | None = None,
        issuance_id: int | None = None,
        frozen: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
        program: str | None = None,
        project_id: str | None = None,
        serial: str | None = None,
    ) -> list[UnitBlockPublic]:
        return self._list("blocks", UnitBlockPublic, _fields(locals()))

    def get_block(self, block_id: int) -> UnitBlockPublic:
        return self._read("get_block", UnitBlockPublic, block_id)

    def find_block(self, serial: str) -> UnitBlockPublic:
        return self.get_credit(serial).block

    def get_credit(self, serial: str) -> CreditPublic:
        return self._read("get_credit", CreditPublic, serial)

    def list_retirements(
        self,
        *,
        beneficiary: str | None = None,
        reason: str | None = None,
        program: str | None = None,
        project_id: str | None = None,
        issuance_id: int | None = None,
        retired_from: date | None = None,
        retired_to: date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RetirementRecord]:
        return self._list("retirements", RetirementRecord, _fields(locals()))

    def list_accounts(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        owner: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[AccountPublic]:
        return self._list("accounts", AccountPublic, _fields(locals()))

    def get_account(self, account_id: int) -> AccountPublic:
        return self._read("get_account", AccountPublic, account_id)

    def account_balance(self, account_id: int) -> AccountBalance:
        return self._read("account_balance", AccountBalance, account_id)

    def journal_entries(
        self, *, after_seq: int = 0, operation: str | None = None, limit: int | None = None
    ) -> list[JournalEntryPublic]:
        filters = {"after_seq": after_seq, "operation": operation, "limit": limit, "offset": 0}
        return self._list("journal", JournalEntryPublic, filters)

    def journal_head(self) -> JournalCheckpoint:
        return self._read("journal_head", JournalCheckpoint)

    def verify_journal(self, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport:
        return self._read("verify_journal", JournalReport, checkpoint=checkpoint)

    def check_integrity(self) -> IntegrityReport:
        return self._read("check_integrity", IntegrityReport)

    # --- operations --------------------------------------------------------------------------------

    def transfer(
        self,
        *,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("transfer", _fields(locals()), request_id, BlockOperationResult)

    def retire(
        self,
        *,
        beneficiary: str,
        reason: str,
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("retire", _fields(locals()), request_id, BlockOperationResult)

    def cancel(
        self,
        *,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        cancellation_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("cancel", _fields(locals()), request_id, BlockOperationResult)

    def move_to_buffer(
        self,
        *,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        buffer_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("move_to_buffer", _fields(locals()), request_id, BlockOperationResult)

    def immobilize(
        self,
        *,
        trust_account: int,
        marketplace: str,
        marketplace_identifier: MarketplaceIdentifier | dict[str, Any],
        marketplace_link: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        fields = _fields(locals())
        fields["marketplace_identifier"] = _identifier(marketplace_identifier)
        return self._operate("immobilize", fields, request_id, BlockOperationResult)

    def release(
        self,
        *,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("release", _fields(locals()), request_id, BlockOperationResult)

    def retire_from_trust(
        self,
        *,
        beneficiary: str,
        reason: str,
        settles: list[str],
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("retire_from_trust", _fields(locals()), request_id, BlockOperationResult)

    def create_program(
        self,
        *,
        code: str,
        category: str,
        name: str | None = None,
        unit_type: str | None = None,
        ccp_eligible: bool = False,
        corsia_phases: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProgramPublic:
        fields = _fields(locals())
        fields["corsia_phases"] = corsia_phases or []
        return self._operate("create_program", fields, request_id, ProgramPublic)

    def create_project(
        self,
        *,
        program: str,
        project_id: str,
        name: str,
        methodology_id: str,
        methodology_category: str,
        sector: str,
        sectoral_scope: str,
        host_country: str,
        mitigation_type: str,
        ex_post: bool = True,
        ccp_approved: bool = False,
        corsia_eligible: bool = False,
        corsia_phase: str | None = None,
        article6_authorization: str = "not_authorized",
        corresponding_adjustment_declaration: str = "Unknown",
        corresponding_adjustment_status: str = "Not Applicable",
        sdg_goals: list[int] | None = None,
        additional_certifications: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProjectPublic:
        fields = _fields(locals())
        fields["sdg_goals"] = sdg_goals or []
        fields["additional_certifications"] = additional_certifications or []
        return self._operate("create_project", fields, request_id, ProjectPublic)

    def create_account(
        self, *, kind: str, owner: str, name: str | None = None, request_id: str | None = None
    ) -> AccountPublic:
        return self._operate("create_account", _fields(locals()), request_id, AccountPublic)

    def close_account(self, *, account_id: int, request_id: str | None = None) -> AccountPublic:
        return self._operate("close_account", _fields(locals()), request_id, AccountPublic)

    def issue(
        self,
        *,
        program: str,
        project_id: str,
        to_account: int,
        quantity: int,
        vintage_start: date,
        vintage_end: date,
        issued_on: date | None = None,
        first_unit: int | None = None,
        program_fields: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> IssuanceResult:
        fields = _fields(locals())
        fields["program_fields"] = program_fields or {}
        return self._operate("issue", fields, request_id, IssuanceResult)

    def freeze(
        self,
        *,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("freeze", _fields(locals()), request_id, BlockOperationResult)

    def unfreeze(
        self,
        *,
        reason: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        return self._operate("unfreeze", _fields(locals()), request_id, BlockOperationResult)


# --- in-process ------------------------------------------------------------------------------------


_QUERIES: Final[dict[str, type[views.PageQuery]]] = {
    "programs": views.ProgramQuery,
    "projects": views.ProjectQuery,
    "issuances": views.IssuanceQuery,
    "blocks": views.BlockQuery,
    "retirements": views.RetirementQuery,
    "accounts": views.AccountQuery,
    "journal": views.JournalQuery,
}
"""The query model of each search (the HTTP API's query parameters)."""


class InProcessRegistryClient(_ClientBase):
    """The registry in this process, seen through API key ``api_key`` (None: anonymous, reads only).

    The key is resolved on every operation, so a revoked key stops working at once, as over HTTP.
    """

    def __init__(self, registry: Registry, api_key: str | None = None) -> None:
        self.registry = registry
        self.api_key = api_key
        self._public = RegistryAccess(registry, None)

    def _keyed(self) -> RegistryAccess:
        return RegistryAccess(self.registry, auth.resolve_api_key(self.registry, self.api_key))

    def _operate(self, operation: str, fields: dict[str, Any], request_id: str | None, result: type[M]) -> M:
        return self._keyed().operate(operation, fields, request_id=request_id, result=result)

    def _list(self, search: str, item: type[M], filters: dict[str, Any]) -> list[M]:
        model = _QUERIES[search]
        find: Callable[[Any], views.Page[M]] = getattr(self._public, f"search_{search}")
        limit, offset = filters.pop("limit"), filters.pop("offset")
        _query(model, filters, limit=1, offset=0)  # refuse bad filters even when nothing is fetched
        return _collect(lambda size, skip: find(_query(model, filters, limit=size, offset=skip)), limit, offset)

    def _read(self, name: str, result: type[M], *args: Any, **kwargs: Any) -> M:
        found = getattr(self._public, name)(*args, **kwargs)
        assert isinstance(found, result), type(found)
        return found

    # --- API keys ----------------------------------------------------------------------------------

    def whoami(self) -> auth.ApiKeyPublic:
        return self._keyed().whoami()

    def create_api_key(
        self, *, accounts: list[int] | None = None, operator: bool = False, label: str | None = None
    ) -> auth.IssuedApiKey:
        return self._keyed().create_api_key(accounts=accounts or [], operator=operator, label=label)

    def list_api_keys(self) -> list[auth.ApiKeyPublic]:
        return self._keyed().list_api_keys()

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic:
        return self._keyed().revoke_api_key(key_id)


# --- over HTTP -------------------------------------------------------------------------------------

_ERROR_CLASSES: Final[dict[RegistryErrorCode, type[RegistryError]]] = {
    RegistryErrorCode.SERIAL_MALFORMED: SerialFormatError,
    RegistryErrorCode.JOURNAL_CORRUPT: JournalCorruptError,
    RegistryErrorCode.INTEGRITY_VIOLATION: IntegrityViolationError,
    RegistryErrorCode.REPLAY_DIVERGED: ReplayError,
}
_GATEWAY_STATUSES: Final = frozenset({502, 503, 504})
_OPERATION_PATHS: Final = {
    "transfer": "/transfers",
    "retire": "/retirements",
    "cancel": "/cancellations",
    "move_to_buffer": "/buffer-deposits",
    "immobilize": "/immobilizations",
    "release": "/releases",
    "retire_from_trust": "/trust-retirements",
    "create_program": "/programs",
    "create_project": "/projects",
    "create_account": "/accounts",
    "issue": "/issuances",
    "freeze": "/freezes",
    "unfreeze": "/unfreezes",
}


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def error_from_response(response: httpx.Response) -> RegistryError:
    """The ``RegistryError`` an error response of the registry API stands for."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str):
        try:
            code = RegistryErrorCode(body["code"])
        except ValueError:
            code = None
        if code is not None:
            field = body.get("field") if isinstance(body.get("field"), str) else None
            details = body.get("details") if isinstance(body.get("details"), dict) else None
            cls = _ERROR_CLASSES.get(code, RegistryError)
            return cls(body["message"], code=code, field=field, details=details)
        return RegistryError(
            f"the registry answered {response.status_code} with unknown code {body['code']}: {body['message']}",
            code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
            details={"status": response.status_code, "code": body["code"]},
        )
    if response.status_code in _GATEWAY_STATUSES:
        return RegistryError(
            f"the registry is unavailable (HTTP {response.status_code})",
            code=RegistryErrorCode.REGISTRY_UNAVAILABLE,
            details={"status": response.status_code},
        )
    return RegistryError(
        f"the registry answered HTTP {response.status_code} without a registry error body",
        code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
        details={"status": response.status_code},
    )


class HttpRegistryClient(_ClientBase):
    """The registry's HTTP API at ``base_url`` (e.g. ``http://localhost:8000/registry``).

    ``http`` is the ``httpx.Client`` to send with (default: a new one with ``timeout`` seconds, closed by
    ``close()``); FastAPI's ``TestClient`` works too, with ``base_url`` relative to it (``"/registry"``).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> HttpRegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        request_id: str | None = None,
        keyed: bool = False,
    ) -> Any:
        headers: dict[str, str] = {"Accept": "application/json"}
        if keyed and self.api_key is not None:
            headers[auth.API_KEY_HEADER] = self.api_key
        if request_id is not None:
            headers[auth.IDEMPOTENCY_HEADER] = request_id
        query = {key: _param(value) for key, value in (params or {}).items() if value is not None}
        try:
            response = self._http.request(
                method,
                self.base_url + path,
                params=query or None,
                json=_json_value(body) if body is not None else None,
                headers=headers,
            )
        except httpx.TransportError as exc:
            raise RegistryError(
                f"the registry at {self.base_url} cannot be reached: {exc}",
                code=RegistryErrorCode.REGISTRY_UNAVAILABLE,
            ) from exc
        except httpx.InvalidURL as exc:
            raise RegistryError(f"invalid registry request URL: {exc}", code=RegistryErrorCode.INVALID_REQUEST) from exc
        if response.is_success:
            try:
                return response.json()
            except ValueError as exc:
                raise RegistryError(
                    "the registry answered with a body that is not JSON", code=RegistryErrorCode.REGISTRY_BAD_RESPONSE
                ) from exc
        raise error_from_response(response)

    @staticmethod
    def _parse(model: type[M], data: Any) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise RegistryError(
                f"the registry's answer is not a {model.__name__}: {exc.errors(include_url=False)[0]['msg']}",
                code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
            ) from exc

    def _operate(self, operation: str, fields: dict[str, Any], request_id: str | None, result: type[M]) -> M:
        if operation == "close_account":
            account_id = fields["account_id"]
            path = f"/accounts/{_path_id(account_id, 'account_id')}/close"
            data = self._send("POST", path, request_id=request_id, keyed=True)
        else:
            body = {key: value for key, value in fields.items() if value is not None}
            data = self._send("POST", _OPERATION_PATHS[operation], body=body, request_id=request_id, keyed=True)
        return self._parse(result, data)

    def _list(self, search: str, item: type[M], filters: dict[str, Any]) -> list[M]:
        limit, offset = filters.pop("limit"), filters.pop("offset")
        page_type = views.Page[item]  # type: ignore[valid-type]

        def fetch(size: int, skip: int) -> views.Page[M]:
            params = {**filters, "limit": size, "offset": skip}
            return self._parse(page_type, self._send("GET", f"/{search}", params=params))

        if limit == 0:
            fetch(1, max(offset, 0))  # still refuse bad filters
        return _collect(fetch, limit, offset)

    def _read(self, name: str, result: type[M], *args: Any, **kwargs: Any) -> M:
        path, params = _HTTP_READS[name](*args, **kwargs)
        return self._parse(result, self._send("GET", path, params=params))

    # --- API keys ----------------------------------------------------------------------------------

    def whoami(self) -> auth.ApiKeyPublic:
        return self._parse(auth.ApiKeyPublic, self._send("GET", "/api-keys/me", keyed=True))

    def create_api_key(
        self, *, accounts: list[int] | None = None, operator: bool = False, label: str | None = None
    ) -> auth.IssuedApiKey:
        body = {"accounts": accounts or [], "operator": operator, "label": label}
        data = self._send("POST", "/api-keys", body={k: v for k, v in body.items() if v is not None}, keyed=True)
        return self._parse(auth.IssuedApiKey, data)

    def list_api_keys(self) -> list[auth.ApiKeyPublic]:
        data = self._send("GET", "/api-keys", keyed=True)
        try:
            return _API_KEYS.validate_python(data)
        except ValidationError as exc:
            raise RegistryError(
                "the registry's answer is not a list of API keys", code=RegistryErrorCode.REGISTRY_BAD_RESPONSE
            ) from exc

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic:
        data = self._send("DELETE", f"/api-keys/{_path_id(key_id, 'key_id')}", keyed=True)
        return self._parse(auth.ApiKeyPublic, data)


_API_KEYS: Final = TypeAdapter(list[auth.ApiKeyPublic])


def _segment(value: str) -> str:
    return quote(value, safe="")


def _checkpoint(checkpoint: JournalCheckpoint | None = None) -> dict[str, Any]:
    return {} if checkpoint is None else {"seq": checkpoint.seq, "hash": checkpoint.hash}


_HTTP_READS: Final[dict[str, Callable[..., tuple[str, dict[str, Any]]]]] = {
    "get_program": lambda code: (f"/programs/{_segment(code)}", {}),
    "get_project": lambda *, program, project_id: (f"/projects/{_segment(program)}/{_segment(project_id)}", {}),
    "get_issuance": lambda issuance_id: (f"/issuances/{_path_id(issuance_id, 'issuance_id')}", {}),
    "issuance_totals": lambda issuance_id: (f"/issuances/{_path_id(issuance_id, 'issuance_id')}/totals", {}),
    "get_block": lambda block_id: (f"/blocks/{_path_id(block_id, 'block_id')}", {}),
    "get_credit": lambda serial: ("/credits", {"serial": serial}),
    "get_account": lambda account_id: (f"/accounts/{_path_id(account_id, 'account_id')}", {}),
    "account_balance": lambda account_id: (f"/accounts/{_path_id(account_id, 'account_id')}/balance", {}),
    "journal_head": lambda: ("/journal/head", {}),
    "verify_journal": lambda checkpoint=None: ("/journal/verify", _checkpoint(checkpoint)),
    "check_integrity": lambda: ("/integrity", {}),
}
"""The path and query parameters of each public read."""


def _path_id(value: int, field: str) -> str:
    """An id for a URL path, refused here as the in-process client would refuse it."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise RegistryError(f"{field}: must be an integer", code=RegistryErrorCode.INVALID_REQUEST, field=field)
    auth.check_id(value, field)
    return str(value)
