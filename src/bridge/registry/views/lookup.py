"""Point reads over a read session: one program, project, account, issuance, block or credit, and the
totals of an issuance or an account; also the two lookups the access rules need. The reads of one row by
its id are declared once more as ``RowRead``s (``ISSUANCE``, ``BLOCK``, ...): where the registry API serves
each, which both the API and the HTTP client take from there."""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, Generic, TypeVar, get_type_hints

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bridge.registry import journal
from bridge.registry._convert import (
    account_public,
    block_public,
    issuance_public,
    lock_public,
    program_public,
    project_public,
)
from bridge.registry._serial_lookup import find_block, find_units, is_whole_batch
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.models import Account, Issuance, JournalEntry, LockRecord, Program, Project, UnitBlock
from bridge.registry.schemas import (
    AccountBalance,
    AccountPublic,
    CreditPublic,
    IssuancePublic,
    IssuanceTotals,
    LockedCredit,
    LockPublic,
    ProgramPublic,
    ProjectPublic,
    StatusTotals,
    UnitBlockPublic,
)
from bridge.registry.serials import parse as parse_serial
from bridge.registry.views.queries import MAX_ID

MAX_LOCK_ID = 2**63 - 1
MAX_LOCKS_PER_READ: Final = 200
"""Lock ids per ``get_locked_credits`` read: 200 ids of 19 digits keep a GET's query string near 6 KiB, under
the 8-16 KiB request-line limits of HTTP servers and proxies."""
MAX_SERIALS_PER_READ: Final = 200
"""Serials per ``get_credits`` read (sent in a request body: serials of up to 300 characters do not fit a URL)."""
RowT = TypeVar("RowT", Account, Issuance, UnitBlock)
T = TypeVar("T")


def check_id(value: object, field: str) -> None:
    """Refuse what cannot be a row id: not an integer, or beyond the 32-bit id columns (it would fail deep
    in the database driver). Ids in range that no row has (0, -1) are left to the lookup: it says they do
    not exist."""
    if not isinstance(value, int) or isinstance(value, bool) or not -MAX_ID <= value <= MAX_ID:
        raise RegistryError(
            f"{field}: must be an id from 1 to {MAX_ID}", code=RegistryErrorCode.INVALID_REQUEST, field=field
        )


