"""A typed Python client for the bridge's HTTP API.

``BridgeClient("http://localhost:8000", api_key=...)`` or, in tests, ``BridgeClient(http=TestClient(app))``.
Errors come back as the ``CodedError`` subclass of their layer (``BridgeError``, ``ApiError``,
``RegistryError``, ``ChainError``), rebuilt from the JSON error body, so callers catch them as they
would in process.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from bridge.api.errors import ApiError, ApiErrorCode
from bridge.api.schemas import EngineRun, Health, NetworkInfo, TokenizationItem
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.retirement import PersonalData
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.filters import (
    ClassFilter,
    ClassOnlyFilter,
    EventFilter,
    ListFilter,
    RedemptionFilter,
    RetirementFilter,
    TokenizationFilter,
)
from bridge.engine.schemas import (
    BatchPublic,
    ClassPublic,
    EventPublic,
    HolderBalances,
    RedemptionPublic,
    ReserveReport,
    RetirementPublic,
    SettlementPublic,
    TokenizationPublic,
    VerifierSetPublic,
)
from bridge.errors import CodedError, ErrorCode
from bridge.http_client import HttpClientBase, error_body
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.rules import PoolRules
from bridge.pools.schemas import PoolEligibilityPublic, PoolPublic, PoolTransactions
from bridge.primitives import Page
from bridge.registry.errors import RegistryError, RegistryErrorCode

M = TypeVar("M", bound=BaseModel)
_TOKENIZATIONS: Final = TypeAdapter(list[TokenizationPublic])

_FAMILIES: tuple[tuple[type[ErrorCode], type[CodedError]], ...] = (
    (BridgeErrorCode, BridgeError),
    (ApiErrorCode, ApiError),
    (RegistryErrorCode, RegistryError),
    (ChainErrorCode, ChainError),
    (PoolErrorCode, PoolError),
)


def error_from_response(response: httpx.Response) -> CodedError:
    """The ``CodedError`` an error response of the bridge API stands for."""
    error = error_body(response)
    if error is None:
        text = response.text[:200]
        return ApiError(f"HTTP {response.status_code}: {text}", code=ApiErrorCode.INTERNAL_ERROR)
    matches = [(code, cls) for codes, cls in _FAMILIES if (code := error.code_in(codes)) is not None]
    same_status = [m for m in matches if m[0].http_status == response.status_code]
    code, cls = (same_status or matches or [(ApiErrorCode.INTERNAL_ERROR, ApiError)])[0]
    return error.error(cls, code)


class BridgeClient(HttpClientBase):
    """The bridge API at ``base_url`` (or through ``http``, an ``httpx.Client`` such as a ``TestClient``)."""

    def __init__(
        self,
        base_url: str = "http://localhost:8000",
        api_key: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(http, timeout=timeout, base_url=base_url)
        self.api_key = api_key

    def with_key(self, api_key: str | None) -> BridgeClient:
        """The same connection (this client's to close), acting with another key."""
        return BridgeClient(http=self.http, api_key=api_key)

    # --- plumbing -------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if self.api_key:
            sent["X-API-Key"] = self.api_key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self.http.request(method, path, params=query, json=json, headers=sent)
        except httpx.TransportError as exc:
            raise ApiError(f"the bridge API cannot be reached: {exc}", code=ApiErrorCode.BRIDGE_UNAVAILABLE) from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                "the bridge API answered with a body that is not JSON", code=ApiErrorCode.BAD_RESPONSE
            ) from exc

    def _get(self, path: str, model: type[M], **params: Any) -> M:
        return model.model_validate(self._send("GET", path, params=params))

    def _list(self, path: str, model: type[M], filters: ListFilter | None, **page: Any) -> M:
        """A page of the list at ``path``: ``filters`` (its model validated them as they were made) and ``page``
        (checked by the bridge) as query parameters."""
        return self._get(path, model, **page, **(filters.query() if filters is not None else {}))

    def _post(self, path: str, model: type[M], body: dict[str, Any], *, idempotency_key: str | None = None) -> M:
        """POST the fields of ``body`` that are given (None: left out) and read the answer as ``model``."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        return model.model_validate(
            self._send("POST", path, json={k: v for k, v in body.items() if v is not None}, headers=headers)
        )

    # --- tokenizations --------------------------------------------------------------------------

    def tokenize(
        self,
        *,
        idempotency_key: str,
        recipient: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        custodian_account: int | None = None,
    ) -> TokenizationPublic:
        """Ask the bridge to tokenize a serial block (custodian key; the account defaults to the key's)."""
        body = {
            "custodian_account": custodian_account,
            "serial": serial,
            "issuance_id": issuance_id,
            "quantity": quantity,
            "recipient": recipient,
        }
        return self._post("/v1/tokenizations", TokenizationPublic, body, idempotency_key=idempotency_key)

    def tokenize_many(self, tokenizations: Sequence[TokenizationItem]) -> list[TokenizationPublic]:
        """Ask the bridge to tokenize many blocks at once, all or none (each with its own idempotency key; the
        first bad one refuses the call, naming its index); the tokenizations in the order asked."""
        body = {"tokenizations": [item.model_dump(mode="json", exclude_none=True) for item in tokenizations]}
        answer = self._send("POST", "/v1/tokenizations/bulk", json=body)
        return _TOKENIZATIONS.validate_python(answer)

    def get_tokenization(self, tokenization_id: int) -> TokenizationPublic:
        return self._get(f"/v1/tokenizations/{int(tokenization_id)}", TokenizationPublic)

    def list_tokenizations(
        self, filters: TokenizationFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[TokenizationPublic]:
        return self._list(
            "/v1/tokenizations", Page[TokenizationPublic], filters, limit=limit, offset=offset, cursor=cursor
        )

    # --- reads ----------------------------------------------------------------------------------

    def list_batches(
        self, filters: ClassOnlyFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[BatchPublic]:
        return self._list("/v1/batches", Page[BatchPublic], filters, limit=limit, offset=offset, cursor=cursor)

    def list_classes(
        self, filters: ClassFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[ClassPublic]:
        return self._list("/v1/classes", Page[ClassPublic], filters, limit=limit, offset=offset, cursor=cursor)

    def get_class(self, reference: str) -> ClassPublic:
        """A class by its id, its token's address or its name (``ambiguous_class`` lists the candidates)."""
        return self._get(f"/v1/classes/{quote(reference, safe='')}", ClassPublic)

    def get_redemption(self, redemption_id: int) -> RedemptionPublic:
        return self._get(f"/v1/redemptions/{int(redemption_id)}", RedemptionPublic)

    def list_redemptions(
        self, filters: RedemptionFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[RedemptionPublic]:
        return self._list("/v1/redemptions", Page[RedemptionPublic], filters, limit=limit, offset=offset, cursor=cursor)

    def list_retirements(
        self, filters: RetirementFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[RetirementPublic]:
        return self._list("/v1/retirements", Page[RetirementPublic], filters, limit=limit, offset=offset, cursor=cursor)

    def get_retirement(self, certificate_id: int) -> RetirementPublic:
        return self._get(f"/v1/retirements/{int(certificate_id)}", RetirementPublic)

    def disclose_personal_data(self, certificate_id: int, data: PersonalData) -> RetirementPublic:
        """Give the bridge the names a retirement keeps off-chain (it checks them against the on-chain hash)."""
        body = self._send("POST", f"/v1/retirements/{int(certificate_id)}/personal-data", json=data.model_dump())
        return RetirementPublic.model_validate(body)

    def list_settlements(
        self, filters: ClassOnlyFilter | None = None, *, limit: int = 50, offset: int = 0, cursor: str | None = None
    ) -> Page[SettlementPublic]:
        return self._list("/v1/settlements", Page[SettlementPublic], filters, limit=limit, offset=offset, cursor=cursor)

    def events(
        self, filters: EventFilter | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> Page[EventPublic]:
        """The chain-event feed; pass the last page's ``next_cursor`` to get what came after."""
        return self._list("/v1/events", Page[EventPublic], filters, limit=limit, cursor=cursor)

    def balances(self, address: str) -> HolderBalances:
        return self._get(f"/v1/holders/{quote(address, safe='')}/balances", HolderBalances)

    def reserves(self) -> ReserveReport:
        return self._get("/v1/reserves", ReserveReport)

    def verifiers(self) -> VerifierSetPublic:
        return self._get("/v1/verifiers", VerifierSetPublic)

    def health(self) -> Health:
        return self._get("/health", Health)

    def network(self) -> NetworkInfo:
        return self._get("/v1/network", NetworkInfo)

    # --- operator -------------------------------------------------------------------------------

    def run_engine(self) -> EngineRun:
        return EngineRun.model_validate(self._send("POST", "/v1/engine/run"))

    def enforce_reserves(self) -> ReserveReport:
        return ReserveReport.model_validate(self._send("POST", "/v1/reserves/enforce"))

    # --- pools ----------------------------------------------------------------------------------

    def list_pools(self, *, limit: int = 50, offset: int = 0) -> Page[PoolPublic]:
        """Pools the bridge knows, with rules, composition, supply, fee and caps."""
        return self._get("/v1/pools", Page[PoolPublic], limit=limit, offset=offset)

    def get_pool(self, address: str) -> PoolPublic:
        return self._get(f"/v1/pools/{quote(address, safe='')}", PoolPublic)

    def pool_eligibility(self, pool: str, token: str) -> PoolEligibilityPublic:
        """Whether the class token ``token`` may be deposited into ``pool`` now, and if not, the rule it fails."""
        return self._get(f"/v1/pools/{quote(pool, safe='')}/eligibility/{quote(token, safe='')}", PoolEligibilityPublic)

    def create_pool(
        self,
        *,
        idempotency_key: str,
        preset: str | None = None,
        rules: PoolRules | dict[str, Any] | None = None,
        name: str | None = None,
        symbol: str | None = None,
        fee_bps: int | None = None,
        supply_cap_tonnes: int | None = None,
        class_cap_tonnes: int | None = None,
        fee_recipient: str | None = None,
    ) -> PoolPublic:
        """Deploy a pool from a preset or from rules (operator key). The same key and arguments give the
        same pool; the same key with other arguments is an ``idempotency_conflict``."""
        body = {
            "preset": preset,
            "rules": rules.model_dump(mode="json") if isinstance(rules, PoolRules) else rules,
            "name": name,
            "symbol": symbol,
            "fee_bps": fee_bps,
            "supply_cap_tonnes": supply_cap_tonnes,
            "class_cap_tonnes": class_cap_tonnes,
            "fee_recipient": fee_recipient,
        }
        return self._post("/v1/pools", PoolPublic, body, idempotency_key=idempotency_key)

    def pool_transactions(
        self,
        pool: str,
        *,
        action: str,
        trader: str,
        amount: int,
        token: str | None = None,
        token_in: str | None = None,
        token_out: str | None = None,
        beneficiary: str | None = None,
        reason: str | None = None,
    ) -> PoolTransactions:
        """The unsigned transactions of a trade (``deposit``, ``redeem``, ``swap``, ``redeem_and_retire``) for
        ``trader`` to sign, in order, with a preview. ``amount`` is wei; nothing is sent or stored."""
        body = {
            "action": action,
            "trader": trader,
            "amount": str(amount),
            "token": token,
            "token_in": token_in,
            "token_out": token_out,
            "beneficiary": beneficiary,
            "reason": reason,
        }
        return self._post(f"/v1/pools/{quote(pool, safe='')}/transactions", PoolTransactions, body)
