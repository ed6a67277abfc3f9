"""Proof of reserve: per class, the registry's trust units against the chain's claims on them.

    (units in trust - units locked but not yet minted
       + units released or retired in the registry whose on-chain record is still pending) x 10^18
    == total supply (escrowed redemptions included) + retired on-chain but not yet settled

Units "locked but not yet minted" are read from the registry itself: a trust block whose marketplace
batch id is not an active batch on-chain. The two pending terms come from the engine's flows and are
zero whenever no flow is half-way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from bridge.chain.bridge_contract import BridgeChain
from bridge.engine.ports import RegistryReader
from bridge.engine.schemas import ClassReserve, ReserveReport
from bridge.engine.settle import settlement_id
from bridge.engine.store import Batch, EngineStore, RedeemStep, Redemption, Settlement, SettleStep
from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus


def _pending_registry_units(store: EngineStore, chain: BridgeChain) -> tuple[dict[str, int], dict[str, int]]:
    """Units already out of trust whose on-chain finalization/settlement has not happened yet."""
    releases: dict[str, int] = defaultdict(int)
    settlements: dict[str, int] = defaultdict(int)
    with store.session() as session:
        for redemption in session.scalars(
            select(Redemption).where(Redemption.step.in_((RedeemStep.RELEASING, RedeemStep.RELEASED)))
        ):
            if chain.redemption_status(redemption.id) == "pending":
                releases[redemption.class_id] += sum(int(i["tonnes"]) for i in redemption.plan or [] if i["done"])
        for settlement in session.scalars(select(Settlement).where(Settlement.step != SettleStep.COMPLETED)):
            if not chain.is_settlement_recorded(settlement_id(chain, settlement.id)):
                settlements[settlement.class_id] += sum(int(i["tonnes"]) for i in settlement.plan if i["done"])
    return releases, settlements


def _is_batch_key(value: str) -> bool:
    return len(value) == 66 and all(c in "0123456789abcdefABCDEF" for c in value[2:])


def proof_of_reserve(
    *, store: EngineStore, chain: BridgeChain, registry: RegistryReader, trust_account: int
) -> ReserveReport:
    block_number = chain.head()
    trust_units: dict[str, int] = defaultdict(int)
    unminted: dict[str, int] = defaultdict(int)
    batch_status: dict[str, str] = {}
    for block in registry.list_blocks(account_id=trust_account, status=BlockStatus.IMMOBILIZED.value):
        if block.marketplace is None:
            continue
        token = block.marketplace.identifier.token_address.lower()
        trust_units[token] += block.quantity
        batch_key = "0x" + block.marketplace.identifier.batch_id
        if batch_key not in batch_status:
            # a batch id that is not a bridge batch key (another marketplace's lock) backs no token here
            batch_status[batch_key] = chain.batch(batch_key)[2] if _is_batch_key(batch_key) else "foreign"
        if batch_status[batch_key] != "active":
            unminted[token] += block.quantity
    with store.session() as session:
        known = {b.token_address.lower(): b.class_id for b in session.scalars(select(Batch))}
    releases, settlements = _pending_registry_units(store, chain)
    classes: list[ClassReserve] = []
    for token in sorted(set(trust_units) | set(known)):
        class_id = known.get(token)
        on_chain = class_id is not None and chain.class_token(class_id) is not None
        supply = chain.total_supply(token) if on_chain else 0
        escrowed = chain.escrowed(class_id) if on_chain and class_id else 0
        unsettled = chain.retired_unsettled(class_id) if on_chain and class_id else 0
        reserve = chain.class_reserve(class_id) if on_chain and class_id else 0
        pending_release = releases.get(class_id or "", 0)
        pending_settlement = settlements.get(class_id or "", 0)
        backing = (trust_units[token] - unminted[token] + pending_release + pending_settlement) * TONNE
        claims = supply + unsettled
        classes.append(
            ClassReserve(
                class_id=class_id or "",
                token=token,
                units_in_trust=trust_units[token],
                total_supply=supply,
                escrowed=escrowed,
                retired_unsettled=unsettled,
                pending_mint_units=unminted[token],
                pending_release_units=pending_release,
                pending_settlement_units=pending_settlement,
                attested_reserve=reserve,
                ok=backing == claims and reserve * TONNE == claims,
                difference_wei=backing - claims,
            )
        )
    return ReserveReport(
        ok=all(c.ok for c in classes), classes=classes, checked_at=datetime.now(UTC), block_number=block_number
    )
