"""``GET /health``: ready or not, without waiting for anything (no chain call, no lock)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bridge.api import examples
from bridge.api.deps import SERVICE_STATE
from bridge.api.errors import ApiError, ApiErrorCode
from bridge.api.schemas import Health
from bridge.service import BridgeService

router = APIRouter(tags=["health"])


@router.get("/health", summary="Ready when the service is", **examples.docs(examples.HEALTH))
def health(request: Request) -> Health:
    service: BridgeService = getattr(request.app.state, SERVICE_STATE)
    if not service.ready:
        raise ApiError("the bridge service is not ready", code=ApiErrorCode.NOT_READY)
    # the chain id is fixed and the head is the last one the engine read: a busy engine never delays this
    return Health(status="ok", chain_id=service.chain_id, bridge=service.bridge_address, head=service.last_head)
