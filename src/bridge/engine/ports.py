"""What the engine needs from the registry: the client interface (in-process or over HTTP), narrowed.

The engine never touches the registry's database. A client acts as one registry identity (its API
key decides which accounts it may operate), exactly as the bridge would talk to a real registry.
These protocols name the reads and operations the engine uses, and nothing more; the fields of each
are declared once, by the registry (an operation's request model, a search's query model).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bridge.registry.schemas import AccountPublic, BlockOperationResult, CreditPublic, LockPublic, UnitBlockPublic

if TYPE_CHECKING:
    from bridge.registry.ledger.operations import OperationCall
    from bridge.registry.requests import (
        ImmobilizeManyRequest,
        ImmobilizeRequest,
        ReleaseRequest,
        RetireFromTrustRequest,
    )


class RegistryReader(Protocol):
    """Public reads: what anyone (a verifier, an auditor) can see."""

    def get_credit(self, serial: str) -> CreditPublic: ...

    def get_credits(self, serials: Sequence[str]) -> list[CreditPublic | None]:
        """``get_credit`` of each serial, in one read (None where no block has it)."""
        ...

    def get_account(self, account_id: int) -> AccountPublic: ...

    def get_lock(self, lock_id: int) -> LockPublic: ...

    def list_blocks(self, *, limit: int | None = None, offset: int = 0, **filters: Any) -> list[UnitBlockPublic]:
        """Blocks matching ``filters`` (``bridge.registry.views.BlockQuery``'s fields)."""
        ...


class RegistryOperator(RegistryReader, Protocol):
    """Account operations, acting as the client's own identity (keyword fields or a request model)."""

    @property
    def immobilize(self) -> OperationCall[ImmobilizeRequest, BlockOperationResult]: ...

    @property
    def immobilize_many(self) -> OperationCall[ImmobilizeManyRequest, BlockOperationResult]: ...

    @property
    def release(self) -> OperationCall[ReleaseRequest, BlockOperationResult]: ...

    @property
    def retire_from_trust(self) -> OperationCall[RetireFromTrustRequest, BlockOperationResult]: ...
