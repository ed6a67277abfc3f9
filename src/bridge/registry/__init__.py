"""Simulated carbon-credit registry: serial numbers, ledger and its errors, API keys, HTTP API and clients."""

# The API key tables are declared on the ledger's ``Base``; importing them here keeps ``Base.metadata``
# (which the migrations are checked against) complete whichever registry module is imported first.
from bridge.registry import _auth_models as _auth_models
