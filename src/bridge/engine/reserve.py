"""Proof of reserve: per class, the registry's trust units that back its batches against the chain's claims.

    (units in trust backing an active batch
       + units released or retired in the registry whose on-chain record is still pending) x wei per unit
    == total supply (escrowed redemptions included) + retired on-chain but not yet settled

Which trust blocks back a batch is ``bridge.engine.backing``'s rule (the one ``verify-reserves`` applies
too): the block names this chain, the class token and the batch, lies inside the serial the batch was
minted for, and its registry credit hashes to the token's class. Blocks locked for a mint under way are
``pending_mint_units``; anything else is foreign (``foreign_units``, with serials), never counted. The
two pending registry terms come from the engine's flows and are zero whenever no flow is half-way.
A class whose claims exceed its backing is ``under_backed``: the one thing enforcement pauses on. A unit is
the registry's (a tonne, or a kilogram for a class counted in them): ``weiPerUnit`` of the class on-chain.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from bridge.chain.bridge_contract import BridgeChain
from bridge.engine.backing import BackingRules, RecordedBatch, Tally, balance, token_class_hash
from bridge.engine.ports import RegistryReader
from bridge.engine.schemas import ClassReserve, ReserveReport
from bridge.engine.settle import settlement_id
from bridge.engine.store import (
    Batch,
    EngineStore,
    RedeemStep,
    Redemption,
    Settlement,
    SettleStep,
    Tokenization,
    TokenizeStep,
)
from bridge.engine.tokenize import ACTIVE_STEPS
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


def _recorded(store: EngineStore) -> tuple[dict[str, tuple[str, str, str, bool]], dict[str, str], set[str]]:
    """The engine's record of every batch it bridged or is bridging (batch key -> registry, serial, token,
    whether its mint is under way; the newest tokenization of a serial wins), its class tokens (token ->
    class id), and the tokens of the batches it has seen minted."""
    batches: dict[str, tuple[str, str, str, bool]] = {}
    tokens: dict[str, str] = {}
    minted: set[str] = set()
    with store.session() as session:
        rows = session.execute(
            select(
                Tokenization.batch_key,
                Tokenization.registry_code,
                Tokenization.serial,
                Tokenization.token_address,
                Tokenization.class_id,
                Tokenization.step,
            )
            .where(Tokenization.step != TokenizeStep.REJECTED, Tokenization.batch_key.is_not(None))
            .order_by(Tokenization.id)
        )
        for batch_key, registry, serial, token, class_id, step in rows:
            if batch_key and registry and serial and token and class_id:
                batches[batch_key.lower()] = (registry, serial, token.lower(), step in ACTIVE_STEPS)
                tokens[token.lower()] = class_id
        for batch in session.scalars(select(Batch)):
            tokens.setdefault(batch.token_address.lower(), batch.class_id)
            minted.add(batch.token_address.lower())
    return batches, tokens, minted


def proof_of_reserve(
    *, store: EngineStore, chain: BridgeChain, registry: RegistryReader, trust_account: int
) -> ReserveReport:
    block_number = chain.head()
    recorded, tokens, minted = _recorded(store)
    blocks = registry.list_blocks(account_id=trust_account, status=BlockStatus.IMMOBILIZED.value)
    named = {"0x" + b.marketplace.identifier.batch_id.lower() for b in blocks if b.marketplace is not None}
    batches: dict[str, RecordedBatch] = {}
    for batch_key in sorted(named & set(recorded)):
        registry_code, serial, token, minting = recorded[batch_key]
        on_chain_token, _remaining, status = chain.batch(batch_key)
        active = status == "active" and on_chain_token.lower() == token
        batches[batch_key] = RecordedBatch(batch_key, registry_code, serial, token, active, minting)
    rules = BackingRules(
        chain_id=chain.chain_id,
        tokens=set(tokens),
        batches=batches,
        token_class_hash=lambda token: token_class_hash(chain.deployment.token_at(token)),
        credit_of=registry.get_credit,
    )
    units: dict[str, Tally] = defaultdict(Tally)
    unclaimed = Tally()  # blocks naming no class of this bridge
    for block in blocks:
        verdict = rules.classify(block)
        (unclaimed if verdict.token is None else units[verdict.token]).add(verdict.verdict, block)
    releases, settlements = _pending_registry_units(store, chain)
    classes: list[ClassReserve] = []
    for token in sorted(set(units) | minted):
        class_id = tokens[token]
        held = units[token]
        on_chain = chain.class_token(class_id) is not None
        supply = chain.total_supply(token) if on_chain else 0
        escrowed = chain.escrowed(class_id) if on_chain else 0
        unsettled = chain.retired_unsettled(class_id) if on_chain else 0
        reserve = chain.class_reserve(class_id) if on_chain else 0
        wei_per_unit = chain.wei_per_unit(class_id) if on_chain else TONNE
        pending_release = releases.get(class_id, 0)
        pending_settlement = settlements.get(class_id, 0)
        backing = (held.backing + pending_release + pending_settlement) * wei_per_unit
        claims = supply + unsettled
        classes.append(
            ClassReserve(
                class_id=class_id,
                token=token,
                units_in_trust=held.backing + held.pending,
                total_supply=supply,
                escrowed=escrowed,
                retired_unsettled=unsettled,
                pending_mint_units=held.pending,
                pending_release_units=pending_release,
                pending_settlement_units=pending_settlement,
                attested_reserve=reserve,
                foreign_units=held.foreign,
                foreign_serials=held.foreign_serials,
                **balance(backing_wei=backing, claims_wei=claims, attested_units=reserve, wei_per_unit=wei_per_unit),
            )
        )
    return ReserveReport(
        ok=all(c.ok for c in classes),
        under_backed=any(c.under_backed for c in classes),
        classes=classes,
        foreign_units=unclaimed.foreign,
        foreign_serials=unclaimed.foreign_serials,
        checked_at=datetime.now(UTC),
        block_number=block_number,
    )
