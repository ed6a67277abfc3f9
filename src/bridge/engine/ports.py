"""What the engine needs from the registry: the client interface (in-process or over HTTP).

The engine never touches the registry's database. A client acts as one registry identity (its API
key decides which accounts it may operate), exactly as the bridge would talk to a real registry.
"""

from __future__ import annotations

from typing import Any, Protocol

from bridge.registry.schemas import AccountPublic, BlockOperationResult, CreditPublic, UnitBlockPublic


class RegistryReader(Protocol):
    """Public reads: what anyone (a verifier, an auditor) can see."""

    def get_credit(self, serial: str) -> CreditPublic: ...

    def get_account(self, account_id: int) -> AccountPublic: ...

    def list_blocks(
        self,
        *,
        account_id: int | None = None,
        status: str | None = None,
        issuance_id: int | None = None,
        frozen: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[UnitBlockPublic]: ...


class RegistryOperator(RegistryReader, Protocol):
    """Account operations, acting as the client's own identity."""

    def immobilize(
        self,
        *,
        trust_account: int,
        marketplace: str,
        marketplace_identifier: dict[str, Any],
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
        request_id: str | None = None,
    ) -> BlockOperationResult: ...
