"""`carbon-bridge registry`: the simulated registry through its HTTP API (``<bridge url>/registry``).

Registry API keys are the registry's own, not the bridge's (``--registry-key``/``BRIDGE_REGISTRY_KEY``):
a holder's key moves units out of its own accounts, the operator's key issues. Reads are public.
Units are named as the registry names them: ``--serial`` (a whole block, or its lowest ``--quantity``
units) or ``--issuance`` with ``--quantity`` (the lowest-numbered units of that issuance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Final, NoReturn

import typer
from rich.table import Table

from bridge.cli._app import DEFAULT_URL, JsonOption, UrlOption, app, console, echo_json, fail, one_way, report
from bridge.cli._options import grouped
from bridge.errors import CodedError
from bridge.registry.client import HttpRegistryClient
from bridge.registry.schemas import BlockOperationResult, IssuancePublic, UnitBlockPublic

registry_app = typer.Typer(no_args_is_help=True, help="The simulated registry: issue, transfer, retire, show.")
app.add_typer(registry_app, name="registry")

RegistryUrlOption = Annotated[
    str | None,
    typer.Option(
        "--registry-url",
        envvar="BRIDGE_REGISTRY_URL",
        help="The registry API (default: <url>/registry, the one the bridge server mounts).",
        show_default=False,
    ),
]
RegistryKeyOption = Annotated[
    str | None,
    typer.Option(
        "--registry-key",
        envvar="BRIDGE_REGISTRY_KEY",
        help="Registry API key (crk_...; not a bridge API key).",
        show_default=False,
    ),
]
SerialOption = Annotated[str | None, typer.Option("--serial", help="The block's serial, as the registry prints it.")]
IssuanceOption = Annotated[
    int | None, typer.Option("--issuance", min=1, help="Take the lowest units of this issuance (with --quantity).")
]
QuantityOption = Annotated[int | None, typer.Option("--quantity", min=1, help="Units (whole tonnes).")]
FromOption = Annotated[
    int | None, typer.Option("--from", min=1, help="Account to take the units from (default: the key's).")
]
RequestIdOption = Annotated[
    str | None,
    typer.Option("--request-id", help="Idempotency key: a retry with the same id returns the first result."),
]

# The registry names the API's fields; the CLI's options for them.
_OPTIONS: Final = {
    "to_account": "to",
    "from_account": "from",
    "issuance_id": "issuance",
    "project_id": "project",
    "account_id": "account",
    "block_id": "block",
}
_KEY_CODES: Final = frozenset({"unauthorized", "forbidden"})
_SERIAL_CODES: Final = frozenset({"serial_malformed", "unknown_program"})


def _registry(url: str, registry_url: str | None, key: str | None = None) -> HttpRegistryClient:
    return HttpRegistryClient(registry_url or url.rstrip("/") + "/registry", key)


def _report(exc: CodedError, *, serial: str | None = None) -> NoReturn:
    """A registry error with the CLI option at fault named (a serial's program is read from the serial)."""
    field = exc.field.removeprefix("body.").removeprefix("query.") if exc.field else None
    if serial is not None and exc.code.value in _SERIAL_CODES:
        field = "serial"
    if field is None and exc.code.value in _KEY_CODES:
        field = "registry_key"
    elif field is None and exc.code.value == "registry_unavailable":
        field = "registry_url"
    exc.field = _OPTIONS.get(field, field) if field else None
    report(exc)


def _need_key(key: str | None, what: str) -> str:
    if not key:
        fail(f"{what} needs a registry API key (--registry-key or BRIDGE_REGISTRY_KEY)", field="registry_key")
    return key


def _selection(serial: str | None, issuance: int | None, quantity: int | None) -> None:
    one_way(("serial", serial), ("issuance", issuance), needs={"quantity": quantity})
    if serial is not None and not serial.strip():
        fail("must not be empty", field="serial")


def _blocks_table(title: str, blocks: list[UnitBlockPublic]) -> Table:
    table = Table(title=title)
    for column in ("block", "serial", "units", "status", "account"):
        table.add_column(column, justify="right" if column in ("block", "units", "account") else "left")
    for block in blocks:
        status = f"{block.status}{' (frozen)' if block.frozen else ''}"
        table.add_row(str(block.id), block.serial, f"{block.quantity:,}", status, str(block.account_id))
    return table


def _show_result(result: BlockOperationResult, as_json: bool) -> None:
    if as_json:
        echo_json(result)
        return
    units = f"{result.quantity:,} unit{'' if result.quantity == 1 else 's'}"
    console.print(f"{result.operation}: {units} (journal entry {result.seq})")
    console.print(_blocks_table("operated", result.blocks))
    if result.remainders:
        console.print(_blocks_table("left as they were", result.remainders))


def _fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            fail(f"{pair!r} is not NAME=VALUE", field="field")
        fields[name.strip()] = value.strip()
    return fields


@registry_app.command()
def issue(
    program: Annotated[str, typer.Option("--program", help="Program code: VCS, GS, ACR, PURO, ...")],
    project: Annotated[str, typer.Option("--project", help="The project's id within the program.")],
    to: Annotated[int, typer.Option("--to", min=1, help="Holding account receiving the new units.")],
    quantity: Annotated[int, typer.Option("--quantity", min=1, help="Units to issue.")],
    vintage_start: Annotated[
        datetime, typer.Option("--vintage-start", formats=["%Y-%m-%d"], help="First day of the vintage.")
    ],
    vintage_end: Annotated[
        datetime, typer.Option("--vintage-end", formats=["%Y-%m-%d"], help="Last day of the vintage.")
    ],
    issued_on: Annotated[
        datetime | None, typer.Option("--issued-on", formats=["%Y-%m-%d"], help="Default: today.")
    ] = None,
    first_unit: Annotated[
        int | None, typer.Option("--first-unit", min=1, help="Pin the first unit number (default: the next free).")
    ] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="A program serial field, NAME=VALUE (repeatable).")
    ] = None,
    request_id: RequestIdOption = None,
    url: UrlOption = "http://127.0.0.1:8000",
    registry_url: RegistryUrlOption = None,
    registry_key: RegistryKeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a project's vintage into a holding account (the registry operator's key)."""
    program_fields = _fields(field or [])
    if vintage_start > vintage_end:
        fail("the vintage starts after it ends", field="vintage_start")
    key = _need_key(registry_key, "issuing")
    try:
        with _registry(url, registry_url, key) as registry:
            result = registry.issue(
                program=program,
                project_id=project,
                to_account=to,
                quantity=quantity,
                vintage_start=vintage_start.date(),
                vintage_end=vintage_end.date(),
                issued_on=issued_on.date() if issued_on else None,
                first_unit=first_unit,
                program_fields=program_fields,
                request_id=request_id,
            )
    except CodedError as exc:
        _report(exc)
    if as_json:
        echo_json(result)
        return
    console.print(f"issuance {result.issuance.id}: {result.issuance.quantity:,} units into account {to}")
    console.print(_blocks_table("issued", [result.block]))


@dataclass(frozen=True)
class HeldUnits:
    """Units a holder's key moves: by ``--serial``, or ``--issuance`` with ``--quantity`` (the fields are named
    as the registry's operations name them)."""

    serial: SerialOption = None
    issuance_id: IssuanceOption = None
    quantity: QuantityOption = None
    from_account: FromOption = None
    request_id: RequestIdOption = None


