"""Decoding a contract's logs by their first topic, as web3's ``get_event_data`` does, at a fraction of its cost.

The engine's watcher decodes every log of the bridge and its class tokens: about a hundred per 50-lock batch.
web3 re-derives each event's input types, names and normalizers from the ABI for every log (about a
millisecond each on this machine). An ``EventDecoder`` derives them once per event ABI and then decodes a
log with one ``eth_abi`` call for its data and one per indexed topic. Events with inputs it does not
handle itself (tuples, arrays) go through web3's ``get_event_data``, so every event decodes exactly as web3
decodes it: same names, same Python types, addresses checksummed. ``tests/chain/test_log_decoder.py`` holds
the two to the same result over generated arguments of every event of the project's contracts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.codec import ABICodec
from eth_utils import event_abi_to_log_topic
from web3._utils.events import get_event_data

from bridge.primitives import checksummed

_ELEMENTARY_STATIC = ("uint", "int", "bytes", "bool", "address")
_DYNAMIC = ("string", "bytes")


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _handled(abi_type: str) -> bool:
    """Elementary, not an array, not a tuple: the types ``EventDecoder`` decodes itself."""
    return "[" not in abi_type and abi_type.startswith(_ELEMENTARY_STATIC + _DYNAMIC)


@dataclass(frozen=True)
class EventDecoder:
    """One event of an ABI: its name, and a ``decode(codec, log) -> args`` made once for it."""

    name: str
    decode: Callable[[ABICodec, Mapping[str, Any]], dict[str, Any]]

    @classmethod
    def of(cls, event_abi: dict[str, Any]) -> EventDecoder:
        inputs = event_abi.get("inputs", [])
        if not all(_handled(str(i["type"])) for i in inputs):
            return cls(event_abi["name"], lambda codec, log: dict(get_event_data(codec, event_abi, log)["args"]))
        # an indexed string or bytes is stored as its keccak: a bytes32 topic, which web3 returns as bytes
        topics = [
            (str(i["name"]), "bytes32" if i["type"] in _DYNAMIC else str(i["type"])) for i in inputs if i.get("indexed")
        ]
        data = [(str(i["name"]), str(i["type"])) for i in inputs if not i.get("indexed")]
        data_types = [t for _, t in data]
        order = [str(i["name"]) for i in inputs]

        def decode(codec: ABICodec, log: Mapping[str, Any]) -> dict[str, Any]:
            raw_topics = log["topics"][1:]  # the first is the event's own
            if len(raw_topics) != len(topics):
                # web3 refuses it too: a log whose topics do not fit the event's ABI
                raise ValueError(f"{event_abi['name']}: expected {len(topics)} indexed topics, got {len(raw_topics)}")
            args: dict[str, Any] = {}
            for (name, abi_type), topic in zip(topics, raw_topics, strict=True):
                args[name] = _normal(abi_type, codec.decode([abi_type], _as_bytes(topic))[0])
            values = codec.decode(data_types, _as_bytes(log["data"])) if data_types else ()
            for (name, abi_type), value in zip(data, values, strict=True):
                args[name] = _normal(abi_type, value)
            return {name: args[name] for name in _web3_order(order, topics)}

        return cls(event_abi["name"], decode)


def _web3_order(order: list[str], topics: list[tuple[str, str]]) -> list[str]:
    """web3 lists the indexed arguments first, then the others, each in declaration order."""
    indexed = {name for name, _ in topics}
    return [n for n in order if n in indexed] + [n for n in order if n not in indexed]


def _normal(abi_type: str, value: Any) -> Any:
    return checksummed(value) if abi_type == "address" else value


def decoders_by_topic(abi: Iterable[dict[str, Any]]) -> dict[bytes, EventDecoder]:
    """The events of ``abi`` (anonymous ones have no topic of their own and are left out) by their topic."""
    return {
        bytes(event_abi_to_log_topic(entry)): EventDecoder.of(entry)
        for entry in abi
        if entry.get("type") == "event" and not entry.get("anonymous")
    }
