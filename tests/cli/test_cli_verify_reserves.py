"""verify-reserves catches a registry that no longer backs the supply: units taken out of trust behind
the bridge's back (here straight through the ledger, as a compromised registry operator could)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from click.testing import Result

from bridge.client import BridgeClient
from bridge.reserves_check import IndependentReport, check_until_settled
from bridge.runtime import ServedBridge

Cli = Callable[..., Result]
TONNE = 10**18


def _tokenize(served: ServedBridge, tonnes: int) -> str:
    service = served.service
    custodian = service.demo.accounts["custodian"]
    block = next(b for b in service.registry.list_blocks(account_id=custodian, status="held") if b.quantity >= tonnes)
    with BridgeClient(served.url, api_key=service.api_key("custodian")) as client:
        tokenization = client.tokenize(
            serial=block.serial,
            quantity=tonnes,
            recipient=service.onchain.users[0].address,
            idempotency_key="cli-mismatch-1",
        )
        deadline = time.monotonic() + 60
        while tokenization.step != "completed" and time.monotonic() < deadline:
            time.sleep(0.2)
            tokenization = client.get_tokenization(tokenization.id)
    assert tokenization.step == "completed" and tokenization.class_id
    return tokenization.class_id


def test_verify_reserves_detects_units_moved_out_of_trust(cli: Cli, cli_bridge: ServedBridge) -> None:
    service, url = cli_bridge.service, cli_bridge.url
    class_id = _tokenize(cli_bridge, 8)
    assert service.rpc_url is not None
    verify = (
        "verify-reserves", "--rpc-url", service.rpc_url, "--registry-url", f"{url}/registry",
        "--bridge", service.onchain.deployment.address, "--trust-account", service.trust_account, "--json",
    )  # fmt: skip
    before = cli(*verify)
    assert before.exit_code == 0, before.output

    trust_block = next(
        b
        for b in service.registry.list_blocks(account_id=service.trust_account, status="immobilized")
        if b.marketplace is not None and b.quantity == 8
    )
    service.registry.release(
        actor_account=None,
        serial=trust_block.serial,
        quantity=2,
        to_account=service.demo.accounts["custodian"],
    )

    after = cli(*verify, "--retries", 1, "--retry-delay", 0)
    assert after.exit_code == 1, after.output
    ours = {c["class_id"]: c for c in json.loads(after.stdout)}[class_id]
    assert ours["ok"] is False
    assert ours["units_in_trust"] == 6
    assert ours["total_supply"] == str(8 * TONNE)
    assert ours["difference_wei"] == str(-2 * TONNE)

    table = cli(*verify[:-1])
    assert table.exit_code == 1 and "MISMATCH" in table.stdout
    # the bridge's own report agrees: not backed
    assert cli("reserves", "--url", url, "--json").exit_code == 1


def test_a_transient_difference_is_rechecked() -> None:
    """--retries re-checks a difference: one that settles (an in-flight flow) passes, one that stays fails."""

    def report(ok: bool) -> IndependentReport:
        return IndependentReport(
            ok=ok, chain_id=1, bridge="0x0", block_number=1, trust_accounts=[], foreign_units=0, classes=[]
        )

    answers = iter([report(False), report(True)])
    assert check_until_settled(lambda: next(answers), retries=2, delay=0, sleep=lambda _: None).ok
    assert not check_until_settled(lambda: report(False), retries=2, delay=0, sleep=lambda _: None).ok


def test_a_registry_url_without_registry_names_the_url_to_try(cli: Cli, cli_bridge: ServedBridge) -> None:
    service, url = cli_bridge.service, cli_bridge.url
    result = cli(
        "verify-reserves", "--rpc-url", service.rpc_url, "--registry-url", url, "--bridge", service.bridge_address
    )
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "registry_url:" in message and f"try --registry-url {url}/registry" in message
