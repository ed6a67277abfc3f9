"""The watcher's log decoder answers exactly what web3's ``get_event_data`` answers, for every event of every
contract the project compiles, over generated arguments (indexed and not, dynamic and static)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import event_abi_to_log_topic, keccak, to_checksum_address
from hexbytes import HexBytes
from hypothesis import given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3._utils.events import get_event_data

from bridge.chain.compiler import load_packaged_artifacts
from bridge.chain.log_decoder import EventDecoder, decoders_by_topic

CODEC = Web3().codec


def _events() -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for artifact in load_packaged_artifacts().contracts.values():
        for entry in artifact.abi:
            if entry.get("type") == "event":
                signature = entry["name"] + str([(i["type"], i.get("indexed")) for i in entry["inputs"]])
                seen.setdefault(signature, entry)
    return list(seen.values())


EVENTS = _events()


def _values(abi_type: str) -> st.SearchStrategy[Any]:
    if abi_type.startswith("uint"):
        return st.integers(0, 2 ** int(abi_type[4:] or 256) - 1)
    if abi_type.startswith("int"):
        bits = int(abi_type[3:] or 256)
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if abi_type == "address":
        return st.binary(min_size=20, max_size=20).map(to_checksum_address)
    if abi_type == "bool":
        return st.booleans()
    if abi_type == "string":
        return st.text(max_size=40)
    if abi_type == "bytes":
        return st.binary(max_size=40)
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        return st.binary(min_size=size, max_size=size)
    raise NotImplementedError(abi_type)


def _simple(event: dict[str, Any]) -> bool:
    return all("[" not in i["type"] and not i["type"].startswith("tuple") for i in event["inputs"])


def _topic(abi_type: str, value: Any) -> bytes:
    if abi_type == "string":
        return keccak(text=value)
    if abi_type == "bytes":
        return keccak(value)
    return encode([abi_type], [value])


@pytest.mark.parametrize("event", [e for e in EVENTS if _simple(e)], ids=lambda e: e["name"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_decodes_as_web3_does(event: dict[str, Any], data: st.DataObject) -> None:
    values = {i["name"]: data.draw(_values(i["type"]), label=i["name"]) for i in event["inputs"]}
    indexed = [i for i in event["inputs"] if i.get("indexed")]
    plain = [i for i in event["inputs"] if not i.get("indexed")]
    log = {
        "topics": [
            HexBytes(event_abi_to_log_topic(event)),
            *(HexBytes(_topic(i["type"], values[i["name"]])) for i in indexed),
        ],
        "data": HexBytes(encode([i["type"] for i in plain], [values[i["name"]] for i in plain])),
        "logIndex": 0,
        "transactionIndex": 0,
        "transactionHash": HexBytes(b"\x01" * 32),
        "address": to_checksum_address(b"\x02" * 20),
        "blockHash": HexBytes(b"\x03" * 32),
        "blockNumber": 1,
    }
    expected = dict(get_event_data(CODEC, event, log)["args"])
    decoded = EventDecoder.of(event).decode(CODEC, log)
    assert decoded == expected
    assert list(decoded) == list(expected)  # the same order: stored JSON reads the same
    assert [type(v) for v in decoded.values()] == [type(v) for v in expected.values()]
    # the node's raw JSON (hex strings) decodes the same
    raw = {**log, "topics": [t.to_0x_hex() for t in log["topics"]], "data": log["data"].to_0x_hex()}
    assert EventDecoder.of(event).decode(CODEC, raw) == expected


def test_every_event_of_the_project_is_covered() -> None:
    """Events with tuples or arrays go through web3 itself; the rest are decoded here: both kinds decode."""
    assert len(EVENTS) >= 20
    complex_events = [e for e in EVENTS if not _simple(e)]
    for event in complex_events:  # e.g. a pool's RulesChanged(uint32, PoolRules): web3's decoder is used
        assert EventDecoder.of(event).name == event["name"]
    topics = decoders_by_topic(EVENTS)
    assert len(topics) == len({bytes(event_abi_to_log_topic(e)) for e in EVENTS})


def test_a_log_whose_topics_do_not_fit_is_refused() -> None:
    event = next(e for e in EVENTS if e["name"] == "BatchReleased")
    log = {"topics": [HexBytes(event_abi_to_log_topic(event))], "data": HexBytes(b"")}
    with pytest.raises(ValueError, match="expected 1 indexed topics, got 0"):
        EventDecoder.of(event).decode(CODEC, log)
