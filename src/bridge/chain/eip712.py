"""An EIP-712 struct type declared once, as the Solidity codecs spell it, and everything derived from it.

``StructType("Name(type name,...)", *referenced)`` gives the members as eth-account takes them, the type hash
(``encodeType``: the type, then the types it references ordered by name), and for a model whose field of each
member is the member's name in snake case (``projectId`` -> ``project_id``): its typed-data message, its ABI
tuple and its struct hash. The encoders are worked out once per type: a struct hash is
``keccak(typehash || word...)`` with each word written directly (a string is its keccak, a uint and an address
are left-padded, a ``bytes32`` is itself, a nested struct is its struct hash), without a general ABI encoder,
because verifiers hash every lock of a batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Any

from eth_utils import keccak

Word = Callable[[Any], bytes]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _string_word(value: str) -> bytes:
    return keccak(value.encode())


def _uint_word(bits: int) -> Word:
    def word(value: int) -> bytes:
        value = int(value)
        if value < 0 or value >> bits:
            raise ValueError(f"{value} does not fit in uint{bits}")
        return value.to_bytes(32, "big")

    return word


def _address_word(value: str) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != 20:
        raise ValueError(f"{value!r} is not a 20-byte address")
    return raw.rjust(32, b"\0")


def _bytes32_word(value: bytes) -> bytes:
    if len(value) != 32:
        raise ValueError(f"{len(value)} bytes are not a bytes32")
    return bytes(value)


def _as_is(value: Any) -> Any:
    return value


class StructType:
    """One EIP-712 struct type and how a model of it is encoded (see the module's docstring)."""

    def __init__(self, declared: str, *referenced: StructType, cache: int = 0) -> None:
        self.name = declared[: declared.index("(")]
        self.declared = declared
        self.members = [
            {"name": name, "type": kind}
            for kind, name in (member.split(" ") for member in declared[len(self.name) + 1 : -1].split(","))
        ]
        by_name = {struct.name: struct for struct in referenced}
        self.dependencies: dict[str, StructType] = {}
        for struct in referenced:
            self.dependencies.update(struct.dependencies)
            self.dependencies[struct.name] = struct
        self.type_string = declared + "".join(self.dependencies[name].declared for name in sorted(self.dependencies))
        self.typehash = keccak(text=self.type_string)
        attributes = [_snake(member["name"]) for member in self.members]
        self._names = [member["name"] for member in self.members]
        values = attrgetter(*attributes)  # of several names a tuple, of one the bare value
        self._values: Callable[[Any], tuple[Any, ...]] = values if len(attributes) > 1 else lambda m: (values(m),)
        kinds = [member["type"] for member in self.members]
        self._words = [by_name[kind].hash if kind in by_name else self._word(kind) for kind in kinds]
        self._message_values = [by_name[kind].message if kind in by_name else _plain(kind) for kind in kinds]
        self._tuple_values = [by_name[kind].as_tuple if kind in by_name else _plain(kind) for kind in kinds]
        # a type that recurs across many structs (a class across a batch's locks) is hashed once per value
        self.hash: Callable[[Any], bytes] = lru_cache(maxsize=cache)(self._hash) if cache else self._hash

    def _word(self, kind: str) -> Word:
        if kind == "string":
            return _string_word
        if kind == "address":
            return _address_word
        if kind == "bytes32":
            return _bytes32_word
        if kind.startswith("uint"):
            return _uint_word(int(kind[4:]))
        raise TypeError(f"{self.name}: no encoder for {kind} (add one beside the others)")

    def _hash(self, model: Any) -> bytes:
        return keccak(
            self.typehash + b"".join(word(value) for word, value in zip(self._words, self._values(model), strict=True))
        )

    def message(self, model: Any) -> dict[str, Any]:
        """The model as an EIP-712 typed-data message (eth-account's ``encode_typed_data``)."""
        values = self._values(model)
        return {name: value(item) for name, value, item in zip(self._names, self._message_values, values, strict=True)}

    def as_tuple(self, model: Any) -> tuple[Any, ...]:
        """The model as the contract's struct, an ABI tuple (web3 and eth-abi)."""
        return tuple(value(item) for value, item in zip(self._tuple_values, self._values(model), strict=True))


def _plain(kind: str) -> Callable[[Any], Any]:
    # enums and flags are ints to the ABI; strings, addresses and bytes go as they are
    return int if kind.startswith("uint") else _as_is
