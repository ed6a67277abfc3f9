"""`carbon-bridge pools` against a served bridge (anvil, real HTTP, the engine worker running): the operator
creates preset pools, traders deposit, swap, redeem and retire with their own keys; bad input exits 2
naming the field, and nothing reaches the chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner, Result

from bridge.cli import app
from bridge.cli._app import parse_tonnes
from bridge.client import BridgeClient
from bridge.runtime import ServedBridge

TONNE = 10**18
runner = CliRunner()


def cli(*args: str) -> Result:
    return runner.invoke(app, ["pools", *args])


def ok(*args: str) -> Any:
    """Run a pools command with --json; its parsed output."""
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def key_of(account: LocalAccount) -> str:
    return "0x" + bytes(account.key).hex()


def tokenize(served: ServedBridge, serial_prefix: str, tonnes: int, to: LocalAccount) -> tuple[str, str]:
    """Bridge ``tonnes`` of the custodian's block starting with ``serial_prefix`` to ``to``: (class id, token)."""
    service = served.service
    custodian = BridgeClient(served.url, api_key=service.api_key("custodian"))
    held = service.registry.list_blocks(account_id=service.demo.accounts["custodian"], status="held")
    block = next(b for b in held if b.serial.startswith(serial_prefix))
    tokenization = custodian.tokenize(
        serial=block.serial, quantity=tonnes, recipient=to.address, idempotency_key=f"cli-pools-{serial_prefix}"
    )
    assert served.worker is not None
    for _ in range(40):
        served.worker.wait_idle(5)
        tokenization = custodian.get_tokenization(tokenization.id)
        if tokenization.step == "completed":
            break
    assert tokenization.step == "completed" and tokenization.class_id and tokenization.token_address
    return tokenization.class_id, tokenization.token_address


def balance(served: ServedBridge, token: str, holder: str) -> int:
    return int(served.service.onchain.deployment.token_at(token).functions.balanceOf(holder).call())


