"""A whole bridge on one machine, for tests and demos: the demo registry, local settings with demo keys,
the resumable home ``carbon-bridge serve`` runs from, and the end-to-end demo scenario.

- ``template``: ``LocalTemplate``, the demo registry built once and copied per bridge (``DEMO_SEED``);
- ``settings``: ``local_settings`` and ``local_api_key`` (demo keys derived from the seed: not secrets);
- ``service``: ``local_service(folder)``, a wired local bridge on the in-process chain (or anvil);
- ``home``: ``LocalHome``, the folder a served local bridge lives in and resumes from;
- ``scenario``: the demo, played against a running bridge as its users would (``carbon-bridge demo``).
"""

from bridge.local.home import LocalHome
from bridge.local.service import local_service
from bridge.local.settings import LOCAL_HOLDERS, local_api_key, local_settings
from bridge.local.template import DEMO_SEED, LocalTemplate

__all__ = [
    "DEMO_SEED",
    "LOCAL_HOLDERS",
    "LocalHome",
    "LocalTemplate",
    "local_api_key",
    "local_service",
    "local_settings",
]
