"""Test your own flows against a whole local bridge: a pytest plugin and a few helpers.

Load the plugin with ``pytest -p bridge.testing`` (or the ``pytest11`` entry point, or
``from bridge.testing.plugin import *`` in a ``conftest.py``). Its fixtures:

* ``bridge_service`` -- a local bridge in ``tmp_path``: the demo registry, an in-process chain with the
  contracts deployed, 2-of-3 verifiers and the engine (a ``BridgeService``);
* ``bridge_api`` -- a FastAPI ``TestClient`` on the bridge API (and the registry API under /registry);
* ``bridge_client`` -- the Python SDK (``BridgeClient``) on that API, with the custodian's key;
* ``bridge_holders`` -- funded chain accounts (``LocalAccount``) to act as token holders;
* ``bridge`` -- a ``LocalBridgeHelper``: tokenize a demo block, redeem or retire as a holder, ``drive()``;
* ``served_bridge`` -- a local bridge on anvil served over HTTP on a free port, its engine worker running
  (``served_bridge.url``, ``served_bridge.service.rpc_url``): for HTTP clients, wallets and the CLI.
"""

from bridge.testing.helpers import LocalBridgeHelper, drive, request_redemption, retire
from bridge.testing.plugin import (
    bridge,
    bridge_api,
    bridge_client,
    bridge_holders,
    bridge_service,
    bridge_template,
    served_bridge,
)

__all__ = [
    "LocalBridgeHelper",
    "bridge",
    "bridge_api",
    "bridge_client",
    "bridge_holders",
    "bridge_service",
    "bridge_template",
    "drive",
    "request_redemption",
    "retire",
    "served_bridge",
]
