"""Handlers of the registry's set-up operations: the genesis entry, programs, projects, accounts.

Each handler applies one validated request inside the caller's transaction (``Tx``) and returns the
operation's result; a refusal raises a coded ``RegistryError`` before anything is written.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bridge.registry import labels, serials
from bridge.registry._blocks import Tx, get_program, refuse
from bridge.registry._convert import account_public, program_public, project_public
from bridge.registry.enums import LIVE_STATUSES, AccountKind, AccountStatus
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.models import Account, Program, Project, UnitBlock
from bridge.registry.requests import AccountCreate, CloseAccountRequest, InitRequest, ProgramCreate, ProjectCreate
from bridge.registry.schemas import AccountPublic, Genesis, ProgramPublic, ProjectPublic

_SYSTEM_ACCOUNTS = (
    (1, AccountKind.RETIREMENT, "retirement account"),
    (2, AccountKind.CANCELLATION, "cancellation account"),
    (3, AccountKind.BUFFER, "buffer pool account"),
)


def init_registry(tx: Tx, request: InitRequest) -> Genesis:
    """The registry's own retirement, cancellation and buffer accounts."""
    for account_id, kind, label in _SYSTEM_ACCOUNTS:
        tx.session.add(
            Account(
                id=account_id,
                kind=kind,
                owner=request.registry_name,
                name=f"{request.registry_name} {label}",
                status=AccountStatus.OPEN,
                system=True,
                created_at=tx.now,
                closed_at=None,
            )
        )
    return Genesis(accounts=[account_id for account_id, _, _ in _SYSTEM_ACCOUNTS])


def create_program(tx: Tx, request: ProgramCreate) -> ProgramPublic:
    """Register a crediting program (its ``code`` must be one ``serials.PROGRAMS`` models)."""
    info = serials.program_info(request.code)
    if tx.session.get(Program, info.code) is not None:
        raise refuse(RegistryErrorCode.PROGRAM_EXISTS, f"program {info.code} already exists", field="code")
    program = Program(
        code=info.code,
        name=request.name or info.name,
        unit_type=request.unit_type or info.unit,
        unit_decimals=info.unit_decimals if request.unit_decimals is None else request.unit_decimals,
        category=request.category,
        ccp_eligible=request.ccp_eligible,
        corsia_phases=[str(phase) for phase in request.corsia_phases],
        created_at=tx.now,
    )
    tx.session.add(program)
    return program_public(program)


def create_project(tx: Tx, request: ProjectCreate) -> ProjectPublic:
    """Register a project and its labels (see ``ProjectCreate`` for the label rules)."""
    session = tx.session
    program = get_program(session, request.program, field="program")
    exists = session.scalar(
        select(Project.id).where(Project.program_code == program.code, Project.project_id == request.project_id)
    )
    if exists is not None:
        raise refuse(
            RegistryErrorCode.PROJECT_EXISTS,
            f"project {program.code} {request.project_id} already exists",
            field="project_id",
        )
    labels.check(
        request.model_dump(include=set(labels.LABEL_FIELDS)),
        ex_post=request.ex_post,
        ccp_eligible=program.ccp_eligible,
        corsia_phases=program.corsia_phases,
        program=program.code,
    )
    project = Project(
        id=(session.scalar(select(func.max(Project.id))) or 0) + 1,
        program_code=program.code,
        **request.model_dump(exclude={"program"}),
        created_at=tx.now,
    )
    session.add(project)
    return project_public(project)


def create_account(tx: Tx, request: AccountCreate) -> AccountPublic:
    """Open an account (see ``AccountCreate`` for the kinds)."""
    account = Account(
        id=(tx.session.scalar(select(func.max(Account.id))) or 0) + 1,
        kind=request.kind,
        owner=request.owner,
        name=request.name or f"{request.owner} {request.kind} account"[:200],
        status=AccountStatus.OPEN,
        system=False,
        created_at=tx.now,
        closed_at=None,
    )
    tx.session.add(account)
    return account_public(account)


def close_account(tx: Tx, request: CloseAccountRequest) -> AccountPublic:
    """Close an account that holds no live (held, immobilized or buffer) units."""
    session = tx.session
    account = session.get(Account, request.account_id, with_for_update=True)
    if account is None:
        raise refuse(
            RegistryErrorCode.UNKNOWN_ACCOUNT, f"account {request.account_id} does not exist", field="account_id"
        )
    if account.status is AccountStatus.CLOSED:
        raise refuse(RegistryErrorCode.ACCOUNT_CLOSED, f"account {account.id} is already closed", field="account_id")
    if account.system:
        raise refuse(
            RegistryErrorCode.WRONG_ACCOUNT_KIND,
            f"account {account.id} is one of the registry's own accounts and stays open",
            field="account_id",
        )
    live = session.scalar(
        select(func.coalesce(func.sum(UnitBlock.quantity), 0)).where(
            UnitBlock.account_id == account.id, UnitBlock.status.in_(sorted(LIVE_STATUSES))
        )
    )
    if live:
        raise refuse(
            RegistryErrorCode.ACCOUNT_NOT_EMPTY,
            f"account {account.id} still holds {live} live units",
            field="account_id",
            units=int(live),
        )
    account.status = AccountStatus.CLOSED
    account.closed_at = tx.now
    return account_public(account)
