"""A verifier: an independent signer that re-reads the registry before attesting a mint.

It holds its own key and trusts nothing the engine says about the credit: it looks the serial up
in the registry itself and signs only if the block is immobilized in the bridge's trust account for
exactly this token batch, the quantity and class attributes match what the registry shows, and the
credit passes its own policy. It never signs two different mints of one serial block.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount

from bridge.chain.attestation import Attestation, CreditClass, sign_attestation
from bridge.engine.classes import credit_class_of
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.ports import RegistryReader
from bridge.errors import CodedError
from bridge.registry.enums import BlockStatus

MAX_DEADLINE_SECONDS = 24 * 3600


def _content_key(attestation: Attestation) -> str:
    """What must never change between two signatures of one serial block (nonce and deadline may)."""
    body = attestation.model_dump(mode="json", exclude={"nonce", "deadline"})
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class SignedMemory:
    """What a verifier has signed, per serial block (batch key -> content key): in memory, or durable in
    a SQLite file of the verifier's own (not the engine's database: the verifier trusts only itself).

    A durable memory is written before the signature is returned, so a restarted verifier still refuses
    to sign a different mint of a block it attested before.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self._memory: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS signed (batch TEXT PRIMARY KEY, content TEXT NOT NULL)")
            self._memory.update(dict(self._db.execute("SELECT batch, content FROM signed")))

    def get(self, batch_id: str) -> str | None:
        return self._memory.get(batch_id)

    def remember(self, batch_id: str, content: str) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR IGNORE INTO signed (batch, content) VALUES (?, ?)", (batch_id, content))
        self._memory.setdefault(batch_id, content)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@dataclass
class Verifier:
    name: str
    account: LocalAccount
    registry: RegistryReader
    policy: EligibilityPolicy
    chain_id: int
    bridge_address: str
    trust_account: int
    predict_token: Callable[[CreditClass], str]
    clock: Callable[[], float] = time.time
    memory: SignedMemory = field(default_factory=SignedMemory)

    @property
    def address(self) -> str:
        return str(self.account.address)

    def attest(self, attestation: Attestation) -> bytes:
        """The verifier's signature, or ``attestation_refused`` saying what did not match."""

        def refuse(field_name: str, message: str) -> BridgeError:
            return BridgeError(f"{self.name}: {message}", code=BridgeErrorCode.ATTESTATION_REFUSED, field=field_name)

        try:
            credit = self.registry.get_credit(attestation.serial)
        except CodedError as exc:
            raise refuse("serial", f"the registry does not show {attestation.serial}: {exc.message}") from exc
        block = credit.block
        if block.status != BlockStatus.IMMOBILIZED or block.account_id != self.trust_account:
            raise refuse("serial", f"block is {block.status} in account {block.account_id}, not in trust")
        if block.frozen:
            raise refuse("serial", "block is frozen by the registry")
        if attestation.credit_class != credit_class_of(credit):
            raise refuse("credit_class", "class attributes differ from the registry's project and issuance")
        market = block.marketplace
        batch_id = attestation.batch_key.hex()
        if market is None:
            raise refuse("serial", "block carries no marketplace identifier")
        token = self.predict_token(attestation.credit_class)
        if (
            market.identifier.chain_id != self.chain_id
            or market.identifier.token_address.lower() != token.lower()
            or market.identifier.batch_id != batch_id
        ):
            raise refuse("serial", f"block is locked for {market.identifier}, not {self.chain_id}:{token}:{batch_id}")
        if attestation.registry != credit.program.code:
            raise refuse("registry", f"registry {attestation.registry} != {credit.program.code}")
        if (attestation.block_start, attestation.block_end, attestation.quantity) != (
            block.start,
            block.end,
            block.quantity,
        ):
            raise refuse("quantity", f"block is {block.start}-{block.end} ({block.quantity} t)")
        if attestation.deadline > self.clock() + MAX_DEADLINE_SECONDS:
            raise refuse("deadline", "deadline is too far in the future")
        try:
            self.policy.check(credit)
        except BridgeError as exc:
            raise refuse(exc.field or "policy", exc.message) from exc
        content = _content_key(attestation)
        earlier = self.memory.get(batch_id)
        if earlier is not None and earlier != content:
            raise refuse("recipient", "this serial block was already attested for a different mint")
        self.memory.remember(batch_id, content)
        return sign_attestation(attestation, self.account.key, chain_id=self.chain_id, bridge=self.bridge_address)
