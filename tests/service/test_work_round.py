"""The engine worker on a development chain mines confirmations after any new block, so that a user's
transaction reaches its depth without anyone sending more; one mined right after the worker's own blocks
(a race the demo hit in CI: its retirement waited forever) gets its confirmations too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.local import LocalTemplate, local_service


def test_a_block_mined_right_after_the_workers_own_gets_its_confirmations(
    tmp_path: Path, bridge_template: LocalTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = local_service(tmp_path, template=bridge_template, confirmations=1)
    try:
        chain = service.onchain.chain
        mine = chain.mine

        def a_user_transaction_lands_just_after(blocks: int = 1) -> None:
            mine(blocks)
            mine(1)  # a user's transaction, mined between the worker's blocks and its next look at the head

        monkeypatch.setattr(chain, "mine", a_user_transaction_lands_just_after)
        service.work_round()
        users_block = service.engine.chain.head()
        monkeypatch.setattr(chain, "mine", mine)
        assert service.engine.chain.safe_head() < users_block  # not deep enough yet

        service.work_round()
        assert service.engine.chain.safe_head() >= users_block
        settled = service.engine.chain.head()
        service.work_round()  # and then at rest: nothing new, nothing mined
        assert service.engine.chain.head() == settled
    finally:
        service.close()
