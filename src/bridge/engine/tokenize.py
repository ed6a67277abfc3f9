"""Tokenize: check, immobilize in trust, gather M of N attestations, mint (batched), confirm.

Steps and why each is safe to repeat:
- immobilize: the registry operation carries ``request_id = tokenize-<id>-<token>-immobilize`` (the
  row's random token: ``bridge.engine.request_ids``), so a retry after a crash returns the first result
  instead of locking twice;
- attest: signatures are pure functions of the attestation; collecting them again changes nothing;
- mint: the on-chain nonce can be used once, so before (re)sending the engine asks the chain whether
  the nonce is spent and, if so, only looks up where;
- confirm: the mint counts once its block is ``confirmations`` deep and still canonical; a mint that
  a reorganization removed goes back to be sent again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence

from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from web3.types import TxReceipt

from bridge.chain.attestation import Attestation, CreditClass, order_signatures
from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.errors import ContractRevert
from bridge.engine.classes import credit_class_of
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.faults import Faults
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.ports import RegistryOperator, RegistryReader
from bridge.engine.request_ids import is_request_conflict, raise_alarm, registry_request_id
from bridge.engine.schemas import TokenizationPublic, TokenizationRequest
from bridge.engine.store import Batch, EngineStore, Tokenization, TokenizeStep
from bridge.engine.verifier import Verifier
from bridge.errors import CodedError
from bridge.registry import serials
from bridge.registry.enums import BlockStatus
from bridge.registry.schemas import CreditPublic

MARKETPLACE = "carbon-bridge"
ATTESTATION_TTL = 3600
ACTIVE_STEPS = (TokenizeStep.RECEIVED, TokenizeStep.IMMOBILIZED, TokenizeStep.ATTESTED, TokenizeStep.SUBMITTED)


def batch_key_of(registry: str, serial: str) -> str:
    from eth_abi import encode

    return "0x" + keccak(encode(["bytes32", "bytes32"], [keccak(text=registry), keccak(text=serial)])).hex()


def request_hash(request: TokenizationRequest) -> str:
    body = request.model_dump(mode="json", exclude={"idempotency_key"})
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class TokenizeFlow:
    def __init__(
        self,
        *,
        store: EngineStore,
        chain: BridgeChain,
        registry: RegistryReader,
        custodian_registry: Callable[[int], RegistryOperator],
        verifiers: Sequence[Verifier],
        threshold: int,
        trust_account: int,
        policy: EligibilityPolicy,
        faults: Faults,
        max_batch: int = 50,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.chain = chain
        self.registry = registry
        self.custodian_registry = custodian_registry
        self.verifiers = verifiers
        self.threshold = threshold
        self.trust_account = trust_account
        self.policy = policy
        self.faults = faults
        self.max_batch = max_batch
        self.clock = clock

    # --- intake --------------------------------------------------------------------------------

    def submit(self, request: TokenizationRequest) -> TokenizationPublic:
        """Check the request and record it; the registry and chain are untouched until it is driven.

        A repeat of an earlier idempotency key returns the earlier tokenization (or a conflict
        error if the body differs). A refusal changes nothing and stores nothing.
        """
        digest = request_hash(request)
        earlier = self._by_key(request.idempotency_key, digest)
        if earlier is not None:
            return earlier
        credit, quantity = self._resolve(request)
        self.policy.check(credit)
        block = serials.parse(credit.block.serial)
        target = block if quantity == block.quantity else block.with_range(block.start, block.start + quantity - 1)
        serial = serials.format(target)
        credit_class = credit_class_of(credit)
        batch_key = batch_key_of(credit.program.code, serial)
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
        row = Tokenization(
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
            batch_key=batch_key,
        )
        try:
            with self.store.session() as session:
                active = session.scalars(
                    select(Tokenization).where(Tokenization.batch_key == batch_key, Tokenization.step.in_(ACTIVE_STEPS))
                ).first()
                if active is not None:
                    raise BridgeError(
                        f"serial block {serial} is being bridged (tokenization {active.id})",
                        code=BridgeErrorCode.ALREADY_BRIDGED,
                        field="serial",
                    )
                session.add(row)
                session.flush()
                row.nonce = row.id  # sequential nonces share bitmap words on-chain: cheaper mints
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
                raise BridgeError(
                    "this idempotency key was used for a different tokenization request",
                    code=BridgeErrorCode.IDEMPOTENCY_CONFLICT,
                    field="idempotency_key",
                )
            return TokenizationPublic.model_validate(row)

    def _resolve(self, request: TokenizationRequest) -> tuple[CreditPublic, int]:
        """The custodian's held block to bridge, and how many of its units."""

        def unavailable(message: str, field: str = "serial") -> BridgeError:
            return BridgeError(message, code=BridgeErrorCode.BLOCK_NOT_AVAILABLE, field=field)

        if request.serial is not None:
            try:
                serials.parse(request.serial)
                credit = self.registry.get_credit(request.serial)
            except CodedError as exc:
                raise BridgeError(exc.message, code=_as_bridge_code(exc), field="serial") from exc
        else:
            blocks = self.registry.list_blocks(
                account_id=request.custodian_account, status=BlockStatus.HELD.value, issuance_id=request.issuance_id
            )
            wanted = request.quantity or 0
            fitting = [b for b in blocks if not b.frozen and b.quantity >= wanted]
            if not fitting:
                raise unavailable(
                    f"account {request.custodian_account} holds no single unfrozen block of issuance "
                    f"{request.issuance_id} with {wanted} units",
                    "issuance_id",
                )
            credit = self.registry.get_credit(fitting[0].serial)
        block = credit.block
        if block.account_id != request.custodian_account:
            raise unavailable(f"block {block.serial} is not in account {request.custodian_account}")
        if block.status != BlockStatus.HELD:
            raise unavailable(f"block {block.serial} is {block.status}, not held")
        if block.frozen:
            raise unavailable(f"block {block.serial} is frozen by the registry")
        quantity = request.quantity or block.quantity
        if quantity > block.quantity:
            raise BridgeError(
                f"block {block.serial} holds {block.quantity} units, fewer than {quantity}",
                code=BridgeErrorCode.INVALID_REQUEST,
                field="quantity",
            )
        return credit, quantity

    # --- driving -------------------------------------------------------------------------------

    def pending_ids(self, *steps: TokenizeStep) -> list[int]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(Tokenization.id)
                    .where(Tokenization.step.in_(steps or ACTIVE_STEPS))
                    .order_by(Tokenization.id)
                )
            )

    def drive(self) -> int:
        """Move every tokenization as far as it can go now; returns how many steps were taken."""
        progressed = 0
        for tokenization_id in self.pending_ids(TokenizeStep.RECEIVED):
            progressed += self._immobilize(tokenization_id)
        for tokenization_id in self.pending_ids(TokenizeStep.IMMOBILIZED):
            progressed += self._attest(tokenization_id)
        ready = self.pending_ids(TokenizeStep.ATTESTED)
        if ready and self.chain.paused():
            ready = []  # minting is stopped on-chain: wait rather than pay for refused transactions
        for start in range(0, len(ready), self.max_batch):
            progressed += self._mint(ready[start : start + self.max_batch])
        receipts: dict[str, TxReceipt | None] = {}  # a batch shares one transaction: look it up once
        for tokenization_id in self.pending_ids(TokenizeStep.SUBMITTED):
            progressed += self._confirm(tokenization_id, receipts)
        return progressed

    def _load(self, tokenization_id: int) -> Tokenization:
        with self.store.session() as session:
            row = session.get(Tokenization, tokenization_id)
            if row is None:
                raise BridgeError(f"no tokenization {tokenization_id}", code=BridgeErrorCode.NOT_FOUND)
            session.expunge(row)
            return row

    def _save(self, tokenization_id: int, **changes: object) -> None:
        with self.store.session() as session:
            row = session.get_one(Tokenization, tokenization_id)
            for name, value in changes.items():
                setattr(row, name, value)

    def _immobilize(self, tokenization_id: int) -> int:
        row = self._load(tokenization_id)
        assert row.source_serial and row.quantity and row.token_address and row.batch_key
        self.faults.reached("tokenize.immobilize.before")
        try:
            result = self.custodian_registry(row.custodian_account).immobilize(
                trust_account=self.trust_account,
                marketplace=MARKETPLACE,
                marketplace_identifier={
                    "chain_id": self.chain.chain_id,
                    "token_address": row.token_address,
                    "batch_id": row.batch_key.removeprefix("0x"),
                },
                marketplace_link=f"evm:{self.chain.chain_id}/{row.token_address}",
                serial=row.source_serial,
                quantity=row.quantity,
                from_account=row.custodian_account,
                request_id=registry_request_id("tokenize", row.id, row.request_token, "immobilize"),
            )
        except CodedError as exc:
            if exc.http_status >= 500:
                raise
            if is_request_conflict(exc):  # not a refusal of the lock: wait, and say so loudly
                code, message = raise_alarm("tokenization", row.id, exc, current_code=row.error_code)
                self._save(tokenization_id, error_code=code, error_message=message)
                return 0
            # the registry refused (the block moved, was retired or frozen meanwhile): nothing is locked
            self._save(tokenization_id, step=TokenizeStep.REJECTED, error_code=str(exc.code), error_message=exc.message)
            return 1
        self.faults.reached("tokenize.immobilize.done")
        locked = [b.serial for b in result.blocks]
        if locked != [row.serial]:
            raise BridgeError(
                f"the registry locked {locked}, expected {row.serial}", code=BridgeErrorCode.CHAIN_FAILURE
            )
        self._save(tokenization_id, step=TokenizeStep.IMMOBILIZED, error_code=None, error_message=None)
        self.faults.reached("tokenize.immobilize.saved")
        return 1

    def attestation_of(self, row: Tokenization, deadline: int) -> Attestation:
        assert row.credit_class and row.serial and row.registry_code and row.nonce is not None
        return Attestation(
            registry=row.registry_code,
            serial=row.serial,
            block_start=int(row.block_start or 0),
            block_end=int(row.block_end or 0),
            quantity=int(row.quantity or 0),
            credit_class=CreditClass.model_validate(row.credit_class),
            recipient=row.recipient,
            nonce=row.nonce,
            deadline=deadline,
        )

    def _attest(self, tokenization_id: int) -> int:
        row = self._load(tokenization_id)
        deadline = int(self.clock()) + ATTESTATION_TTL
        attestation = self.attestation_of(row, deadline)
        signed: list[tuple[str, bytes]] = []
        refusals: list[str] = []
        for verifier in self.verifiers:
            if len(signed) == self.threshold:
                break
            try:
                signed.append((verifier.address, verifier.attest(attestation)))
            except CodedError as exc:
                refusals.append(exc.message)
        if len(signed) < self.threshold:
            self._save(
                tokenization_id,
                error_code=str(BridgeErrorCode.NOT_ENOUGH_ATTESTATIONS),
                error_message="; ".join(refusals) or "no verifier answered",
            )
            return 0
        self.faults.reached("tokenize.attest.done")
        self._save(
            tokenization_id,
            step=TokenizeStep.ATTESTED,
            deadline=deadline,
            signatures=[s.hex() for s in order_signatures(signed)],
            attested_by=sorted((addr for addr, _ in signed), key=lambda a: int(a, 16)),
            error_code=None,
            error_message=None,
        )
        self.faults.reached("tokenize.attest.saved")
        return 1

    def _mint(self, ids: list[int]) -> int:
        rows = [self._load(i) for i in ids]
        sendable: list[Tokenization] = []
        for row in rows:
            assert row.nonce is not None and row.deadline is not None
            if row.send_attempted and self.chain.is_nonce_used(row.nonce):
                # sent before a crash: find where it landed instead of sending it again
                self._record_landed(row)
                continue
            if row.deadline <= self.clock() + 60:
                self._save(row.id, step=TokenizeStep.IMMOBILIZED)  # attestations about to expire: re-attest
                continue
            sendable.append(row)
        if not sendable:
            return len(rows)
        attestations = [self.attestation_of(r, int(r.deadline or 0)) for r in sendable]
        signatures = [[bytes.fromhex(s) for s in (r.signatures or [])] for r in sendable]
        with self.store.session() as session:  # from now on a crash may leave the mint sent but unrecorded
            for row in sendable:
                session.get_one(Tokenization, row.id).send_attempted = True
        self.faults.reached("tokenize.mint.before")
        try:
            receipt = self.chain.mint_batch(attestations, signatures)
        except ContractRevert as exc:
            if len(sendable) == 1:
                return self._mint_refused(sendable[0], exc)
            # one bad attestation spoils an all-or-nothing batch: isolate it by sending one by one
            return sum(self._mint([r.id]) for r in sendable)
        self.faults.reached("tokenize.mint.done")
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        with self.store.session() as session:
            for row in sendable:
                stored = session.get_one(Tokenization, row.id)
                stored.step = TokenizeStep.SUBMITTED
                stored.tx_hash = tx_hash
                stored.mined_block = int(receipt["blockNumber"])
        self.faults.reached("tokenize.mint.saved")
        return len(rows)

    def _mint_refused(self, row: Tokenization, exc: ContractRevert) -> int:
        """Record why the mint was refused; 1 if the tokenization moved back a step, 0 if it must wait."""
        if exc.error_name in ("BridgeAttestationExpired", "BridgeUnknownSigner", "BridgeInsufficientSignatures"):
            self._save(row.id, step=TokenizeStep.IMMOBILIZED, error_code="mint_refused", error_message=str(exc))
            return 1  # re-attest: the verifier set or the deadline changed
        # paused, class mismatch, ...: keep it ready and say why; an operator must act
        self._save(row.id, error_code="mint_refused", error_message=str(exc))
        return 0

    def _record_landed(self, row: Tokenization) -> None:
        assert row.batch_key
        events = self.chain.events("BatchBridged", max(0, self.chain.head() - 10_000), self.chain.head())
        for event in events:
            if "0x" + bytes(event.args["batchKey"]).hex() == row.batch_key and event.args["nonce"] == row.nonce:
                self._save(row.id, step=TokenizeStep.SUBMITTED, tx_hash=event.tx_hash, mined_block=event.block_number)
                return
        raise BridgeError(
            f"nonce {row.nonce} is spent on-chain but no mint of {row.batch_key} was found",
            code=BridgeErrorCode.CHAIN_FAILURE,
        )

    def _confirm(self, tokenization_id: int, receipts: dict[str, TxReceipt | None]) -> int:
        row = self._load(tokenization_id)
        assert row.tx_hash and row.batch_key and row.class_id and row.token_address
        if row.tx_hash not in receipts:
            receipts[row.tx_hash] = self.chain.receipt(row.tx_hash)
        receipt = receipts[row.tx_hash]
        if receipt is None or receipt["status"] != 1:
            # the mint is gone (reorganization): send it again unless the nonce shows it elsewhere
            self._save(tokenization_id, step=TokenizeStep.ATTESTED, tx_hash=None, mined_block=None)
            return 1
        if int(receipt["blockNumber"]) > self.chain.safe_head():
            return 0
        with self.store.session() as session:
            stored = session.get_one(Tokenization, tokenization_id)
            stored.step = TokenizeStep.COMPLETED
            stored.mined_block = int(receipt["blockNumber"])
            batch = session.get(Batch, row.batch_key)
            if batch is None:
                batch = Batch(batch_key=row.batch_key)
                session.add(batch)
            if batch.tokenization_id != row.id:  # new, or the same serial bridged again after a redemption
                batch.class_id = row.class_id
                batch.token_address = row.token_address
                batch.registry_code = row.registry_code or ""
                batch.original_serial = row.serial or ""
                batch.current_serial = row.serial
                batch.remaining = int(row.quantity or 0)
                batch.tokenization_id = row.id
        self.faults.reached("tokenize.confirm.saved")
        return 1


def _as_bridge_code(exc: CodedError) -> BridgeErrorCode:
    if exc.code == "block_not_found":
        return BridgeErrorCode.BLOCK_NOT_AVAILABLE
    return BridgeErrorCode.INVALID_REQUEST
