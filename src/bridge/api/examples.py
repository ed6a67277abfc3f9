"""Examples for the OpenAPI document: a response of each kind, and the errors an operation may answer.

``docs(example, 401, 403)`` is what a route passes to its decorator (``**docs(...)``): the success example
and an example body for each error status (422 always: any request can be malformed).
"""

from __future__ import annotations

from typing import Any, Final

TIME: Final = "2025-09-30T09:00:00Z"
ADDRESS: Final = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CLASS: Final = "0x9c2e72b0eecdc1dbe2b4cfe74e712a510faa10d40f70aa9f1fa7f75417ff34c3"
TOKEN: Final = "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448"
OTHER_TOKEN: Final = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"
POOL_ADDRESS: Final = "0x8464135c8F25Da09e49BC8782676a84730C318bC"
TX_HASH: Final = "0x2e4fae369f844a1aa3a0a734a059fb10392c78aeb6d266703b1083965795a75a"

ERRORS: Final[dict[int, dict[str, Any]]] = {
    401: {"code": "unauthorized", "message": "this operation needs an API key (header X-API-Key)"},
    403: {"code": "forbidden", "message": "a custodian key may not do this (needs: operator)"},
    404: {"code": "not_found", "message": "no tokenization 42", "field": "tokenization_id"},
    409: {"code": "already_bridged", "message": "the serial block is already bridged", "field": "serial"},
    422: {"code": "invalid_request", "message": "limit: Input should be less than or equal to 100", "field": "limit"},
}


def docs(example: Any, *errors: int, status: int = 200) -> dict[str, Any]:
    """The ``responses`` of an operation: ``example`` for ``status``, and 422 plus ``errors`` from ``ERRORS``."""
    return with_errors(example, {code: ERRORS[code] for code in errors}, status=status)


