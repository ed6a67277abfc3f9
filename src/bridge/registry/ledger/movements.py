"""Handlers of the block operations: units change status or account, splitting blocks as needed.

Status transitions (anything else is refused with ``invalid_transition``)::

    held        -> held (another holding account)   transfer
                -> retired                          retire
                -> cancelled                        cancel
                -> buffer                           move_to_buffer
                -> immobilized (a trust account)    immobilize, immobilize_many
    immobilized -> held (a holding account)         release
                -> retired                          retire_from_trust
    buffer      -> cancelled                        cancel (reversal: buffer units cover a loss)
    retired, cancelled: final

Frozen blocks (issued in error) cannot move at all until unfrozen. The acting account (``tx.actor_account``)
may touch only its own blocks; None is the registry operator, who may act on any block.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from bridge.registry import _blocks
from bridge.registry._blocks import Rule, Tx, refuse
from bridge.registry._convert import block_public
from bridge.registry.enums import LIVE_STATUSES, AccountKind, BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.models import Account, LockRecord, UnitBlock
from bridge.registry.requests import (
    BlockSelection,
    BufferRequest,
    CancelRequest,
    FreezeRequest,
    ImmobilizeManyRequest,
    ImmobilizeRequest,
    ReleaseRequest,
    RetireFromTrustRequest,
    RetireRequest,
    TransferRequest,
    UnfreezeRequest,
)
from bridge.registry.schemas import BlockOperationResult

_MOVE = frozenset({BlockStatus.HELD})
_TRUST = frozenset({BlockStatus.IMMOBILIZED})
_RULES: Final = {
    "transfer": Rule("transfer", _MOVE),
    "retire": Rule("retire", _MOVE),
    "cancel": Rule("cancel", frozenset({BlockStatus.HELD, BlockStatus.BUFFER})),
    "move_to_buffer": Rule("move to buffer", _MOVE),
    "immobilize": Rule("immobilize", _MOVE),
    "release": Rule("release", _TRUST),
    "retire_from_trust": Rule("retire from trust", _TRUST),
    "freeze": Rule("freeze", LIVE_STATUSES, frozen=False, any_account=True),
    "unfreeze": Rule("unfreeze", LIVE_STATUSES, frozen=True, any_account=True),
}


def transfer(tx: Tx, request: TransferRequest) -> BlockOperationResult:
    """Move held units to another holding account (whole block, or its lowest ``quantity`` units)."""
    target = _blocks.destination(
        tx.session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="a transfer"
    )

    def check(block: UnitBlock) -> None:
        if block.account_id == target.id:
            raise refuse(
                RegistryErrorCode.SAME_ACCOUNT,
                f"block {block.serial} is already in account {target.id}",
                field="to_account",
            )

    def apply(block: UnitBlock) -> None:
        _move_to(block, target)

    return _operate(tx, request, "transfer", apply, check=check)


def retire(tx: Tx, request: RetireRequest) -> BlockOperationResult:
    """Retire held units for ``beneficiary`` (final), into the registry's retirement account by default."""
    target = _blocks.final_account(tx, request.retirement_account, AccountKind.RETIREMENT, "retirement_account")
    when = _past(tx, request.retired_at, "retired_at")

    def apply(block: UnitBlock) -> None:
        _retire_block(block, target, when, request, settles=[])

    return _operate(tx, request, "retire", apply)


def cancel(tx: Tx, request: CancelRequest) -> BlockOperationResult:
    """Cancel held (or, by the operator, buffer) units: out of circulation for good."""
    target = _blocks.final_account(tx, request.cancellation_account, AccountKind.CANCELLATION, "cancellation_account")
    when = _past(tx, request.cancelled_at, "cancelled_at")

    def apply(block: UnitBlock) -> None:
        _move_to(block, target, BlockStatus.CANCELLED)
        block.cancellation_reason = request.reason
        block.cancelled_at = when

    return _operate(tx, request, "cancel", apply)


