"""What a retirement claims: the ``RetirementDetails`` struct of ``contracts/interfaces/IRetirementLedger.sol``,
its purposes (the one declaration of the list: the contract's comment, the API, the CLI and the docs
follow it; ``tests/chain/test_retirement_details.py`` keeps the contract in step), and the personal-data
hash that keeps names off-chain.

``RetirementDetails`` checks what a retiree sends before anything is signed (countries and subdivisions
against ISO 3166 through pycountry); ``RecordedDetails`` is what a ``Retired`` event says, taken as the
chain recorded it (a holder calling the contract directly may name a code ISO does not know: it is shown,
marked, never dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from typing import Any, Final, Self

import pycountry
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bridge.primitives import Address

MAX_NAME_BYTES: Final = 200
MAX_REASON_BYTES: Final = 500
PERSONAL_DATA_ABI: Final = ("bytes32", "string", "string")
_ZERO_HASH: Final = "0x" + "00" * 32


class Purpose(IntEnum):
    """Why credits are retired: the fixed list, its on-chain code (``RetirementDetails.purpose``), and
    ``PURPOSE_TEXT`` saying what each means."""

    UNSPECIFIED = 0
    VOLUNTARY_OFFSETTING = 1
    CORSIA = 2
    NDC = 3
    COMPLIANCE = 4
    PRODUCT_CLAIM = 5
    EVENT_CLAIM = 6
    CONTRIBUTION_CLAIM = 7
    OTHER = 8

    @property
    def label(self) -> str:
        """The name the API, the CLI and the docs use: ``voluntary_offsetting``."""
        return self.name.lower()

    @property
    def text(self) -> str:
        return PURPOSE_TEXT[self]

    @classmethod
    def parse(cls, value: str | int | Purpose) -> Purpose:
        """A purpose from its label (``voluntary_offsetting``) or code; ``ValueError`` naming the list."""
        if isinstance(value, Purpose):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        elif isinstance(value, str):
            key = value.strip().lower().replace("-", "_")
            for purpose in cls:
                if purpose.label == key:
                    return purpose
        raise ValueError(f"{value!r} is not a purpose; one of: {', '.join(p.label for p in cls)}")


PURPOSE_TEXT: Final[dict[Purpose, str]] = {
    Purpose.UNSPECIFIED: "not stated by the retiree",
    Purpose.VOLUNTARY_OFFSETTING: "voluntary offsetting of the beneficiary's own emissions",
    Purpose.CORSIA: "an aeroplane operator's offsetting requirements under CORSIA",
    Purpose.NDC: "use towards a nationally determined contribution (Paris Agreement Article 6)",
    Purpose.COMPLIANCE: "a domestic compliance obligation (carbon tax offset, emissions trading scheme)",
    Purpose.PRODUCT_CLAIM: "a claim on a product or service (carbon-neutral label)",
    Purpose.EVENT_CLAIM: "a claim on an event (conference, concert, sports event)",
    Purpose.CONTRIBUTION_CLAIM: "a contribution to climate action, with no offsetting claim",
    Purpose.OTHER: "another purpose, explained in the reason",
}


def purposes_text() -> str:
    """The list as the contract's NatSpec writes it: ``0 unspecified, 1 voluntary_offsetting, ...``."""
    return ", ".join(f"{p.value} {p.label}" for p in Purpose)


def country_name(code: str) -> str | None:
    """The English name of an ISO 3166-1 alpha-2 country, or None for a code ISO does not know."""
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return str(found.name) if found is not None else None


def jurisdiction_name(code: str) -> str | None:
    """The name of an ISO 3166-2 subdivision ("US-CA": "California, United States") or of a country
    ("DE"), or None for a code ISO does not know."""
    if "-" not in code:
        return country_name(code)
    found = pycountry.subdivisions.get(code=code)
    if found is None:
        return None
    country = country_name(code[:2]) or code[:2]
    return f"{found.name}, {country}"


