"""`make cluster`: the bridge as a cluster on this machine, every part an OS process with its own keys.

PostgreSQL (scripts/start-postgres.sh; two fresh databases: registry, engine), anvil with a 1 s block time,
the registry service (its HTTP API), 3 verifier processes (`carbon-bridge verifier serve`), 3 engine workers
(`carbon-bridge worker`, each with its own sending key holding SETTLER_ROLE and PAUSER_ROLE, granted
through the timelock) and 2 API processes (`carbon-bridge serve --from-env --no-worker`). It prints their
URLs and runs until Ctrl-C. ``Cluster`` is also what `make chaos` (scripts/chaos.py) starts and tortures.
Logs, settings and keys go to ``.cluster/`` (0600 files).

    python scripts/cluster.py                 # start, print the URLs, wait for Ctrl-C
    python scripts/cluster.py registry-service DB_URL PORT   # (the registry process itself)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.chain.governance import admin_change
from bridge.chain.local import LocalBridge
from bridge.ports import free_port
from bridge.registry.auth import issue_api_key
from bridge.registry.ledger import Registry
from registry_world import RegistryWorld

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / ".cluster"
WORKERS, APIS, VERIFIERS = 3, 2, 3
HOLDERS = 4
GAS_MONEY = 10**21


def _hex(account: LocalAccount) -> str:
    return "0x" + bytes(account.key).hex()


def postgres_url() -> str:
    """The PostgreSQL server the cluster uses: BRIDGE_CLUSTER_POSTGRES_URL, or scripts/start-postgres.sh's."""
    given = os.environ.get("BRIDGE_CLUSTER_POSTGRES_URL")
    if given:
        return given
    started = subprocess.run(["bash", str(ROOT / "scripts/start-postgres.sh")], capture_output=True, text=True)
    if started.returncode != 0:
        raise SystemExit(f"PostgreSQL did not start: {started.stderr[-2000:]}")
    return started.stdout.strip().splitlines()[-1]


