"""The world the API tests share: a local bridge with a little history, and how to compare its state."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from bridge.engine.store import Base
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

TONNE = 10**18
SETUP_KEY = "setup-tokenization-0001"


@dataclass
class ApiWorld:
    service: BridgeService
    api: TestClient
    helper: LocalBridgeHelper
    tokenization: dict[str, Any]
    redemption_id: int
    certificate_id: int
    free_serial: str  # a block the custodian still holds, never tokenized
    trader_serial: str  # a block held by another account

    @property
    def bridged_serial(self) -> str:
        """The part of the tokenized block still immobilized in trust."""
        batches = self.api.get("/v1/batches").json()["items"]
        return str(batches[0]["current_serial"])

    def key(self, name: str) -> dict[str, str]:
        return {"X-API-Key": self.service.api_key(name)}

    def account(self, name: str) -> int:
        return self.helper.account(name)

    def state(self) -> tuple[str, str, int]:
        """Registry digest, engine database digest and chain head: equal before and after means nothing changed."""
        rows = []
        with self.service.store.session() as session:
            for table in Base.metadata.sorted_tables:
                rows.append([table.name, *(str(tuple(r)) for r in session.execute(select(table)).all())])
        engine = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        return self.service.registry.snapshot_digest(), engine, self.service.engine.chain.head()
