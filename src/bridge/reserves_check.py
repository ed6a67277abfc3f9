"""An independent proof of reserve: the chain and the registry's public API, nothing of the bridge's own.

Anyone can run it (``carbon-bridge verify-reserves``) without trusting the bridge operator: it reads the
bridge contract through any JSON-RPC node and the registry through its public search API (no key), and
checks per credit class

    units immobilized in trust that back an active batch of the class, x wei per unit (the class's
    ``weiPerUnit``: 10^18 when the registry counts tonnes, 10^15 when it counts kilograms)
        ==  token total supply (escrowed redemptions included) + retired but unsettled

and that the contract's attested reserve (``classReserve``) agrees with its own claims. Which trust blocks
back a batch is ``bridge.engine.backing``'s rule, the bridge's own proof of reserve applies the same: the
block names this chain, the class token and the batch, its units lie inside the serial the batch was
minted for (the ``BatchBridged`` event), and its registry credit hashes to the token's ``classHash()``.
Anything else in the trust account is reported as foreign (per class when it names one of the bridge's
tokens), never counted, so units a holder puts into the trust account can neither hide a shortfall nor
fake one.

What it cannot see are the bridge engine's flows half-way, so a check taken while one is in flight can
show a transient difference that the next check does not:

* a redemption whose units the registry already released but whose ``finalizeRedemption`` is not yet
  mined: backing is short by those units while the escrowed tokens are still in the supply;
* a settlement whose units the registry already retired from trust but whose ``settleRetirements`` is
  not yet mined: backing is short by those units while they are still counted as retired-unsettled.

Both last seconds on a running bridge (``retries`` re-checks before calling a difference a mismatch).
Units locked but not yet minted are not a difference: their batch is not active on-chain, so they are
reported as ``pending_mint_units`` and left out of the backing. The chain is read at one block, the
registry just after it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Final

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from pydantic import BaseModel, Field, field_validator
from web3 import Web3
from web3.contract import Contract

from bridge.chain.deploy import attach_bridge
from bridge.engine.backing import BackingRules, RecordedBatch, Tally, Verdict, balance, token_class_hash
from bridge.primitives import Wei
from bridge.registry.client import RegistryClient
from bridge.registry.enums import AccountKind, BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.schemas import UnitBlockPublic

LOG_WINDOW: Final = 50_000
"""Blocks per ``eth_getLogs`` query (public nodes cap the range of one query)."""
_ACTIVE: Final = 1


class ClassCheck(BaseModel):
    """One class: what the registry holds in trust for it against what the chain claims on it."""

    class_id: str
    token: str
    units_in_trust: int = Field(description="registry units in trust backing this class's batches or locked for one")
    pending_mint_units: int = Field(description="of those, units locked for a batch not yet active on-chain")
    foreign_units: int = Field(default=0, description="units in trust naming this class token, backing none of it")
    foreign_serials: list[str] = Field(default_factory=list, description="their serials (the first 50)")
    total_supply: Wei = Field(description="wei, escrowed redemptions included")
    escrowed: Wei = Field(description="wei held by the bridge for pending redemptions")
    retired_unsettled: Wei = Field(description="wei retired on-chain, not yet retired in the registry")
    attested_reserve: int = Field(description="the contract's classReserve (registry units)")
    backing_wei: Wei
    claims_wei: Wei
    difference_wei: Wei = Field(description="backing minus claims; 0 when ok")
    ok: bool
    under_backed: bool = Field(default=False, description="claims exceed backing")

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return to_checksum_address(value)


class IndependentReport(BaseModel):
    ok: bool
    under_backed: bool = Field(default=False, description="some class's claims exceed its backing")
    chain_id: int
    bridge: str
    block_number: int = Field(description="the chain was read at this block")
    trust_accounts: list[int]
    foreign_units: int = Field(description="units in those accounts that name no class token of this bridge")
    foreign_serials: list[str] = Field(default_factory=list, description="their serials (the first 50)")
    classes: list[ClassCheck]


def _bridge_records(
    bridge: Contract, from_block: int, head: int
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """Every class the bridge created (``ClassCreated``: class id -> token, lower case) and every batch it
    minted (``BatchBridged``: batch key -> registry, serial, class id; a serial bridged again keeps its key)."""
    tokens: dict[str, str] = {}
    batches: dict[str, tuple[str, str, str]] = {}
    start = from_block
    while start <= head:
        end = min(start + LOG_WINDOW - 1, head)
        for log in bridge.events.ClassCreated().get_logs(from_block=start, to_block=end):
            tokens["0x" + bytes(log["args"]["classId"]).hex()] = str(log["args"]["token"]).lower()
        for log in bridge.events.BatchBridged().get_logs(from_block=start, to_block=end):
            args = log["args"]
            batches["0x" + bytes(args["batchKey"]).hex()] = (
                str(args["registry"]),
                str(args["serial"]),
                "0x" + bytes(args["classId"]).hex(),
            )
        start = end + 1
    return tokens, batches


def _trust_blocks(registry: RegistryClient, trust_account: int | None) -> list[UnitBlockPublic]:
    """The immobilized blocks of the trust account (every trust account's when it is not named)."""
    if trust_account is not None:
        try:
            account = registry.get_account(trust_account)
        except RegistryError as exc:
            if exc.code is RegistryErrorCode.UNKNOWN_ACCOUNT:
                raise RegistryError(exc.message, code=exc.code, field="trust_account") from exc
            raise
        if account.kind != AccountKind.TRUST:
            raise RegistryError(
                f"registry account {trust_account} is a {account.kind} account, not a trust account",
                code=RegistryErrorCode.WRONG_ACCOUNT_KIND,
                field="trust_account",
            )
    return registry.list_blocks(account_id=trust_account, status=BlockStatus.IMMOBILIZED.value)


def _batch_active(bridge: Contract, batch_key: str, token: str, at: int) -> bool:
    """Whether batch ``batch_key`` is active on-chain in ``token``."""
    batch_token, _remaining, status = bridge.functions.batch(HexBytes(batch_key)).call(block_identifier=at)
    return int(status) == _ACTIVE and str(batch_token).lower() == token


def check_reserves(
    w3: Web3,
    bridge_address: str,
    registry: RegistryClient,
    *,
    trust_account: int | None = None,
    from_block: int = 0,
) -> IndependentReport:
    """One independent check of every class of the bridge at ``bridge_address`` (see the module doc)."""
    deployment = attach_bridge(w3, bridge_address)
    bridge = deployment.bridge
    head = int(w3.eth.block_number)
    chain_id = int(w3.eth.chain_id)
    tokens, minted = _bridge_records(bridge, from_block, head)
    blocks = _trust_blocks(registry, trust_account)
    named = {"0x" + b.marketplace.identifier.batch_id.lower() for b in blocks if b.marketplace is not None}
    batches: dict[str, RecordedBatch] = {}
    for batch_key in sorted(named & set(minted)):
        registry_code, serial, class_id = minted[batch_key]
        token = tokens.get(class_id, "")
        batches[batch_key] = RecordedBatch(
            batch_key, registry_code, serial, token, bool(token) and _batch_active(bridge, batch_key, token, head)
        )
    rules = BackingRules(
        chain_id=chain_id,
        tokens=set(tokens.values()),
        batches=batches,
        token_class_hash=lambda token: token_class_hash(deployment.token_at(token), at=head),
        credit_of=registry.get_credit,
        recognize_unrecorded_locks=True,  # a mint under way has no BatchBridged yet
    )
    verdicts = [(block, rules.classify(block)) for block in blocks]
    # the bridge's trust account: where the blocks that back (or are locked for) its batches sit
    accounts = sorted(
        {b.account_id for b, v in verdicts if v.verdict is not Verdict.FOREIGN}
        | ({trust_account} if trust_account else set())
    )
    if len(accounts) > 1:
        raise RegistryError(
            f"units backing this bridge's tokens sit in several registry accounts ({accounts}); "
            "name the bridge's trust account",
            field="trust_account",
        )
    held: dict[str, Tally] = defaultdict(Tally)
    unclaimed = Tally()
    for block, verdict in verdicts:
        if block.account_id in accounts:
            (unclaimed if verdict.token is None else held[verdict.token]).add(verdict.verdict, block)

    def read(function: str, class_id: str) -> int:
        return int(getattr(bridge.functions, function)(HexBytes(class_id)).call(block_identifier=head))

    classes: list[ClassCheck] = []
    for class_id, token in sorted(tokens.items(), key=lambda item: item[1]):
        supply = int(deployment.token_at(token).functions.totalSupply().call(block_identifier=head))
        unsettled = read("retiredUnsettled", class_id)
        reserve = read("classReserve", class_id)
        wei_per_unit = read("weiPerUnit", class_id)  # a registry unit: a tonne, or a kilogram
        units = held[token]
        backing = units.backing * wei_per_unit
        claims = supply + unsettled
        classes.append(
            ClassCheck(
                class_id=class_id,
                token=token,
                units_in_trust=units.backing + units.pending,
                pending_mint_units=units.pending,
                foreign_units=units.foreign,
                foreign_serials=units.foreign_serials,
                total_supply=supply,
                escrowed=read("escrowed", class_id),
                retired_unsettled=unsettled,
                attested_reserve=reserve,
                backing_wei=backing,
                claims_wei=claims,
                **balance(backing_wei=backing, claims_wei=claims, attested_units=reserve, wei_per_unit=wei_per_unit),
            )
        )
    return IndependentReport(
        ok=all(c.ok for c in classes),
        under_backed=any(c.under_backed for c in classes),
        chain_id=chain_id,
        bridge=deployment.address,
        block_number=head,
        trust_accounts=accounts,
        foreign_units=unclaimed.foreign,
        foreign_serials=unclaimed.foreign_serials,
        classes=classes,
    )


def check_until_settled(
    check: Callable[[], IndependentReport],
    *,
    retries: int = 0,
    delay: float = 2.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> IndependentReport:
    """Check, and on a difference check again up to ``retries`` times: an in-flight flow settles, a real
    mismatch stays."""
    report = check()
    for _ in range(retries):
        if report.ok:
            break
        sleep(delay)
        report = check()
    return report