@dataclass
class Part:
    """One process of the cluster: how to start it, its log, and the running process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    health: str | None  # a URL answering 200 once it serves
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (FOLDER / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(self.argv, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_healthy(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.health is not None:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = (FOLDER / f"{self.name}.log").read_text(errors="replace")[-1500:]
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {tail}")
            try:
                if httpx.get(self.health, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer {self.health} within {timeout:g}s")
            time.sleep(0.3)


@dataclass
class Cluster:
    """The cluster's parts and what the load needs to know: accounts, keys, URLs."""

    pg_url: str
    registry_db: str = ""
    engine_db: str = ""
    anvil: AnvilChain | None = None
    local: LocalBridge | None = None
    registry: Registry | None = None
    world: RegistryWorld | None = None
    parts: dict[str, Part] = field(default_factory=dict)
    custodian: int = 0
    trader: int = 0
    trust: int = 0
    custodian_api_key: str = ""
    operator_api_key: str = ""
    holders: list[LocalAccount] = field(default_factory=list)
    start_block: int = 0

    # --- building -----------------------------------------------------------------------------------

    def start(self) -> Cluster:
        shutil.rmtree(FOLDER, ignore_errors=True)
        FOLDER.mkdir(mode=0o700)
        self._databases()
        self.anvil = AnvilChain(find_anvil(find_project_root()), block_time=1).start()
        self._registry_world()
        self._deploy()
        self._define_parts()
        for group in (["registry"], [f"verifier-{i}" for i in range(VERIFIERS)], self.workers + self.apis):
            for name in group:
                self.parts[name].start()
            for name in group:
                self.parts[name].wait_healthy()
        return self

    def _databases(self) -> None:
        base = make_url(self.pg_url)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        suffix = uuid.uuid4().hex[:8]
        with admin.connect() as connection:
            for kind in ("registry", "engine"):
                connection.execute(text(f'CREATE DATABASE "cluster_{kind}_{suffix}"'))
        admin.dispose()
        self.registry_db = base.set(database=f"cluster_registry_{suffix}").render_as_string(hide_password=False)
        self.engine_db = base.set(database=f"cluster_engine_{suffix}").render_as_string(hide_password=False)

    def _registry_world(self) -> None:
        world = RegistryWorld.build(Registry.open(self.registry_db), vintage=2019)
        self.world, self.registry = world, world.registry
        self.custodian, self.trader, self.trust = world.custodian, world.trader, world.trust

    def issue(self, quantity: int) -> str:
        assert self.world is not None
        return self.world.issue(quantity)

    def _deploy(self) -> None:
        assert self.anvil is not None
        local = self.local = LocalBridge.start(chain=self.anvil, verifiers=VERIFIERS, threshold=2)
        self.start_block = int(self.anvil.w3.eth.block_number)
        self.worker_keys = [local.engine, *(Account.create() for _ in range(WORKERS - 1))]
        self.api_keys = [Account.create() for _ in range(APIS)]
        self.holders = [Account.create() for _ in range(HOLDERS)]
        for account in (*self.worker_keys[1:], *self.api_keys, *self.holders):
            self.anvil.fund(account.address, GAS_MONEY)
        for key in self.worker_keys[1:]:  # through the timelock, as an operator adds a worker
            for role in ("SETTLER_ROLE", "PAUSER_ROLE"):
                local.admin_execute(admin_change(local.bridge, "grant-role", [role, key.address]))

    def _define_parts(self) -> None:
        assert self.anvil is not None and self.local is not None and self.registry is not None
        registry_port = free_port()
        self.registry_url = f"http://127.0.0.1:{registry_port}"
        self.parts["registry"] = Part(
            "registry",
            [sys.executable, __file__, "registry-service", self.registry_db, str(registry_port)],
            {},
            f"{self.registry_url}/programs/VCS",
        )
        endpoints = []
        for i, key in enumerate(self.local.verifiers):
            port, api_key = free_port(), "vak_" + secrets.token_urlsafe(24)
            settings = {
                "environment": "local",
                "name": f"verifier-{i}",
                "key": _hex(key),
                "registry_url": self.registry_url,
                "registry_key": issue_api_key(self.registry, accounts=[], label=f"verifier-{i} (reads only)"),
                "rpc_url": self.anvil.url,
                "bridge_address": self.local.deployment.address,
                "trust_account": self.trust,
                "memory_file": str(FOLDER / f"verifier-{i}-memory.db"),
                "port": port,
                "api_key": api_key,
            }
            config = FOLDER / f"verifier-{i}.json"
            config.write_text(json.dumps(settings))
            config.chmod(0o600)
            self.parts[f"verifier-{i}"] = Part(
                f"verifier-{i}",
                [
                    sys.executable,
                    "-m",
                    "bridge.cli",
                    "verifier",
                    "serve",
                    "--config",
                    str(config),
                    "--log-level",
                    "warning",
                ],
                {},
                f"http://127.0.0.1:{port}/health",
            )
            endpoints.append({"url": f"http://127.0.0.1:{port}", "api_key": api_key, "address": key.address})
        self.custodian_api_key = "bak_" + secrets.token_urlsafe(24)
        self.operator_api_key = "bak_" + secrets.token_urlsafe(24)
        common = {
            "BRIDGE_ENVIRONMENT": "local",
            "BRIDGE_REGISTRY_API_URL": self.registry_url,
            "BRIDGE_ENGINE_DB_URL": self.engine_db,
            "BRIDGE_CHAIN": self.anvil.url,
            "BRIDGE_BRIDGE_ADDRESS": self.local.deployment.address,
            "BRIDGE_START_BLOCK": str(self.start_block),
            "BRIDGE_CONFIRMATIONS": "1",
            "BRIDGE_VERIFIERS": json.dumps(endpoints),
            "BRIDGE_TRUST_ACCOUNT": str(self.trust),
            "BRIDGE_TRUST_REGISTRY_KEY": issue_api_key(self.registry, accounts=[self.trust], label="trust"),
            "BRIDGE_CUSTODIAN_REGISTRY_KEYS": json.dumps(
                {str(self.custodian): issue_api_key(self.registry, accounts=[self.custodian], label="custodian")}
            ),
            "BRIDGE_API_KEYS": json.dumps(
                [
                    {"key": self.operator_api_key, "role": "operator"},
                    {"key": self.custodian_api_key, "role": "custodian", "account": self.custodian},
                ]
            ),
        }
        self.workers = [f"worker-{i}" for i in range(WORKERS)]
        for name, key in zip(self.workers, self.worker_keys, strict=True):
            argv = [sys.executable, "-m", "bridge.cli", "worker", "--interval", "0.2", "--log-level", "warning"]
            self.parts[name] = Part(name, argv, {**common, "BRIDGE_OPERATOR_KEY": _hex(key)}, None)
        self.apis = [f"api-{i}" for i in range(APIS)]
        self.api_urls = []
        for name, key in zip(self.apis, self.api_keys, strict=True):
            port = free_port()
            argv = [sys.executable, "-m", "bridge.cli", "serve", "--from-env", "--no-worker", "--port", str(port)]
            argv += ["--log-level", "warning"]
            url = f"http://127.0.0.1:{port}"
            self.parts[name] = Part(name, argv, {**common, "BRIDGE_OPERATOR_KEY": _hex(key)}, f"{url}/health")
            self.api_urls.append(url)

    # --- running ------------------------------------------------------------------------------------

    def restart(self, name: str) -> None:
        part = self.parts[name]
        part.kill()
        part.start()

    def urls(self) -> list[str]:
        assert self.anvil is not None and self.local is not None
        lines = [
            f"postgres   {make_url(self.engine_db).render_as_string()} (engine), {make_url(self.registry_db).database}",
            f"anvil      {self.anvil.url} (1 s blocks)   bridge {self.local.deployment.address}",
            f"registry   {self.registry_url}",
        ]
        lines += [f"{name:<10} {self.parts[name].health}" for name in self.parts if name.startswith("verifier")]
        lines += [f"{name:<10} pid {self.parts[name].process.pid}" for name in self.workers]  # type: ignore[union-attr]
        lines += [f"{name:<10} {url}" for name, url in zip(self.apis, self.api_urls, strict=True)]
        lines.append(f"logs       {FOLDER}/")
        return lines

    def stop(self) -> None:
        for name in [*self.apis, *self.workers, *(n for n in self.parts if n.startswith("verifier")), "registry"]:
            if name in self.parts:
                self.parts[name].stop()
        if self.anvil is not None:
            self.anvil.stop()
        if self.registry is not None:
            self.registry.close()
        admin = create_engine(make_url(self.pg_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for url in (self.registry_db, self.engine_db):
                if url:
                    name = make_url(url).database
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def serve_registry(db_url: str, port: int) -> None:
    import uvicorn

    from bridge.registry.api import create_registry_app

    uvicorn.run(create_registry_app(Registry.open(db_url)), host="127.0.0.1", port=port, log_level="warning")


def main(argv: list[str]) -> Any:
    if argv[:1] == ["registry-service"]:
        return serve_registry(argv[1], int(argv[2]))
    cluster = Cluster(postgres_url())
    try:
        cluster.start()
        print("\n".join(cluster.urls()), flush=True)
        print("Ctrl-C stops the cluster", flush=True)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
