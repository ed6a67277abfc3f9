"""A retirement whose names are on-chain only as a hash: held out of settlements until they are disclosed,
but never forever; and the feed forgets events the chain no longer has."""

from __future__ import annotations

from bridge.chain.retirement import PersonalData, Purpose, RetirementDetails
from bridge.engine.filters import EventFilter, FeedQuery
from bridge.primitives import TONNE
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

PRIVATE = PersonalData(salt="0x" + "77" * 32, beneficiary_name="Jane Doe")


def _hashed(bridge: LocalBridgeHelper, class_id: str) -> int:
    details = RetirementDetails(personal_data_hash=PRIVATE.digest(), purpose=Purpose.VOLUNTARY_OFFSETTING)
    return bridge.retire(class_id=class_id, amount=2 * TONNE, details=details)


def _registry_beneficiaries(service: BridgeService, certificate: int) -> list[str]:
    reference = f"{service.chain_id}:{service.bridge_address}:certificate:{certificate}"
    found = service.registry.journal_entries(limit=None)
    return [
        e.payload["request"]["beneficiary"]
        for e in found
        if e.operation == "retire_from_trust" and reference in e.payload["request"]["settles"]
    ]


def test_hashed_names_hold_only_their_own_retirement_back(
    bridge: LocalBridgeHelper, bridge_service: BridgeService
) -> None:
    minted = bridge.tokenize(quantity=10)
    assert minted.class_id is not None
    hashed = _hashed(bridge, minted.class_id)
    named = bridge.retire(class_id=minted.class_id, amount=TONNE, beneficiary="Acme Airlines")
    bridge.drive()
    assert bridge_service.retirement(named).status == "settled"
    waiting = bridge_service.retirement(hashed)
    assert waiting.status == "awaiting_disclosure" and waiting.settled == "0"
    assert _registry_beneficiaries(bridge_service, hashed) == []


def test_after_the_wait_a_hashed_retirement_settles_naming_only_its_hash(
    bridge: LocalBridgeHelper, bridge_service: BridgeService
) -> None:
    minted = bridge.tokenize(quantity=10)
    assert minted.class_id is not None
    hashed = _hashed(bridge, minted.class_id)
    bridge.drive()
    assert bridge_service.retirement(hashed).settled == "0"
    bridge_service.engine.settle.disclosure_wait = 0  # as if a day had passed
    bridge.drive()
    settled = bridge_service.retirement(hashed)
    assert settled.status == "settled" and not settled.disclosed
    (beneficiary,) = _registry_beneficiaries(bridge_service, hashed)
    assert beneficiary == f"undisclosed (personal data hash {PRIVATE.digest()})"
    # disclosed late, the certificate names the beneficiary; the registry retirement stays as it was made
    assert bridge_service.disclose(hashed, PRIVATE).beneficiary == "Jane Doe"


def test_the_feed_forgets_what_a_rewind_takes_back(bridge: LocalBridgeHelper, bridge_service: BridgeService) -> None:
    bridge.tokenize(quantity=5)
    every, first_100 = EventFilter(), FeedQuery(limit=100)
    page = bridge_service.events(every, first_100)
    assert page.total > 0
    newest = page.items[-1]
    bridge_service.engine._rewind(newest.block_number - 1)
    assert all(e.block_number < newest.block_number for e in bridge_service.events(every, first_100).items)
    bridge.drive()  # read again, under new ids: a feed cursor never skips them
    again = bridge_service.events(every, first_100).items
    assert [e.tx_hash for e in again if e.block_number == newest.block_number] == [
        e.tx_hash for e in page.items if e.block_number == newest.block_number
    ]
    assert min(e.id for e in again if e.block_number == newest.block_number) > newest.id
