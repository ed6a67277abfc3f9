"""The bridge's HTTP API: tokenize, follow flows, read classes, certificates and the reserve.

Reads are public; a key (header ``X-API-Key``) is needed to write. Roles: ``custodian`` (bound to one
registry account: may tokenize only from it, to any recipient), ``verifier``, ``operator`` (drives the
engine once, enforces the reserve, tokenizes from a custodian's account only to a destination that
custodian registered). Every error is ``{"code", "message", "field"}`` with the code's HTTP status.
Before any route runs, the HTTP edge checks the key of a keyed route without reading the body (401),
limits requests per key and failed keys per address (429 ``rate_limited``) and caps the body (413
``body_too_large``).
"""

from __future__ import annotations

import logging
from functools import partial

from fastapi import Depends, FastAPI

from bridge.api.auth import api_key_scheme, authenticate
from bridge.api.deps import SERVICE_STATE, reject_unknown_query
from bridge.api.errors import HTTP_ERRORS
from bridge.api.routes import (
    classes,
    events,
    health,
    network,
    operator,
    pools,
    redemptions,
    reserves,
    retirements,
    tokenizations,
)
from bridge.explorer import install_explorer
from bridge.http_edge import KeyCheck, install_http_edge
from bridge.http_errors import install_error_handlers
from bridge.service import BridgeService

log = logging.getLogger(__name__)

# in this order in the OpenAPI document (and the endpoint table of docs/api.md)
ROUTERS = (health, tokenizations, classes, redemptions, retirements, events, reserves, network, operator, pools)


def create_app(service: BridgeService) -> FastAPI:
    """The bridge API for ``service`` under /v1, the registry's API beside it under /registry."""
    app = FastAPI(
        title="Carbon credit bridge",
        version="1.0",
        summary="Tokenize registry carbon credits, follow redemptions and retirements, check the reserve.",
        description=__doc__,
        dependencies=[Depends(reject_unknown_query)],
        docs_url=None,  # served from the package's own files by the explorer (no CDN)
        redoc_url=None,
    )
    setattr(app.state, SERVICE_STATE, service)
    for module in ROUTERS:
        app.include_router(module.router)
    checks: dict[str, KeyCheck] = {api_key_scheme.scheme_name: partial(authenticate, service.settings)}
    try:
        from bridge.registry import api as registry_api
    except ImportError:  # the registry API is optional: the bridge API works without it
        log.warning("registry API not available: /registry is not served")
    else:
        if service.registry is not None:  # a registry reached over HTTP serves its API itself
            app.include_router(registry_api.registry_router(service.registry), prefix=network.REGISTRY_API)
            checks |= registry_api.key_checks(service.registry)
    install_explorer(app, service, HTTP_ERRORS)
    install_error_handlers(app, HTTP_ERRORS)
    install_http_edge(app, service.settings.http, checks)
    return app
