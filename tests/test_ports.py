"""`free_port` chooses where outgoing connections never land: a port it gives stays free for the process
that binds it seconds later, even with many connections opened meanwhile."""

from __future__ import annotations

import socket

from bridge.ports import SPARE, ephemeral_floor, free_port, port_is_free


def test_a_free_port_and_the_run_after_it_lie_below_the_ephemeral_range() -> None:
    floor = ephemeral_floor()
    for _ in range(50):
        port = free_port()
        assert port + SPARE < floor
        assert port_is_free("127.0.0.1", port)


def test_a_port_an_outgoing_connection_holds_is_not_free() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()) as client:
        assert not port_is_free("127.0.0.1", client.getsockname()[1])
        assert not port_is_free("127.0.0.1", server.getsockname()[1])