def _past(tx: Tx, moment: datetime | None, field: str) -> datetime:
    """When a retirement or cancellation happened: now, or a past moment the registry operator records."""
    if moment is None:
        return tx.now
    if tx.actor_account is not None:
        raise refuse(
            RegistryErrorCode.FORBIDDEN, f"{field}: only the registry operator records a past time", field=field
        )
    if moment > tx.now:
        raise refuse(RegistryErrorCode.INVALID_REQUEST, f"{field}: {moment.isoformat()} is in the future", field=field)
    return moment


def move_to_buffer(tx: Tx, request: BufferRequest) -> BlockOperationResult:
    """Deposit held units into the buffer pool (reversal risk of nature-based projects)."""
    target = _blocks.final_account(tx, request.buffer_account, AccountKind.BUFFER, "buffer_account")

    def apply(block: UnitBlock) -> None:
        _move_to(block, target, BlockStatus.BUFFER)

    return _operate(tx, request, "move_to_buffer", apply)


def immobilize(tx: Tx, request: ImmobilizeRequest) -> BlockOperationResult:
    """Lock held units in a trust account, recording where they are represented (chain, token, batch,
    recipient). Each locked block gets a registry lock id of its own (``lock_id``, dense, never reused)."""
    return _immobilize(tx, request, _trust_account(tx, request.trust_account))


def _trust_account(tx: Tx, account_id: int) -> Account:
    return _blocks.destination(
        tx.session, account_id, (AccountKind.TRUST,), field="trust_account", purpose="immobilizing"
    )


def _immobilize(
    tx: Tx, request: ImmobilizeRequest, target: Account, *, actor_checked: bool = False
) -> BlockOperationResult:
    represented = _marketplace_columns(request)

    def apply(block: UnitBlock) -> None:
        _move_to(block, target, BlockStatus.IMMOBILIZED)
        _set_columns(block, represented)
        lock = LockRecord(
            lock_id=tx.next_lock_id(),
            seq=tx.seq,
            issuance_id=block.issuance_id,
            serial=block.serial,
            unit_space=block.unit_space,
            unit_start=block.unit_start,
            unit_end=block.unit_end,
            quantity=block.quantity,
            trust_account_id=target.id,
            actor_account_id=tx.actor_account,
            **represented,
            locked_at=tx.now,
        )
        tx.session.add(lock)
        block.lock_id = lock.lock_id
        block.lock = lock  # so the flush writes the lock row first, then the block naming it

    return _operate(tx, request, "immobilize", apply, actor_checked=actor_checked)


def immobilize_many(tx: Tx, request: ImmobilizeManyRequest) -> BlockOperationResult:
    """Lock many selections at once (one journal entry, all or nothing): each as ``immobilize`` would, in
    order, so the locked blocks' lock ids are consecutive and ``blocks`` lists them in selection order."""
    parts: list[BlockOperationResult] = []
    _blocks.check_actor(tx.session, tx.actor_account)
    target = _trust_account(tx, request.trust_account)  # one for all selections: read and checked once
    for index, selection in enumerate(request.selections()):
        try:
            if parts and (parts[-1].remainders or selection.serial is None):
                # what a selection reads must see the ones before: new remainder rows are found only once
                # written, and a selection by issuance filters on statuses in SQL. A serial found exactly is
                # the session's own object, already changed: no flush needed (one per lock was most of the cost)
                tx.session.flush()
            parts.append(_immobilize(tx, selection, target, actor_checked=True))
        except RegistryError as exc:  # name the selection refused: the caller may retry the others
            field = f"locks[{index}].{exc.field}" if exc.field else f"locks[{index}]"
            raise RegistryError(
                exc.message, code=exc.code, field=field, details={**exc.details, "index": index}
            ) from exc
    return BlockOperationResult(
        seq=tx.seq,
        operation="immobilize_many",
        recorded_at=tx.now,
        quantity=sum(part.quantity for part in parts),
        blocks=[block for part in parts for block in part.blocks],
        remainders=[block for part in parts for block in part.remainders],
    )


def release(tx: Tx, request: ReleaseRequest) -> BlockOperationResult:
    """Release immobilised units from trust back to a holding account (a redemption)."""
    target = _blocks.destination(
        tx.session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="a release"
    )

    def apply(block: UnitBlock) -> None:
        _move_to(block, target, BlockStatus.HELD)
        _set_columns(block, dict.fromkeys(_MARKETPLACE_COLUMNS))  # represented nowhere
        block.lock_id = None  # out of trust: its lock (and get_lock) still says where its units went

    return _operate(tx, request, "release", apply)


