"""Starting anvil: a port taken by someone else is a coded error quoting anvil, after a few tries."""

from __future__ import annotations

import socket
import time

import pytest

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.chain.errors import ChainError


def test_a_taken_port_is_a_coded_error_that_quotes_anvil() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        chain = AnvilChain(binary=find_anvil(find_project_root()), port=port)
        started = time.monotonic()
        with pytest.raises(ChainError) as info:
            chain.start(timeout=10)
    assert info.value.code == "chain_unavailable"
    assert f"port {port}" in info.value.message and "exited" in info.value.message
    assert time.monotonic() - started >= 1.5  # it tried again (0.5 s, then 1 s) before giving up
    assert chain.process is None
