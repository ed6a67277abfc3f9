"""Random sequences of tokenize / transfer / redeem / retire: the reserve balances after every step.

A model tracks what each holder should have; after each step the engine is driven to rest and the
proof of reserve (registry trust units vs. supply + unsettled retirements) must hold, together with
the on-chain accounting and the model's balances. Meanwhile the custodian locks units of its own into
the trust account under the class token and a batch of the bridge's (another class, units outside the
batch, a batch that does not exist): they are reported as foreign and never counted.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bridge.engine.schemas import TokenizationRequest
from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, make_world, request_redemption, retire


class ReserveMachine(RuleBasedStateMachine):
    bw: BridgeWorld

    @initialize()
    def start(self) -> None:
        self.bw = make_world(Path(tempfile.mkdtemp(prefix="reserve-")))
        self.class_id: str | None = None
        self.token: str | None = None
        self.balances = [0, 0]  # holder, other user (wei)
        self.released = 0
        self.retired_wei = 0
        self.keys = 0
        self.batch_key: str | None = None
        self.foreign = 0  # units the custodian locked into trust that back nothing

    def _user(self, index: int):  # type: ignore[no-untyped-def]
        return self.bw.local.users[index]

    @rule(quantity=st.integers(1, 400), part=st.booleans())
    def tokenize(self, quantity: int, part: bool) -> None:
        issued = self.bw.world.issue(quantity + (7 if part else 0))
        self.keys += 1
        done = self.bw.engine.request_tokenization(
            TokenizationRequest(
                idempotency_key=f"stateful-{self.keys:05d}",
                custodian_account=self.bw.world.custodian,
                serial=issued.block.serial,
                quantity=quantity,
                recipient=self._user(0).address,
            )
        )
        self.bw.settle(rounds=2)
        result = self.bw.engine.get_tokenization(done.id)
        assert result.step == "completed", result
        self.class_id, self.token, self.batch_key = result.class_id, result.token_address, result.batch_key
        self.balances[0] += quantity * TONNE

    @precondition(lambda self: self.balances[0] > 0)
    @rule(share=st.floats(0.01, 1.0))
    def transfer(self, share: float) -> None:
        amount = min(self.balances[0], max(1, int(self.balances[0] * share)))  # a float product can round up
        token = self.bw.local.deployment.token_at(self.token or "")
        self.bw.local.sender(self._user(0)).transact(token.functions.transfer(self._user(1).address, amount))
        self.balances[0] -= amount
        self.balances[1] += amount

    @precondition(lambda self: max(self.balances) >= TONNE)
    @rule(tonnes=st.integers(1, 5), to_a_real_account=st.booleans())
    def redeem(self, tonnes: int, to_a_real_account: bool) -> None:
        user = 0 if self.balances[0] >= self.balances[1] else 1
        tonnes = min(tonnes, self.balances[user] // TONNE)
        account = self.bw.world.trader if to_a_real_account else 987654
        redemption_id = request_redemption(self.bw, self.class_id or "", tonnes, account, holder=self._user(user))
        self.bw.settle(rounds=2)
        step = self.bw.engine.get_redemption(redemption_id).step
        assert step == ("completed" if to_a_real_account else "cancelled"), step
        if to_a_real_account:
            self.balances[user] -= tonnes * TONNE
            self.released += tonnes

    @precondition(lambda self: max(self.balances) > 0)
    @rule(share=st.floats(0.001, 1.0))
    def retire(self, share: float) -> None:
        user = 0 if self.balances[0] >= self.balances[1] else 1
        amount = min(self.balances[user], max(1, int(self.balances[user] * share)))
        retire(self.bw, self.class_id or "", amount, holder=self._user(user))
        self.bw.settle(rounds=2)
        self.balances[user] -= amount
        self.retired_wei += amount

    @precondition(lambda self: self.token is not None)
    @rule(kind=st.sampled_from(("another_class", "outside_the_batch", "unknown_batch")), quantity=st.integers(1, 9))
    def custodian_locks_units_of_its_own_into_trust(self, kind: str, quantity: int) -> None:
        issued = self.bw.world.issue(quantity, **({"program": "CCER"} if kind == "another_class" else {}))
        self.bw.client(self.bw.world.custodian).immobilize(
            trust_account=self.bw.world.trust,
            marketplace="carbon-bridge",
            marketplace_identifier={
                "chain_id": self.bw.local.chain.chain_id,
                "token_address": self.token or "",
                "batch_id": ("cd" * 32) if kind == "unknown_batch" else (self.batch_key or "").removeprefix("0x"),
            },
            serial=issued.block.serial,
        )
        self.foreign += quantity

    @invariant()
    def reserve_balances(self) -> None:
        if self.token is None:
            return
        report = self.bw.engine.proof_of_reserve()
        assert report.ok, report
        assert sum(c.foreign_units for c in report.classes) == self.foreign
        token = self.bw.local.deployment.token_at(self.token)
        for index, expected in enumerate(self.balances):
            assert token.functions.balanceOf(self._user(index).address).call() == expected
        trader_units = sum(b.quantity for b in self.bw.registry.list_blocks(account_id=self.bw.world.trader))
        assert trader_units == self.released
        registry_retired = sum(b.quantity for b in self.bw.registry.list_blocks(status=BlockStatus.RETIRED.value))
        assert registry_retired == self.retired_wei // TONNE  # every whole tonne settled, exactly once


TestReserveUnderRandomFlows = ReserveMachine.TestCase
TestReserveUnderRandomFlows.settings = settings(
    max_examples=6,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