def _iso_code(value: str | None, name_of: Callable[[str], str | None], unknown: str) -> str | None:
    """``value`` in upper case, refused (``unknown`` says why) when ISO does not know it; None stays None."""
    if value is None:
        return None
    code = value.strip().upper()
    if name_of(code) is None:
        raise ValueError(f"{value!r} {unknown}")
    return code


def _byte_limit(value: str, limit: int, what: str) -> str:
    if len(value.encode()) > limit:
        raise ValueError(f"{what} is {len(value.encode())} bytes; at most {limit}")
    return value


def _yyyymmdd(day: date | None) -> int:
    return 0 if day is None else day.year * 10_000 + day.month * 100 + day.day


def _from_yyyymmdd(value: int) -> date | None:
    if value == 0:
        return None
    try:
        return date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def _fixed(text: str | None, size: int) -> bytes:
    return (text or "").encode().ljust(size, b"\0")


def _unfixed(value: bytes) -> str | None:
    return bytes(value).rstrip(b"\0").decode(errors="replace") or None


class PersonalData(BaseModel):
    """The personal data a retiree keeps off-chain, and the salt that hides it: its hash goes on-chain
    (``RetirementDetails.personal_data_hash``); the preimage goes to the bridge, which checks it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    salt: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 random bytes, hex (keep it with the data)")
    beneficiary_name: str = Field(min_length=1, description="on whose behalf, 1-200 bytes")
    retiring_entity: str = Field(default="", description="who retires, when not the beneficiary (<= 200 bytes)")

    @field_validator("beneficiary_name", "retiring_entity")
    @classmethod
    def _names(cls, value: str) -> str:
        return _byte_limit(value, MAX_NAME_BYTES, "the text")

    def digest(self) -> str:
        """``keccak256(abi.encode(salt, beneficiaryName, retiringEntity))`` as 0x-hex."""
        salt = bytes.fromhex(self.salt[2:])
        return "0x" + keccak(encode(list(PERSONAL_DATA_ABI), [salt, self.beneficiary_name, self.retiring_entity])).hex()


class RetirementDetails(BaseModel):
    """What a retiree states, checked: the beneficiary (by name, or only a hash of the names), the
    purpose, where and when the consumption took place, and where the claim is made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    beneficiary_name: str = Field(default="", description="on whose behalf, 1-200 bytes (empty with a hash)")
    beneficiary_address: Address | None = Field(default=None, description="the beneficiary's own EVM address")
    retiring_entity: str = Field(default="", description="who retires, when not the beneficiary (<= 200 bytes)")
    purpose: Purpose = Field(default=Purpose.UNSPECIFIED, description="one of the listed purposes")
    consumption_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. DE")
    consumption_start: date | None = Field(default=None, description="first day of the consumption period")
    consumption_end: date | None = Field(default=None, description="last day of the consumption period")
    claim_jurisdiction: str | None = Field(default=None, description="ISO 3166-2 (US-CA) or alpha-2 (DE)")
    reason: str = Field(default="", description="free text on the claim, <= 500 bytes")
    personal_data_hash: str | None = Field(
        default=None, pattern=r"^0x[0-9a-fA-F]{64}$", description="the names only as their hash (see PersonalData)"
    )

    @field_validator("purpose", mode="before")
    @classmethod
    def _purpose(cls, value: Any) -> Purpose:
        return Purpose.parse(value)

    @field_validator("beneficiary_name", "retiring_entity")
    @classmethod
    def _names(cls, value: str) -> str:
        return _byte_limit(value, MAX_NAME_BYTES, "the text")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _byte_limit(value, MAX_REASON_BYTES, "the reason")

    @field_validator("consumption_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return _iso_code(value, country_name, "is not an ISO 3166-1 alpha-2 country code")

    @field_validator("claim_jurisdiction")
    @classmethod
    def _jurisdiction(cls, value: str | None) -> str | None:
        return _iso_code(
            value, jurisdiction_name, "is neither an ISO 3166-2 subdivision (US-CA) nor an ISO 3166-1 country"
        )

    @field_validator("personal_data_hash")
    @classmethod
    def _hash(cls, value: str | None) -> str | None:
        return None if value is None or value.lower() == _ZERO_HASH else value.lower()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.personal_data_hash is None and not self.beneficiary_name.strip():
            raise ValueError("beneficiary_name: a beneficiary is required (or only a personal_data_hash)")
        if self.personal_data_hash is not None and (self.beneficiary_name or self.retiring_entity):
            raise ValueError("beneficiary_name: with a personal_data_hash the names stay off-chain: leave them empty")
        if (self.consumption_start is None) != (self.consumption_end is None):
            raise ValueError("consumption_start: give both ends of the consumption period, or neither")
        if self.consumption_start and self.consumption_end and self.consumption_start > self.consumption_end:
            raise ValueError("consumption_end: the consumption period ends before it starts")
        return self

    def as_tuple(self) -> tuple[Any, ...]:
        """The struct as web3 sends it, in the contract's field order."""
        return (
            self.beneficiary_name,
            self.beneficiary_address or "0x" + "00" * 20,
            self.retiring_entity,
            int(self.purpose),
            _fixed(self.consumption_country, 2),
            _yyyymmdd(self.consumption_start),
            _yyyymmdd(self.consumption_end),
            _fixed(self.claim_jurisdiction, 6),
            self.reason,
            bytes.fromhex((self.personal_data_hash or _ZERO_HASH)[2:]),
        )


class RecordedDetails(BaseModel):
    """The details of a ``Retired`` event as the chain recorded them (unchecked beyond the contract's own
    checks): what the bridge stores and shows. ``unknown`` lists the codes ISO 3166 does not know."""

    beneficiary_name: str = ""
    beneficiary_address: str | None = None
    retiring_entity: str = ""
    purpose: str = Field(default=Purpose.UNSPECIFIED.label, description="a purpose label")
    consumption_country: str | None = None
    consumption_start: date | None = None
    consumption_end: date | None = None
    claim_jurisdiction: str | None = None
    reason: str = ""
    personal_data_hash: str | None = None

    @classmethod
    def from_event(cls, details: Any) -> RecordedDetails:
        """From the event's decoded ``details`` (a tuple in field order, or a mapping by field name)."""
        names = (
            "beneficiaryName",
            "beneficiaryAddress",
            "retiringEntity",
            "purpose",
            "consumptionCountry",
            "consumptionStart",
            "consumptionEnd",
            "claimJurisdiction",
            "reason",
            "personalDataHash",
        )
        values = dict(details) if hasattr(details, "keys") else dict(zip(names, details, strict=True))
        address = str(values["beneficiaryAddress"])
        digest = "0x" + bytes(values["personalDataHash"]).hex()
        purpose = int(values["purpose"])
        return cls(
            beneficiary_name=str(values["beneficiaryName"]),
            beneficiary_address=None if int(address, 16) == 0 else to_checksum_address(address),
            retiring_entity=str(values["retiringEntity"]),
            purpose=Purpose(purpose).label if purpose in Purpose._value2member_map_ else str(purpose),
            consumption_country=_unfixed(values["consumptionCountry"]),
            consumption_start=_from_yyyymmdd(int(values["consumptionStart"])),
            consumption_end=_from_yyyymmdd(int(values["consumptionEnd"])),
            claim_jurisdiction=_unfixed(values["claimJurisdiction"]),
            reason=str(values["reason"]),
            personal_data_hash=None if digest == _ZERO_HASH else digest,
        )

    @property
    def unknown(self) -> list[str]:
        """Fields whose code ISO 3166 does not know (the contract checks shapes only)."""
        found = []
        if self.consumption_country and country_name(self.consumption_country) is None:
            found.append("consumption_country")
        if self.claim_jurisdiction and jurisdiction_name(self.claim_jurisdiction) is None:
            found.append("claim_jurisdiction")
        return found
