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

    def path_values(self, **extra: Any) -> dict[str, Any]:
        """A real value for every path parameter of the app's endpoints (pools must be deployed)."""
        block = self.api.get("/registry/blocks", params={"limit": 1}).json()["items"][0]
        issuance = self.api.get("/registry/issuances", params={"limit": 1}).json()["items"][0]
        pool = self.api.get("/v1/pools").json()["items"][0]
        return {
            "tokenization_id": self.tokenization["id"],
            "redemption_id": self.redemption_id,
            "certificate_id": self.certificate_id,
            "class_ref": self.tokenization["class_id"],
            "address": pool["address"],
            "token": self.tokenization["token_address"],
            "code": issuance["program"],
            "program": issuance["program"],
            "project_id": issuance["project_id"],
            "issuance_id": issuance["id"],
            "block_id": block["id"],
            "serial": block["serial"],
            "account_id": block["account_id"],
            "key_id": 1,
            "lock_id": self.tokenization["lock_id"],
        } | extra

    def state(self) -> tuple[str, str, int]:
        """Registry digest, engine database digest and chain head: equal before and after means nothing changed."""
        rows = []
        with self.service.store.session() as session:
            for table in Base.metadata.sorted_tables:
                rows.append([table.name, *(str(tuple(r)) for r in session.execute(select(table)).all())])
        engine = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        return self.service.registry.snapshot_digest(), engine, self.service.engine.chain.head()
