"""Which trust blocks back a bridged batch: the one rule both proofs of reserve apply.

A proof of reserve that counts whatever sits in the trust account naming a token counts what holders
wrote: anyone can immobilize units of their own into the trust account and write any marketplace
identifier on them. So a block immobilized in the bridge's trust account counts for a batch only if:

* its marketplace identifier names this chain, one of this bridge's class tokens and the batch (the
  batch id is the batch key), and the batch is active on-chain in that token;
* its units lie inside the batch's recorded serial (the serial the batch was minted for: the engine's
  record, or the ``BatchBridged`` event): same unit space, ``start..end`` within, serials parsed with
  ``bridge.registry.serials``;
* its credit class, derived from the registry's credit exactly as verifiers derive it
  (``credit_class_of``), hashes to the token's class (the token's ``classHash()``).

A block locked for a mint under way (its batch not active yet) is *pending*: never counted. The engine
knows its own mints, so for it a pending block is exactly the serial a tokenization under way locked; an
independent checker, which cannot see them, accepts a block that is exactly what a batch of its own
serial would be (its batch id is the batch key of its own serial, ``recognize_unrecorded_locks``). Either
way its class must hash to the token's. Everything else is *foreign*: reported (per class when it names
one of the bridge's tokens, else per report) and never counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from web3.contract import Contract
from web3.types import BlockIdentifier

from bridge.engine.classes import credit_class_of
from bridge.engine.locks import batch_key_of
from bridge.errors import CodedError
from bridge.registry import serials
from bridge.registry.schemas import CreditPublic, UnitBlockPublic

FOREIGN_SERIALS_SHOWN: Final = 50
"""A report lists at most this many foreign serials per class (the count covers them all)."""


def token_class_hash(token: Contract, *, at: BlockIdentifier = "latest") -> bytes | None:
    """A class token's ``classHash()`` at block ``at``; None while no token lives at that address."""
    if not token.w3.eth.get_code(token.address, block_identifier=at):
        return None
    return bytes(token.functions.classHash().call(block_identifier=at))


class Verdict(StrEnum):
    BACKING = "backing"  # counted for its batch
    PENDING = "pending"  # locked for a mint under way: not counted, not foreign
    FOREIGN = "foreign"  # never counted


@dataclass(frozen=True)
class RecordedBatch:
    """A batch as the bridge recorded it: the serial it was minted for, its class token, whether active."""

    batch_key: str  # 0x + 64 lower-case hex digits
    registry: str  # the program code the serial belongs to
    serial: str
    token: str  # lower case
    active: bool  # active on-chain in ``token``
    minting: bool = False  # a mint of it is under way (the engine's own record)


@dataclass(frozen=True)
class Classified:
    verdict: Verdict
    token: str | None  # the bridge's class token the block names (lower case); None: it names none
    reason: str


def balance(*, backing_wei: int, claims_wei: int, attested_units: int, wei_per_unit: int) -> dict[str, bool | int]:
    """A class's verdict, as both proofs of reserve report it: ``ok`` (backing equals claims and the
    contract's attested reserve, in registry units of ``wei_per_unit`` token wei, agrees), ``under_backed``
    (claims above backing: the one thing enforcement pauses on) and ``difference_wei`` (backing minus claims)."""
    return {
        "ok": backing_wei == claims_wei and attested_units * wei_per_unit == claims_wei,
        "under_backed": claims_wei > backing_wei,
        "difference_wei": backing_wei - claims_wei,
    }


@dataclass
class Tally:
    """Trust units (registry units: tonnes, or kilograms for a class counted in them) by verdict: one class
    token's, or those naming none of the bridge's."""

    backing: int = 0
    pending: int = 0
    foreign: int = 0
    foreign_serials: list[str] = field(default_factory=list)  # the first FOREIGN_SERIALS_SHOWN

    def add(self, verdict: Verdict, block: UnitBlockPublic) -> None:
        if verdict is Verdict.BACKING:
            self.backing += block.quantity
        elif verdict is Verdict.PENDING:
            self.pending += block.quantity
        else:
            self.foreign += block.quantity
            if len(self.foreign_serials) < FOREIGN_SERIALS_SHOWN:
                self.foreign_serials.append(block.serial)


