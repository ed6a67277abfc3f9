"""Running a ``BridgeService``: the engine worker thread and the HTTP server, started and stopped together.

``ServedBridge(service, port=...)`` is what ``carbon-bridge serve`` runs in the foreground and what the
``served_bridge`` test fixture runs in the background: the API answers on a real port, and the engine
drives every flow on its own, as in production.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import uvicorn

from bridge.api import create_app
from bridge.service import BridgeService

log = logging.getLogger(__name__)


class EngineWorker(threading.Thread):
    """Drives the engine every ``interval`` seconds until stopped (``BridgeService.work_round``: on a
    development chain it also mines the confirmations requests wait for; a real chain mines on its own)."""

    def __init__(self, service: BridgeService, *, interval: float = 0.5) -> None:
        super().__init__(name="bridge-engine", daemon=True)
        self.service = service
        self.interval = interval
        self.rounds = 0
        self.failures = 0
        self._stop_event = threading.Event()
        self._idle = threading.Event()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until a round moved nothing and left nothing to confirm (for tests and the demo)."""
        self._idle.clear()
        return self._idle.wait(timeout)

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                moved = self.service.work_round()
            except Exception:  # a flow error is recorded by the engine; this is the transport failing
                self.failures += 1
                log.exception("engine round failed; retrying")
                moved = 1
            self.rounds += 1
            if moved == 0:
                self._idle.set()
                self._stop_event.wait(self.interval)


@dataclass
class ServedBridge:
    """The API of ``service`` on ``host:port`` plus its engine worker (unless ``drive`` is False);
    ``start()``/``stop()`` or ``with``."""

    service: BridgeService
    host: str = "127.0.0.1"
    port: int = 8000
    interval: float = 0.5
    log_level: str = "warning"
    own_logging: bool = False  # True: the caller configured logging (uvicorn's loggers propagate to it)
    drive: bool = True  # False: the API only (`serve --no-worker`); workers elsewhere drive the flows
    worker: EngineWorker | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout: float = 30.0) -> ServedBridge:
        if self.drive:
            self.worker = EngineWorker(self.service, interval=self.interval)
            self.worker.start()
        config = uvicorn.Config(
            create_app(self.service),
            host=self.host,
            port=self.port,
            log_level=self.log_level,
            lifespan="off",
            **({"log_config": None} if self.own_logging else {}),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="bridge-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the API did not start on {self.url} (port taken?)")
            time.sleep(0.05)
        return self

    def wait(self) -> None:
        """Serve until interrupted (Ctrl-C) or the server stops."""
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        """Stop taking requests, let the engine finish its round, then stop the worker."""
        self.service.ready = False
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        if self.worker is not None:
            self.worker.stop()

    def __enter__(self) -> ServedBridge:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
