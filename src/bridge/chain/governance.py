"""The admin's changes to a bridge: each one a call on the bridge contract that the admin's timelock
schedules, and executes once its delay has passed (``bridge.chain.timelock``).

``CHANGES`` names them (the ``carbon-bridge admin`` commands take these names and values):
``add-verifier ADDRESS``, ``remove-verifier ADDRESS``, ``set-threshold N``, ``set-mint-cap TONNES SECONDS``,
``unpause``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from web3.contract import Contract
from web3.contract.contract import ContractFunction

from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.primitives import checked_address

UINT64_MAX: Final = 2**64 - 1
UINT32_MAX: Final = 2**32 - 1


ENGINE_ROLES = ("SETTLER_ROLE", "PAUSER_ROLE")


def _address(value: str, name: str) -> str:
    try:
        return checked_address(value)
    except ValueError as exc:
        raise _invalid(f"{name}: {value!r} is not an address ({exc})", name) from None


def _number(value: str, name: str, *, least: int, most: int) -> int:
    if not value.isdigit() or not least <= int(value) <= most:
        raise _invalid(f"{name}: {value!r} is not a whole number from {least} to {most}", name)
    return int(value)


def _invalid(message: str, field: str) -> ChainError:
    return ChainError(message, code=ChainErrorCode.INVALID_ADMIN_CHANGE, field=field)


@dataclass(frozen=True)
class AdminChange:
    """One kind of change: its name, the values it takes and the bridge call it makes of them."""

    name: str
    values: tuple[str, ...]
    summary: str
    call: Callable[[Contract, Sequence[str]], ContractFunction]

    def of(self, bridge: Contract, values: Sequence[str]) -> ContractFunction:
        """The bridge call for ``values`` (``invalid_admin_change`` naming the value that is wrong)."""
        if len(values) != len(self.values):
            wanted = " ".join(v.upper() for v in self.values) or "no value"
            raise _invalid(f"{self.name} takes {wanted}; got {len(values)} value(s)", "values")
        return self.call(bridge, values)


CHANGES: Final[dict[str, AdminChange]] = {
    change.name: change
    for change in (
        AdminChange(
            "add-verifier",
            ("address",),
            "add a verifier",
            lambda b, v: b.functions.addVerifier(_address(v[0], "address")),
        ),
        AdminChange(
            "remove-verifier",
            ("address",),
            "remove a verifier (lower the threshold first if the set would fall below it)",
            lambda b, v: b.functions.removeVerifier(_address(v[0], "address")),
        ),
        AdminChange(
            "set-threshold",
            ("threshold",),
            "the verifier signatures a mint needs",
            lambda b, v: b.functions.setThreshold(_number(v[0], "threshold", least=1, most=2**16)),
        ),
        AdminChange(
            "set-mint-cap",
            ("tonnes", "seconds"),
            "at most TONNES of a class per window of SECONDS",
            lambda b, v: b.functions.setMintCap(
                _number(v[0], "tonnes", least=1, most=UINT64_MAX), _number(v[1], "seconds", least=1, most=UINT32_MAX)
            ),
        ),
        AdminChange("unpause", (), "let minting and redemption requests go on", lambda b, v: b.functions.unpause()),
        AdminChange(
            "grant-role",
            ("role", "address"),
            "give another engine worker's sending key SETTLER_ROLE or PAUSER_ROLE",
            lambda b, v: b.functions.grantRole(_engine_role(b, v[0]), _address(v[1], "address")),
        ),
    )
}


def _engine_role(bridge: Contract, name: str) -> bytes:
    """The id of an engine role (the roles a worker's key may hold: never the admin's)."""
    if name not in ENGINE_ROLES:
        raise _invalid(f"role: {name!r} is not one of {', '.join(ENGINE_ROLES)}", "role")
    return bytes(getattr(bridge.functions, name)().call())


def admin_change(bridge: Contract, name: str, values: Sequence[str]) -> ContractFunction:
    """The bridge call of change ``name`` with ``values`` (see ``CHANGES``)."""
    change = CHANGES.get(name)
    if change is None:
        raise _invalid(f"{name!r} is not an admin change; one of: {', '.join(CHANGES)}", "change")
    return change.of(bridge, values)
