"""Gas benchmark: receipt gasUsed of the bridge's operations on the in-process EVM (same as the tests).

Writes bench/gas.json (a flat object; keys measured here are replaced, others kept) and prints a table
with the DESIGN.md targets beside the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

from bridge.chain.attestation import Adjustment, CreditClass, Label
from bridge.chain.local import TONNE, LocalBridge

OUT = Path("bench/gas.json")
TARGETS = {
    "tokenize_new_class": 300_000,
    "tokenize_existing_class": 150_000,
    "transfer_existing_holder": 37_000,
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
    serial = "7201-{}-{}-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"
    gas: dict[str, int] = {}

    def bridge_block(start: int, end: int, recipient: str) -> int:
        attestation = local.attestation(
            credit_class, serial=serial.format(start, end), start=start, end=end, recipient=recipient
        )
        return int(local.mint(attestation)["gasUsed"])

    gas["tokenize_new_class"] = bridge_block(40000001, 40000500, custodian.address)
    gas["tokenize_existing_class"] = bridge_block(40000501, 40001000, custodian.address)
    gas["tokenize_existing_class_new_holder"] = bridge_block(40001001, 40001200, newcomer.address)

    token = local.token(credit_class)
    as_custodian = local.sender(custodian)
    gas["transfer_new_holder"] = as_custodian.transact(token.functions.transfer(trader.address, 10 * TONNE))["gasUsed"]
    gas["transfer_existing_holder"] = as_custodian.transact(token.functions.transfer(trader.address, 10 * TONNE))[
        "gasUsed"
    ]

    baseline_artifact = local.deployment.artifacts["BaselineERC20"]
    baseline = local.sender().deploy(baseline_artifact)
    local.sender().transact(baseline.functions.mint(custodian.address, 1000 * TONNE))
    as_custodian.transact(baseline.functions.transfer(trader.address, 10 * TONNE))
    gas["baseline_erc20_transfer_existing_holder"] = as_custodian.transact(
        baseline.functions.transfer(trader.address, 10 * TONNE)
    )["gasUsed"]
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