def check_lock_id(value: object) -> None:
    """Refuse what cannot be a registry lock id (lock ids start at 1 and fit a signed 64-bit column)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LOCK_ID:
        message = f"lock_id: must be a lock id from 1 to {MAX_LOCK_ID}"
        raise RegistryError(message, code=RegistryErrorCode.INVALID_REQUEST, field="lock_id")


def get_program(session: Session, code: str) -> ProgramPublic:
    program = session.get(Program, code.upper())
    if program is None:
        raise _missing(RegistryErrorCode.UNKNOWN_PROGRAM, f"program {code} is not registered", "code")
    return program_public(program)


def get_project(session: Session, program: str, project_id: str) -> ProjectPublic:
    project = session.scalars(
        select(Project).where(Project.program_code == program.upper(), Project.project_id == project_id)
    ).one_or_none()
    if project is None:
        raise _missing(
            RegistryErrorCode.UNKNOWN_PROJECT, f"project {program.upper()} {project_id} is not registered", "project_id"
        )
    return project_public(project)


def get_account(session: Session, account_id: int) -> AccountPublic:
    return account_public(_account(session, account_id))


def get_issuance(session: Session, issuance_id: int) -> IssuancePublic:
    issuance = _issuance(session, issuance_id)
    return issuance_public(issuance, session.get_one(Project, issuance.project_id))


def get_block(session: Session, block_id: int) -> UnitBlockPublic:
    return block_public(_row(session, UnitBlock, block_id))


def get_lock(session: Session, lock_id: int) -> LockPublic:
    """A registry lock and the blocks holding its units now (blocks only split, never merge, so every block
    with a unit of the lock lies inside it)."""
    check_lock_id(lock_id)
    lock = session.get(LockRecord, lock_id)
    if lock is None:
        raise _missing(RegistryErrorCode.LOCK_NOT_FOUND, f"lock {lock_id} does not exist", "lock_id")
    blocks = session.scalars(
        select(UnitBlock)
        .where(
            UnitBlock.unit_space == lock.unit_space,
            UnitBlock.unit_end >= lock.unit_start,
            UnitBlock.unit_start <= lock.unit_end,
        )
        .order_by(UnitBlock.unit_start)
    ).all()
    return lock_public(lock, list(blocks))


def _check_read_size(asked: Sequence[object], limit: int, field: str, what: str) -> None:
    if len(asked) > limit:
        raise RegistryError(
            f"{field}: at most {limit} {what} per read, not {len(asked)}",
            code=RegistryErrorCode.INVALID_REQUEST,
            field=field,
        )


def check_lock_ids(lock_ids: Sequence[int]) -> None:
    """Refuse a read of more than ``MAX_LOCKS_PER_READ`` locks at once."""
    _check_read_size(lock_ids, MAX_LOCKS_PER_READ, "lock_id", "lock ids")


def get_locked_credits(session: Session, lock_ids: Sequence[int]) -> list[LockedCredit]:
    """The locks among ``lock_ids`` that exist (in the order asked, each once) with their credits: what
    ``get_lock`` and ``get_credit`` of each lock's first block answer, read in four queries for all of them.
    Ids that cannot be lock ids are simply not found."""
    check_lock_ids(lock_ids)
    wanted = list(dict.fromkeys(i for i in lock_ids if isinstance(i, int) and 1 <= i <= MAX_LOCK_ID))
    if not wanted:
        return []
    found = {lock.lock_id: lock for lock in session.scalars(select(LockRecord).where(LockRecord.lock_id.in_(wanted)))}
    locks = [found[i] for i in wanted if i in found]
    if not locks:
        return []
    # a block with a unit of a lock lies inside it (blocks only split): it starts within the lock, a range
    # the (unit_space, unit_start) index reads at once (an open "unit_end >= start" scans the whole space)
    overlapping = or_(
        *(
            and_(UnitBlock.unit_space == space, UnitBlock.unit_start.between(start, end))
            for space, start, end in _merged_ranges((lock.unit_space, lock.unit_start, lock.unit_end) for lock in locks)
        )
    )
    candidates = session.scalars(select(UnitBlock).where(overlapping).order_by(UnitBlock.unit_start)).all()
    spaces: dict[str, _SortedBlocks] = {}
    for block in candidates:
        spaces.setdefault(block.unit_space, _SortedBlocks()).append(block)
    held = {lock.lock_id: spaces.get(lock.unit_space, _SortedBlocks()).overlapping(lock) for lock in locks}
    credits = _Credits.read(session, [blocks[0] for blocks in held.values() if blocks])
    return [
        LockedCredit(lock=lock_public(lock, held[lock.lock_id]), credit=credits.of(held[lock.lock_id][0]))
        if held[lock.lock_id]
        else LockedCredit(lock=lock_public(lock, []), credit=None)
        for lock in locks
    ]


def _merged_ranges(ranges: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The same units as ``ranges`` (space, first, last), touching ranges of a space joined: a batch's locks
    are mostly neighbours, so one ``BETWEEN`` reads many of them and the statement stays short."""
    merged: list[tuple[str, int, int]] = []
    for space, start, end in sorted(ranges):
        if merged and merged[-1][0] == space and start <= merged[-1][2] + 1:
            merged[-1] = (space, merged[-1][1], max(merged[-1][2], end))
        else:
            merged.append((space, start, end))
    return merged


@dataclass
class _SortedBlocks:
    """One unit space's blocks, in unit order (they are disjoint): those overlapping a range found by bisection,
    not by a scan of all of them for each lock."""

    blocks: list[UnitBlock] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def append(self, block: UnitBlock) -> None:
        self.blocks.append(block)
        self.starts.append(block.unit_start)

    def overlapping(self, lock: LockRecord) -> list[UnitBlock]:
        first = bisect_left(self.starts, lock.unit_start)
        if first > 0 and self.blocks[first - 1].unit_end >= lock.unit_start:
            first -= 1  # starts before the range and reaches into it
        return self.blocks[first : bisect_right(self.starts, lock.unit_end)]


@dataclass
class _Credits:
    """The issuances, projects and programs of many blocks, read in three queries and each made public once
    (the blocks of a batch mostly share them)."""

    issuances: dict[Any, Issuance]
    projects: dict[Any, Project]
    programs: dict[Any, Program]
    made: dict[tuple[str, Any], Any] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, blocks: Iterable[UnitBlock]) -> _Credits:
        issuances = _by_key(session, Issuance, Issuance.id, {b.issuance_id for b in blocks})
        projects = _by_key(session, Project, Project.id, {i.project_id for i in issuances.values()})
        programs = _by_key(session, Program, Program.code, {p.program_code for p in projects.values()})
        return cls(issuances, projects, programs)

    def _once(self, kind: str, key: Any, make: Callable[[], Any]) -> Any:
        if (kind, key) not in self.made:
            self.made[kind, key] = make()
        return self.made[kind, key]

    def of(self, block: UnitBlock) -> CreditPublic:
        issuance = self.issuances[block.issuance_id]
        project = self.projects[issuance.project_id]
        program = self.programs[project.program_code]
        return CreditPublic(
            block=block_public(block),
            issuance=self._once("issuance", issuance.id, lambda: issuance_public(issuance, project)),
            project=self._once("project", project.id, lambda: project_public(project)),
            program=self._once("program", program.code, lambda: program_public(program)),
        )


