"""Turn revert data back into the contract's custom error name and arguments."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from eth_abi import decode
from eth_tester.exceptions import TransactionFailed
from eth_utils import function_signature_to_4byte_selector
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError

from bridge.chain.errors import ContractRevert

T = TypeVar("T")


def _abi_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


def _tester_revert_data(exc: BaseException) -> bytes:
    """The raw revert data behind eth-tester's TransactionFailed (web3 re-raises it as text)."""
    seen: BaseException | None = exc
    while seen is not None:
        if seen.args and isinstance(seen.args[0], bytes):
            return seen.args[0]
        seen = seen.__context__
    # some eth-tester paths keep the data only as the repr of bytes in the message
    message = str(exc.args[0]) if exc.args else ""
    prefix = "execution reverted: "
    if message.startswith(prefix + "b'") or message.startswith(prefix + 'b"'):
        try:
            data = ast.literal_eval(message[len(prefix) :])
        except (ValueError, SyntaxError):
            return b""
        return data if isinstance(data, bytes) else b""
    return b""


class ErrorDecoder:
    """Knows every custom error declared in a set of ABIs, by 4-byte selector."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [_abi_type(p) for p in item.get("inputs", [])]
                selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
                self._errors[selector] = (item["name"], types)
        # Solidity's built-in Error(string) and Panic(uint256)
        self._errors[bytes.fromhex("08c379a0")] = ("Error", ["string"])
        self._errors[bytes.fromhex("4e487b71")] = ("Panic", ["uint256"])

    def decode(self, data: bytes | str | None) -> ContractRevert:
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else (data or b"")
        known = self._errors.get(raw[:4])
        if known is None:
            return ContractRevert("UnknownRevert", (raw.hex(),), raw)
        name, types = known
        args = tuple(decode(types, raw[4:])) if types else ()
        return ContractRevert(name, args, raw)

    def call(self, action: Callable[[], T]) -> T:
        """Run a web3 call or transact; re-raise a revert as ``ContractRevert`` with the error named."""
        try:
            return action()
        except TransactionFailed as exc:
            raise self.decode(_tester_revert_data(exc)) from None
        except ContractCustomError as exc:
            raise self.decode(exc.data if isinstance(exc.data, str) else exc.message) from None
        except ContractPanicError as exc:
            raise self.decode(exc.data if isinstance(exc.data, str) else None) from None
        except ContractLogicError as exc:
            data = exc.data if isinstance(exc.data, str) else None
            if data and len(data) >= 10:
                raise self.decode(data) from None
            raise ContractRevert("Error", (exc.message or str(exc),)) from None
