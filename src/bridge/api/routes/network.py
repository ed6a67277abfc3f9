"""``/v1/network`` and ``/v1/verifiers``: where the bridge lives, and who attests its mints."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import ServiceDep
from bridge.api.schemas import NetworkInfo
from bridge.engine.schemas import VerifierSetPublic

REGISTRY_API: Final = "/registry"  # where bridge.api.main mounts the registry's API
router = APIRouter(prefix="/v1")


@router.get(
    "/network", tags=["network"], summary="Chain, contract and trust account", **examples.docs(examples.NETWORK)
)
def get_network(service: ServiceDep) -> NetworkInfo:
    return NetworkInfo(
        chain_id=service.chain_id,
        rpc_url=service.rpc_url,
        bridge=service.bridge_address,
        trust_account=service.trust_account,
        registry_api=REGISTRY_API,
        confirmations=service.settings.confirmations,
        threshold=service.settings.threshold,
    )


@router.get(
    "/verifiers",
    tags=["verifiers"],
    summary="The verifier set and each verifier's status",
    **examples.docs(examples.VERIFIERS),
)
def list_verifiers(service: ServiceDep) -> VerifierSetPublic:
    return service.verifier_set()