def _by_key(session: Session, model: Any, column: Any, keys: set[Any]) -> dict[Any, Any]:
    if not keys:
        return {}
    return {getattr(row, column.key): row for row in session.scalars(select(model).where(column.in_(keys)))}


def check_serials(serials: Sequence[str]) -> None:
    """Refuse a read of more than ``MAX_SERIALS_PER_READ`` serials at once."""
    _check_read_size(serials, MAX_SERIALS_PER_READ, "serials", "serials")


def get_credits(session: Session, serials: Sequence[str]) -> list[CreditPublic | None]:
    """What ``get_credit`` answers for each of ``serials``, in the order asked (None where no block has the
    serial): the blocks named exactly read in one query, their issuances, projects and programs in three
    more for all of them. A malformed serial refuses the whole read (``serial_malformed``)."""
    check_serials(serials)
    parsed = [parse_serial(serial) for serial in serials]
    exact = [serial for serial, p in zip(serials, parsed, strict=True) if not is_whole_batch(p)]
    by_serial: dict[str, UnitBlock] = {}
    for start in range(0, len(exact), MAX_LOCKS_PER_READ):  # bound the IN list of one statement
        chunk = exact[start : start + MAX_LOCKS_PER_READ]
        by_serial.update((b.serial, b) for b in session.scalars(select(UnitBlock).where(UnitBlock.serial.in_(chunk))))
    blocks = [
        find_block(session, serial)[1] if is_whole_batch(p) else by_serial.get(serial)
        for serial, p in zip(serials, parsed, strict=True)
    ]
    credits = _Credits.read(session, [b for b in blocks if b is not None])
    return [None if block is None else credits.of(block) for block in blocks]


def get_credit(session: Session, serial: str) -> CreditPublic:
    """A block with its issuance, project and program: everything a credit check needs. ``serial`` is a
    block's serial, or a batch id naming a batch still held whole."""
    _, block = find_block(session, serial)
    if block is None:
        raise _missing(RegistryErrorCode.BLOCK_NOT_FOUND, f"no block has serial {serial}", "serial")
    issuance, project, program = session.execute(  # one query: a credit check reads this on every request
        select(Issuance, Project, Program)
        .join(Project, Project.id == Issuance.project_id)
        .join(Program, Program.code == Project.program_code)
        .where(Issuance.id == block.issuance_id)
    ).one()
    return CreditPublic(
        block=block_public(block),
        issuance=issuance_public(issuance, project),
        project=project_public(project),
        program=program_public(program),
    )


def issuance_totals(session: Session, issuance_id: int) -> IssuanceTotals:
    """Units of an issuance by status (they always add up to the issued quantity)."""
    issuance = _issuance(session, issuance_id)
    totals = _totals(session, UnitBlock.issuance_id == issuance_id).get(None, StatusTotals())
    return IssuanceTotals(issuance_id=issuance_id, issued=issuance.quantity, by_status=totals)


def account_balance(session: Session, account_id: int) -> AccountBalance:
    """Units in an account by status, overall and per issuance."""
    account = _account(session, account_id)
    per_issuance = _totals(session, UnitBlock.account_id == account_id, by_issuance=True)
    overall = _totals(session, UnitBlock.account_id == account_id).get(None, StatusTotals())
    return AccountBalance(
        account=account_public(account),
        by_status=overall,
        by_issuance={key: value for key, value in per_issuance.items() if key is not None},
    )


# --- lookups for the access rules ------------------------------------------------------------------


def block_account(session: Session, serial: str) -> int | None:
    """The account holding the block with exactly this serial (None when no block has it).

    A serial naming units inside one block answers that block's account, as the ledger's operations read it.
    A malformed serial raises ``serial_malformed`` (or ``unknown_program``), as the ledger would.
    """
    block = find_units(session, serial).block
    return None if block is None else block.account_id


