"""One local bridge per test module (built from the session's demo registry), with some history:
a tokenized block, a redemption and a retirement, so every read endpoint has something to show. Its engine
database is on each backend in turn (``engine_backend``: SQLite, and PostgreSQL when one is configured),
unless the module is marked ``sqlite_only``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import SETUP_KEY, TONNE, ApiWorld
from fastapi.testclient import TestClient

from bridge.api import create_app
from bridge.local import LocalTemplate, local_service
from bridge.testing import LocalBridgeHelper, bridge_template  # noqa: F401
from engine_databases import EngineDatabaseUrls


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    bridge_template: LocalTemplate,  # noqa: F811
    engine_backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[ApiWorld]:
    tmp: Path = tmp_path_factory.mktemp("api-bridge")
    databases = EngineDatabaseUrls(engine_backend, request)
    service = local_service(tmp, template=bridge_template, engine_db_url=databases.new(tmp))
    helper = LocalBridgeHelper(service)
    with TestClient(create_app(service)) as api:
        blocks = helper.held_blocks("custodian")
        response = api.post(
            "/v1/tokenizations",
            json={"serial": blocks[0].serial, "recipient": helper.holder.address},
            headers={"X-API-Key": service.api_key("custodian"), "Idempotency-Key": SETUP_KEY},
        )
        assert response.status_code == 202, response.text
        helper.drive()
        tokenization = api.get(f"/v1/tokenizations/{response.json()['id']}").json()
        assert tokenization["step"] == "completed", tokenization
        class_id = tokenization["class_id"]
        redemption_id = helper.request_redemption(class_id=class_id, tonnes=5, account="trader")
        certificate_id = helper.retire(class_id=class_id, amount=3 * TONNE // 2)
        helper.drive()
        yield ApiWorld(
            service=service,
            api=api,
            helper=helper,
            tokenization=tokenization,
            redemption_id=redemption_id,
            certificate_id=certificate_id,
            free_serial=blocks[1].serial,
            trader_serial=helper.held_blocks("trader")[0].serial,
        )
    service.close()
    databases.close()
