"""Credits imported from a registry's own export, locked and tokenized on the local test bridge: the class
carries the issuance's labels, and the API shows the registry's names, labels and serials."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bridge.chain.attestation import Label
from bridge.registry.imports import Importer
from bridge.testing import LocalBridgeHelper

TONNE = 10**18
EXPORTS = Path(__file__).parents[1] / "registry" / "data" / "exports"
GS_SERIAL = "GS1-1-UG-GS11236-16-2024-30307-1-19149"


def imported(bridge: LocalBridgeHelper, *samples: str) -> None:
    importer = Importer(bridge.demo.registry, to_account=bridge.account("custodian"))
    report = importer.import_files([EXPORTS / sample for sample in samples])
    assert report.refused == 0, report


def class_of(api: TestClient, class_id: str) -> dict[str, Any]:
    classes = api.get("/v1/classes", params={"limit": 100}).json()["items"]
    return next(item["attributes"] for item in classes if item["class_id"] == class_id)


def test_an_imported_gold_standard_block_is_locked_and_tokenized(
    bridge: LocalBridgeHelper, bridge_api: TestClient
) -> None:
    imported(bridge, "gold-standard/issuances.csv")
    minted = bridge.tokenize(serial=GS_SERIAL, quantity=100)
    assert minted.step == "completed"
    assert bridge.balance(minted.class_id) == 100 * TONNE
    assert minted.serial == "GS1-1-UG-GS11236-16-2024-30307-1-100"
    attributes = class_of(bridge_api, minted.class_id)
    assert (attributes["program"], attributes["project_id"], attributes["host_country"]) == ("GS", "11236", "UG")
    assert (attributes["vintage_start"], attributes["vintage_end"]) == (20240101, 20241208)
    credit = bridge_api.get("/registry/credits", params={"serial": minted.serial}).json()
    assert credit["block"]["status"] == "immobilized"
    assert credit["project"]["name"].startswith("BioLite Improved Cook stoves Programme - CPA 028")
    assert (credit["project"]["poa_id"], credit["issuance"]["article6_authorization"]) == ("11191", "not_applicable")
    assert credit["issuance"]["serial"] == GS_SERIAL
    assert bridge.service.reserves().ok


def test_the_class_of_an_imported_credit_carries_its_issuances_labels(
    bridge: LocalBridgeHelper, bridge_api: TestClient
) -> None:
    imported(bridge, "american-carbon-registry/issuances.csv")
    registry = bridge.demo.registry
    [approved] = registry.list_issuances(program="ACR", project_id="ACR1149")
    assert approved.ccp_approved and not registry.get_project(program="ACR", project_id="ACR1149").ccp_approved
    [block] = registry.list_blocks(issuance_id=approved.id)
    minted = bridge.tokenize(serial=block.serial, quantity=10)
    attributes = class_of(bridge_api, minted.class_id)
    assert attributes["labels"] == Label.CCP_APPROVED  # the issuance's: its project's default is not approved
    assert (attributes["project_id"], attributes["vintage_start"], attributes["vintage_end"]) == (
        "ACR1149",
        20250429,
        20250515,
    )
    # the protocol's name is 74 characters: the class carries its start and a digest of the whole
    assert attributes["methodology"].startswith("Destruction of Ozone Depleting Substances (ODS) from I~")
    assert len(attributes["methodology"]) <= 64


def test_kilograms_are_tokenized_at_a_thousandth_of_a_tonne_and_settled_in_kilograms(
    bridge: LocalBridgeHelper, bridge_api: TestClient
) -> None:
    imported(bridge, "isometric/issuances.csv")
    [block] = bridge.demo.registry.list_blocks(program="ISOMETRIC", serial="iss_1KN4715T51S0BCKZ", status="held")
    minted = bridge.tokenize(serial=block.serial, quantity=2_765)
    assert minted.step == "completed"
    kilogram = TONNE // 1_000
    assert bridge.balance(minted.class_id) == 2_765 * kilogram, "2,765 kg are 2.765 t of tokens, not 2,765 t"
    assert class_of(bridge_api, minted.class_id)["unit_decimals"] == 3
    assert bridge.service.reserves().ok

    def retired_kilograms() -> int:
        return sum(b.quantity for b in bridge.demo.registry.list_blocks(program="ISOMETRIC", status="retired"))

    before = retired_kilograms()  # the export's own past retirements
    # 1.0005 t retired: 1,000 whole kilograms settle in the registry, half a kilogram waits
    bridge.retire(class_id=minted.class_id, amount=1_000 * kilogram + kilogram // 2)
    bridge.drive()
    assert retired_kilograms() - before == 1_000
    assert bridge.service.reserves().ok