class BackingRules:
    """Classifies trust blocks (``classify``) against what the bridge recorded and the chain shows.

    ``tokens``: the bridge's class tokens (lower case); ``batches``: recorded batches by batch key;
    ``token_class_hash(token)``: the token's ``classHash()``, None if it has no code yet;
    ``credit_of(serial)``: the registry's credit of a block; ``recognize_unrecorded_locks``: see the module
    doc. Credits are read once per issuance and class hashes once per token.
    """

    def __init__(
        self,
        *,
        chain_id: int,
        tokens: set[str],
        batches: Mapping[str, RecordedBatch],
        token_class_hash: Callable[[str], bytes | None],
        credit_of: Callable[[str], CreditPublic],
        recognize_unrecorded_locks: bool = False,
    ) -> None:
        self.chain_id = chain_id
        self.tokens = tokens
        self.batches = batches
        self.recognize_unrecorded_locks = recognize_unrecorded_locks
        self._token_class_hash = token_class_hash
        self._credit_of = credit_of
        self._token_hashes: dict[str, bytes | None] = {}
        self._issuances: dict[int, tuple[str, bytes]] = {}

    def _token_hash(self, token: str) -> bytes | None:
        if token not in self._token_hashes:
            self._token_hashes[token] = self._token_class_hash(token)
        return self._token_hashes[token]

    def _credit(self, block: UnitBlockPublic) -> tuple[str, bytes]:
        """The block's program code and the hash of its credit class (as a verifier derives it)."""
        if block.issuance_id not in self._issuances:
            credit = self._credit_of(block.serial)
            self._issuances[block.issuance_id] = (credit.program.code, credit_class_of(credit).class_hash)
        return self._issuances[block.issuance_id]

    def classify(self, block: UnitBlockPublic) -> Classified:
        marketplace = block.marketplace
        if marketplace is None:
            return Classified(Verdict.FOREIGN, None, "no marketplace identifier")
        identifier = marketplace.identifier
        token = identifier.token_address.lower()
        if identifier.chain_id != self.chain_id:
            return Classified(Verdict.FOREIGN, None, f"names chain {identifier.chain_id}")
        if token not in self.tokens:
            return Classified(Verdict.FOREIGN, None, "names no class token of this bridge")

        def foreign(reason: str) -> Classified:
            return Classified(Verdict.FOREIGN, token, reason)

        program, block_class = self._credit(block)
        token_class = self._token_hash(token)
        if token_class is not None and token_class != block_class:
            return foreign("its credit class is not the token's class")
        batch_key = "0x" + identifier.batch_id.lower()
        recorded = self.batches.get(batch_key)
        if recorded is not None and recorded.token != token:
            return foreign("its batch is of another class token")
        if recorded is not None and recorded.active:
            if token_class is None:
                return foreign("the token has no class on-chain")
            if not _within(block, recorded):
                return foreign(f"its units are not inside the batch's serial {recorded.serial}")
            return Classified(Verdict.BACKING, token, "backs its batch")
        locked = "locked for a mint under way"
        if recorded is not None and recorded.minting and recorded.serial == block.serial:
            return Classified(Verdict.PENDING, token, locked)
        if recorded is None and self.recognize_unrecorded_locks and batch_key == batch_key_of(program, block.serial):
            return Classified(Verdict.PENDING, token, locked)
        return foreign("names no active batch of this bridge")


def _within(block: UnitBlockPublic, batch: RecordedBatch) -> bool:
    """Whether the block's units lie inside the batch's serial: same unit space, start..end within."""
    try:
        recorded = serials.parse(batch.serial, batch.registry)
    except CodedError:
        return False
    return recorded.unit_space == block.unit_space and recorded.start <= block.start <= block.end <= recorded.end
