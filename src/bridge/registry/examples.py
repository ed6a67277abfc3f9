"""The examples the registry API's OpenAPI document shows, by operation name (``Operation.name``), and the
serials and token they use. Each is a valid request body (a test sends them all)."""

from __future__ import annotations

from typing import Any, Final

VCS_SERIAL: Final = "8812-2000001-2010000-VCS-VCU-263-VER-ID-14-1477-01012021-31122021-1"
ACR_SERIAL: Final = "ACR-US-412-2019-1203-1 to 2500"
TOKEN_ADDRESS: Final = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _examples(**named: tuple[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"summary": summary, "value": value} for name, (summary, value) in named.items()}


EXAMPLES: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "transfer": _examples(
        part_of_block=("500 units of a block", {"serial": VCS_SERIAL, "quantity": 500, "to_account": 5}),
        by_issuance=("units of an issuance", {"issuance_id": 3, "quantity": 1200, "to_account": 5, "from_account": 4}),
    ),
    "retire": _examples(
        whole_block=(
            "retire a whole block for a beneficiary",
            {
                "serial": ACR_SERIAL,
                "beneficiary": "Northwind Airlines",
                "reason": "CORSIA offsetting requirement, 2024 compliance period",
                "details": "flight operations 2024",
            },
        ),
        by_issuance=(
            "retire 250 t of an issuance",
            {"issuance_id": 7, "quantity": 250, "beneficiary": "Contoso Ltd", "reason": "2023 net-zero claim"},
        ),
    ),
    "cancel": _examples(
        holder=("cancel held units", {"serial": VCS_SERIAL, "quantity": 100, "reason": "Used for an NDC transfer"}),
        reversal=(
            "operator: buffer units cover a reversal",
            {"issuance_id": 2, "quantity": 3000, "from_account": 3, "reason": "Reversal after the 2023 fire"},
        ),
    ),
    "move_to_buffer": _examples(
        deposit=("deposit 10% of an issuance in the buffer pool", {"issuance_id": 2, "quantity": 4000}),
    ),
    "immobilize": _examples(
        tokenize=(
            "lock 500 t in the bridge's trust account for a token batch",
            {
                "serial": VCS_SERIAL,
                "quantity": 500,
                "trust_account": 6,
                "marketplace": "Carbon Bridge",
                "marketplace_identifier": {"chain_id": 31337, "token_address": TOKEN_ADDRESS, "batch_id": "1"},
                "marketplace_link": f"evm:31337/{TOKEN_ADDRESS}",
            },
        ),
    ),
    "immobilize_many": _examples(
        tokenize=(
            "lock two blocks in the bridge's trust account at once, each for its own token batch",
            {
                "trust_account": 6,
                "marketplace": "Carbon Bridge",
                "locks": [
                    {
                        "serial": VCS_SERIAL,
                        "quantity": 500,
                        "marketplace_identifier": {"chain_id": 31337, "token_address": TOKEN_ADDRESS, "batch_id": "1"},
                    },
                    {
                        "issuance_id": 3,
                        "quantity": 25,
                        "marketplace_identifier": {"chain_id": 31337, "token_address": TOKEN_ADDRESS, "batch_id": "2"},
                    },
                ],
            },
        ),
    ),
    "release": _examples(
        redeem=("release 25 t from trust to a redeemer", {"issuance_id": 3, "quantity": 25, "to_account": 5}),
    ),
    "retire_from_trust": _examples(
        settle=(
            "retire 3 t from trust, settling on-chain retirements",
            {
                "issuance_id": 3,
                "quantity": 3,
                "beneficiary": "Fabrikam GmbH",
                "reason": "Scope 3 offsetting 2024",
                "settles": ["31337:cert:17", "31337:cert:18"],
            },
        ),
    ),
    "freeze": _examples(
        issuance=(
            "freeze a whole issuance issued in error",
            {"issuance_id": 4, "reason": "Double issuance under review"},
        ),
        block=("freeze one block", {"serial": VCS_SERIAL, "reason": "Under investigation"}),
    ),
    "unfreeze": _examples(
        issuance=("unfreeze an issuance", {"issuance_id": 4, "reason": "Review closed: issuance confirmed"}),
    ),
    "create_program": _examples(
        vcs=(
            "Verra's VCS",
            {"code": "VCS", "category": "independent", "ccp_eligible": True, "corsia_phases": ["pilot", "first"]},
        ),
        ccer=("China's CCER", {"code": "CCER", "category": "government"}),
    ),
    "create_project": _examples(
        redd=(
            "a REDD+ project with labels",
            {
                "program": "VCS",
                "project_id": "1477",
                "name": "Katingan Peatland Restoration and Conservation",
                "methodology_id": "VM0007",
                "methodology_category": "REDD+",
                "sector": "Agriculture, Forestry and Other Land Use",
                "sectoral_scope": "14",
                "host_country": "ID",
                "mitigation_type": "reduction",
                "ccp_approved": True,
                "corsia_first_phase": "yes",
                "sdg_goals": [1, 13, 15],
                "additional_certifications": ["CCB"],
            },
        ),
        vpa=(
            "a Gold Standard VPA, its country by name",
            {
                "program": "GS",
                "project_id": "11603",
                "name": "GS10789 VPA8: Efficient and Clean Cooking for households in Kenya",
                "methodology_id": "GS TPDDTEC v3.1",
                "methodology_category": "Energy Efficiency - Domestic",
                "sector": "Energy Efficiency - Domestic",
                "sectoral_scope": "3",
                "host_country": "Kenya",
                "mitigation_type": "reduction",
                "article6_authorization": "not_applicable",
                "activity_structure": "activity",
                "poa_id": "10789",
                "proponent": "ECC- Talanton Trust",
            },
        ),
    ),
    "create_account": _examples(
        holding=("a custodian's holding account", {"kind": "holding", "owner": "Acme Custody"}),
        trust=(
            "the bridge's trust account",
            {"kind": "trust", "owner": "Carbon Bridge", "name": "Carbon Bridge trust"},
        ),
    ),
    "issue": _examples(
        vintage=(
            "issue the 2021 vintage",
            {
                "program": "VCS",
                "project_id": "1477",
                "to_account": 4,
                "quantity": 10000,
                "vintage_start": "2021-01-01",
                "vintage_end": "2021-12-31",
            },
        ),
        registry_serial=(
            "issue a block as its registry printed it, with labels of its own",
            {
                "program": "GS",
                "project_id": "11603",
                "to_account": 4,
                "quantity": 5463,
                "serial": "GS1-1-KE-GS11603-16-2025-30256-1-5463",
                "vintage_start": "2024-03-02",
                "vintage_end": "2025-03-10",
                "issued_on": "2026-03-31",
                "ccp_approved": False,
                "corsia_first_phase": "yes",
            },
        ),
    ),
    "create_api_key": _examples(
        custodian=("a key for a custodian's account", {"accounts": [4], "label": "Acme Custody back office"}),
        operator=("another operator key", {"operator": True, "label": "registry operations team"}),
    ),
    "get_credits": _examples(
        two_registries=("blocks of two registries, in the order asked", {"serials": [VCS_SERIAL, ACR_SERIAL]}),
    ),
}
