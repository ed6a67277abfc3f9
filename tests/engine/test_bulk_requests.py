"""Many tokenization requests recorded at once (``request_tokenizations``): the same tokenizations as the same
requests made one by one, or, where one by one would refuse one, the whole call refused naming that request's
index, and nothing recorded; each idempotency key honoured as for a request alone."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bridge.engine.errors import BridgeError
from bridge.engine.faults import InjectedCrash
from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL, TokenizationPublic, TokenizationRequest
from bridge.engine.store import Tokenization
from bridge.errors import CodedError
from bridge.registry.errors import RegistryError, RegistryErrorCode
from engine_harness import BridgeWorld, tonnes

KINDS = ("whole", "part", "elsewhere", "frozen", "gone", "too_many", "repeat", "twice", "conflict", "issuance")
"""What a generated request asks for: a block the custodian holds (whole, or part of it), a block another
account holds, a frozen block, a serial no block has any more, more units than the block has, the same key
and body as an earlier request, the same block under a new key, an earlier key with another body, a quantity
of an issuance."""
_keys = itertools.count()


@dataclass
class Planned:
    """Requests of given kinds, made twice over: one set to record one by one, one to record at once."""

    kinds: list[str]
    one_by_one: list[TokenizationRequest]
    at_once: list[TokenizationRequest]


def plan(bw: BridgeWorld, kinds: list[str]) -> Planned:
    """Each kind's request, made for two equal sets of fresh blocks (the same in all but serial and key)."""
    made: tuple[list[TokenizationRequest], list[TokenizationRequest]] = ([], [])
    for side in made:
        for i, kind in enumerate(kinds):
            side.append(_request(bw, kind, i, side))
    return Planned(kinds, *made)


def _request(bw: BridgeWorld, kind: str, i: int, earlier: list[TokenizationRequest]) -> TokenizationRequest:
    world, registry = bw.world, bw.registry
    fields: dict[str, object] = {
        "idempotency_key": f"bulk-{next(_keys):06d}",
        "custodian_account": world.custodian,
        "recipient": bw.holder.address,
    }
    firsts = [r for r in earlier if r.serial is not None or r.issuance_id is not None]
    if kind in {"repeat", "twice", "conflict"} and firsts:
        first = firsts[0]
        if kind == "repeat":
            return first
        if kind == "twice":
            return first.model_copy(update={"idempotency_key": fields["idempotency_key"]})
        return first.model_copy(update={"recipient": bw.local.users[1].address})
    quantity = 10 + i
    if kind == "elsewhere":
        fields["serial"] = world.issue(quantity, to=world.trader).block.serial
    elif kind == "gone":
        serial = world.issue(quantity + 5).block.serial
        registry.transfer(actor_account=world.custodian, serial=serial, quantity=5, to_account=world.trader)
        fields["serial"] = serial  # split by the transfer: no block has this serial now
    elif kind == "issuance":
        fields |= {"issuance_id": world.issue(quantity).issuance.id, "quantity": quantity}
    else:
        fields["serial"] = world.issue(quantity).block.serial
        if kind == "frozen":
            registry.freeze(serial=fields["serial"], reason="issued in error")
        elif kind == "part":
            fields["quantity"] = quantity - 3
        elif kind == "too_many":
            fields["quantity"] = quantity + 1
    return TokenizationRequest(**fields)  # type: ignore[arg-type]


def recorded_count(bw: BridgeWorld) -> int:
    with bw.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Tokenization)) or 0)


def shape(tokenizations: list[TokenizationPublic]) -> list[int]:
    """For each tokenization, the index of the first one with its id."""
    ids = [t.id for t in tokenizations]
    return [ids.index(i) for i in ids]


def same_tokenization(one: TokenizationPublic, other: TokenizationPublic) -> bool:
    """Equal in all but what differs between the two sets by construction (ids, serials, keys, times)."""
    fields = ("step", "custodian_account", "recipient", "quantity", "registry", "class_id", "token_address")
    return all(getattr(one, f) == getattr(other, f) for f in fields)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
def test_many_requests_at_once_record_what_one_by_one_records_or_nothing(
    bridge_world: BridgeWorld, kinds: list[str]
) -> None:
    bw = bridge_world
    planned = plan(bw, kinds)
    alone: list[TokenizationPublic] = []
    refused: BridgeError | None = None
    refused_at = -1
    for index, request in enumerate(planned.one_by_one):
        try:
            alone.append(bw.engine.request_tokenization(request))
        except BridgeError as exc:
            refused, refused_at = exc, index
            break
    before, registry_before = recorded_count(bw), bw.registry.snapshot()
    if refused is None:
        together = bw.engine.request_tokenizations(planned.at_once)
        assert len(together) == len(alone)
        assert all(same_tokenization(a, b) for a, b in zip(alone, together, strict=True)), (alone, together)
        assert shape(together) == shape(alone), "a repeated key answers its first tokenization, in both"
        assert recorded_count(bw) == before + len({t.id for t in together})
        assert bw.engine.request_tokenizations(planned.at_once) == together, "a replay records nothing new"
    else:
        with pytest.raises(BridgeError) as caught:
            bw.engine.request_tokenizations(planned.at_once)
        assert caught.value.code == refused.code, (kinds, caught.value, refused)
        assert caught.value.field == f"tokenizations.{refused_at}.{refused.field}"
        assert caught.value.details["index"] == refused_at
        assert recorded_count(bw) == before, "a refused call records nothing"
    assert bw.registry.snapshot() == registry_before, "recording requests never touches the registry"


