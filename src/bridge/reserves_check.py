"""An independent proof of reserve: the chain and the registry's public API, nothing of the bridge's own.

Anyone can run it (``carbon-bridge verify-reserves``) without trusting the bridge operator: it reads the
bridge contract through any JSON-RPC node and the registry through its public search API (no key), and
checks per credit class

    units immobilized in trust for this chain and this bridge's class tokens, whose batch is active
    on-chain, x 10^18  ==  token total supply (escrowed redemptions included) + retired but unsettled

and that the contract's attested reserve (``classReserve``) agrees with its own claims.

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
from bridge.primitives import TONNE, Wei
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
    units_in_trust: int = Field(description="units in trust naming this class token (tonnes)")
    pending_mint_units: int = Field(description="of those, units whose batch is not active on-chain")
    total_supply: Wei = Field(description="wei, escrowed redemptions included")
    escrowed: Wei = Field(description="wei held by the bridge for pending redemptions")
    retired_unsettled: Wei = Field(description="wei retired on-chain, not yet retired in the registry")
    attested_reserve: int = Field(description="the contract's classReserve (tonnes)")
    backing_wei: Wei
    claims_wei: Wei
    difference_wei: Wei = Field(description="backing minus claims; 0 when ok")
    ok: bool

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return to_checksum_address(value)


class IndependentReport(BaseModel):
    ok: bool
    chain_id: int
    bridge: str
    block_number: int = Field(description="the chain was read at this block")
    trust_accounts: list[int]
    foreign_units: int = Field(description="units in those accounts that back no token of this bridge")
    classes: list[ClassCheck]


def _class_tokens(bridge: Contract, from_block: int, head: int) -> dict[str, str]:
    """Every class the bridge created (``ClassCreated``): class id -> token address (lower case)."""
    tokens: dict[str, str] = {}
    start = from_block
    while start <= head:
        end = min(start + LOG_WINDOW - 1, head)
        for log in bridge.events.ClassCreated().get_logs(from_block=start, to_block=end):
            tokens["0x" + bytes(log["args"]["classId"]).hex()] = str(log["args"]["token"]).lower()
        start = end + 1
    return tokens


def _trust_blocks(
    registry: RegistryClient, trust_account: int | None, chain_id: int, tokens: set[str]
) -> tuple[list[UnitBlockPublic], list[int], int]:
    """The immobilized blocks backing this bridge's tokens, the trust accounts they sit in, and the units
    in those accounts that name another chain or token."""
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
    blocks = registry.list_blocks(account_id=trust_account, status=BlockStatus.IMMOBILIZED.value)

    def ours(block: UnitBlockPublic) -> bool:
        marketplace = block.marketplace
        return (
            marketplace is not None
            and marketplace.identifier.chain_id == chain_id
            and marketplace.identifier.token_address.lower() in tokens
        )

    backing = [b for b in blocks if ours(b)]
    accounts = sorted({b.account_id for b in backing} | ({trust_account} if trust_account else set()))
    if len(accounts) > 1:
        raise RegistryError(
            f"units backing this bridge's tokens sit in several registry accounts ({accounts}); "
            "name the bridge's trust account",
            field="trust_account",
        )
    foreign = sum(b.quantity for b in blocks if not ours(b) and b.account_id in accounts)
    return backing, accounts, foreign


def _batch_active(bridge: Contract, batch_id: str, token: str, at: int) -> bool:
    """Whether the registry's batch id is an active on-chain batch of ``token``."""
    if len(batch_id) != 64 or any(c not in "0123456789abcdefABCDEF" for c in batch_id):
        return False
    batch_token, _remaining, status = bridge.functions.batch(HexBytes(batch_id)).call(block_identifier=at)
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
    tokens = _class_tokens(bridge, from_block, head)
    blocks, accounts, foreign = _trust_blocks(registry, trust_account, chain_id, set(tokens.values()))
    in_trust: dict[str, int] = defaultdict(int)
    unminted: dict[str, int] = defaultdict(int)
    for block in blocks:
        assert block.marketplace is not None
        identifier = block.marketplace.identifier
        token = identifier.token_address.lower()
        in_trust[token] += block.quantity
        if not _batch_active(bridge, identifier.batch_id, token, head):
            unminted[token] += block.quantity

    def read(function: str, class_id: str) -> int:
        return int(getattr(bridge.functions, function)(HexBytes(class_id)).call(block_identifier=head))

    classes: list[ClassCheck] = []
    for class_id, token in sorted(tokens.items(), key=lambda item: item[1]):
        supply = int(deployment.token_at(token).functions.totalSupply().call(block_identifier=head))
        unsettled = read("retiredUnsettled", class_id)
        reserve = read("classReserve", class_id)
        backing = (in_trust[token] - unminted[token]) * TONNE
        claims = supply + unsettled
        classes.append(
            ClassCheck(
                class_id=class_id,
                token=token,
                units_in_trust=in_trust[token],
                pending_mint_units=unminted[token],
                total_supply=supply,
                escrowed=read("escrowed", class_id),
                retired_unsettled=unsettled,
                attested_reserve=reserve,
                backing_wei=backing,
                claims_wei=claims,
                difference_wei=backing - claims,
                ok=backing == claims and reserve * TONNE == claims,
            )
        )
    return IndependentReport(
        ok=all(c.ok for c in classes),
        chain_id=chain_id,
        bridge=deployment.address,
        block_number=head,
        trust_accounts=accounts,
        foreign_units=foreign,
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
