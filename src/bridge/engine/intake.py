"""Recording tokenization requests, one at a time or many at once; the registry and chain are untouched until
the engine drives them.

A request is checked (the custodian holds the block, unfrozen; the credit meets the policy; the recipient can
hold tokens) and stored as a ``received`` row. Many requests are recorded all or nothing: their credits read
from the registry in one read, every one checked before anything is stored, all stored in one engine
transaction; the first bad one refuses the whole call naming its index (``tokenizations.3.serial``) and
nothing is stored. Each request's idempotency key works as for a request alone: a key used before returns the
tokenization it recorded (another body under it is ``idempotency_conflict``), in a call of many too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.engine.classes import credit_class_of
from bridge.engine.context import Flow, FlowContext
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.locks import batch_key_of
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL, TokenizationPublic, TokenizationRequest
from bridge.engine.store import Tokenization, TokenizeStep
from bridge.errors import CodedError
from bridge.registry import serials
from bridge.registry.enums import BlockStatus
from bridge.registry.schemas import CreditPublic

ACTIVE_STEPS = (TokenizeStep.RECEIVED, TokenizeStep.IMMOBILIZED, TokenizeStep.ATTESTED, TokenizeStep.SUBMITTED)
"""The steps of a tokenization still under way: its block has one such row at most."""
E = TypeVar("E", bound=CodedError)
ITEMS = "tokenizations"
"""What the items of a call of many are called, in the fields its refusals name (``tokenizations.3.serial``)."""


def request_hash(request: TokenizationRequest) -> str:
    body = request.model_dump(mode="json", exclude={"idempotency_key"})
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class _KeyTaken(Exception):
    """A key of the call was recorded by another request after the call looked for it."""


@dataclass(frozen=True)
class _Recorded:
    """A tokenization recorded earlier under a key of the call, with its request's hash."""

    request_hash: str
    public: TokenizationPublic


@dataclass(frozen=True)
class _Keyed:
    """A request of a call of many, by its place in the call, with its body's hash."""

    index: int
    request: TokenizationRequest
    digest: str