def test_requests_recorded_at_once_are_tokenized_each_exactly_once(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    requests = [_request(bw, "whole", i, []) for i in range(4)]
    recorded = bw.engine.request_tokenizations(requests)
    assert [t.step for t in recorded] == ["received"] * 4
    bw.settle()
    done = [bw.engine.get_tokenization(t.id) for t in recorded]
    assert {t.step for t in done} == {"completed"} and len({t.lock_id for t in done}) == 4
    assert bw.balance(done[0].token_address or "", bw.holder) == tonnes(10 + 11 + 12 + 13)
    assert bw.engine.request_tokenizations(requests) == [bw.engine.get_tokenization(t.id) for t in recorded]
    assert bw.engine.proof_of_reserve().ok


def test_each_credit_is_read_from_the_registry_in_one_read_for_the_whole_call(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    requests = [_request(bw, "whole", i, []) for i in range(5)]
    reads: list[str] = []
    registry = bw.engine.tokenize.intake.context.registry
    for name in ("get_credits", "get_credit", "list_blocks"):
        method = getattr(registry, name)
        setattr(registry, name, lambda *a, _m=method, _n=name, **k: reads.append(_n) or _m(*a, **k))
    bw.engine.request_tokenizations(requests)
    assert reads == ["get_credits"]


def test_too_many_or_no_requests_in_one_call_are_refused_with_a_code(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    request = _request(bw, "whole", 0, [])
    many = [
        request.model_copy(update={"idempotency_key": f"many-{i:04d}"}) for i in range(MAX_TOKENIZATIONS_PER_CALL + 1)
    ]
    for call in (many, []):
        with pytest.raises(BridgeError) as caught:
            bw.engine.request_tokenizations(call)
        assert (caught.value.code, caught.value.field) == ("invalid_request", "tokenizations")
    assert recorded_count(bw) == 0


def test_a_crash_while_storing_a_call_stores_none_of_it_and_the_retry_stores_it_once(bridge_world: BridgeWorld) -> None:
    """The engine dies (or the database fails) as the call's one transaction commits: nothing of it is stored,
    and the same call again records every request once; again after that, the same tokenizations."""
    bw = bridge_world
    requests = [_request(bw, "whole", i, []) for i in range(3)]
    pending: list[int] = []

    def crash(session: Session) -> None:
        rows = [row for row in session.new if isinstance(row, Tokenization)]
        if rows:
            pending.append(len(rows))
            raise InjectedCrash("killed while committing")

    event.listen(bw.store._sessions, "before_commit", crash)
    try:
        with pytest.raises(InjectedCrash):
            bw.engine.request_tokenizations(requests)
    finally:
        event.remove(bw.store._sessions, "before_commit", crash)
    assert pending == [3] and recorded_count(bw) == 0
    first = bw.engine.request_tokenizations(requests)
    assert recorded_count(bw) == 3
    assert bw.engine.request_tokenizations(requests) == first


def test_a_key_taken_by_a_concurrent_request_meanwhile_is_answered_with_its_tokenization(
    bridge_world: BridgeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request records one of the call's keys after the call looked for them: the call is tried
    again, and answers that request's tokenization under the key (the others recorded once)."""
    bw = bridge_world
    requests = [_request(bw, "whole", i, []) for i in range(3)]
    intake = bw.engine.tokenize.intake
    original = intake._recorded
    raced: list[TokenizationPublic] = []

    def recorded_then_raced(keys: list[str]) -> object:
        found = original(keys)
        if not raced:
            raced.append(bw.engine.request_tokenization(requests[1]))
        return found

    monkeypatch.setattr(intake, "_recorded", recorded_then_raced)
    answered = bw.engine.request_tokenizations(requests)
    assert answered[1].id == raced[0].id
    assert recorded_count(bw) == 3


def test_a_registry_that_cannot_be_reached_is_a_503_alone_and_in_a_call_of_many(bridge_world: BridgeWorld) -> None:
    """An outage of the registry is not the request's fault: one request and a call of many both answer the
    registry's own ``registry_unavailable`` (503), never ``invalid_request``, and record nothing."""
    bw = bridge_world
    request = _request(bw, "whole", 0, [])
    registry = bw.engine.tokenize.intake.context.registry

    def down(*_: object, **__: object) -> object:
        raise RegistryError("the registry database cannot be reached", code=RegistryErrorCode.REGISTRY_UNAVAILABLE)

    for name in ("get_credit", "get_credits"):
        setattr(registry, name, down)
    for call in (lambda: bw.engine.request_tokenization(request), lambda: bw.engine.request_tokenizations([request])):
        with pytest.raises(CodedError) as caught:
            call()
        assert (caught.value.code, caught.value.http_status) == ("registry_unavailable", 503)
    assert recorded_count(bw) == 0
