"""Sending and waiting on a chain that does not mine at once (anvil with automine off, as a public chain
behaves): a stuck transaction is replaced with bumped fees and the version that lands is the one waited
for, exactly once; a version refused because another landed is no error; waiting holds no lock; a
transaction that will never be mined says so."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from web3.exceptions import TransactionNotFound

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root, load_artifacts
from bridge.chain.deploy import make_decoder
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.policy import GWEI, ChainPolicy
from bridge.chain.tx import TxSender

FAST = {"replace_after_s": 0.3, "poll_min_s": 0.01, "poll_max_s": 0.05, "receipt_timeout_s": 20}


@pytest.fixture
def node() -> Iterator[AnvilChain]:
    chain = AnvilChain(find_anvil(find_project_root())).start()
    chain._rpc("evm_setAutomine", [False])  # blocks only when the test mines one
    yield chain
    chain.stop()


def sender(node: AnvilChain, sleep: Callable[[float], None] = time.sleep, **policy: Any) -> TxSender:
    return TxSender(
        node.w3, node.accounts[0], make_decoder(load_artifacts()), ChainPolicy(**(FAST | policy)), sleep=sleep
    )


def payment(node: AnvilChain, value: int = 1) -> dict[str, Any]:
    return {"to": node.accounts[5].address, "value": value}


def mined(node: AnvilChain, tx_hash: str) -> bool:
    try:
        node.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return False
    return True


def test_a_stuck_transaction_is_replaced_and_the_replacement_that_lands_is_waited_for(node: AnvilChain) -> None:
    payee_before = node.w3.eth.get_balance(node.accounts[5].address)
    tx_sender: TxSender

    def sleep(seconds: float) -> None:  # the chain mines once a replacement is out
        time.sleep(seconds)
        if any(len(sent.hashes) > 1 for sent in tx_sender._in_flight.values()):
            node.mine(1)

    tx_sender = sender(node, sleep)
    first = tx_sender.send(payment(node, 7), gas=21_000)
    original = node.w3.eth.get_transaction(first)  # type: ignore[arg-type]
    receipt = tx_sender.wait(first)
    landed = "0x" + bytes(receipt["transactionHash"]).hex()
    assert landed != first and not mined(node, first)
    replacement = node.w3.eth.get_transaction(landed)  # type: ignore[arg-type]
    for fee in ("maxFeePerGas", "maxPriorityFeePerGas"):
        assert replacement[fee] * 100 >= original[fee] * 112  # the policy's default bump, 12%
    assert replacement["nonce"] == original["nonce"]
    assert node.w3.eth.get_balance(node.accounts[5].address) == payee_before + 7  # paid once
    assert tx_sender._in_flight == {}


def test_a_replacement_refused_because_the_original_landed_meanwhile_is_no_error(
    node: AnvilChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    tx_sender = sender(node)
    send_raw = node.w3.eth.send_raw_transaction
    refusals: list[str] = []

    def original_lands_first(raw: Any) -> Any:
        if tx_sender._in_flight:  # a replacement: the original is mined just before it reaches the node
            node.mine(1)
            try:
                return send_raw(raw)
            except Exception as exc:
                refusals.append(str(exc))
                raise
        return send_raw(raw)

    monkeypatch.setattr(tx_sender.w3.eth, "send_raw_transaction", original_lands_first)
    first = tx_sender.send(payment(node), gas=21_000)
    receipt = tx_sender.wait(first)
    assert "0x" + bytes(receipt["transactionHash"]).hex() == first
    assert len(refusals) == 1 and "nonce too low" in refusals[0]


def test_a_new_process_replaces_a_stuck_transaction_an_earlier_one_sent(node: AnvilChain) -> None:
    stuck = sender(node).send(payment(node), gas=21_000)  # its sender is gone (a crash): only the hash is kept
    later: TxSender

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        if any(len(sent.hashes) > 1 for sent in later._in_flight.values()):
            node.mine(1)

    later = sender(node, sleep)
    receipt = later.wait(stuck)
    assert "0x" + bytes(receipt["transactionHash"]).hex() != stuck and not mined(node, stuck)
    assert node.w3.eth.get_transaction_count(node.accounts[0].address) == 1


def test_waiting_holds_no_lock_sending_goes_on_while_a_transaction_is_stuck(node: AnvilChain) -> None:
    tx_sender = sender(node, max_replacements=0, receipt_timeout_s=10)
    stuck = tx_sender.send(payment(node), gas=21_000)
    receipts: list[Any] = []
    waiting = threading.Thread(target=lambda: receipts.append(tx_sender.wait(stuck)), daemon=True)
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    second = tx_sender.send(payment(node), gas=21_000)  # the next nonce, while the first is waited for
    assert time.monotonic() - started < 1 and waiting.is_alive()
    node.mine(1)
    assert tx_sender.wait(second)["status"] == 1
    waiting.join(5)
    assert [r["status"] for r in receipts] == [1]  # mined in the same block: the other wait found it


def test_a_wait_that_times_out_can_be_waited_again_and_polls_slow_down(node: AnvilChain) -> None:
    naps: list[float] = []
    tx_sender = sender(node, lambda s: naps.append(s) or time.sleep(s), max_replacements=0, poll_max_s=0.08)
    stuck = tx_sender.send(payment(node), gas=21_000)
    with pytest.raises(ChainError) as late:
        tx_sender.wait(stuck, timeout=0.5)
    assert late.value.code is ChainErrorCode.TX_NOT_MINED
    assert naps[:4] == [0.01, 0.02, 0.04, 0.08] and max(naps) == 0.08
    node.mine(1)
    assert tx_sender.wait(stuck, timeout=0.5)["status"] == 1


def test_a_bump_past_the_fee_cap_is_never_sent(node: AnvilChain) -> None:
    node._rpc("anvil_setNextBlockBaseFeePerGas", [hex(4 * GWEI)])
    tx_sender = sender(node, max_fee_gwei=Decimal(9), min_tip_gwei=Decimal(1), receipt_timeout_s=1)
    stuck = tx_sender.send(payment(node), gas=21_000)  # 2 x 4 + 1 = 9 gwei: at the cap already
    with pytest.raises(ChainError) as late:
        tx_sender.wait(stuck)
    assert late.value.code is ChainErrorCode.TX_NOT_MINED
    assert node.w3.eth.get_transaction(stuck)["maxFeePerGas"] == 9 * GWEI  # type: ignore[arg-type]
    assert tx_sender._in_flight[0].hashes == [stuck]  # no other version went out


def test_nothing_is_sent_while_the_base_fee_is_above_the_cap(node: AnvilChain) -> None:
    node._rpc("anvil_setNextBlockBaseFeePerGas", [hex(30 * GWEI)])
    tx_sender = sender(node, max_fee_gwei=Decimal(20))
    with pytest.raises(ChainError) as refused:
        tx_sender.send(payment(node), gas=21_000)
    assert refused.value.code is ChainErrorCode.FEE_ABOVE_CAP
    assert node.w3.eth.get_transaction_count(node.accounts[0].address, "pending") == 0


def test_a_transaction_the_node_never_saw_is_dropped(node: AnvilChain) -> None:
    with pytest.raises(ChainError) as dropped:
        sender(node).wait("0x" + "ab" * 32)
    assert dropped.value.code is ChainErrorCode.TX_DROPPED


def test_a_nonce_another_sender_took_is_refilled_from_the_node(node: AnvilChain) -> None:
    node._rpc("evm_setAutomine", [True])
    ours, theirs = sender(node), sender(node)
    ours.wait(ours.send(payment(node), gas=21_000))  # caches nonce 1 next
    theirs.wait(theirs.send(payment(node), gas=21_000))  # uses nonce 1
    receipt = ours.wait(ours.send(payment(node), gas=21_000))  # nonce too low at first: sent again with 2
    assert receipt["status"] == 1
    assert node.w3.eth.get_transaction_count(node.accounts[0].address) == 3
