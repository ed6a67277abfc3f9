"""A pool as the API shows it, read from the chain now: its rules, composition, supply, fee and caps, and
whether a class may be deposited (the rule that refuses it, in a sentence a trader can act on)."""

from __future__ import annotations

from datetime import UTC

from bridge.chain.attestation import Adjustment, CreditClass
from bridge.pools.contract import NO_CAP, PoolHandle
from bridge.pools.repository import PoolRecord
from bridge.pools.rules import LABEL_NAMES, EligibilityReason, PoolRules
from bridge.pools.schemas import (
    ClassAttributes,
    PoolClassPublic,
    PoolEligibilityPublic,
    PoolPublic,
    PoolRulesPublic,
)


def pool_public(row: PoolRecord, pool: PoolHandle) -> PoolPublic:
    """The pool of ``row`` as the API shows it, read from the chain now."""
    calls = pool.contract.functions
    supply = pool.total_supply()
    composition = [
        PoolClassPublic(
            token=token,
            class_id="0x" + holding.credit_class.class_id.hex(),
            amount=str(holding.amount),
            share_bps=holding.amount * 10_000 // supply if supply else 0,
            cap=_cap(pool.class_cap(token)),
            attributes=attributes_of(holding.credit_class),
        )
        for token, holding in sorted(pool.composition().items(), key=lambda item: -item[1].amount)
    ]
    return PoolPublic(
        address=row.address,
        name=row.name,
        symbol=row.symbol,
        preset=row.preset,
        rules=PoolRulesPublic.model_validate(pool.rules().model_dump()),  # its labels dump as their names
        rules_version=pool.rules_version(),
        fee_bps=pool.fee_bps(),
        fee_recipient=str(calls.feeRecipient().call()),
        total_supply=str(supply),
        supply_cap=_cap(pool.supply_cap()),
        default_class_cap=_cap(int(calls.defaultClassCap().call())),
        paused=bool(calls.paused().call()),
        composition=composition,
        # SQLite gives back naive datetimes (stored as UTC): the API always says UTC
        created_at=row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
    )


def pool_eligibility(row: PoolRecord, pool: PoolHandle, token: str) -> PoolEligibilityPublic:
    """Whether ``token`` may be deposited into the pool now, and if not, the first rule it fails."""
    eligible, reason = pool.is_eligible(token)
    credit_class = None if reason is EligibilityReason.NOT_BRIDGE_TOKEN else pool.credit_class(token)
    rule, message = explain(reason, pool.rules(), credit_class)
    return PoolEligibilityPublic(
        pool=row.address,
        token=token,
        eligible=eligible,
        reason=reason.name.lower(),
        rule=rule,
        message=message,
        attributes=None if credit_class is None else attributes_of(credit_class),
        class_balance=str(pool.class_balance(token)),
        class_cap=_cap(pool.class_cap(token)),
    )


def attributes_of(credit_class: CreditClass) -> ClassAttributes:
    """The class's attributes as pools show them: the same fields, labels and adjustment as names."""
    adjustment = credit_class.adjustment
    return ClassAttributes.model_validate(
        {
            **credit_class.model_dump(exclude={"labels", "adjustment"}),
            "labels": [name for name, label in LABEL_NAMES.items() if int(credit_class.labels) & label],
            "adjustment": adjustment.name if isinstance(adjustment, Adjustment) else str(adjustment),
        }
    )


def explain(reason: EligibilityReason, rules: PoolRules, c: CreditClass | None) -> tuple[str | None, str]:
    """The rule (a field of ``PoolRules``) behind ``reason``, and a sentence a trader can act on."""
    if reason is EligibilityReason.ELIGIBLE:
        return None, "the class meets every rule of the pool"
    if reason is EligibilityReason.NOT_BRIDGE_TOKEN or c is None:
        return None, "not a class token of this bridge"
    label_rules = {
        EligibilityReason.NOT_CCP_APPROVED: "CCP_APPROVED",
        EligibilityReason.NOT_CORSIA_ELIGIBLE: "CORSIA_ELIGIBLE",
        EligibilityReason.NOT_REMOVAL: "REMOVAL",
        EligibilityReason.NOT_ARTICLE6_AUTHORIZED: "ARTICLE6_AUTHORIZED",
    }
    if reason in label_rules:
        return "required_labels", f"the pool requires the {label_rules[reason]} label, which the class lacks"
    explained = {
        EligibilityReason.PROGRAM_NOT_ALLOWED: (
            "programs",
            f"program {c.program} is not one of the pool's programs ({', '.join(rules.programs)})",
        ),
        EligibilityReason.METHODOLOGY_NOT_ALLOWED: (
            "methodologies",
            f"methodology {c.methodology or '(none)'} is not one of the pool's methodologies",
        ),
        EligibilityReason.METHODOLOGY_DENIED: ("denied_methodologies", f"methodology {c.methodology} is denied"),
        EligibilityReason.VINTAGE_TOO_OLD: (
            "min_vintage_start",
            f"the vintage starts {c.vintage_start}, before the pool's minimum {rules.min_vintage_start}",
        ),
        EligibilityReason.HOST_COUNTRY_NOT_ALLOWED: (
            "host_countries",
            f"host country {c.host_country} is not one of the pool's ({', '.join(rules.host_countries)})",
        ),
        EligibilityReason.NO_CORRESPONDING_ADJUSTMENT: (
            "require_corresponding_adjustment",
            "the pool requires a completed corresponding adjustment",
        ),
    }
    return explained[reason]


def _cap(value: int) -> str | None:
    return None if value >= NO_CAP else str(value)
