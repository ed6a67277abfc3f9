"""The engine reaches the registry only through its client: the same flows work over HTTP."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bridge.primitives import TONNE
from bridge.registry.api import create_registry_app
from bridge.registry.enums import BlockStatus
from engine_harness import make_world, request_redemption, retire, tokenize


def test_tokenize_redeem_and_settle_with_the_registry_behind_its_http_api(tmp_path: Path) -> None:
    bw = make_world(tmp_path)
    with TestClient(create_registry_app(bw.registry)) as http:
        bw.http = http
        bw.restart()
        done = tokenize(bw, 40)
        assert done.class_id
        redemption_id = request_redemption(bw, done.class_id, 4, bw.world.trader)
        retire(bw, done.class_id, 3 * TONNE // 2)
        bw.settle()
        assert bw.engine.get_redemption(redemption_id).step == "completed"
        assert sum(b.quantity for b in bw.registry.list_blocks(account_id=bw.world.trader)) == 4
        assert sum(b.quantity for b in bw.registry.list_blocks(status=BlockStatus.RETIRED.value)) == 1
        assert bw.engine.proof_of_reserve().ok
