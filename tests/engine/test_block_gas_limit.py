"""More tokenizations waiting than one block can hold: the engine mints them in parts that fit the chain's
block gas limit (read from the chain), all of them, none stalled behind a transaction the node refuses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.chain.lock_batch import MINT_GAS_BASE, MINT_GAS_PER_CLASS, MINT_GAS_PER_LOCK
from bridge.engine.schemas import TokenizationRequest
from engine_harness import make_world

pytestmark = pytest.mark.sqlite_only
BLOCK_GAS = 2_000_000
WAITING = 30  # one batch (max_batch 50) whose fixed budget (> 3M) would not fit in a 2M block


@pytest.fixture
def anvil() -> Iterator[AnvilChain]:
    chain = AnvilChain(find_anvil(find_project_root())).start()
    yield chain
    chain.stop()


def test_more_waiting_tokenizations_than_a_block_holds_are_all_minted(tmp_path: Path, anvil: AnvilChain) -> None:
    bw = make_world(tmp_path, chain=anvil)  # deployed under the default limit, then blocks shrink
    anvil._rpc("evm_setBlockGasLimit", [hex(BLOCK_GAS)])
    anvil.mine()
    assert MINT_GAS_BASE + MINT_GAS_PER_CLASS + MINT_GAS_PER_LOCK * WAITING > BLOCK_GAS
    ids = [
        bw.engine.request_tokenization(
            TokenizationRequest(
                idempotency_key=f"full-block-{n}",
                custodian_account=bw.world.custodian,
                serial=bw.world.issue(10).block.serial,
                recipient=bw.holder.address,
            )
        ).id
        for n in range(WAITING)
    ]
    bw.settle()
    done = [bw.engine.get_tokenization(i) for i in ids]
    assert [t.step for t in done] == ["completed"] * WAITING, [(t.id, t.step, t.error_code) for t in done]
    sent = {t.tx_hash for t in done}
    assert len(sent) >= 2, "one block cannot hold them all: several transactions"
    for tx_hash in sent:
        transaction = anvil.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        assert transaction["gas"] <= BLOCK_GAS