class TokenizeIntake(Flow):
    def __init__(self, context: FlowContext, *, policy: EligibilityPolicy) -> None:
        super().__init__(context)
        self.policy = policy

    # --- one request ---------------------------------------------------------------------------

    def submit(self, request: TokenizationRequest) -> TokenizationPublic:
        """Check the request and record it. A repeat of an earlier idempotency key returns the earlier
        tokenization (or a conflict error if the body differs). A refusal changes nothing and stores nothing."""
        digest = request_hash(request)
        earlier = self._by_key(request.idempotency_key, digest)
        if earlier is not None:
            return earlier
        row = self._row(request, digest, self._fetch(request))
        try:
            with self.store.session() as session:
                _refuse_active(session, {row.batch_key or "": None})
                session.add(row)
        except IntegrityError:
            # a concurrent request with the same idempotency key won the race
            earlier = self._by_key(request.idempotency_key, digest)
            if earlier is None:
                raise
            return earlier
        return TokenizationPublic.model_validate(row)

    def _by_key(self, key: str, digest: str) -> TokenizationPublic | None:
        with self.store.session() as session:
            row = session.scalars(select(Tokenization).where(Tokenization.idempotency_key == key)).one_or_none()
            if row is None:
                return None
            if row.request_hash != digest:
                raise _conflict("before")
            return TokenizationPublic.model_validate(row)

    # --- many requests, all or nothing ---------------------------------------------------------

    def submit_many(self, requests: Sequence[TokenizationRequest]) -> list[TokenizationPublic]:
        """Check every request and record them all in one transaction, or refuse the call and record none;
        the tokenizations in the order asked (a key used before, here or earlier: its first tokenization)."""
        if not 1 <= len(requests) <= MAX_TOKENIZATIONS_PER_CALL:
            raise BridgeError(
                f"{ITEMS}: from 1 to {MAX_TOKENIZATIONS_PER_CALL} tokenizations per call, not {len(requests)}",
                code=BridgeErrorCode.INVALID_REQUEST,
                field=ITEMS,
            )
        try:
            return self._record_many(requests)
        except (_KeyTaken, IntegrityError):
            # a concurrent request took one of these keys meanwhile: nothing of this call was stored, and the
            # second try finds that key recorded (its tokenization returned, or a conflict refused)
            return self._record_many(requests)

    def _record_many(self, requests: Sequence[TokenizationRequest]) -> list[TokenizationPublic]:
        """Every check of every request first, each refusal kept by index; the first one (as the requests
        made one by one would meet it) refuses the call, else all are stored in one transaction."""
        refusals: dict[int, BridgeError] = {}
        first_of_key: dict[str, _Keyed] = {}
        for index, request in enumerate(requests):
            keyed = _Keyed(index, request, request_hash(request))
            if first_of_key.setdefault(request.idempotency_key, keyed).digest != keyed.digest:
                refusals[index] = _conflict("in this call")
        recorded = self._recorded(list(first_of_key))
        for key, keyed in first_of_key.items():
            if key in recorded and recorded[key].request_hash != keyed.digest:
                refusals[keyed.index] = _conflict("before")
        new = [k for key, k in first_of_key.items() if key not in recorded and k.index not in refusals]
        rows: dict[int, Tokenization] = {}
        for keyed, credit in self._fetch_many(new, refusals):
            try:
                rows[keyed.index] = self._row(keyed.request, keyed.digest, credit)
            except BridgeError as exc:
                refusals[keyed.index] = exc
        batch_keys: dict[str, int] = {}
        for index, row in sorted(rows.items()):
            first = batch_keys.setdefault(row.batch_key or "", index)
            if first != index:
                refusals[index] = BridgeError(
                    f"block {row.serial} is asked for twice in this call (also by {ITEMS}.{first})",
                    code=BridgeErrorCode.ALREADY_BRIDGED,
                    field="serial",
                )
        if refusals:
            index = min(refusals)
            raise at_index(index, refusals[index])
        if rows:
            with self.store.session() as session:
                keys = [row.idempotency_key for row in rows.values()]
                if session.scalars(select(Tokenization.id).where(Tokenization.idempotency_key.in_(keys))).first():
                    raise _KeyTaken
                _refuse_active(session, batch_keys)
                session.add_all(rows.values())
        answers = {key: earlier.public for key, earlier in recorded.items()}
        answers |= {
            requests[index].idempotency_key: TokenizationPublic.model_validate(row) for index, row in rows.items()
        }
        return [answers[request.idempotency_key] for request in requests]

    def _recorded(self, keys: list[str]) -> dict[str, _Recorded]:
        """The tokenizations recorded earlier under these keys (by key), in one read."""
        with self.store.session() as session:
            rows = session.scalars(select(Tokenization).where(Tokenization.idempotency_key.in_(keys))).all()
            return {
                row.idempotency_key: _Recorded(row.request_hash, TokenizationPublic.model_validate(row)) for row in rows
            }

    def _fetch_many(self, new: list[_Keyed], refusals: dict[int, BridgeError]) -> list[tuple[_Keyed, CreditPublic]]:
        """The credit each request names, the serials' in one registry read, an issuance's on its own; the
        requests whose credit cannot be had are refused (in ``refusals``) instead."""
        for keyed in new:
            if keyed.request.serial is not None:
                try:
                    _parse(keyed.request.serial)
                except BridgeError as exc:
                    refusals[keyed.index] = exc
        by_serial = [k for k in new if k.request.serial is not None and k.index not in refusals]
        found = self.registry.get_credits([k.request.serial or "" for k in by_serial]) if by_serial else []
        credits = dict(zip((k.index for k in by_serial), found, strict=True))
        result = []
        for keyed in new:
            if keyed.index in refusals:
                continue
            if keyed.request.serial is None:
                try:
                    result.append((keyed, self._fetch(keyed.request)))
                except BridgeError as exc:
                    refusals[keyed.index] = exc
            elif (credit := credits[keyed.index]) is None:
                refusals[keyed.index] = _unavailable(f"no block has serial {keyed.request.serial}")
            else:
                result.append((keyed, credit))
        return result

    # --- the checks both make ------------------------------------------------------------------

    def _fetch(self, request: TokenizationRequest) -> CreditPublic:
        """The credit ``request`` names: its serial's, or the custodian's first unfrozen block of the issuance
        with enough units."""
        if request.serial is not None:
            _parse(request.serial)
            try:
                return self.registry.get_credit(request.serial)
            except CodedError as exc:
                if exc.http_status >= 500:
                    raise  # the registry is down, not the request wrong: its own 5xx, as a call of many answers
                raise BridgeError(exc.message, code=_as_bridge_code(exc), field="serial") from exc
        blocks = self.registry.list_blocks(
            account_id=request.custodian_account, status=BlockStatus.HELD.value, issuance_id=request.issuance_id
        )
        wanted = request.quantity or 0
        fitting = [b for b in blocks if not b.frozen and b.quantity >= wanted]
        if not fitting:
            raise _unavailable(
                f"account {request.custodian_account} holds no single unfrozen block of issuance "
                f"{request.issuance_id} with {wanted} units",
                "issuance_id",
            )
        return self.registry.get_credit(fitting[0].serial)

    def _row(self, request: TokenizationRequest, digest: str, credit: CreditPublic) -> Tokenization:
        """The ``received`` row of a request whose credit is ``credit``, once every check passed."""
        quantity = _held_quantity(request, credit)
        self.policy.check(credit)
        block = serials.parse(credit.block.serial)
        target = block if quantity == block.quantity else block.with_range(block.start, block.start + quantity - 1)
        serial = serials.format(target)
        credit_class = credit_class_of(credit)
        # No on-chain duplicate check needed here: a bridged block sits in trust, so the custodian cannot
        # hold it (checked above), and the contract refuses an active batch key anyway.
        token = self.chain.predict_token(credit_class)
        if request.recipient.lower() in {str(self.chain.bridge.address).lower(), token.lower()}:
            # neither contract can ever move tokens it holds: they would be lost, and the credits with them
            raise BridgeError(
                "the recipient is the bridge or the class token itself: tokens sent there are lost",
                code=BridgeErrorCode.INVALID_REQUEST,
                field="recipient",
            )
        return Tokenization(
            idempotency_key=request.idempotency_key,
            request_hash=digest,
            custodian_account=request.custodian_account,
            requested_serial=request.serial,
            issuance_id=request.issuance_id,
            requested_quantity=request.quantity,
            recipient=request.recipient,
            step=TokenizeStep.RECEIVED,
            registry_code=credit.program.code,
            source_serial=credit.block.serial,
            serial=serial,
            block_start=target.start,
            block_end=target.end,
            quantity=quantity,
            credit_class=credit_class.model_dump(mode="json"),
            class_id="0x" + credit_class.class_id.hex(),
            token_address=token,
            batch_key=batch_key_of(credit.program.code, serial),
        )