def test_preset_pools_and_a_traders_round_trip_from_the_command_line(served_bridge: ServedBridge) -> None:
    url, service = served_bridge.url, served_bridge.service
    operator = service.api_key("operator")
    created = ok("create", "--preset", "ccp", "--url", url, "--api-key", operator)
    assert created["symbol"] == "CCPT" and created["fee_bps"] == 50
    assert ok("create", "--preset", "ccp", "--url", url, "--api-key", operator)["address"] == created["address"]
    assert ok("create", "--preset", "nature", "--url", url, "--api-key", operator)["symbol"] == "NBT"
    listed = ok("list", "--url", url)
    assert [p["symbol"] for p in listed] == ["CCPT", "NBT"]
    table = cli("list", "--url", url)
    assert table.exit_code == 0 and "CCPT" in table.stdout and "NBT" in table.stdout

    alice, bob = service.onchain.users[:2]
    vcs_class, vcs = tokenize(served_bridge, "22-", 30, alice)  # VCS VM0007 Indonesia 2019
    _, gs = tokenize(served_bridge, "GS1-1-UG", 30, bob)  # Gold Standard Uganda 2022
    ccp = created["address"]

    stocked = ok("deposit", "ccp", gs, "20", "--url", url, "--key", key_of(bob))
    assert [tx["step"] for tx in stocked["transactions"]] == ["approve", "deposit"]
    assert stocked["received"] == {"token": ccp, "tonnes": "20"}
    # a class named by its class id, a fraction of a tonne
    deposited = ok("deposit", ccp, vcs_class, "2.5", "--url", url, "--key", key_of(alice))
    assert deposited["gave"] == {"token": vcs, "tonnes": "2.5"}
    assert balance(served_bridge, ccp, alice.address) == 5 * TONNE // 2

    swapped = ok("swap", "CCPT", vcs, gs, "1.5", "--url", url, "--key", key_of(alice))
    assert (swapped["received"]["tonnes"], swapped["fee_tonnes"]) == ("1.4925", "0.0075")
    redeemed = cli("redeem", "ccp", gs, "1", "--url", url, "--key", key_of(alice))
    assert redeemed.exit_code == 0, redeemed.output
    assert "received 0.995 t" in redeemed.stdout and "redeem: 0x" in redeemed.stdout
    retired = ok("retire", "ccp", gs, "0.5", "--beneficiary", "Acme Airlines", "--url", url, "--key", key_of(alice))
    assert retired["retired"] is True and retired["certificate_id"] >= 1
    assert balance(served_bridge, gs, alice.address) == (14_925 + 9_950) * TONNE // 10_000
    assert balance(served_bridge, ccp, alice.address) == TONNE  # 2.5 - 1 - 0.5

    shown = ok("show", "ccp", "--url", url)
    holdings = {item["token"]: int(item["amount"]) for item in shown["composition"]}
    assert holdings == {vcs: 4 * TONNE, gs: 20 * TONNE - (14_925 + 9_950 + 4_975) * TONNE // 10_000}
    assert int(shown["total_supply"]) == sum(holdings.values())
    text = cli("show", "ccp", "--url", url)
    assert text.exit_code == 0 and "labels: CCP_APPROVED" in text.stdout and "VCS" in text.stdout
    verdict = cli("eligibility", "nature", gs, "--url", url)
    assert verdict.exit_code == 0 and "not eligible" in verdict.stdout and "methodology" in verdict.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["deposit", "ccp", "0x" + "11" * 20, "0", "--key", "0x" + "22" * 32], "amount"),
        (["deposit", "--key", "0x" + "22" * 32, "--", "ccp", "0x" + "11" * 20, "-1"], "amount"),
        (["deposit", "ccp", "0x" + "11" * 20, "lots", "--key", "0x" + "22" * 32], "amount"),
        (["deposit", "ccp", "0x" + "11" * 20, "nan", "--key", "0x" + "22" * 32], "amount"),
        (["deposit", "ccp", "0x" + "11" * 20, "1e999999999", "--key", "0x" + "22" * 32], "amount"),
        (["deposit", "ccp", "0x" + "11" * 20, "0.0000000000000000001", "--key", "0x" + "22" * 32], "amount"),
        (["deposit", "ccp", "0x" + "11" * 20, "1"], "key"),
        (["deposit", "ccp", "0x" + "11" * 20, "1", "--key", "not-a-key"], "key"),
        (["retire", "ccp", "0x" + "11" * 20, "1", "--beneficiary", " ", "--key", "0x" + "22" * 32], "beneficiary"),
        (
            ["retire", "ccp", "0x" + "11" * 20, "1", "--beneficiary", "é" * 101, "--key", "0x" + "22" * 32],
            "beneficiary",
        ),
        (["create", "--api-key", "k"], "preset"),
        (["create", "--preset", "ccp", "--rules", "{}", "--api-key", "k"], "preset"),
        (["create", "--rules", "{}", "--symbol", "X", "--api-key", "k"], "name"),
        (["create", "--rules", "[1]", "--name", "X", "--symbol", "X", "--api-key", "k"], "rules"),
        (["create", "--rules", "{nope", "--name", "X", "--symbol", "X", "--api-key", "k"], "rules"),
        (["create", "--preset", "ccp"], "api_key"),
        (["create", "--preset", "ccp", "--fee-bps", "-3", "--api-key", "k"], "fee_bps"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(args: list[str], field: str) -> None:
    # no bridge at this URL: each refusal happens before any request
    result = cli(args[0], "--url", "http://127.0.0.1:9", *args[1:])
    assert result.exit_code == 2, result.output
    assert f"{field}:" in result.output


def test_tonnes_become_wei_exactly() -> None:
    assert parse_tonnes("2.5") == 5 * TONNE // 2
    assert parse_tonnes("12345678901.123456789012345678") == 12345678901123456789012345678  # 29 digits
    assert parse_tonnes("0.000000000000000001") == 1


def test_refusals_from_the_bridge_exit_2_with_their_code_and_spend_no_gas(served_bridge: ServedBridge) -> None:
    url, service = served_bridge.url, served_bridge.service
    operator = service.api_key("operator")
    ccp = ok("create", "--preset", "ccp", "--url", url, "--api-key", operator)["address"]
    alice = service.onchain.users[0]
    _, accu = tokenize(served_bridge, "ACCU-14", 5, alice)  # a removal without the CCP label
    w3 = service.onchain.chain.w3
    nonce = w3.eth.get_transaction_count(alice.address)

    cases = [
        (["create", "--preset", "forest", "--api-key", operator], "unknown_pool_preset"),
        (["create", "--preset", "ccp", "--api-key", service.api_key("custodian")], "forbidden"),
        (["create", "--preset", "ccp", "--name", "N" * 65, "--api-key", operator], "invalid_request"),
        (["show", "0x000000000000000000000000000000000000dEaD"], "pool_not_found"),
        (["show", "everything"], "pool:"),
        (["deposit", "ccp", accu, "1", "--key", key_of(alice)], "class_not_eligible"),
        (["deposit", "ccp", "0x" + "ab" * 32, "1", "--key", key_of(alice)], "token:"),
        (["redeem", "ccp", accu, "1", "--key", key_of(alice)], "insufficient_balance"),
        (["swap", "ccp", accu, accu, "1", "--key", key_of(alice)], "same_class_swap"),
        (["deposit", ccp[:2] + ccp[2:].swapcase(), accu, "1", "--key", key_of(alice)], "pool:"),
    ]
    for args, expected in cases:
        result = cli(*args, "--url", url)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
    assert w3.eth.get_transaction_count(alice.address) == nonce  # the trader spent nothing
    assert [p["symbol"] for p in ok("list", "--url", url)] == ["CCPT"]
