"""The main job on embedded defaults: bridge one credit batch on an in-process EVM and show the result.

Compile (or reuse cached artifacts), deploy the bridge with a 2-of-3 verifier set, have the verifiers
sign an EIP-712 attestation for a Verra VCU block, mint it to a custodian, move some tokens to a trader,
and print balances and the reserve check.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from bridge.chain.attestation import Adjustment, CreditClass, Label
from bridge.chain.compiler import load_artifacts
from bridge.chain.local import TONNE, LocalBridge

DEMO_SERIAL = "7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"


@dataclass
class QuickstartResult:
    token: str
    supply_wei: int
    reserve_tonnes: int
    balances: dict[str, int]
    gas: dict[str, int]

    @property
    def reserve_ok(self) -> bool:
        return self.supply_wei == self.reserve_tonnes * TONNE


def tonnes(wei: int) -> str:
    return f"{Decimal(wei) / TONNE:,.3f}"


def run_quickstart(console: Console | None = None) -> QuickstartResult:
    console = console or Console()
    started = time.perf_counter()
    with console.status("compiling contracts (cached after the first run)"):
        artifacts = load_artifacts()
    console.print(f"[green]contracts[/] {len(artifacts.contracts)} compiled with solc {artifacts.compiler}")

    local = LocalBridge.start(verifiers=3, threshold=2, artifacts=artifacts)
    chain, deployment = local.chain, local.deployment
    custodian, trader = local.users[0], local.users[1]
    console.print(f"[green]bridge[/] deployed at {deployment.address} (verifiers 2 of 3, chain id {chain.chain_id})")

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
    attestation = local.attestation(
        credit_class, serial=DEMO_SERIAL, start=40000001, end=40000500, recipient=custodian.address
    )
    mint = local.mint(attestation)
    token = local.token(credit_class)
    console.print(
        f"[green]bridged[/] {DEMO_SERIAL}\n        500 t -> {token.functions.symbol().call()} "
        f"at {token.address}, gas {mint['gasUsed']:,}"
    )

    transfer = local.sender(custodian).transact(token.functions.transfer(trader.address, 125 * TONNE + TONNE // 2))
    console.print(f"[green]transfer[/] 125.5 t custodian -> trader, gas {transfer['gasUsed']:,}")

    balances = {
        "custodian": token.functions.balanceOf(custodian.address).call(),
        "trader": token.functions.balanceOf(trader.address).call(),
    }
    result = QuickstartResult(
        token=str(token.address),
        supply_wei=token.functions.totalSupply().call(),
        reserve_tonnes=int(deployment.bridge.functions.classReserve(credit_class.class_id).call()),  # whole tonnes
        balances=balances,
        gas={"mint_new_class": mint["gasUsed"], "transfer": transfer["gasUsed"]},
    )

    table = Table(title=f"{token.functions.name().call()}")
    table.add_column("holder")
    table.add_column("address")
    table.add_column("tonnes", justify="right")
    for holder, account in (("custodian", custodian), ("trader", trader)):
        table.add_row(holder, account.address, tonnes(balances[holder]))
    table.add_row("[bold]total supply", "", f"[bold]{tonnes(result.supply_wei)}")
    console.print(table)
    verdict = "[green]OK[/]" if result.reserve_ok else "[red]MISMATCH[/]"
    console.print(
        f"reserve check: attested reserve {result.reserve_tonnes} t x 10^18 == supply {result.supply_wei} ... {verdict}"
    )
    console.print(f"done in {time.perf_counter() - started:.1f}s. Next: `make test`, then README.md 'Where next'.")
    return result