@dataclass(frozen=True)
class RegistryTarget:
    """The registry a command acts on, the key it acts with, and how the result is printed."""

    url: UrlOption = DEFAULT_URL
    registry_url: RegistryUrlOption = None
    registry_key: RegistryKeyOption = None
    as_json: JsonOption = False


def _operate(
    units: HeldUnits, target: RegistryTarget, what: str, operation: Callable[..., BlockOperationResult]
) -> None:
    """``operation(**units)`` on the registry with the holder's key (``what`` it is, for a missing key)."""
    _selection(units.serial, units.issuance_id, units.quantity)
    key = _need_key(target.registry_key, what)
    try:
        with _registry(target.url, target.registry_url, key) as registry:
            result = operation(registry, **asdict(units))
    except CodedError as exc:
        _report(exc, serial=units.serial)
    _show_result(result, target.as_json)


@registry_app.command()
@grouped
def transfer(
    to: Annotated[int, typer.Option("--to", min=1, help="Holding account receiving the units.")],
    *,
    units: HeldUnits,
    target: RegistryTarget,
) -> None:
    """Move a serial block (or a quantity of an issuance) to another holding account."""
    _operate(units, target, "a transfer", lambda registry, **held: registry.transfer(to_account=to, **held))


@registry_app.command()
@grouped
def retire(
    beneficiary: Annotated[str, typer.Option("--beneficiary", help="On whose behalf the units are retired.")],
    reason: Annotated[str, typer.Option("--reason", help="The claim the retirement supports.")],
    details: Annotated[str | None, typer.Option("--details", help="More about the claim.")] = None,
    *,
    units: HeldUnits,
    target: RegistryTarget,
) -> None:
    """Retire held units for a beneficiary, in the registry (final; not the bridge's on-chain retire)."""
    claim = {"beneficiary": beneficiary, "reason": reason, "details": details}
    _operate(units, target, "a retirement", lambda registry, **held: registry.retire(**claim, **held))