def _held_quantity(request: TokenizationRequest, credit: CreditPublic) -> int:
    """How many units of the custodian's held block to bridge (refused unless it holds them, unfrozen)."""
    block = credit.block
    if block.account_id != request.custodian_account:
        raise _unavailable(f"block {block.serial} is not in account {request.custodian_account}")
    if block.status != BlockStatus.HELD:
        raise _unavailable(f"block {block.serial} is {block.status}, not held")
    if block.frozen:
        raise _unavailable(f"block {block.serial} is frozen by the registry")
    quantity = request.quantity or block.quantity
    if quantity > block.quantity:
        raise BridgeError(
            f"block {block.serial} holds {block.quantity} units, fewer than {quantity}",
            code=BridgeErrorCode.INVALID_REQUEST,
            field="quantity",
        )
    return quantity


def _refuse_active(session: Session, batch_keys: dict[str, int] | dict[str, None]) -> None:
    """Refuse blocks (by batch key, with the index of the request asking for it in a call of many) that a
    tokenization under way is bridging."""
    active = session.scalars(
        select(Tokenization).where(Tokenization.batch_key.in_(batch_keys), Tokenization.step.in_(ACTIVE_STEPS))
    ).first()
    if active is not None:
        error = BridgeError(
            f"serial block {active.serial} is being bridged (tokenization {active.id})",
            code=BridgeErrorCode.ALREADY_BRIDGED,
            field="serial",
        )
        index = batch_keys[active.batch_key or ""]
        raise error if index is None else at_index(index, error)


def _conflict(when: str) -> BridgeError:
    return BridgeError(
        f"this idempotency key was used {when} for a different tokenization request",
        code=BridgeErrorCode.IDEMPOTENCY_CONFLICT,
        field="idempotency_key",
    )


def _parse(serial: str) -> None:
    try:
        serials.parse(serial)
    except CodedError as exc:
        raise BridgeError(exc.message, code=_as_bridge_code(exc), field="serial") from exc


def _unavailable(message: str, field: str = "serial") -> BridgeError:
    return BridgeError(message, code=BridgeErrorCode.BLOCK_NOT_AVAILABLE, field=field)


def at_index(index: int, error: E) -> E:
    """``error`` as the refusal of the request at ``index`` of a call of many: its field named with the index
    (``tokenizations.3.serial``), the index in its details."""
    field = f"{ITEMS}.{index}.{error.field}" if error.field else f"{ITEMS}.{index}"
    return type(error)(
        f"{field}: {error.message}", code=error.code, field=field, details={**error.details, "index": index}
    )


def _as_bridge_code(exc: CodedError) -> BridgeErrorCode:
    if exc.code == "block_not_found":
        return BridgeErrorCode.BLOCK_NOT_AVAILABLE
    return BridgeErrorCode.INVALID_REQUEST
