"""The registry ledger: ``Registry`` (``core``), the operation table (``operations``) and the operations'
handlers by concern (``accounts``: genesis, programs, projects, accounts; ``issuance``; ``movements``:
the block operations). Reads are in ``bridge.registry.views``."""

from bridge.registry.ledger.core import DEFAULT_REGISTRY_NAME, Registry, utc_now

__all__ = ["DEFAULT_REGISTRY_NAME", "Registry", "utc_now"]