@registry_app.command()
def show(
    account: Annotated[int | None, typer.Option("--account", min=1, help="An account: its units by status.")] = None,
    serial: Annotated[str | None, typer.Option("--serial", help="One block by serial, with its project.")] = None,
    block: Annotated[int | None, typer.Option("--block", min=1, help="One block by id.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="With --account: only blocks in this status (held, ...).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="With --account: blocks listed.")] = 50,
    url: UrlOption = "http://127.0.0.1:8000",
    registry_url: RegistryUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an account's holdings, or one block (by --serial or --block). Public: no key needed."""
    if sum(x is not None for x in (account, serial, block)) != 1:
        fail("give exactly one of --account, --serial, --block", field="account")
    try:
        with _registry(url, registry_url) as registry:
            if account is not None:
                balance = registry.account_balance(account)
                blocks = registry.list_blocks(account_id=account, status=status, limit=limit)
                if as_json:
                    echo_json(
                        {
                            "balance": balance.model_dump(mode="json"),
                            "blocks": [b.model_dump(mode="json") for b in blocks],
                        }
                    )
                    return
                info = balance.account
                console.print(f"account {info.id}: {info.name} ({info.kind}, {info.status}), owner {info.owner}")
                totals = balance.by_status
                console.print(
                    "  "
                    + ", ".join(
                        f"{name} {getattr(totals, name):,}"
                        for name in ("held", "immobilized", "retired", "cancelled", "buffer", "frozen")
                    )
                )
                console.print(_blocks_table(f"blocks (first {limit})", blocks))
                return
            if block is not None:
                found = registry.get_block(block)
                if as_json:
                    echo_json(found)
                    return
                console.print(_blocks_table(f"block {block}", [found]))
                return
            assert serial is not None
            credit = registry.get_credit(serial)
    except CodedError as exc:
        _report(exc, serial=serial)
    if as_json:
        echo_json(credit)
        return
    project, issuance = credit.project, credit.issuance
    console.print(_blocks_table(credit.block.serial, [credit.block]))
    unit = credit.program.unit
    console.print(
        f"{credit.program.code} {project.project_id} {project.name} ({project.host_country}), "
        f"vintage {issuance.vintage_start}..{issuance.vintage_end}, issuance {issuance.id} ({issuance.serial}), "
        f"{issuance.quantity:,} {unit}s issued"
    )
    methodology = project.methodology or project.methodology_id
    version = f" ({project.methodology_version})" if project.methodology_version else ""
    console.print(f"methodology {methodology}{version}; proponent {project.proponent or 'not given'}")
    console.print(f"labels: {', '.join(credit_labels(issuance)) or 'none'}")
    marketplace = credit.block.marketplace
    if marketplace is not None:
        console.print(f"locked for {marketplace.marketplace}: {marketplace.identifier}")
    retirement = credit.block.retirement
    if retirement is not None:
        console.print(f"retired for {retirement.beneficiary} on {retirement.retired_at:%Y-%m-%d}: {retirement.reason}")


def credit_labels(issuance: IssuancePublic) -> list[str]:
    """An issuance's labels as words: the ones that say something (yes, or a value other than the default)."""
    labels = [str(issuance.mitigation_type)]
    if issuance.ccp_approved:
        labels.append("CCP-approved")
    phases = {"corsia_pilot": "CORSIA pilot phase", "corsia_first_phase": "CORSIA first phase"}
    compliance = {"arb_eligible": "ARB-eligible", "ecology_eligible": "Ecology-eligible", "reversible": "reversible"}
    for name, word in {**phases, **compliance}.items():
        said = getattr(issuance, name)
        if said != "unknown":
            labels.append(word if said == "yes" else f"not {word}")
    labels.append(f"Article 6: {str(issuance.article6_authorization).replace('_', ' ')}")
    if issuance.buffer_quantity:
        labels.append(f"{issuance.buffer_quantity:,} units to the buffer at issuance")
    return labels
