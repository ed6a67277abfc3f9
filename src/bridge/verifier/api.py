"""A verifier's HTTP API (what ``carbon-bridge verifier serve`` runs), behind the project's HTTP edge and
error stack:

* ``POST /v1/attestations`` (the engine's key, header ``X-API-Key``): a batch of locks to attest; the
  verifier re-reads every lock from the registry and answers its signature over the batch's root, or a
  coded refusal naming the lock (``lock_refused``, ``lock_attested_otherwise``, ``deadline_refused``);
* ``GET /v1/identity``: its signing address, the chain, the bridge and the trust account it attests for;
* ``GET /health``: whether it is up.

Routes are plain ``def``: FastAPI runs them in its thread pool (the checks read the registry and the chain).
"""

from __future__ import annotations

import hmac
from functools import partial
from typing import Annotated, Any, Final

from fastapi import Body, Depends, FastAPI, Security
from fastapi.security import APIKeyHeader

from bridge.http_edge import EdgeLimits, install_http_edge
from bridge.http_errors import install_error_handlers
from bridge.verifier.errors import HTTP_ERRORS, VerifierError, VerifierErrorCode
from bridge.verifier.schemas import AttestationPublic, AttestationRequest, VerifierHealth, VerifierIdentity
from bridge.verifier.service import VerifierService

api_key_scheme = APIKeyHeader(
    name="X-API-Key",
    scheme_name="VerifierApiKey",
    auto_error=False,
    description="the key the bridge engine presents to this verifier",
)
_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    code: {"description": "a coded error"} for code in (401, 409, 422, 503)
}


def check_key(expected: str, presented: str | None) -> None:
    """``unauthorized`` unless ``presented`` is the verifier's API key (compared in constant time)."""
    if not presented:
        raise VerifierError(
            "this operation needs the engine's API key (header X-API-Key)", code=VerifierErrorCode.UNAUTHORIZED
        )
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise VerifierError("the API key is not valid", code=VerifierErrorCode.UNAUTHORIZED)


def create_verifier_app(service: VerifierService, *, api_key: str, limits: EdgeLimits | None = None) -> FastAPI:
    """The API of ``service``; ``api_key`` is the key callers (the engine) must present to ask for signatures."""
    app = FastAPI(
        title=f"Carbon bridge verifier {service.name}",
        version="1.0",
        summary="Attests batches of registry locks after reading each one from the registry itself.",
        description=__doc__,
    )

    def engine_key(key: Annotated[str | None, Security(api_key_scheme)] = None) -> None:
        check_key(api_key, key)

    @app.post(
        "/v1/attestations",
        tags=["attestations"],
        summary="Attest a batch of locks (one signature over the root of their Merkle tree)",
        dependencies=[Depends(engine_key)],
        responses=_ERRORS,
    )
    def attest(request: Annotated[AttestationRequest, Body()]) -> AttestationPublic:
        return service.attest(request)

    @app.get("/v1/identity", tags=["verifier"], summary="Who this verifier is and what it attests for")
    def identity() -> VerifierIdentity:
        return service.identity()

    @app.get("/health", tags=["verifier"], summary="Whether the verifier is up")
    def health() -> VerifierHealth:
        return VerifierHealth(status="ok", address=service.address)

    install_error_handlers(app, HTTP_ERRORS)
    install_http_edge(app, limits or EdgeLimits(), {api_key_scheme.scheme_name: partial(check_key, api_key)})
    return app
