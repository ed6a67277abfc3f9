"""Unit-block arithmetic inside one ledger transaction: choose the units an operation names, split.

Split convention (the one ``SerialBlock.split`` implements): the operated part takes the LOWEST unit
numbers of a block. Retiring 300 of units 1-10000 leaves 1-300 retired and 301-10000 held. The
operated part keeps the block's row (its id); the untouched remainder becomes a new block with a new
id and every other field unchanged. Selecting by (issuance, quantity) takes eligible blocks in
ascending unit order, so an operation always takes the lowest-numbered eligible units.

A serial naming units inside one block (``...-110-5463`` of a block ``...-1-19149``: how registries
publish retirements) takes exactly those units: the block is split around them, the units before and
after them stay as they were (up to two remainders).

Every function here costs the same for a 10-unit block as for a 1,000,000-unit one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bridge.registry import serials
from bridge.registry._serial_lookup import find_units
from bridge.registry.enums import AccountKind, AccountStatus, BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.models import Account, Issuance, LockRecord, Program, UnitBlock
from bridge.registry.requests import BlockSelection

_BATCH: Final = 64
_COLUMNS: Final = tuple(column.key for column in UnitBlock.__table__.columns)


@dataclass
class DenseIds:
    """The ids of one column handed out 1, 2, 3, ...: the first after the column's largest, then one more
    each time (writes are serialized, so nothing else takes one meanwhile)."""

    column: InstrumentedAttribute[int]
    _next: int | None = None

    def take(self, session: Session) -> int:
        if self._next is None:
            self._next = (session.scalar(select(func.max(self.column))) or 0) + 1
        taken = self._next
        self._next += 1
        return taken


@dataclass
class Tx:
    """One ledger operation in progress: its session, clock reading, journal position and the account it
    acts for (``actor_account``; None: the registry operator)."""

    session: Session
    now: datetime
    seq: int
    actor_account: int | None = None
    _block_ids: DenseIds = field(default_factory=lambda: DenseIds(UnitBlock.id), repr=False)
    _lock_ids: DenseIds = field(default_factory=lambda: DenseIds(LockRecord.lock_id), repr=False)

    def next_block_id(self) -> int:
        return self._block_ids.take(self.session)

    def next_lock_id(self) -> int:
        """The next registry lock id: dense (1, 2, 3, ...) and never reused (writes are serialized)."""
        return self._lock_ids.take(self.session)


@dataclass(frozen=True)
class Take:
    """Units ``start``..``end`` of ``block`` that an operation takes."""

    block: UnitBlock
    start: int
    end: int


@dataclass(frozen=True)
class Rule:
    """Which blocks an operation may act on."""

    operation: str
    statuses: frozenset[BlockStatus]
    frozen: bool = False  # the frozen state an eligible block has (True only for unfreeze)
    any_account: bool = False  # selection by issuance may span all accounts (operator-only operations)


def refuse(code: RegistryErrorCode, message: str, *, field: str | None = None, **details: object) -> RegistryError:
    return RegistryError(message, code=code, field=field, details=dict(details) if details else None)


def get_account(session: Session, account_id: int, *, field: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise refuse(RegistryErrorCode.UNKNOWN_ACCOUNT, f"account {account_id} does not exist", field=field)
    return account


def get_program(session: Session, code: str, *, field: str) -> Program:
    program = session.get(Program, code)
    if program is None:
        raise refuse(RegistryErrorCode.UNKNOWN_PROGRAM, f"program {code} is not registered", field=field)
    return program


def check_actor(session: Session, actor_account: int | None) -> None:
    """The acting account must exist and be open (None is the registry operator)."""
    if actor_account is None:
        return
    account = get_account(session, actor_account, field="actor_account")
    if account.status is AccountStatus.CLOSED:
        raise refuse(RegistryErrorCode.ACCOUNT_CLOSED, f"account {actor_account} is closed", field="actor_account")


def _check_block(block: UnitBlock, rule: Rule, actor_account: int | None, from_account: int | None) -> None:
    for owner, name in ((actor_account, "actor_account"), (from_account, "from_account")):
        if owner is not None and block.account_id != owner:
            raise refuse(
                RegistryErrorCode.NOT_OWNER,
                f"block {block.serial} is not in account {owner}",
                field=name,
                serial=block.serial,
            )
    if block.status not in rule.statuses:
        allowed = ", ".join(sorted(rule.statuses))
        raise refuse(
            RegistryErrorCode.INVALID_TRANSITION,
            f"cannot {rule.operation} units that are {block.status} (only units that are {allowed})",
            field="serial",
            serial=block.serial,
            status=str(block.status),
            operation=rule.operation,
        )
    if block.frozen != rule.frozen:
        if block.frozen:
            raise refuse(
                RegistryErrorCode.BLOCK_FROZEN,
                f"block {block.serial} is frozen: {block.freeze_reason}",
                field="serial",
                serial=block.serial,
            )
        raise refuse(
            RegistryErrorCode.BLOCK_NOT_FROZEN,
            f"block {block.serial} is not frozen",
            field="serial",
            serial=block.serial,
        )


def select_units(tx: Tx, selection: BlockSelection, rule: Rule, *, actor_account: int | None) -> list[Take]:
    """The blocks (locked for update) and the units of each that the operation takes."""
    if selection.serial is not None:
        return [_by_serial(tx, selection, rule, actor_account)]
    return _by_issuance(tx, selection, rule, actor_account)


def _by_serial(tx: Tx, selection: BlockSelection, rule: Rule, actor_account: int | None) -> Take:
    text = selection.serial or ""
    named = find_units(tx.session, text, for_update=True)
    block, first, last = named.block, named.start, named.end
    if block is None:
        hint = f"; unit {named.parsed.start} lies in block {named.near.serial}" if named.near is not None else ""
        raise refuse(
            RegistryErrorCode.BLOCK_NOT_FOUND,
            f"no block has serial {text}, nor the units it names{hint}",
            field="serial",
            serial=text,
        )
    _check_block(block, rule, actor_account, selection.from_account)
    count = last - first + 1
    quantity = selection.quantity if selection.quantity is not None else count
    if quantity > count:
        raise refuse(
            RegistryErrorCode.QUANTITY_INVALID,
            f"quantity {quantity} is more than the {count} units serial {text} names",
            field="quantity",
            requested=quantity,
            available=count,
        )
    return Take(block, first, first + quantity - 1)


def _by_issuance(tx: Tx, selection: BlockSelection, rule: Rule, actor_account: int | None) -> list[Take]:
    session = tx.session
    issuance_id = selection.issuance_id
    if issuance_id is None or session.get(Issuance, issuance_id) is None:
        raise refuse(RegistryErrorCode.UNKNOWN_ISSUANCE, f"issuance {issuance_id} does not exist", field="issuance_id")
    if actor_account is not None and selection.from_account not in (None, actor_account):
        raise refuse(
            RegistryErrorCode.NOT_OWNER,
            f"account {actor_account} cannot act on account {selection.from_account}'s units",
            field="from_account",
        )
    account_id = selection.from_account if selection.from_account is not None else actor_account
    if account_id is None and not rule.any_account:
        raise refuse(
            RegistryErrorCode.INVALID_REQUEST,
            "from_account: the registry operator must name the account whose units it selects",
            field="from_account",
        )
    if account_id is not None:
        get_account(session, account_id, field="from_account")
    if selection.quantity is None and not rule.any_account:
        raise refuse(RegistryErrorCode.QUANTITY_INVALID, "quantity: give how many units", field="quantity")

    wanted = selection.quantity
    taken: list[Take] = []
    total, after = 0, 0
    while wanted is None or total < wanted:
        query = (
            select(UnitBlock)
            .where(
                UnitBlock.issuance_id == issuance_id,
                UnitBlock.status.in_(sorted(rule.statuses)),
                UnitBlock.frozen == rule.frozen,
                UnitBlock.unit_start > after,
            )
            .order_by(UnitBlock.unit_start)
            .limit(_BATCH)
            .with_for_update()
        )
        if account_id is not None:
            query = query.where(UnitBlock.account_id == account_id)
        batch = session.scalars(query).all()
        for block in batch:
            take = block.quantity if wanted is None else min(block.quantity, wanted - total)
            taken.append(Take(block, block.unit_start, block.unit_start + take - 1))
            total += take
            if wanted is not None and total == wanted:
                break
        if len(batch) < _BATCH:
            break
        after = batch[-1].unit_start
    if (wanted is not None and total < wanted) or total == 0:
        where = f" in account {account_id}" if account_id is not None else ""
        raise refuse(
            RegistryErrorCode.INSUFFICIENT_UNITS,
            f"issuance {issuance_id} has {total} units{where} available to {rule.operation}"
            + (f", {wanted} requested" if wanted is not None else ""),
            field="quantity",
            requested=wanted,
            available=total,
        )
    return taken


def narrow(take: Take) -> list[dict[str, object]]:
    """Narrow ``take.block`` (in memory) to the units ``take`` names.

    Returns the column values of the remainders -- the block's units before and after them, every other
    field as it was -- for ``add_remainders`` (none when the block is taken whole).
    """
    block = take.block
    if (take.start, take.end) == (block.unit_start, block.unit_end):
        return []
    own = serials.parse(block.serial)
    parts = [(block.unit_start, take.start - 1), (take.end + 1, block.unit_end)]
    remainders = []
    for start, end in parts:
        if start <= end:
            part = own.with_range(start, end)
            remainder = {key: getattr(block, key) for key in _COLUMNS}
            remainder.update(unit_start=start, unit_end=end, quantity=part.quantity, serial=serials.format(part))
            remainders.append(remainder)
    operated = own.with_range(take.start, take.end)
    block.unit_start, block.unit_end = take.start, take.end
    block.quantity = operated.quantity
    block.serial = serials.format(operated)
    return remainders


def add_remainders(tx: Tx, remainders: list[dict[str, object]]) -> list[UnitBlock]:
    """Insert the remainders split off by ``narrow`` as new blocks (with new ids)."""
    if not remainders:
        return []
    # The narrowed blocks must reach the database first: a block and its remainder would otherwise
    # share (unit_space, unit_end) for a moment.
    tx.session.flush()
    blocks = [UnitBlock(**{**values, "id": tx.next_block_id(), "created_at": tx.now}) for values in remainders]
    tx.session.add_all(blocks)
    return blocks


def destination(session: Session, account_id: int, kinds: Collection[object], *, field: str, purpose: str) -> Account:
    """The open account ``account_id`` of one of ``kinds`` that an operation moves units into."""
    account = get_account(session, account_id, field=field)
    if account.status is AccountStatus.CLOSED:
        raise refuse(RegistryErrorCode.ACCOUNT_CLOSED, f"account {account_id} is closed", field=field)
    if account.kind not in kinds:
        wanted = " or ".join(str(kind) for kind in kinds)
        raise refuse(
            RegistryErrorCode.WRONG_ACCOUNT_KIND,
            f"account {account_id} is a {account.kind} account; {purpose} needs a {wanted} account",
            field=field,
        )
    return account


def final_account(tx: Tx, account_id: int | None, kind: AccountKind, field: str) -> Account:
    """The named account of ``kind``, or by default the registry's own open one."""
    if account_id is not None:
        return destination(tx.session, account_id, (kind,), field=field, purpose=f"a {kind}")
    account = tx.session.scalars(
        select(Account)
        .where(Account.kind == kind, Account.system.is_(True), Account.status == AccountStatus.OPEN)
        .order_by(Account.id)
        .limit(1)
    ).first()
    if account is None:
        raise refuse(RegistryErrorCode.NOT_INITIALIZED, f"the registry has no open {kind} account", field=field)
    return account