def with_errors(example: Any, errors: dict[int, dict[str, Any]], *, status: int = 200) -> dict[str, Any]:
    """``docs`` with an operation's own error examples (the generic 422 unless one is given)."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"content": {"application/json": {"example": example}}},
    }
    for code, body in ({422: ERRORS[422]} | errors).items():
        responses[code] = {"description": "error", "content": {"application/json": {"example": body}}}
    return {"responses": responses}


def page(example: dict[str, Any]) -> dict[str, Any]:
    return {"items": [example], "limit": 50, "offset": 0, "total": 1, "next_cursor": None}


HEALTH: Final = {"status": "ok", "chain_id": 31337, "bridge": TOKEN, "head": 12}

TOKENIZATION: Final = {
    "id": 1,
    "step": "completed",
    "custodian_account": 4,
    "recipient": ADDRESS,
    "serial": "ACCU-14-6445-17700",
    "quantity": 11256,
    "registry": "ACCU",
    "class_id": CLASS,
    "token_address": TOKEN,
    "batch_key": "0x46c4b4429d79725597aec0e4e58c0e3ccb25c1dedfd5897ea7dbf17ab4c2ce29",
    "nonce": 1,
    "tx_hash": TX_HASH,
    "attested_by": ["0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"],
    "error_code": None,
    "error_message": None,
    "created_at": TIME,
    "updated_at": TIME,
    "history": [{"step": "received", "at": TIME}, {"step": "completed", "at": TIME}],
}

BATCH: Final = {
    "batch_key": TOKENIZATION["batch_key"],
    "class_id": CLASS,
    "token_address": TOKEN,
    "registry": "ACCU",
    "original_serial": "ACCU-14-6445-17700",
    "current_serial": "ACCU-14-6445-17700",
    "remaining": 11256,
    "tokenization_id": 1,
    "created_at": TIME,
}

CREDIT_CLASS: Final = {
    "class_id": CLASS,
    "name": "ACCU 6445 Tasmanian Blue Gum Regeneration 2014",
    "project_name": "Tasmanian Blue Gum Regeneration",
    "vintage": "2014",
    "labels": ["removal"],
    "token_address": TOKEN,
    "registry": "ACCU",
    "attributes": {
        "program": "ACCU",
        "project_id": "6445",
        "vintage_start": 20140101,
        "vintage_end": 20141231,
        "methodology": "ACCU-VEG-2014",
        "host_country": "AU",
        "labels": 4,
        "adjustment": 0,
    },
    "batches": 1,
    "total_supply": "11256000000000000000000",
    "retirements": 1,
    "retired": "1500000000000000000",
}

CLASS_ERRORS: Final[dict[int, dict[str, Any]]] = {
    404: {
        "code": "not_found",
        "message": "no class 'VCS 9999' (give its id, token address or name)",
        "field": "class_id",
    },
    409: {
        "code": "ambiguous_class",
        "message": "2 classes fit 'VCS 1477': VCS 1477 Katingan Peatland 2019; VCS 1477 Katingan Peatland 2020",
        "field": "class_id",
    },
}

REDEMPTION: Final = {
    "id": 1,
    "step": "completed",
    "class_id": CLASS,
    "holder": ADDRESS,
    "tonnes": 10,
    "registry_account": "5",
    "released_serials": ["ACCU-14-6445-6454"],
    "cancel_reason": None,
    "error_code": None,
    "error_message": None,
    "tx_hash": TX_HASH,
    "request_tx": TX_HASH,
    "request_block": 14,
    "created_at": TIME,
    "updated_at": TIME,
    "history": [
        {"step": "seen", "at": TIME},
        {"step": "releasing", "at": TIME},
        {"step": "released", "at": TIME},
        {"step": "completed", "at": TIME},
    ],
}

RETIREMENT: Final = {
    "certificate_id": 1,
    "class_id": CLASS,
    "class_name": CREDIT_CLASS["name"],
    "retiree": ADDRESS,
    "amount": "1500000000000000000",
    "tonnes": "1.5",
    "settled": "1000000000000000000",
    "status": "partly_settled",
    "beneficiary": "Acme Airlines",
    "beneficiary_address": OTHER_TOKEN,
    "retiring_entity": "Acme Group Treasury",
    "purpose": "voluntary_offsetting",
    "purpose_text": "voluntary offsetting of the beneficiary's own emissions",
    "consumption_country": "DE",
    "consumption_start": "2025-01-01",
    "consumption_end": "2025-12-31",
    "claim_jurisdiction": "DE-BY",
    "reason": "2025 scope 1 offsetting",
    "personal_data_hash": None,
    "disclosed": True,
    "unknown_codes": [],
    "tx_hash": TX_HASH,
    "block_number": 12,
    "dropped": False,
    "created_at": TIME,
    "settlements": [
        {
            "settlement_id": 1,
            "amount": "1000000000000000000",
            "step": "completed",
            "registry_serials": ["ACCU-14-6445-6445"],
            "tx_hash": TX_HASH,
        }
    ],
}

DISCLOSURE_ERRORS: Final[dict[int, dict[str, Any]]] = {
    404: {"code": "not_found", "message": "no retirement certificate 42 (yet)", "field": "certificate_id"},
    409: {
        "code": "personal_data_not_hashed",
        "message": "certificate 1 names its beneficiary on-chain; there is nothing to disclose",
        "field": "certificate_id",
    },
    422: {
        "code": "personal_data_mismatch",
        "message": "these names and salt hash to 0x5c1d..., not to the certificate's 0x9e0f...",
        "field": "salt",
    },
}

EVENT: Final = {
    "id": 7,
    "name": "Transfer",
    "contract": TOKEN,
    "class_id": CLASS,
    "block_number": 15,
    "tx_hash": TX_HASH,
    "log_index": 0,
    "args": {"from": ADDRESS, "to": OTHER_TOKEN, "amount": "2500000000000000000"},
}

BALANCES: Final = {
    "address": ADDRESS,
    "block_number": 15,
    "balances": [
        {
            "kind": "class",
            "token": TOKEN,
            "class_id": CLASS,
            "name": CREDIT_CLASS["name"],
            "balance": "8500000000000000000",
            "tonnes": "8.5",
        }
    ],
}

SETTLEMENT: Final = {
    "id": 1,
    "class_id": CLASS,
    "tonnes": 1,
    "step": "completed",
    "certificates": [{"certificate_id": 1, "amount": "1000000000000000000"}],
    "registry_retirements": ["ACCU-14-6445-6445"],
    "error_code": None,
    "error_message": None,
    "tx_hash": TX_HASH,
    "created_at": TIME,
    "history": [{"step": "planned", "at": TIME}, {"step": "retired", "at": TIME}, {"step": "completed", "at": TIME}],
}

RESERVE: Final = {
    "ok": True,
    "classes": [
        {
            "class_id": CLASS,
            "name": CREDIT_CLASS["name"],
            "token": TOKEN,
            "units_in_trust": 11256,
            "total_supply": str(11256 * 10**18),
            "escrowed": "0",
            "retired_unsettled": "0",
            "pending_mint_units": 0,
            "pending_release_units": 0,
            "pending_settlement_units": 0,
            "attested_reserve": 11256,
            "ok": True,
            "difference_wei": "0",
        }
    ],
    "checked_at": TIME,
    "block_number": 15,
}

NETWORK: Final = {
    "chain_id": 31337,
    "rpc_url": "http://127.0.0.1:8545",
    "bridge": TOKEN,
    "trust_account": 9,
    "registry_api": "/registry",
    "confirmations": 2,
    "threshold": 2,
    "admin": ["0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"],
    "admin_delay_seconds": 60,
    "engine": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "verifiers": [{"address": ADDRESS, "url": "http://127.0.0.1:8001"}],
}

VERIFIERS: Final = {
    "threshold": 2,
    "verifiers": [
        {
            "name": "verifier-0",
            "address": ADDRESS,
            "url": "http://127.0.0.1:8001",
            "reachable": True,
            "active_on_chain": True,
            "attested_batches": 1,
        },
    ],
}

ENGINE_RUN: Final = {"moved": 3}

# --- pools ------------------------------------------------------------------------------------------

POOL: Final[dict[str, Any]] = {
    "address": POOL_ADDRESS,
    "name": "Nature-Based Tonne",
    "symbol": "NBT",
    "preset": "nature",
    "rules": {
        "programs": [],
        "methodologies": ["VM0007", "VM0047"],
        "denied_methodologies": [],
        "host_countries": [],
        "min_vintage_start": 20160101,
        "required_labels": [],
        "require_corresponding_adjustment": False,
    },
    "rules_version": 1,
    "fee_bps": 100,
    "fee_recipient": ADDRESS,
    "total_supply": "25000000000000000000",
    "supply_cap": "50000000000000000000000000",
    "default_class_cap": "2000000000000000000000000",
    "paused": False,
    "composition": [
        {
            "token": TOKEN,
            "class_id": CLASS,
            "amount": "25000000000000000000",
            "share_bps": 10_000,
            "cap": "2000000000000000000000000",
            "attributes": {
                "program": "VCS",
                "project_id": "1477",
                "vintage_start": 20190101,
                "vintage_end": 20191231,
                "methodology": "VM0007",
                "host_country": "ID",
                "labels": ["CCP_APPROVED", "CORSIA_ELIGIBLE"],
                "adjustment": "NOT_APPLICABLE",
            },
        }
    ],
    "created_at": TIME,
}

POOL_ELIGIBILITY: Final = {
    "pool": POOL_ADDRESS,
    "token": TOKEN,
    "eligible": False,
    "reason": "vintage_too_old",
    "rule": "min_vintage_start",
    "message": "the vintage starts 20140101, before the pool's minimum 20160101",
    "attributes": POOL["composition"][0]["attributes"] | {"vintage_start": 20140101, "vintage_end": 20141231},
    "class_balance": "0",
    "class_cap": "2000000000000000000000000",
}

POOL_TRANSACTIONS: Final = {
    "pool": POOL_ADDRESS,
    "action": "deposit",
    "trader": ADDRESS,
    "chain_id": 31337,
    "transactions": [
        {
            "step": "approve",
            "description": "approve the pool to take 2.5 t of the class token",
            "to": TOKEN,
            "data": "0x095ea7b3" + "00" * 64,
            "value": "0",
            "gas": 58_000,
        },
        {
            "step": "deposit",
            "description": "deposit 2.5 t of the class token for 2.5 NBT",
            "to": POOL_ADDRESS,
            "data": "0x47e7ef24" + "00" * 64,
            "value": "0",
            "gas": None,
        },
    ],
    "preview": {
        "token_in": TOKEN,
        "amount_in": "2500000000000000000",
        "fee": "0",
        "token_out": POOL_ADDRESS,
        "amount_out": "2500000000000000000",
        "retired": False,
    },
}

POOL_ERRORS: Final[dict[int, dict[str, Any]]] = {
    401: ERRORS[401],
    403: ERRORS[403],
    404: {"code": "pool_not_found", "message": f"the bridge knows no pool at {POOL_ADDRESS}", "field": "address"},
    409: {
        "code": "insufficient_pool_balance",
        "message": "the pool holds 0 t of this class, less than the 0.99 t to take out",
        "field": "token_out",
    },
    422: {
        "code": "class_not_eligible",
        "message": "the pool does not take this class: the vintage starts 20140101, before the pool's minimum 20160101",
        "field": "token",
        "details": {"reason": "vintage_too_old", "rule": "min_vintage_start"},
    },
}

POOL_CREATE_ERRORS: Final[dict[int, dict[str, Any]]] = {
    401: ERRORS[401],
    403: ERRORS[403],
    404: {"code": "unknown_pool_preset", "message": "no pool preset 'forest'", "field": "preset"},
    409: {
        "code": "idempotency_conflict",
        "message": "this idempotency key was used for a different pool",
        "field": "Idempotency-Key",
    },
    422: {"code": "invalid_request", "message": "name: String should have at most 64 characters", "field": "name"},
}
