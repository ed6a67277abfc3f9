"""Event logs from a node that refuses big queries (as public providers do): every log found once, in
order, in pieces it serves; a refusal it gives for one block alone is a coded error; other errors are
not mistaken for a limit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3
from web3.exceptions import Web3RPCError

from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.local import LocalBridge
from bridge.chain.logs import GROW_AFTER, LogScanner
from chain_factories import fresh_block, verra_class


@given(start=st.integers(0, 10_000), length=st.integers(0, 5_000), span=st.integers(1, 3_000))
def test_spans_cover_a_range_exactly_in_order_and_none_too_long(start: int, length: int, span: int) -> None:
    pieces = list(LogScanner(Web3(), span).spans(start, start + length - 1))
    covered = [block for low, high in pieces for block in range(low, high + 1)]
    assert covered == list(range(start, start + length))
    assert all(high - low + 1 <= span for low, high in pieces)


class PickyNode:
    """``eth_getLogs`` as a provider serves it: at most ``max_blocks`` blocks and ``max_results`` logs a call."""

    def __init__(self, w3: Web3, *, max_blocks: int, max_results: int) -> None:
        self.get_logs = w3.eth.get_logs
        self.max_blocks, self.max_results = max_blocks, max_results
        self.calls: list[tuple[int, int, bool]] = []

    def __call__(self, params: dict[str, Any]) -> Any:
        low, high = int(params["fromBlock"]), int(params["toBlock"])
        if high - low + 1 > self.max_blocks:
            self.calls.append((low, high, False))
            raise Web3RPCError("block range too large", rpc_response={"error": {"code": -32600}})  # type: ignore[typeddict-item]
        logs = self.get_logs(params)  # type: ignore[arg-type]
        if len(logs) > self.max_results:
            self.calls.append((low, high, False))
            raise Web3RPCError("query returned more than 3 results", rpc_response={"error": {"code": -32005}})  # type: ignore[typeddict-item]
        self.calls.append((low, high, True))
        return logs


def minted_blocks(local: LocalBridge, batches: int) -> tuple[int, int]:
    """``batches`` mints of one class, an empty block after each: the blocks they span."""
    start = local.chain.w3.eth.block_number + 1
    for _ in range(batches):
        serial, low, high = fresh_block(10)
        local.mint_locks(
            [local.lock(verra_class(), serial=serial, start=low, end=high, recipient=local.users[0].address)]
        )
        local.chain.mine(1)
    return start, local.chain.w3.eth.block_number


def test_every_log_is_found_once_in_order_from_a_node_that_serves_little_at_a_time(
    local: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = minted_blocks(local, 6)
    chain = BridgeChain(local.deployment, local.sender())
    token = str(local.token(verra_class()).address)
    everything = chain.all_logs(start, end, [token])
    assert len(everything) >= 6 * 2  # each mint: the bridge's events and a Transfer

    picky = PickyNode(local.chain.w3, max_blocks=4, max_results=3)
    monkeypatch.setattr(local.chain.w3.eth, "get_logs", picky)
    chain.scanner = LogScanner(local.chain.w3, max_span=100)
    assert chain.all_logs(start, end, [token]) == everything
    assert [e.name for e in chain.events("BatchBridged", start, end)] == ["BatchBridged"] * 6
    served = [(low, high) for low, high, ok in picky.calls if ok]
    assert all(high - low + 1 <= 4 for low, high in served)
    assert chain.scanner.span <= 4  # it remembers what the node serves


def test_the_span_grows_back_after_calls_are_served_whole(local: LocalBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    local.chain.mine(2 * GROW_AFTER)
    scanner = LogScanner(local.chain.w3, max_span=8)
    picky = PickyNode(local.chain.w3, max_blocks=2, max_results=1_000)
    monkeypatch.setattr(local.chain.w3.eth, "get_logs", picky)
    scanner.get_logs({"address": local.deployment.address}, 0, 7)
    assert scanner.span == 2
    picky.max_blocks = 8  # the provider's load went down
    scanner.get_logs({"address": local.deployment.address}, 0, 2 * GROW_AFTER - 1)
    assert scanner.span == 4


def test_one_block_with_more_logs_than_the_node_returns_is_a_coded_error(
    local: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = minted_blocks(local, 1)
    picky = PickyNode(local.chain.w3, max_blocks=100, max_results=0)
    monkeypatch.setattr(local.chain.w3.eth, "get_logs", picky)
    with pytest.raises(ChainError) as refused:
        LogScanner(local.chain.w3).get_logs({"address": local.deployment.address}, start, end)
    assert refused.value.code is ChainErrorCode.LOGS_TOO_MANY


def test_an_error_that_is_no_limit_is_not_split_but_raised(local: LocalBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def unreachable(params: Any) -> Any:
        calls.append(params)
        raise ConnectionError("connection refused")

    monkeypatch.setattr(local.chain.w3.eth, "get_logs", unreachable)
    with pytest.raises(ConnectionError):
        LogScanner(local.chain.w3).get_logs({"address": local.deployment.address}, 0, 50)
    assert len(calls) == 1
