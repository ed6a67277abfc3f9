"""Random sequences of ledger operations against a per-unit model of the registry.

After every step: the ledger's blocks expand to exactly the model's units (status, account, frozen),
``check_integrity`` passes, the journal verifies, and replaying the journal into a fresh database
gives an identical snapshot. Refused operations must be refused with the code the model predicts and
change nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bridge.registry.db import session_factory
from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.replay import replay
from registry_factories import TOKEN, TickingClock, World, build_world

C = RegistryErrorCode
HELD, IMMOBILIZED, RETIRED, CANCELLED, BUFFER = (
    BlockStatus.HELD,
    BlockStatus.IMMOBILIZED,
    BlockStatus.RETIRED,
    BlockStatus.CANCELLED,
    BlockStatus.BUFFER,
)


@dataclass(frozen=True)
class Unit:
    status: BlockStatus
    account: int
    frozen: bool = False


@dataclass(frozen=True)
class Move:
    """What an operation does in the model: from which statuses, to which status and account."""

    sources: frozenset[BlockStatus]
    target: BlockStatus
    destination: str  # "to" (a chosen account), or a fixed role: "retirement", "cancellation", "buffer", "trust"


MOVES = {
    "transfer": Move(frozenset({HELD}), HELD, "to"),
    "retire": Move(frozenset({HELD}), RETIRED, "retirement"),
    "cancel": Move(frozenset({HELD, BUFFER}), CANCELLED, "cancellation"),
    "move_to_buffer": Move(frozenset({HELD}), BUFFER, "buffer"),
    "immobilize": Move(frozenset({HELD}), IMMOBILIZED, "trust"),
    "release": Move(frozenset({IMMOBILIZED}), HELD, "to"),
    "retire_from_trust": Move(frozenset({IMMOBILIZED}), RETIRED, "retirement"),
}
LIVE = frozenset({HELD, IMMOBILIZED, BUFFER})


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, make_registry: Any, make_replay_target: Any) -> None:
        super().__init__()
        self.make_replay_target = make_replay_target
        self.world: World = build_world(make_registry())
        self.registry: Registry = self.world.registry
        self.units: dict[int, dict[int, Unit]] = {}  # issuance id -> unit number -> state
        self.holders = [self.world.custodian, self.world.trader]
        self.last_success: tuple[str, dict[str, Any], Any] | None = None
        self.steps = 0

    # --- helpers ---------------------------------------------------------------------------------

    def _role(self, role: str) -> int:
        return {
            "retirement": self.world.retirement,
            "cancellation": self.world.cancellation,
            "buffer": self.world.buffer,
            "trust": self.world.trust,
        }[role]

    def _call(self, operation: str, destination: int | None, **fields: Any) -> Any:
        r, w = self.registry, self.world
        extra: dict[str, Any] = {
            "transfer": {"to_account": destination},
            "retire": {"beneficiary": "Beneficiary", "reason": "claim"},
            "cancel": {"reason": "cancelled"},
            "move_to_buffer": {},
            "immobilize": {"trust_account": w.trust, "marketplace": "bridge", "marketplace_identifier": TOKEN},
            "release": {"to_account": destination},
            "retire_from_trust": {"beneficiary": "B", "reason": "on-chain", "settles": ["cert"]},
        }[operation]
        return getattr(r, operation)(**fields, **extra)

    def _expect_refusal(self, code: RegistryErrorCode, call: Any) -> None:
        event(f"refused: {code}")
        head = self.registry.journal_head()
        try:
            call()
        except RegistryError as exc:
            assert exc.code is code, f"expected {code}, got {exc.code}: {exc}"
        else:
            raise AssertionError(f"expected a refusal with {code}")
        assert self.registry.journal_head() == head

    def _apply(self, issuance_id: int, numbers: list[int], move: Move, destination: int) -> None:
        for number in numbers:
            self.units[issuance_id][number] = Unit(move.target, destination)

    # --- rules -----------------------------------------------------------------------------------

    @initialize()
    def first_issuance(self) -> None:
        self._issue("VCS", 30, self.world.custodian)

    def _issue(self, program: str, quantity: int, account: int) -> None:
        result = self.world.issue(
            quantity, program=program, to=account, vintage_start=date(2021, 1, 1), vintage_end=date(2021, 12, 31)
        )
        block = result.block
        self.units[result.issuance.id] = {n: Unit(HELD, account) for n in range(block.start, block.end + 1)}

    @rule(program=st.sampled_from(["VCS", "PURO", "CCER"]), quantity=st.integers(1, 40), holder=st.integers(0, 1))
    def issue(self, program: str, quantity: int, holder: int) -> None:
        self._issue(program, quantity, self.holders[holder])

    def _eligible(self, issuance_id: int, move: Move, source: int) -> list[int]:
        """Unit numbers an operation may take from ``source``, lowest first (the model's own rule)."""
        units = self.units[issuance_id]
        return sorted(n for n, u in units.items() if u.status in move.sources and u.account == source and not u.frozen)

    @rule(data=st.data(), as_operator=st.booleans(), aim=st.sampled_from([1, 1, 1, 0]))
    def operate_by_issuance(self, data: st.DataObject, as_operator: bool, aim: int) -> None:
        anyone = [*self.holders, self.world.trust, self.world.buffer]
        possible = [
            (issuance_id, name, account)
            for issuance_id in sorted(self.units)
            for name, m in sorted(MOVES.items())
            for account in anyone
            if self._eligible(issuance_id, m, account)
        ]
        if aim and possible:  # mostly an operation that can succeed; sometimes anything
            issuance_id, operation, source = data.draw(st.sampled_from(possible), label="issuance, operation, source")
        else:
            issuance_id = data.draw(st.sampled_from(sorted(self.units)), label="issuance")
            operation = data.draw(st.sampled_from(sorted(MOVES)), label="operation")
            source = data.draw(st.sampled_from(anyone), label="source account")
        move = MOVES[operation]
        eligible = self._eligible(issuance_id, move, source)
        quantity = data.draw(
            st.integers(1, len(eligible)) if aim and eligible else st.integers(1, 60), label="quantity"
        )
        destination = (
            data.draw(st.sampled_from(self.holders), label="destination") if move.destination == "to" else None
        )
        actor = None if as_operator or source == self.world.buffer else source
        fields = {"issuance_id": issuance_id, "quantity": quantity}
        if actor is None:
            fields["from_account"] = source
        call_fields = {"actor_account": actor, **fields}
        if len(eligible) < quantity:
            self._expect_refusal(C.INSUFFICIENT_UNITS, lambda: self._call(operation, destination, **call_fields))
            return
        taken = eligible[:quantity]
        if operation == "transfer" and destination == source:
            self._expect_refusal(C.SAME_ACCOUNT, lambda: self._call(operation, destination, **call_fields))
            return
        result = self._call(operation, destination, **call_fields)
        event(f"{operation} by issuance")
        assert sorted(n for b in result.blocks for n in range(b.start, b.end + 1)) == taken
        self._apply(issuance_id, taken, move, destination if move.destination == "to" else self._role(move.destination))
        self.last_success = (operation, {"destination": destination, **call_fields}, result)

    @rule(data=st.data(), as_operator=st.booleans())
    def operate_by_issuance_again(self, data: st.DataObject, as_operator: bool) -> None:
        """The same rule once more, so Hypothesis picks block operations more often than the rest."""
        self.operate_by_issuance(data, as_operator, 1)

    @rule(
        data=st.data(),
        actor_kind=st.sampled_from(["owner", "owner", "operator", "other"]),
        aim=st.sampled_from([1, 1, 1, 0]),
    )
    def operate_by_serial(self, data: st.DataObject, actor_kind: str, aim: int) -> None:
        blocks = self.registry.list_blocks()
        movable = [b for b in blocks if b.status in LIVE and not b.frozen]
        # mostly a block that can still move; sometimes any
        block = data.draw(st.sampled_from(movable if aim and movable else blocks), label="block")
        # mostly an operation the block's status allows; sometimes any
        allowed = sorted(name for name, m in MOVES.items() if block.status in m.sources)
        operation = data.draw(
            (st.sampled_from(allowed) if allowed else st.nothing()) | st.sampled_from(sorted(MOVES)), label="operation"
        )
        move = MOVES[operation]
        quantity = data.draw(st.none() | st.integers(1, block.quantity + 2), label="quantity")
        destination = (
            data.draw(st.sampled_from(self.holders), label="destination") if move.destination == "to" else None
        )
        others = [a for a in (*self.holders, self.world.trust) if a != block.account_id]
        actor = {"owner": block.account_id, "other": others[0], "operator": None}[actor_kind]
        if actor is not None and actor in (self.world.retirement, self.world.cancellation, self.world.buffer):
            actor = None  # the registry's own accounts have no outside actor
        fields = {"actor_account": actor, "serial": block.serial, "quantity": quantity}
        call = lambda: self._call(operation, destination, **fields)  # noqa: E731
        unit = self.units[block.issuance_id][block.start]
        taking = block.quantity if quantity is None else quantity
        if actor is not None and actor != block.account_id:
            return self._expect_refusal(C.NOT_OWNER, call)
        if unit.status not in move.sources:
            return self._expect_refusal(C.INVALID_TRANSITION, call)
        if unit.frozen:
            return self._expect_refusal(C.BLOCK_FROZEN, call)
        if taking > block.quantity:
            return self._expect_refusal(C.QUANTITY_INVALID, call)
        if operation == "transfer" and destination == block.account_id:
            return self._expect_refusal(C.SAME_ACCOUNT, call)
        result = call()
        event(f"{operation} by serial" + (" (split)" if result.remainders else ""))
        taken = list(range(block.start, block.start + taking))
        assert [(b.start, b.end) for b in result.blocks] == [(taken[0], taken[-1])]
        self._apply(
            block.issuance_id, taken, move, destination if move.destination == "to" else self._role(move.destination)
        )
        return None

    @rule(data=st.data(), actor_kind=st.sampled_from(["owner", "operator"]))
    def operate_by_serial_again(self, data: st.DataObject, actor_kind: str) -> None:
        """The same rule once more, so Hypothesis picks block operations more often than the rest."""
        self.operate_by_serial(data, actor_kind, 1)

    @rule(data=st.data(), freeze=st.booleans(), by_issuance=st.booleans())
    def freeze_or_unfreeze(self, data: st.DataObject, freeze: bool, by_issuance: bool) -> None:
        method = self.registry.freeze if freeze else self.registry.unfreeze
        if by_issuance:
            issuance_id = data.draw(st.sampled_from(sorted(self.units)), label="issuance")
            quantity = data.draw(st.none() | st.integers(1, 20), label="quantity")
            eligible = sorted(n for n, u in self.units[issuance_id].items() if u.status in LIVE and u.frozen != freeze)
            wanted = len(eligible) if quantity is None else quantity
            call = lambda: method(issuance_id=issuance_id, quantity=quantity, reason="error")  # noqa: E731
            if not eligible or len(eligible) < wanted:
                return self._expect_refusal(C.INSUFFICIENT_UNITS, call)
            taken = eligible[:wanted]
            result = call()
            assert sorted(n for b in result.blocks for n in range(b.start, b.end + 1)) == taken
        else:
            block = data.draw(st.sampled_from(self.registry.list_blocks()), label="block")
            issuance_id = block.issuance_id
            unit = self.units[issuance_id][block.start]
            call = lambda: method(serial=block.serial, reason="error")  # noqa: E731
            if unit.status not in LIVE:
                return self._expect_refusal(C.INVALID_TRANSITION, call)
            if unit.frozen == freeze:
                return self._expect_refusal(C.BLOCK_FROZEN if freeze else C.BLOCK_NOT_FROZEN, call)
            call()
            taken = list(range(block.start, block.end + 1))
        for n in taken:
            u = self.units[issuance_id][n]
            self.units[issuance_id][n] = Unit(u.status, u.account, freeze)
        return None

    @precondition(lambda self: self.last_success is not None)
    @rule()
    def retry_with_request_id(self) -> None:
        """A request sent twice under one request id acts once."""
        assert self.last_success is not None
        operation, fields, _ = self.last_success
        fields = dict(fields)
        destination = fields.pop("destination")
        request_id = f"retry-{self.steps}"
        # do it once more for real, under a request id, then retry: the retry must change nothing
        eligible_before = self.registry.snapshot()
        try:
            first = self._call(operation, destination, request_id=request_id, **fields)
        except RegistryError:
            assert self.registry.snapshot() == eligible_before
            return
        snapshot = self.registry.snapshot()
        again = self._call(operation, destination, request_id=request_id, **fields)
        assert again == first
        assert self.registry.snapshot() == snapshot
        move = MOVES[operation]
        numbers = [n for b in first.blocks for n in range(b.start, b.end + 1)]
        self._apply(
            first.blocks[0].issuance_id,
            numbers,
            move,
            destination if move.destination == "to" else self._role(move.destination),
        )

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def blocks_match_the_model(self) -> None:
        self.steps += 1
        seen: dict[int, dict[int, Unit]] = {issuance_id: {} for issuance_id in self.units}
        for block in self.registry.list_blocks():
            for n in range(block.start, block.end + 1):
                assert n not in seen[block.issuance_id], f"unit {n} of issuance {block.issuance_id} is in two blocks"
                seen[block.issuance_id][n] = Unit(block.status, block.account_id, block.frozen)
        assert seen == self.units

    @invariant()
    def integrity_holds(self) -> None:
        report = self.registry.check_integrity()
        assert report.ok, report.problems
        for issuance_id, units in self.units.items():
            assert self.registry.issuance_totals(issuance_id).by_status.total == len(units)

    @invariant()
    def journal_verifies_and_replays_to_the_same_state(self) -> None:
        assert self.registry.verify_journal().ok
        target = self.make_replay_target()
        replay(self.registry.journal_entries(), into=target)
        assert target.snapshot() == self.registry.snapshot()


EXAMPLES = int(os.environ.get("BRIDGE_STATEFUL_EXAMPLES", "0"))
STEPS = int(os.environ.get("BRIDGE_STATEFUL_STEPS", "25"))


def test_random_operation_sequences_keep_every_invariant(backend: str, new_engine: Any, sqlite_databases: Any) -> None:
    """Set BRIDGE_STATEFUL_EXAMPLES / BRIDGE_STATEFUL_STEPS for a longer hunt than the default."""
    examples = EXAMPLES or (12 if backend == "sqlite" else 3)

    if backend == "sqlite":
        engine, reset = sqlite_databases.resettable()

        def make_registry() -> Registry:
            reset()
            registry = Registry(session_factory(engine), clock=TickingClock())
            registry.initialize()
            return registry
    else:

        def make_registry() -> Registry:
            registry = Registry(session_factory(new_engine()), clock=TickingClock())
            registry.initialize()
            return registry

    # Replays always go to an in-memory SQLite database: replaying a PostgreSQL journal there also
    # checks that both backends build the same state.
    replay_engine, replay_reset = sqlite_databases.resettable()

    def make_replay_target() -> Registry:
        replay_reset()
        return Registry(session_factory(replay_engine), clock=TickingClock())

    run_state_machine_as_test(
        lambda: LedgerMachine(make_registry, make_replay_target),
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
