"""Retirement certificates: what a ``Retired`` event recorded, the names a retiree disclosed later (checked
against the on-chain hash), and how a certificate reads, to people and to the registry that settles it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bridge.chain.retirement import Purpose, RecordedDetails, country_name, jurisdiction_name
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.schemas import RetirementPublic, RetirementSettlementPublic
from bridge.engine.store import Retirement, Settlement
from bridge.primitives import format_tonnes


def recorded(row: Retirement) -> RecordedDetails:
    """The details of ``row`` as its event recorded them (rows of an older engine: beneficiary and reason)."""
    if row.details:
        return RecordedDetails.model_validate(row.details)
    return RecordedDetails(beneficiary_name=row.beneficiary, reason=row.reason)


def awaiting_disclosure(row: Retirement) -> bool:
    """The names are on-chain only as a hash, and nobody gave the bridge the preimage yet."""
    return row.personal_data_hash is not None and row.disclosed is None


def beneficiary_of(row: Retirement) -> str:
    """The beneficiary as a certificate and the registry name it."""
    if awaiting_disclosure(row):
        return f"undisclosed (personal data hash {row.personal_data_hash})"
    return row.beneficiary


def retiring_entity_of(row: Retirement) -> str:
    if row.disclosed is not None:
        return str(row.disclosed.get("retiring_entity", ""))
    return recorded(row).retiring_entity


def status_of(row: Retirement) -> str:
    if row.dropped:
        return "dropped"
    if row.settled >= row.amount:
        return "settled"
    if row.settled > 0:
        return "partly_settled"
    return "awaiting_disclosure" if awaiting_disclosure(row) else "unsettled"


def settlement_line(row: Retirement, amount: int) -> str:
    """One certificate as the registry retirement's details record it: everything the retiree stated."""
    details = recorded(row)
    parts = [f"certificate {row.certificate_id}: {format_tonnes(amount)} t for {beneficiary_of(row)}"]
    if details.beneficiary_address:
        parts.append(f"beneficiary address {details.beneficiary_address}")
    entity = retiring_entity_of(row)
    if entity:
        parts.append(f"retired by {entity}")
    parts.append(f"purpose {details.purpose}")
    if details.consumption_country or details.consumption_start:
        period = (
            f" {details.consumption_start}..{details.consumption_end}" if details.consumption_start is not None else ""
        )
        parts.append(f"consumption {details.consumption_country or ''}{period}".replace("  ", " "))
    if details.claim_jurisdiction:
        parts.append(f"claim jurisdiction {details.claim_jurisdiction}")
    if details.reason:
        parts.append(f"reason: {details.reason}")
    return "; ".join(parts)


def _purpose_text(label: str) -> str:
    try:
        return Purpose.parse(label).text
    except ValueError:
        return "a purpose code the bridge does not know"


def certificate_public(
    row: Retirement, settlements: Iterable[Settlement] = (), class_name: str | None = None
) -> RetirementPublic:
    """``row`` as a certificate, with the settlements (among ``settlements``) that settled part of it."""
    details = recorded(row)
    settled_by = []
    for settlement in settlements:
        for allocation in settlement.allocations:
            if int(allocation["certificate_id"]) == row.certificate_id:
                settled_by.append(
                    RetirementSettlementPublic(
                        settlement_id=settlement.id,
                        amount=int(allocation["amount"]),
                        step=str(settlement.step),
                        registry_serials=list(settlement.registry_retirements or []),
                        tx_hash=settlement.tx_hash,
                    )
                )
    return RetirementPublic(
        certificate_id=row.certificate_id,
        class_id=row.class_id,
        class_name=class_name,
        retiree=row.retiree,
        amount=str(row.amount),
        tonnes=format_tonnes(row.amount),
        settled=str(row.settled),
        status=status_of(row),
        beneficiary=beneficiary_of(row),
        beneficiary_address=details.beneficiary_address,
        retiring_entity=retiring_entity_of(row),
        purpose=details.purpose,
        purpose_text=_purpose_text(details.purpose),
        consumption_country=details.consumption_country,
        consumption_start=details.consumption_start,
        consumption_end=details.consumption_end,
        claim_jurisdiction=details.claim_jurisdiction,
        consumption_country_name=country_name(details.consumption_country) if details.consumption_country else None,
        claim_jurisdiction_name=jurisdiction_name(details.claim_jurisdiction) if details.claim_jurisdiction else None,
        reason=row.reason,
        personal_data_hash=row.personal_data_hash,
        disclosed=not awaiting_disclosure(row),
        unknown_codes=details.unknown,
        tx_hash=row.event_tx,
        block_number=row.event_block,
        dropped=row.dropped,
        created_at=row.created_at,
        settlements=settled_by,
    )


def check_disclosure(row: Retirement | None, certificate_id: int, digest: str, names: Sequence[str]) -> None:
    """Refuse a disclosure that does not fit ``row``: no such certificate, names already on-chain, or a
    preimage whose hash (``digest``) is not the on-chain one."""
    if row is None:
        raise BridgeError(
            f"no retirement certificate {certificate_id} (yet)", code=BridgeErrorCode.NOT_FOUND, field="certificate_id"
        )
    if row.personal_data_hash is None:
        raise BridgeError(
            f"certificate {certificate_id} names its beneficiary on-chain; there is nothing to disclose",
            code=BridgeErrorCode.PERSONAL_DATA_NOT_HASHED,
            field="certificate_id",
        )
    if digest != row.personal_data_hash:
        raise BridgeError(
            f"these names and salt hash to {digest}, not to the certificate's {row.personal_data_hash}",
            code=BridgeErrorCode.PERSONAL_DATA_MISMATCH,
            field="salt",
            details={"expected": row.personal_data_hash, "got": digest},
        )
    if row.disclosed is not None and [row.disclosed["beneficiary_name"], row.disclosed["retiring_entity"]] != list(
        names
    ):  # another preimage of the same hash: impossible in practice, refused all the same
        raise BridgeError(
            "this certificate's personal data was disclosed already, differently",
            code=BridgeErrorCode.PERSONAL_DATA_MISMATCH,
            field="beneficiary_name",
        )


def disclosed_now(beneficiary_name: str, retiring_entity: str) -> dict[str, str]:
    return {
        "beneficiary_name": beneficiary_name,
        "retiring_entity": retiring_entity,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