def recorded_requests(
    session: Session, request_id: str, actors: Iterable[int | None]
) -> list[tuple[str, journal.Recorded]]:
    """The operations and what was recorded under idempotency key ``request_id`` by any of ``actors``
    (accounts, None: the operator): each principal has its own keys."""
    scopes = sorted({journal.actor_scope(actor) for actor in actors})
    entries = session.scalars(
        select(JournalEntry)
        .where(JournalEntry.request_id == request_id, JournalEntry.actor_scope.in_(scopes))
        .order_by(JournalEntry.seq)
    )
    return [(entry.operation, journal.Recorded.of(json.loads(entry.payload))) for entry in entries]


# --- helpers ---------------------------------------------------------------------------------------


def _missing(code: RegistryErrorCode, message: str, field: str) -> RegistryError:
    return RegistryError(message, code=code, field=field)


_ROWS: Final = {
    Account: ("account", RegistryErrorCode.UNKNOWN_ACCOUNT),
    Issuance: ("issuance", RegistryErrorCode.UNKNOWN_ISSUANCE),
    UnitBlock: ("block", RegistryErrorCode.BLOCK_NOT_FOUND),
}
"""What a row is called (its id field is ``<name>_id``) and the code when no row has the id."""


def _row(session: Session, model: type[RowT], row_id: int) -> RowT:
    """The ``model`` row with id ``row_id``; refused naming the id's field when it cannot be or none has it."""
    name, code = _ROWS[model]
    check_id(row_id, f"{name}_id")
    row = session.get(model, row_id)
    if row is None:
        raise _missing(code, f"{name} {row_id} does not exist", f"{name}_id")
    return row


def _account(session: Session, account_id: int) -> Account:
    return _row(session, Account, account_id)


def _issuance(session: Session, issuance_id: int) -> Issuance:
    return _row(session, Issuance, issuance_id)


def _totals(session: Session, condition: Any, *, by_issuance: bool = False) -> dict[int | None, StatusTotals]:
    key = UnitBlock.issuance_id if by_issuance else None
    columns: list[Any] = [UnitBlock.status, UnitBlock.frozen, func.sum(UnitBlock.quantity)]
    group: list[Any] = [UnitBlock.status, UnitBlock.frozen]
    if key is not None:
        columns.insert(0, key)
        group.insert(0, key)
    rows = session.execute(select(*columns).where(condition).group_by(*group)).all()
    sums: dict[int | None, dict[str, int]] = {}
    for row in rows:
        issuance_id = row[0] if key is not None else None
        status, frozen, quantity = row[-3], row[-2], int(row[-1])
        bucket = sums.setdefault(issuance_id, {})
        bucket[str(status)] = bucket.get(str(status), 0) + quantity
        if frozen:
            bucket["frozen"] = bucket.get("frozen", 0) + quantity
    return {issuance_id: StatusTotals(**values) for issuance_id, values in sums.items()}


# --- reads of one row by its id ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowRead(Generic[T]):
    """A read of one row by its id: what it runs (``read``, on a read session; ``Registry.read_row``), and
    where the registry API serves it (``GET path``, the row's id its one parameter; ``summary`` in the
    OpenAPI document)."""

    read: Callable[[Session, int], T]
    path: str
    summary: str

    @property
    def name(self) -> str:
        return self.read.__name__

    @cached_property  # asked on every read of the HTTP client: worked out once
    def id_name(self) -> str:
        """The path's one parameter: the row id's name (``issuance_id``)."""
        (name,) = re.findall(r"\{(\w+)\}", self.path)
        return str(name)

    @cached_property
    def result(self) -> type[T]:
        return get_type_hints(self.read)["return"]  # type: ignore[no-any-return]

    def path_of(self, row_id: int) -> str:
        """The path that asks for ``row_id`` (refused here, as the ledger would refuse it)."""
        check_id(row_id, self.id_name)
        return self.path.format(**{self.id_name: row_id})


ISSUANCE: Final = RowRead(get_issuance, "/issuances/{issuance_id}", "One issuance")
ISSUANCE_TOTALS: Final = RowRead(issuance_totals, "/issuances/{issuance_id}/totals", "An issuance's units by status")
BLOCK: Final = RowRead(get_block, "/blocks/{block_id}", "One unit block")
ACCOUNT: Final = RowRead(get_account, "/accounts/{account_id}", "One account")
ACCOUNT_BALANCE: Final = RowRead(account_balance, "/accounts/{account_id}/balance", "An account's units by status")
