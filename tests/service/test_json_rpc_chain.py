"""A bridge on a chain reached only by its JSON-RPC URL, acting with configured keys: it deploys when told
to, mints once the confirmations are there (the node mines, not the bridge), and attaches again on a
restart with the address and start block it printed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import SecretStr

from bridge.chain.anvil import AnvilChain, dev_accounts, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.local import LocalTemplate, local_settings
from bridge.registry.ledger import Registry
from bridge.service import BridgeService
from bridge.testing.helpers import LocalBridgeHelper

TONNE = 10**18


def test_a_bridge_on_a_json_rpc_url_deploys_mints_and_attaches_again(
    tmp_path: Path, bridge_template: LocalTemplate
) -> None:
    node = AnvilChain(binary=find_anvil(find_project_root())).start()
    keys = dev_accounts(6)  # engine, 3 verifiers, a holder, the admin (named by address only)
    registry_file = tmp_path / "registry.db"
    bridge_template.copy_to(registry_file)
    demo = dataclasses.replace(bridge_template.demo, registry=Registry.open(f"sqlite:///{registry_file}"))

    def settings(**overrides: object):  # type: ignore[no-untyped-def]
        return local_settings(
            tmp_path,
            seed=bridge_template.seed,
            trust_account=bridge_template.trust_account,
            trust_key=bridge_template.trust_key,
            accounts=demo.accounts,
            registry_keys=demo.keys,
            chain=node.url,
            operator_key=SecretStr(keys[0].key.hex()),
            verifier_keys=[SecretStr(k.key.hex()) for k in keys[1:4]],
            admin_address=keys[5].address,
            confirmations=1,
            **overrides,
        )

    try:
        service = BridgeService.from_settings(settings(deploy_bridge=True), demo=demo)
        try:
            assert service.rpc_url == node.url and not service.can_mine
            assert {v.address for v in service.verifiers} == {k.address for k in keys[1:4]}
            helper = LocalBridgeHelper(service)
            holder = keys[4]
            tokenization = helper.tokenize(quantity=5, to=holder)  # locked, attested, minted: not yet confirmed
            assert tokenization.step != "completed"
            node.mine(2)  # the node's blocks, not the bridge's: it cannot mine here
            service.engine.run_until_idle()
            assert service.engine.get_tokenization(tokenization.id).step == "completed"
            address, start_block = service.onchain.deployment.address, service.start_block
            try:
                service.onchain.chain.mine(1)
                raise AssertionError("a JSON-RPC chain must not be mined by the bridge")
            except ChainError as exc:
                assert exc.code is ChainErrorCode.NOT_A_DEV_CHAIN
        finally:
            service.close()

        again = BridgeService.from_settings(settings(bridge_address=address, start_block=start_block), demo=demo)
        try:
            assert again.onchain.deployment.address == address
            assert again.engine.proof_of_reserve().ok
            token = again.onchain.deployment.token_at(str(tokenization.token_address))
            assert token.functions.balanceOf(holder.address).call() == 5 * TONNE
        finally:
            again.close()
    finally:
        node.stop()
