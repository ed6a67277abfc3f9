"""Gas benchmark: receipt gasUsed of the bridge's operations on the in-process EVM (same as the tests).

Writes bench/gas.json (a flat object; keys measured here are replaced, others kept) and prints a table
with the DESIGN.md targets beside the numbers.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD
from web3.types import TxReceipt

from bridge.chain.attestation import Adjustment, CreditClass, Label
from bridge.chain.local import LocalBridge
from bridge.chain.retirement import Purpose, RetirementDetails
from bridge.pools.contract import pool_retirement
from bridge.primitives import TONNE

OUT = Path("bench/gas.json")
SERIAL = "7201-{}-{}-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"
# a retirement as a company states it: every field set (the worst case for gas short of longer texts)
RETIREMENT = RetirementDetails(
    beneficiary_name="Acme Airlines Ltd",
    beneficiary_address="0x000000000000000000000000000000000000bEEF",
    retiring_entity="Acme Group Treasury",
    purpose=Purpose.VOLUNTARY_OFFSETTING,
    consumption_country="DE",
    consumption_start=date(2025, 1, 1),
    consumption_end=date(2025, 12, 31),
    claim_jurisdiction="DE-BY",
    reason="2025 scope 1 emissions",
)
TARGETS = {
    "tokenize_new_class": 300_000,
    "tokenize_existing_class": 150_000,
    "tokenize_batch50_per_block": 50_000,
    "transfer_existing_holder": 37_000,
    "redeem_request": 120_000,
    "retire_with_certificate": 150_000,
    "pool_deposit": 110_000,
    "pool_redeem": 110_000,
}


def measure() -> dict[str, int]:
    local = LocalBridge.start(verifiers=3, threshold=2)
    custodian, trader, newcomer = local.users[0], local.users[1], local.users[2]
    credit_class = CreditClass(
        program="VCS",
        project_id="1477",
        vintage_start=20190101,
        vintage_end=20191231,
        methodology="VM0007",
        host_country="ID",
        labels=Label.CCP_APPROVED | Label.CORSIA_ELIGIBLE,
        adjustment=Adjustment.NOT_APPLICABLE,
    )
    gas: dict[str, int] = {}

    def bridge_block(start: int, end: int, recipient: str) -> int:
        lock = local.lock(credit_class, serial=SERIAL.format(start, end), start=start, end=end, recipient=recipient)
        return int(local.mint_locks([lock])["gasUsed"])

    gas["tokenize_new_class"] = bridge_block(40000001, 40000500, custodian.address)
    gas["tokenize_existing_class"] = bridge_block(40000501, 40001000, custodian.address)
    gas["tokenize_existing_class_new_holder"] = bridge_block(40001001, 40001200, newcomer.address)
    gas.update(measure_batches(local, credit_class, local.users[3].address))

    token = local.token(credit_class)
    as_custodian = local.sender(custodian)
    gas["transfer_new_holder"] = as_custodian.transact(token.functions.transfer(trader.address, 10 * TONNE))["gasUsed"]
    gas["transfer_existing_holder"] = as_custodian.transact(token.functions.transfer(trader.address, 10 * TONNE))[
        "gasUsed"
    ]

    gas.update(measure_redeem_and_retire(local, credit_class, custodian, trader))
    gas.update(measure_pool(local, credit_class, custodian, trader))

    baseline_artifact = local.deployment.artifacts["BaselineERC20"]
    baseline = local.sender(local.deployer).deploy(baseline_artifact)
    local.sender(local.deployer).transact(baseline.functions.mint(custodian.address, 1000 * TONNE))
    as_custodian.transact(baseline.functions.transfer(trader.address, 10 * TONNE))
    gas["baseline_erc20_transfer_existing_holder"] = as_custodian.transact(
        baseline.functions.transfer(trader.address, 10 * TONNE)
    )["gasUsed"]
    return gas


def measure_batches(local: LocalBridge, credit_class: CreditClass, holder: str) -> dict[str, int]:
    """50 locks of an existing class in one call: to one (new) holder, then each to a new holder; per block."""

    def batch_of_50(first: int, recipients: list[str]) -> int:
        locks = []
        for i, recipient in enumerate(recipients):
            start = first + 100 * i
            serial = SERIAL.format(start, start + 99)
            locks.append(local.lock(credit_class, serial=serial, start=start, end=start + 99, recipient=recipient))
        return int(local.mint_locks(locks)["gasUsed"]) // len(locks)

    new_holders = ["0x" + (0x10000 + i).to_bytes(20, "big").hex() for i in range(50)]
    return {
        "tokenize_batch50_per_block": batch_of_50(41000001, [holder] * 50),
        "tokenize_batch50_new_holders_per_block": batch_of_50(42000001, new_holders),
    }


def _first_id(receipt: TxReceipt, event: Any, key: str) -> int:
    return int(event().process_receipt(receipt, errors=DISCARD)[0]["args"][key])


def measure_redeem_and_retire(
    local: LocalBridge, credit_class: CreditClass, holder: LocalAccount, other: LocalAccount
) -> dict[str, int]:
    """Redemption and retirement as a holder meets them: the first of each in the class (worst case)."""
    bridge, as_holder = local.bridge, local.sender(holder)
    class_id = credit_class.class_id
    gas: dict[str, int] = {}
    receipt = as_holder.transact(bridge.functions.requestRedemption(class_id, 3 * TONNE, "2"))
    gas["redeem_request"] = receipt["gasUsed"]
    redemption_id = _first_id(receipt, bridge.events.RedemptionRequested, "redemptionId")
    batch_key = local.lock(
        credit_class, serial=SERIAL.format(40000001, 40000500), start=40000001, end=40000500, recipient=holder.address
    ).batch_key
    finalize = bridge.functions.finalizeRedemption(redemption_id, [batch_key], [3], "released 40000001-40000003")
    gas["redeem_finalize"] = local.sender().transact(finalize)["gasUsed"]
    retire = bridge.functions.retire(class_id, 2 * TONNE, RETIREMENT.as_tuple())
    gas["retire_with_certificate"] = as_holder.transact(retire)["gasUsed"]
    fraction = bridge.functions.retire(class_id, TONNE // 4, RETIREMENT.as_tuple())
    gas["retire_fraction"] = as_holder.transact(fraction)["gasUsed"]
    many = bridge.functions.retireMany(class_id, [TONNE // 2] * 3, [RETIREMENT.as_tuple()] * 3)
    gas["retire_many_three_beneficiaries"] = as_holder.transact(many)["gasUsed"]
    settle = bridge.functions.settleRetirements(b"\x01" * 32, class_id, [batch_key], [2], "retired 40000004-40000005")
    gas["retire_settle"] = local.sender().transact(settle)["gasUsed"]
    return gas


def measure_pool(
    local: LocalBridge,
    credit_class: CreditClass,
    trader: LocalAccount,
    fee_recipient: LocalAccount,
) -> dict[str, int]:
    """A pool accepting any class, 1% fee; the class already in the pool (a typical trade)."""
    other_class = credit_class.model_copy(update={"project_id": "981"})
    other = local.lock(
        other_class,
        serial=SERIAL.replace("1477", "981").format(50000001, 50000100),
        start=50000001,
        end=50000100,
        recipient=trader.address,
    )
    local.mint_locks([other])
    rules = ([], [], [], [], 0, 0, False)
    pool = local.sender(local.deployer).deploy(
        local.deployment.artifacts["CarbonPool"],
        "Any tonne",
        "TONNE",
        local.admin.address,
        fee_recipient.address,
        100,
        rules,
        local.deployment.address,
    )
    token_a, token_b = local.token(credit_class), local.token(other_class)
    as_trader = local.sender(trader)
    for token in (token_a, token_b):
        as_trader.transact(token.functions.approve(pool.address, 10**30))
        as_trader.transact(pool.functions.deposit(token.address, TONNE))  # first deposit caches eligibility
    gas = {"pool_deposit": as_trader.transact(pool.functions.deposit(token_a.address, 5 * TONNE))["gasUsed"]}
    as_trader.transact(pool.functions.redeem(token_a.address, TONNE))  # fee recipient becomes a holder
    gas["pool_redeem"] = as_trader.transact(pool.functions.redeem(token_a.address, TONNE))["gasUsed"]
    gas["pool_swap"] = as_trader.transact(pool.functions.swap(token_a.address, token_b.address, TONNE))["gasUsed"]
    retire = pool.functions.redeemAndRetire(token_a.address, TONNE, pool_retirement("Acme Airlines Ltd", "2025 claim"))
    gas["pool_redeem_and_retire"] = as_trader.transact(retire)["gasUsed"]
    return gas


def main() -> None:
    gas = measure()
    OUT.parent.mkdir(exist_ok=True)
    merged = json.loads(OUT.read_text()) if OUT.is_file() else {}
    merged.update(gas)
    OUT.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
    print(f"{'operation':<42}{'gasUsed':>10}{'target':>10}")
    for key, value in gas.items():
        target = TARGETS.get(key)
        verdict = "" if target is None else ("  ok" if value <= target else "  MISSED")
        print(f"{key:<42}{value:>10,}{'' if target is None else f'{target:>10,}'}{verdict}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
