"""The CLI end to end against a served bridge: the registry commands, then tokenize -> redeem -> retire
a fraction, and both reserve checks agreeing that every class is backed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from bridge.runtime import ServedBridge

TONNE = 10**18
Cli = Callable[..., Result]


def _json(output: str) -> Any:
    return json.loads(output)


def test_registry_issue_transfer_retire_show(cli: Cli, cli_bridge: ServedBridge) -> None:
    service, url = cli_bridge.service, cli_bridge.url
    demo = service.demo
    trader, broker = demo.accounts["trader"], demo.accounts["broker"]

    issued = cli(
        "registry", "issue", "--url", url, "--registry-key", demo.keys["operator"], "--program", "VCS",
        "--project", "1477", "--to", trader, "--quantity", 100, "--vintage-start", "2031-01-01",
        "--vintage-end", "2031-12-31", "--json",
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    issuance = _json(issued.stdout)["issuance"]
    assert issuance["quantity"] == 100 and issuance["issued_to_account_id"] == trader

    moved = cli(
        "registry", "transfer", "--url", url, "--registry-key", demo.keys["trader"], "--issuance", issuance["id"],
        "--quantity", 40, "--to", broker, "--json",
    )  # fmt: skip
    assert moved.exit_code == 0, moved.output
    result = _json(moved.stdout)
    assert result["quantity"] == 40 and {b["account_id"] for b in result["blocks"]} == {broker}
    left = result["remainders"][0]["serial"]

    retired = cli(
        "registry", "retire", "--url", url, "--registry-key", demo.keys["trader"], "--serial", left, "--quantity", 10,
        "--beneficiary", "Acme Airlines", "--reason", "2031 scope 1",
    )  # fmt: skip
    assert retired.exit_code == 0, retired.output
    assert "retire" in retired.stdout and "10 units" in retired.stdout

    shown = cli("registry", "show", "--url", url, "--account", broker, "--status", "held", "--json")
    assert shown.exit_code == 0, shown.output
    assert issuance["id"] in {b["issuance_id"] for b in _json(shown.stdout)["blocks"]}
    table = cli("registry", "show", "--url", url, "--account", trader)
    assert table.exit_code == 0 and "Blue Harbor Trading" in table.stdout
    credit = cli("registry", "show", "--url", url, "--serial", result["blocks"][0]["serial"], "--json")
    assert credit.exit_code == 0, credit.output
    assert _json(credit.stdout)["project"]["project_id"] == "1477"


def test_tokenize_redeem_retire_then_both_reserve_checks_agree(cli: Cli, cli_bridge: ServedBridge) -> None:
    service, url = cli_bridge.service, cli_bridge.url
    custodian, trader = service.demo.accounts["custodian"], service.demo.accounts["trader"]
    holder = service.onchain.users[1]
    key = "0x" + bytes(holder.key).hex()

    held = cli("registry", "show", "--url", url, "--account", custodian, "--status", "held", "--json")
    serial = next(b["serial"] for b in _json(held.stdout)["blocks"] if b["quantity"] >= 10 and not b["frozen"])

    minted = cli(
        "tokenize", "--url", url, "--api-key", service.api_key("custodian"), "--serial", serial, "--quantity", 10,
        "--recipient", holder.address, "--wait", "--timeout", 60, "--json",
    )  # fmt: skip
    assert minted.exit_code == 0, minted.output
    tokenization = _json(minted.stdout)
    assert tokenization["step"] == "completed" and tokenization["quantity"] == 10
    class_id = tokenization["class_id"]

    redeemed = cli(
        "redeem", "--url", url, "--key", key, "--class", class_id, "--tonnes", 3, "--account", trader,
        "--wait", "--timeout", 60, "--json",
    )  # fmt: skip
    assert redeemed.exit_code == 0, redeemed.output
    redemption = _json(redeemed.stdout)
    assert redemption["step"] == "completed" and redemption["tonnes"] == 3 and redemption["released_serials"]

    retired = cli(
        "retire", "--url", url, "--key", key, "--class", class_id, "--amount", "0.25",
        "--beneficiary", "Acme Airlines", "--reason", "2025 scope 1", "--wait", "--timeout", 60,
    )  # fmt: skip
    assert retired.exit_code == 0, retired.output
    assert "certificate" in retired.stdout and "0.25 t retired" in retired.stdout
    assert cli_bridge.worker is not None and cli_bridge.worker.wait_idle(30)

    reported = cli("reserves", "--url", url, "--json")
    assert reported.exit_code == 0, reported.output
    by_class = {c["class_id"]: c for c in _json(reported.stdout)}
    ours = by_class[class_id]
    assert ours["ok"] is True
    assert ours["units_in_trust"] == 7
    assert ours["total_supply"] == str(7 * TONNE - TONNE // 4)  # amounts are decimal strings in JSON
    assert ours["escrowed"] == "0"
    assert ours["retired_unsettled"] == str(TONNE // 4)

    network = service.onchain.deployment.address
    independent = cli(
        "verify-reserves", "--rpc-url", service.rpc_url, "--registry-url", f"{url}/registry", "--bridge", network,
        "--trust-account", service.trust_account, "--json",
    )  # fmt: skip
    assert independent.exit_code == 0, independent.output
    checked = {c["class_id"]: c for c in _json(independent.stdout)}
    assert set(checked) == set(by_class)
    for field in ("token", "units_in_trust", "total_supply", "escrowed", "retired_unsettled", "ok"):
        assert checked[class_id][field] == ours[field], field

    # the human forms, and finding the trust account on its own
    table = cli("reserves", "--url", url)
    assert table.exit_code == 0 and "ok" in table.stdout
    found = cli(
        "verify-reserves", "--rpc-url", service.rpc_url, "--registry-url", f"{url}/registry", "--bridge", network
    )
    assert found.exit_code == 0, found.output
    assert f"trust account {service.trust_account}" in " ".join(found.stdout.split())
    assert "overall: ok" in found.stdout


def test_tokenize_many_records_every_item_or_names_the_bad_one(
    cli: Cli, cli_bridge: ServedBridge, tmp_path: Path
) -> None:
    service, url = cli_bridge.service, cli_bridge.url
    custodian = service.demo.accounts["custodian"]
    holder = service.onchain.users[1].address
    held = cli("registry", "show", "--url", url, "--account", custodian, "--status", "held", "--json")
    serials = [b["serial"] for b in _json(held.stdout)["blocks"] if b["quantity"] >= 2 and not b["frozen"]][-2:]
    key = service.api_key("custodian")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([{"serial": serials[0], "recipient": holder}, {"serial": serials[1], "recipient": "0x12"}])
    )
    refused = cli("tokenize-many", str(bad), "--url", url, "--api-key", key)
    assert refused.exit_code == 2 and "tokenizations.1.recipient" in refused.stderr, refused.output
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"serial": s, "quantity": 1, "recipient": holder} for s in serials]))
    recorded = cli("tokenize-many", str(good), "--url", url, "--api-key", key, "--json")
    assert recorded.exit_code == 0, recorded.output
    assert [t["quantity"] for t in _json(recorded.stdout)] == [1, 1]
