"""Three `carbon-bridge worker` processes on one PostgreSQL engine database, killed (SIGKILL) at random and
started again while they tokenize, redeem and settle: every flow completes, each registry effect and each
mint happens once, and no transaction reverts (no worker repeats another's chain send).

The chain is anvil with a one-second block time (sends wait for blocks, as on a real chain); the registry
is a service of its own (its HTTP API over a PostgreSQL database: the workers never open its database,
``registry_api_url``); each worker sends with its own key (SETTLER_ROLE and PAUSER_ROLE
granted through the timelock), and the test's API-only service (``worker=False``) takes the requests.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from hexbytes import HexBytes
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.chain.governance import admin_change
from bridge.chain.local import LocalBridge
from bridge.chain.retirement import RetirementDetails
from bridge.engine.filters import ClassOnlyFilter, PageQuery, RedemptionFilter
from bridge.engine.schemas import TokenizationRequest
from bridge.ports import free_port
from bridge.primitives import TONNE
from bridge.registry.api import create_registry_app
from bridge.registry.auth import issue_api_key
from bridge.registry.errors import RegistryError
from bridge.registry.ledger import Registry
from bridge.service import BridgeService
from bridge.settings import BridgeSettings
from postgres_admin import drop_database
from registry_factories import build_world

POSTGRES_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="BRIDGE_TEST_POSTGRES_URL is not set"),
]
TOKENIZATIONS = 12
WORKERS = 3


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """A fresh registry database and a fresh engine database on the test PostgreSQL server."""
    assert POSTGRES_URL
    base = make_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"workers_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("registry", "engine")]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield tuple(base.set(database=name).render_as_string(hide_password=False) for name in names)  # type: ignore[misc]
    for name in names:
        drop_database(admin, name)
    admin.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout:g}s: {what}")
        time.sleep(0.5)


class Workers:
    """The worker processes, one per sending key; ``kill_one`` kills a random one hard and starts it again."""

    def __init__(self, envs: list[dict[str, str]], logs: Path) -> None:
        self.envs, self.logs = envs, logs
        self.procs: list[subprocess.Popen[bytes]] = [self._start(i) for i in range(len(envs))]
        self.kills = 0

    def _start(self, index: int) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{index}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "bridge.cli", "worker", "--interval", "0.2", "--log-level", "warning"],
            env={**os.environ, **self.envs[index]},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill_one(self, rng: random.Random) -> None:
        index = rng.randrange(len(self.procs))
        self.procs[index].send_signal(signal.SIGKILL)
        self.procs[index].wait()
        self.kills += 1
        time.sleep(rng.uniform(0.0, 1.0))
        self.procs[index] = self._start(index)

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_three_workers_killed_at_random_complete_every_flow_exactly_once(
    tmp_path: Path, databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry_url, engine_url = databases
    anvil = AnvilChain(find_anvil(find_project_root()), block_time=1).start()
    try:
        registry = Registry.open(registry_url)
        world = build_world(registry)
        registry_port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_registry_app(registry), host="127.0.0.1", port=registry_port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        wait_for(lambda: server.started, 30, "the registry service")
        local = LocalBridge.start(chain=anvil, verifiers=3, threshold=2)
        start_block = int(anvil.w3.eth.block_number)
        bridge = local.bridge
        holder = local.users[0]
        worker_keys = [local.engine, local.users[-1], local.users[-2]]
        for key in worker_keys[1:]:  # each worker its own key with the engine's roles: no shared nonce
            for role in ("SETTLER_ROLE", "PAUSER_ROLE"):
                local.admin_execute(admin_change(bridge, "grant-role", [role, key.address]))
        common = {
            "BRIDGE_ENVIRONMENT": "local",
            "BRIDGE_REGISTRY_API_URL": f"http://127.0.0.1:{registry_port}",
            "BRIDGE_ENGINE_DB_URL": engine_url,
            "BRIDGE_CHAIN": anvil.url,
            "BRIDGE_BRIDGE_ADDRESS": local.deployment.address,
            "BRIDGE_START_BLOCK": str(start_block),
            "BRIDGE_CONFIRMATIONS": "1",
            "BRIDGE_THRESHOLD": "2",
            "BRIDGE_VERIFIER_KEYS": json.dumps(["0x" + bytes(v.key).hex() for v in local.verifiers]),
            "BRIDGE_TRUST_ACCOUNT": str(world.trust),
            "BRIDGE_TRUST_REGISTRY_KEY": issue_api_key(registry, accounts=[world.trust], label="trust"),
            "BRIDGE_CUSTODIAN_REGISTRY_KEYS": json.dumps(
                {str(world.custodian): issue_api_key(registry, accounts=[world.custodian], label="custodian")}
            ),
        }
        api_env = {**common, "BRIDGE_OPERATOR_KEY": "0x" + bytes(local.users[1].key).hex()}
        for name, value in api_env.items():
            monkeypatch.setenv(name, value)
        api = BridgeService.from_settings(BridgeSettings(), worker=False)  # type: ignore[call-arg]
        ids = []
        for n in range(TOKENIZATIONS):
            issued = world.issue(10)
            request = TokenizationRequest(
                idempotency_key=f"several-{n}",
                custodian_account=world.custodian,
                serial=issued.block.serial,
                recipient=holder.address,
            )
            ids.append(api.tokenize(request).id)

        workers = Workers([{**common, "BRIDGE_OPERATOR_KEY": "0x" + bytes(k.key).hex()} for k in worker_keys], tmp_path)
        rng = random.Random(15)
        stop_killing = threading.Event()

        def killer() -> None:
            while not stop_killing.wait(rng.uniform(1.5, 3.0)):
                workers.kill_one(rng)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        try:
            wait_for(
                lambda: all(api.tokenization(i).step == "completed" for i in ids), 240, "every tokenization minted"
            )
            class_id = api.tokenization(ids[0]).class_id
            assert class_id is not None
            sender = local.sender(holder)
            for _ in range(2):
                call = bridge.functions.requestRedemption(HexBytes(class_id), 5 * TONNE, str(world.trader))
                sender.transact(call)
            details = RetirementDetails(beneficiary_name="Acme", reason="offsetting", purpose="voluntary_offsetting")
            for amount in (6 * TONNE // 10, 7 * TONNE // 10):
                sender.transact(bridge.functions.retire(HexBytes(class_id), amount, details.as_tuple()))

            def settled() -> bool:
                redemptions = api.redemptions(RedemptionFilter(), PageQuery(limit=10)).items
                settlements = api.settlements(ClassOnlyFilter(), PageQuery(limit=10)).items
                return (
                    len(redemptions) == 2
                    and all(r.step == "completed" for r in redemptions)
                    and len(settlements) == 1
                    and settlements[0].step == "completed"
                )

            wait_for(settled, 240, "both redemptions and the settlement completed")
        finally:
            stop_killing.set()
            thread.join(30)
            workers.stop()

        assert workers.kills >= 3, workers.kills
        # the registry: one lock per tokenization (none twice), 10 t released, 1 t retired
        for lock_id in range(1, TOKENIZATIONS + 1):
            registry.get_lock(lock_id)
        with pytest.raises(RegistryError):
            registry.get_lock(TOKENIZATIONS + 1)
        assert sum(b.quantity for b in registry.list_blocks(account_id=world.trader, status="held")) == 10
        assert sum(b.quantity for b in registry.list_blocks(status="retired")) == 1
        # the chain: each lock minted once, and no transaction of any sender reverted
        head = int(anvil.w3.eth.block_number)
        bridged = bridge.events.BatchBridged().get_logs(from_block=start_block, to_block=head)
        assert sorted(int(e["args"]["lockId"]) for e in bridged) == list(range(1, TOKENIZATIONS + 1))
        reverted = [
            tx.hex()
            for number in range(start_block, head + 1)
            for tx in anvil.w3.eth.get_block(number)["transactions"]
            if anvil.w3.eth.get_transaction_receipt(tx)["status"] != 1
        ]
        assert reverted == []
        assert api.reserves().ok
        api.close()
        server.should_exit = True
        registry.close()
    finally:
        anvil.stop()
