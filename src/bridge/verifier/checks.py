"""What a verifier checks before it signs a batch of locks: each lock as the registry shows it, read by the
verifier itself. Nothing the engine claims is taken on trust; the leaf is only what is to be signed.

For each leaf, the registry's lock of that id must exist and:

* name the leaf's serial and unit range, and lie in the bridge's trust account;
* have all its units still there: the blocks holding them are immobilized in the trust account under this
  lock, unfrozen, and add up to the lock's quantity (nothing released, retired or split off elsewhere);
* carry the marketplace identifier of exactly this mint: this chain, the class token the bridge predicts
  for the leaf's class, the batch key of (registry, serial) and the leaf's recipient;
* be of the leaf's class: the class derived from the registry's credit (``credit_class_of``, as every
  verifier derives it) equals the leaf's, and the leaf's registry is the credit's program;
* pass the verifier's own eligibility policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bridge.chain.attestation import CreditClass, Lock
from bridge.engine.classes import credit_class_of
from bridge.engine.errors import BridgeError
from bridge.engine.policy import EligibilityPolicy
from bridge.errors import CodedError
from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.schemas import LockedCredit
from bridge.registry.views.lookup import MAX_LOCKS_PER_READ
from bridge.verifier.errors import VerifierError, VerifierErrorCode


class LockReader(Protocol):
    """The registry read a verifier needs (public: any registry client answers it): the locks of a batch,
    each with its credit, in one request."""

    def get_locked_credits(self, lock_ids: Sequence[int]) -> list[LockedCredit]: ...


@dataclass
class LockChecks:
    """The checks of one verifier: its registry reader, the chain and trust account it attests for, the
    token predictor (the bridge's ``predictClassToken``) and its policy."""

    registry: LockReader
    chain_id: int
    trust_account: int
    predict_token: Callable[[CreditClass], str]
    policy: EligibilityPolicy = field(default_factory=EligibilityPolicy)

    def check_all(self, locks: Sequence[Lock]) -> None:
        """Check every lock (``lock_refused`` naming the first that fails; ``verifier_source_unavailable``
        when the registry or the chain cannot be read)."""
        shown: dict[int, LockedCredit] = {}
        ids = list(dict.fromkeys(lock.lock_id for lock in locks))
        for start in range(0, len(ids), MAX_LOCKS_PER_READ):
            try:
                found = self.registry.get_locked_credits(ids[start : start + MAX_LOCKS_PER_READ])
            except CodedError as exc:
                if exc.http_status >= 500:
                    raise _source_down(exc) from exc
                raise VerifierError(
                    f"the registry refused to show the batch's locks: {exc.message}",
                    code=VerifierErrorCode.LOCK_REFUSED,
                    field="leaves",
                    details={"reason": str(exc.code)},
                ) from exc
            shown.update((read.lock.lock_id, read) for read in found)
        for index, lock in enumerate(locks):
            self.check(index, lock, shown.get(lock.lock_id))

    def check(self, index: int, lock: Lock, read: LockedCredit | None) -> None:
        def refuse(reason: str) -> VerifierError:
            return VerifierError(
                f"leaves[{index}] (lock {lock.lock_id}): {reason}",
                code=VerifierErrorCode.LOCK_REFUSED,
                field=f"leaves[{index}]",
                details={"lock_id": lock.lock_id, "reason": reason},
            )

        if read is None:
            raise refuse(f"the registry shows no such lock ({RegistryErrorCode.LOCK_NOT_FOUND})")
        shown, credit = read.lock, read.credit
        if (shown.serial, shown.start, shown.end) != (lock.serial, lock.block_start, lock.block_end):
            raise refuse(f"the registry locked {shown.serial} (units {shown.start}..{shown.end})")
        if shown.trust_account_id != self.trust_account:
            raise refuse(f"locked in account {shown.trust_account_id}, not the bridge's trust account")
        for block in shown.blocks:
            if block.status != BlockStatus.IMMOBILIZED or block.account_id != self.trust_account:
                raise refuse(f"units {block.start}..{block.end} are {block.status} in account {block.account_id}")
            if block.lock_id != lock.lock_id:
                raise refuse(f"units {block.start}..{block.end} sit under lock {block.lock_id}")
            if block.frozen:
                raise refuse(f"units {block.start}..{block.end} are frozen by the registry")
        if sum(block.quantity for block in shown.blocks) != shown.quantity:
            raise refuse("not every unit of the lock is in the registry's blocks")
        identifier = shown.marketplace.identifier
        try:
            token = self.predict_token(lock.credit_class)
        except CodedError as exc:
            raise _source_down(exc) from exc
        expected = (self.chain_id, token.lower(), lock.batch_key.hex(), lock.recipient.lower())
        named = (
            identifier.chain_id,
            identifier.token_address.lower(),
            identifier.batch_id.lower().removeprefix("0x"),
            (identifier.recipient or "").lower(),
        )
        if named != expected:
            raise refuse(f"locked for {identifier}, not for this chain, class token, batch and recipient")
        if credit is None:
            raise refuse(f"the registry shows no credit for it ({RegistryErrorCode.BLOCK_NOT_FOUND})")
        if lock.registry != credit.program.code:
            raise refuse(f"registry {lock.registry} is not the credit's program {credit.program.code}")
        if credit_class_of(credit) != lock.credit_class:
            raise refuse("the class differs from the registry's project and issuance")
        try:
            self.policy.check(credit)
        except BridgeError as exc:
            raise refuse(f"policy {exc.field}: {exc.message}") from exc


def _source_down(exc: CodedError) -> VerifierError:
    return VerifierError(
        f"cannot read what to check: {exc.message}",
        code=VerifierErrorCode.SOURCE_UNAVAILABLE,
        details={"cause": str(exc.code)},
    )
