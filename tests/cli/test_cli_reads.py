"""The CLI's read side and richer retirements against a served bridge: classes by name (and accepted by
name or token address wherever a class is asked for), retirements for several beneficiaries with every
detail, one kept private and disclosed, the certificate in the terminal, redemptions listed, shown and
watched; and `dev keys` of a local bridge home."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from bridge.local.home import LocalHome, Manifest
from bridge.local.settings import local_api_key
from bridge.runtime import ServedBridge

Cli = Callable[..., Result]


@pytest.fixture(scope="module")
def minted(cli: Cli, cli_bridge: ServedBridge) -> dict[str, Any]:
    """A class tokenized to a holder whose key the tests sign with, and the class as the API names it."""
    service, url = cli_bridge.service, cli_bridge.url
    holder = service.onchain.users[2]
    held = cli(
        "registry", "show", "--url", url, "--account", service.demo.accounts["custodian"], "--status", "held", "--json"
    )
    serial = next(b["serial"] for b in json.loads(held.stdout)["blocks"] if b["quantity"] >= 10 and not b["frozen"])
    done = cli(
        "tokenize", "--url", url, "--api-key", service.api_key("custodian"), "--serial", serial, "--quantity", 10,
        "--recipient", holder.address, "--wait", "--timeout", 60, "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    class_id = json.loads(done.stdout)["class_id"]
    listed = cli("classes", "list", "--url", url, "--json")
    (found,) = [c for c in json.loads(listed.stdout) if c["class_id"] == class_id]
    return {"class": found, "key": "0x" + bytes(holder.key).hex(), "holder": holder.address, "url": url}


def test_classes_are_listed_and_shown_by_name(cli: Cli, minted: dict[str, Any]) -> None:
    url, found = minted["url"], minted["class"]
    table = cli("classes", "list", "--url", url)
    assert table.exit_code == 0, table.output
    assert found["project_name"].split()[0] in table.stdout  # names fold at 80 columns, never cut
    by_program = cli("classes", "list", "--url", url, "--program", found["attributes"]["program"], "--json")
    assert found["class_id"] in {c["class_id"] for c in json.loads(by_program.stdout)}
    assert json.loads(cli("classes", "list", "--url", url, "--program", "NOPE", "--json").stdout) == []
    for reference in (found["name"], found["token_address"], found["class_id"], found["project_name"]):
        shown = cli("classes", "show", reference, "--url", url, "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["class_id"] == found["class_id"]
        assert json.loads(shown.stdout)["batches"], "the serials behind the class"
    unknown = cli("classes", "show", "No Such Project", "--url", url)
    assert unknown.exit_code == 2 and "class:" in unknown.stderr


def test_retire_for_two_beneficiaries_with_every_detail_by_class_name(cli: Cli, minted: dict[str, Any]) -> None:
    url, found = minted["url"], minted["class"]
    retired = cli(
        "retire", "--url", url, "--key", minted["key"], "--class", found["name"],
        "--amount", "0.5", "--beneficiary", "Contoso Ltd", "--amount", "0.25", "--beneficiary", "Fabrikam GmbH",
        "--purpose", "product_claim", "--country", "de", "--period", "2025-01-01..2025-12-31",
        "--jurisdiction", "DE-BY", "--retiring-entity", "Acme Sustainability Desk", "--reason", "parcels",
        "--wait", "--timeout", 60, "--json",
    )  # fmt: skip
    assert retired.exit_code == 0, retired.output
    first, second = json.loads(retired.stdout)
    assert second["certificate_id"] == first["certificate_id"] + 1 and first["tx_hash"] == second["tx_hash"]
    shown = cli("retirements", "show", first["certificate_id"], "--url", url)
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    for fact in (
        "Contoso Ltd",
        "product_claim",
        "Germany",
        "DE-BY",
        "2025-01-01",
        "Acme Sustainability Desk",
        "0.5 t",
    ):
        assert fact in text, fact
    listed = cli("retirements", "list", "--url", url, "--class", found["token_address"], "--json")
    assert {first["certificate_id"], second["certificate_id"]} <= {
        c["certificate_id"] for c in json.loads(listed.stdout)
    }


def test_a_private_retirement_is_disclosed_and_named(cli: Cli, minted: dict[str, Any]) -> None:
    url = minted["url"]
    retired = cli(
        "retire", "--url", url, "--key", minted["key"], "--class", minted["class"]["class_id"], "--amount", "1",
        "--beneficiary", "Jane Doe", "--purpose", "event_claim", "--private", "--json",
    )  # fmt: skip
    assert retired.exit_code == 0, retired.output
    result = json.loads(retired.stdout)
    assert result["private"] and result["salt"].startswith("0x")
    certificate = result["certificate_id"]
    waited = cli("redemptions", "list", "--url", url)  # any call: give the engine a moment to record it
    assert waited.exit_code == 0
    wrong = cli(
        "retirements", "disclose", certificate, "--url", url, "--salt", "0x" + "00" * 32, "--beneficiary", "Jane Doe"
    )
    assert wrong.exit_code == 2 and ("personal_data_mismatch" in wrong.stderr or "not_found" in wrong.stderr)
    for _ in range(100):
        disclosed = cli(
            "retirements", "disclose", certificate, "--url", url, "--salt", result["salt"], "--beneficiary", "Jane Doe"
        )
        if disclosed.exit_code == 0 or "not_found" not in disclosed.stderr:
            break
    assert disclosed.exit_code == 0, disclosed.output
    assert "Jane Doe" in disclosed.stdout


def test_retire_refuses_bad_details_naming_the_option(cli: Cli, minted: dict[str, Any]) -> None:
    base = ("retire", "--url", minted["url"], "--key", minted["key"], "--class", minted["class"]["class_id"])
    for extra, option in (
        (("--amount", "1", "--beneficiary", "A", "--country", "XX"), "country"),
        (("--amount", "1", "--beneficiary", "A", "--jurisdiction", "US-ZZ"), "jurisdiction"),
        (("--amount", "1", "--beneficiary", "A", "--purpose", "fun"), "purpose"),
        (("--amount", "1", "--beneficiary", "A", "--period", "2025-02-01..2025-01-01"), "period"),
        (("--amount", "1", "--beneficiary", "A", "--period", "last year"), "period"),
        (("--amount", "1", "--amount", "2", "--beneficiary", "A"), "amount"),
        (("--amount", "1", "--beneficiary", "A", "--beneficiary-address", "0x12"), "beneficiary-address"),
    ):
        refused = cli(*base, *extra)
        assert refused.exit_code == 2, (extra, refused.output)
        assert f"{option}:" in refused.stderr, (extra, refused.stderr)


def test_redemptions_are_listed_shown_and_watched(cli: Cli, minted: dict[str, Any], cli_bridge: ServedBridge) -> None:
    url = minted["url"]
    redeemed = cli(
        "redeem", "--url", url, "--key", minted["key"], "--class", minted["class"]["name"], "--tonnes", 2,
        "--account", cli_bridge.service.demo.accounts["trader"], "--json",
    )  # fmt: skip
    assert redeemed.exit_code == 0, redeemed.output
    redemption_id = json.loads(redeemed.stdout)["redemption_id"]
    watched = cli("redemptions", "watch", redemption_id, "--url", url, "--timeout", 60, "--json")
    assert watched.exit_code == 0, watched.output
    assert json.loads(watched.stdout)["step"] == "completed"
    mine = cli("redemptions", "list", "--url", url, "--holder", minted["holder"].lower(), "--json")
    assert redemption_id in {r["id"] for r in json.loads(mine.stdout)}
    shown = cli("redemptions", "show", redemption_id, "--url", url)
    assert shown.exit_code == 0 and "released" in shown.stdout and "completed" in shown.stdout
    bad = cli("redemptions", "list", "--url", url, "--status", "finished")
    assert bad.exit_code == 2 and "status:" in bad.stderr


def test_dev_keys_lists_the_demo_accounts_of_a_local_home(cli: Cli, tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    home.path.mkdir()
    home._write_manifest(
        Manifest(
            seed=7,
            bridge_address="0x5FbDB2315678afecb367f032d93F642f64180aa3",
            start_block=1,
            trust_account=9,
            trust_key="crk_trust",
            accounts={"custodian": 4, "trader": 5, "broker": 6, "exchange": 7},
            registry_keys={name: f"crk_{name}" for name in ("custodian", "trader", "broker", "exchange")},
            pools=[],
            created_at="2025-01-01T00:00:00+00:00",
        )
    )
    listed = cli("dev", "keys", "--home", home.path, "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["holder"] for r in rows] == ["custodian", "trader", "broker", "exchange"]
    assert rows[1]["registry_key"] == "crk_trader" and rows[1]["api_key"] == local_api_key(7, "trader")
    assert len({r["wallet"] for r in rows}) == 4 and all(r["wallet_key"].startswith("0x") for r in rows)
    missing = cli("dev", "keys", "--home", tmp_path / "nothing")
    assert missing.exit_code == 2 and "home:" in missing.stderr