def retire_from_trust(tx: Tx, request: RetireFromTrustRequest) -> BlockOperationResult:
    """Retire immobilised units, settling retirements made elsewhere (``settles`` names them). The
    marketplace record and the lock id stay on the block."""
    target = _blocks.final_account(tx, request.retirement_account, AccountKind.RETIREMENT, "retirement_account")

    def apply(block: UnitBlock) -> None:
        _retire_block(block, target, tx.now, request, settles=list(request.settles))

    return _operate(tx, request, "retire_from_trust", apply)


def freeze(tx: Tx, request: FreezeRequest) -> BlockOperationResult:
    """Freeze live units issued in error (operator). By issuance without ``quantity``: all of them."""

    def apply(block: UnitBlock) -> None:
        block.frozen = True
        block.freeze_reason = request.reason

    return _operate(tx, request, "freeze", apply)


def unfreeze(tx: Tx, request: UnfreezeRequest) -> BlockOperationResult:
    """Unfreeze frozen units (operator). By issuance without ``quantity``: all of them."""

    def apply(block: UnitBlock) -> None:
        block.frozen = False
        block.freeze_reason = None

    return _operate(tx, request, "unfreeze", apply)


# --- shared steps ----------------------------------------------------------------------------------


def _operate(
    tx: Tx,
    request: BlockSelection,
    operation: str,
    apply: Callable[[UnitBlock], None],
    *,
    check: Callable[[UnitBlock], None] | None = None,
    actor_checked: bool = False,
) -> BlockOperationResult:
    """Select the units, split off what is not taken, and ``apply`` the change to each taken block."""
    if not actor_checked:
        _blocks.check_actor(tx.session, tx.actor_account)
    chosen = _blocks.select_units(tx, request, _RULES[operation], actor_account=tx.actor_account)
    if check is not None:
        for take in chosen:
            check(take.block)
    moved: list[UnitBlock] = []
    split_off: list[dict[str, object]] = []
    for take in chosen:
        split_off.extend(_blocks.narrow(take))
        apply(take.block)
        take.block.updated_at = tx.now
        moved.append(take.block)
    remainders = _blocks.add_remainders(tx, split_off)
    return BlockOperationResult(
        seq=tx.seq,
        operation=operation,
        recorded_at=tx.now,
        quantity=sum(block.quantity for block in moved),
        blocks=[block_public(block) for block in moved],
        remainders=[block_public(block) for block in remainders],
    )


_MARKETPLACE_COLUMNS: Final = tuple(c.key for c in LockRecord.__table__.columns if c.key.startswith("marketplace"))
"""Where a lock's units are represented: columns of the lock record that a block carries too while it is locked."""


def _marketplace_columns(request: ImmobilizeRequest) -> dict[str, Any]:
    """The ``_MARKETPLACE_COLUMNS`` of the blocks ``request`` locks, and of their locks."""
    identifier = request.marketplace_identifier
    return {
        "marketplace": request.marketplace,
        "marketplace_chain_id": identifier.chain_id,
        "marketplace_token_address": identifier.token_address,
        "marketplace_batch_id": identifier.batch_id,
        "marketplace_recipient": identifier.recipient,
        "marketplace_link": request.marketplace_link,
    }


def _set_columns(block: UnitBlock, values: dict[str, Any]) -> None:
    for column, value in values.items():
        setattr(block, column, value)


def _move_to(block: UnitBlock, target: Account, status: BlockStatus | None = None) -> None:
    block.previous_account_id = block.account_id
    block.account_id = target.id
    if status is not None:
        block.status = status


def _retire_block(
    block: UnitBlock,
    target: Account,
    when: datetime,
    request: RetireRequest | RetireFromTrustRequest,
    *,
    settles: list[str],
) -> None:
    _move_to(block, target, BlockStatus.RETIRED)
    block.retirement_beneficiary = request.beneficiary
    block.retirement_reason = request.reason
    block.retirement_details = request.details
    block.retirement_settles = settles
    block.retired_at = when
