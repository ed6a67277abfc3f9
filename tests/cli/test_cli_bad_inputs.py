"""Bad input to any command: exit code 2 and a message that names the option at fault (and the error's
code when a server refused), never a traceback, and nothing sent when the CLI can tell beforehand."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from click.testing import Result

from bridge.cli._app import parse_tonnes
from bridge.client import BridgeClient
from bridge.ports import free_port
from bridge.runtime import ServedBridge

Cli = Callable[..., Result]


@dataclass(frozen=True)
class World:
    url: str
    rpc_url: str
    bridge: str
    key: str  # a holder's chain key; it holds 5 t of class_id
    class_id: str
    custodian_api_key: str
    custodian: int
    trader: int
    trust_account: int
    registry_keys: dict[str, str]
    down: str  # a URL nothing answers at


@pytest.fixture(scope="module")
def world(cli_bridge: ServedBridge) -> Iterator[World]:
    service = cli_bridge.service
    holder = service.onchain.users[2]
    custodian = service.demo.accounts["custodian"]
    block = next(b for b in service.registry.list_blocks(account_id=custodian, status="held") if b.quantity >= 5)
    with BridgeClient(cli_bridge.url, api_key=service.api_key("custodian")) as client:
        tokenization = client.tokenize(
            serial=block.serial, quantity=5, recipient=holder.address, idempotency_key="cli-bad-inputs-1"
        )
        deadline = time.monotonic() + 60
        while tokenization.step != "completed" and time.monotonic() < deadline:
            time.sleep(0.2)
            tokenization = client.get_tokenization(tokenization.id)
    assert tokenization.step == "completed" and tokenization.class_id
    assert service.rpc_url is not None
    yield World(
        url=cli_bridge.url,
        rpc_url=service.rpc_url,
        bridge=service.onchain.deployment.address,
        key="0x" + bytes(holder.key).hex(),
        class_id=tokenization.class_id,
        custodian_api_key=service.api_key("custodian"),
        custodian=custodian,
        trader=service.demo.accounts["trader"],
        trust_account=service.trust_account,
        registry_keys=dict(service.demo.keys),
        down=f"http://127.0.0.1:{free_port()}",
    )


UNKNOWN_CLASS = "0x" + "ab" * 32
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _redeem(w: World, extra: str = "", *, tonnes: object = 1, account: object = None) -> list[str]:
    return (
        f"redeem --url {w.url} --class {w.class_id} --tonnes {tonnes} --account {account or w.trader} {extra}".split()
    )


def _retire(w: World, amount: str, beneficiary: str = "Acme") -> list[str]:
    args = f"retire --url {w.url} --key {w.key} --class {w.class_id} --amount {amount} --reason test".split()
    return [*args, "--beneficiary", beneficiary]


def _verify(w: World, extra: str, *, rpc: str | None = None, registry: str | None = None) -> list[str]:
    return (
        f"verify-reserves --rpc-url {rpc or w.rpc_url} --registry-url {registry or w.url + '/registry'} {extra}".split()
    )


def _registry(w: World, command: str, key: str | None = None) -> list[str]:
    return f"registry {command} --url {w.url} {'--registry-key ' + key if key else ''}".split()


_TOKENIZE = "tokenize --serial X --recipient " + RECIPIENT
_VCS = "--program VCS --project 1477 --quantity 5 --vintage-start 2030-01-01 --vintage-end 2030-12-31"

# (case id, arguments, the field the message names, the code it shows, if any)
CASES: list[tuple[str, Callable[[World], list[str]], str, str | None]] = [
    (
        "tokenize-bad-api-key",
        lambda w: f"{_TOKENIZE} --url {w.url} --api-key bak_wrong".split(),
        "api_key",
        "unauthorized",
    ),
    ("tokenize-missing-api-key", lambda w: f"{_TOKENIZE} --url {w.url}".split(), "api_key", None),
    (
        "tokenize-bad-recipient",
        lambda w: f"tokenize --url {w.url} --api-key {w.custodian_api_key} --serial X --recipient 0x12".split(),
        "recipient",
        None,
    ),
    (
        "tokenize-no-selection",
        lambda w: f"tokenize --url {w.url} --api-key {w.custodian_api_key} --recipient {RECIPIENT}".split(),
        "serial",
        None,
    ),
    (
        "tokenize-serial-and-issuance",
        lambda w: f"{_TOKENIZE} --issuance 1 --quantity 1 --url {w.url} --api-key {w.custodian_api_key}".split(),
        "serial",
        None,
    ),
    (
        "tokenize-issuance-without-quantity",
        lambda w: f"tokenize --url {w.url} --api-key k --issuance 1 --recipient {RECIPIENT}".split(),
        "quantity",
        None,
    ),
    (
        "tokenize-unreachable-url",
        lambda w: f"{_TOKENIZE} --url {w.down} --api-key k".split(),
        "url",
        "bridge_unavailable",
    ),
    ("redeem-fractional", lambda w: _redeem(w, f"--key {w.key}", tonnes="2.5"), "tonnes", None),
    ("redeem-zero", lambda w: _redeem(w, f"--key {w.key}", tonnes="0"), "tonnes", None),
    ("redeem-not-a-number", lambda w: _redeem(w, f"--key {w.key}", tonnes="three"), "tonnes", None),
    ("redeem-more-than-held", lambda w: _redeem(w, f"--key {w.key}", tonnes=6), "tonnes", None),
    ("redeem-missing-key", lambda w: _redeem(w), "key", None),
    ("redeem-bad-key", lambda w: _redeem(w, "--key 0x1234"), "key", None),
    (
        "redeem-unknown-class",
        lambda w: f"redeem --url {w.url} --key {w.key} --class {UNKNOWN_CLASS} --tonnes 1 --account 5".split(),
        "class",
        None,
    ),
    (
        "redeem-malformed-class",
        lambda w: f"redeem --url {w.url} --key {w.key} --class 0xabc --tonnes 1 --account 5".split(),
        "class",
        None,
    ),
    ("redeem-unknown-account", lambda w: _redeem(w, f"--key {w.key}", account=99999), "account", None),
    ("redeem-to-trust-account", lambda w: _redeem(w, f"--key {w.key}", account=w.trust_account), "account", None),
    (
        "redeem-unreachable-url",
        lambda w: [*_redeem(w, f"--key {w.key}"), "--url", w.down],
        "url",
        "bridge_unavailable",
    ),
    ("retire-zero", lambda w: _retire(w, "0"), "amount", None),
    ("retire-too-precise", lambda w: _retire(w, "0.0000000000000000001"), "amount", None),
    ("retire-empty-beneficiary", lambda w: _retire(w, "0.5", beneficiary=" "), "beneficiary", None),
    (
        "registry-wrong-key",
        lambda w: _registry(w, "transfer --serial X --to 5", "crk_wrong"),
        "registry_key",
        "unauthorized",
    ),
    ("registry-missing-key", lambda w: _registry(w, "transfer --serial X --to 5"), "registry_key", None),
    (
        "registry-issue-not-operator",
        lambda w: _registry(w, f"issue {_VCS} --to {w.trader}", w.registry_keys["trader"]),
        "registry_key",
        "forbidden",
    ),
    (
        "registry-unknown-destination",
        lambda w: _registry(w, "transfer --issuance 1 --quantity 1 --to 99999", w.registry_keys["custodian"]),
        "to",
        "unknown_account",
    ),
    (
        "registry-malformed-serial",
        lambda w: _registry(w, "show --serial 1477-not-a-serial"),
        "serial",
        "serial_malformed",
    ),
    ("registry-serial-of-no-program", lambda w: _registry(w, "show --serial nothing"), "serial", "unknown_program"),
    ("registry-unknown-account", lambda w: _registry(w, "show --account 99999"), "account", "unknown_account"),
    (
        "registry-unreachable",
        lambda w: [*_registry(w, "show --account 1"), "--url", w.down],
        "registry_url",
        "registry_unavailable",
    ),
    (
        "registry-issuance-without-quantity",
        lambda w: _registry(w, "transfer --issuance 1 --to 5", w.registry_keys["custodian"]),
        "quantity",
        None,
    ),
    (
        "pools-preset-and-rules",
        lambda w: f"pools create --url {w.url} --preset nature --rules {{}}".split(),
        "preset",
        None,
    ),
    ("pools-neither-preset-nor-rules", lambda w: f"pools create --url {w.url} --name N".split(), "preset", None),
    (
        "pools-rules-without-symbol",
        lambda w: f"pools create --url {w.url} --rules {{}} --name N".split(),
        "symbol",
        None,
    ),
    ("registry-quantity-not-positive", lambda w: _registry(w, "transfer --quantity 0"), "--quantity", None),
    ("reserves-unreachable", lambda w: ["reserves", "--url", w.down], "url", "bridge_unavailable"),
    ("verify-bad-address", lambda w: _verify(w, "--bridge 0xnot-an-address"), "bridge", None),
    ("verify-not-a-contract", lambda w: _verify(w, f"--bridge {RECIPIENT}"), "bridge", None),
    ("verify-unreachable-rpc", lambda w: _verify(w, f"--bridge {w.bridge}", rpc=w.down), "rpc_url", None),
    (
        "verify-unreachable-registry",
        lambda w: _verify(w, f"--bridge {w.bridge}", registry=w.down),
        "registry_url",
        "registry_unavailable",
    ),
    (
        "verify-unknown-trust-account",
        lambda w: _verify(w, f"--bridge {w.bridge} --trust-account 99999"),
        "trust_account",
        "unknown_account",
    ),
    (
        "verify-not-a-trust-account",
        lambda w: _verify(w, f"--bridge {w.bridge} --trust-account {w.custodian}"),
        "trust_account",
        "wrong_account_kind",
    ),
]


@pytest.mark.parametrize(("args", "field", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_naming_the_field(
    cli: Cli, world: World, args: Callable[[World], list[str]], field: str, code: str | None
) -> None:
    result = cli(*args(world))
    message = " ".join(result.stderr.replace("│", " ").split())
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert f"{field}:" in message or f"'{field}'" in message, message
    if code is not None:
        assert code in message, message


def test_refused_inputs_sent_nothing(cli: Cli, world: World, cli_bridge: ServedBridge) -> None:
    """After every refusal above, the holder still holds all 5 t and no redemption was asked."""
    service = cli_bridge.service
    token = service.onchain.deployment.class_token(bytes.fromhex(world.class_id[2:]))
    assert token is not None
    holder = service.onchain.users[2].address
    assert token.functions.balanceOf(holder).call() == 5 * 10**18
    assert service.onchain.bridge.functions.escrowed(bytes.fromhex(world.class_id[2:])).call() == 0


@pytest.mark.parametrize(
    ("text", "wei"),
    [
        ("0.25", 25 * 10**16),
        ("3", 3 * 10**18),
        ("1e-18", 1),
        ("123456789012345.123456789012345678", 123456789012345123456789012345678),  # past float and Decimal's 28
    ],
)
def test_amounts_convert_to_wei_exactly(text: str, wei: int) -> None:
    assert parse_tonnes(text, field="amount", whole=False) == wei
