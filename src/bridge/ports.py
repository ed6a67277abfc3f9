"""Local TCP ports: whether one is free, and a free one for a process that will bind it later.

``free_port`` picks below the kernel's ephemeral range on purpose. A port taken from that range (what
``bind(("", 0))`` gives) is free only until the next outgoing connection of any process on the machine
is handed it, and the process the port is meant for (anvil, a verifier, the API) binds it seconds later.
On a busy machine that window loses races: a serve's verifier ports (the chosen one and the next two)
are even ones, which Linux prefers for outgoing connections. Below the ephemeral range the kernel never
hands a port out by itself, so only another explicit chooser can take it.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOWEST = 20_000
SPARE = 8  # room for a run of consecutive ports starting at the one chosen (a serve's verifiers)
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_choose = random.SystemRandom()  # not the `random` module's state: tests seed that (hypothesis)


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound for listening now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def ephemeral_floor() -> int:
    """The lowest port the kernel hands out for outgoing connections (32768 where /proc does not say)."""
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host`` now, chosen where outgoing connections never land, with the next ``SPARE``
    ports below the ephemeral range too; an ephemeral one only where no such port is free."""
    ceiling = ephemeral_floor() - SPARE
    for _ in range(64):
        port = _choose.randrange(LOWEST, ceiling) if ceiling > LOWEST else 0
        if port and port_is_free(host, port):
            return port
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
