"""Load the bridge's pytest plugin as a user would (same as ``pytest -p bridge.testing``)."""

from bridge.testing import (  # noqa: F401
    bridge,
    bridge_api,
    bridge_client,
    bridge_holders,
    bridge_service,
    bridge_template,
    served_bridge,
)
