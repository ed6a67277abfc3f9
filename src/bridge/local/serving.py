"""A local home served as ``make run`` serves it: anvil, the API and engine in this process, and each verifier
in a process of its own, started in that order and stopped in the reverse one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bridge.local.home import LocalHome
from bridge.local.verifiers import LocalVerifiers
from bridge.runtime import ServedBridge


@dataclass
class ServedHome:
    served: ServedBridge
    verifiers: LocalVerifiers
    created: bool

    @property
    def url(self) -> str:
        return self.served.url


@contextmanager
def serving_home(
    home: LocalHome,
    *,
    port: int,
    chain_port: int,
    verifier_ports: Sequence[int] = (),
    host: str = "127.0.0.1",
    interval: float = 0.5,
    log_level: str = "warning",
    own_logging: bool = False,
) -> Iterator[ServedHome]:
    """Open ``home`` (created on first use), serve its API on ``host:port`` with the engine worker running,
    start its verifier processes (on ``verifier_ports``; ``port + 1`` and the next ones by default), yield;
    then stop the API and the engine, the verifiers, and the chain (which saves its state)."""
    service, created = home.open(chain_port=chain_port, api_port=port, verifier_ports=verifier_ports)
    service.ready = False  # /health says so until the verifiers answer too (the registry API serves them now)
    try:
        served = ServedBridge(
            service, host=host, port=port, interval=interval, log_level=log_level, own_logging=own_logging
        ).start()
        try:
            verifiers = LocalVerifiers(home.verifiers(), log_level=log_level).start()
            service.ready = True
            try:
                yield ServedHome(served=served, verifiers=verifiers, created=created)
            finally:
                served.stop()  # the engine stops asking before its verifiers go
                verifiers.stop()
        finally:
            served.stop()
    finally:
        service.close()
