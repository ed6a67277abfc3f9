"""``/v1/network`` and ``/v1/verifiers``: where the bridge lives, and who attests its mints."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import ServiceDep
from bridge.api.schemas import NetworkInfo, NetworkVerifier
from bridge.engine.schemas import VerifierSetPublic

REGISTRY_API: Final = "/registry"  # where bridge.api.main mounts the registry's API
router = APIRouter(prefix="/v1")


@router.get(
    "/network",
    tags=["network"],
    summary="Chain, contract, trust account, and who holds which key: admin (timelock), engine, verifiers",
    **examples.docs(examples.NETWORK),
)
def get_network(service: ServiceDep) -> NetworkInfo:
    governance = service.governance()
    return NetworkInfo(
        chain_id=service.chain_id,
        rpc_url=service.rpc_url,
        bridge=service.bridge_address,
        trust_account=service.trust_account,
        registry_api=REGISTRY_API,
        confirmations=service.settings.confirmations,
        threshold=governance.threshold,
        admin=governance.admin,
        admin_delay_seconds=governance.admin_delay_seconds,
        engine=governance.engine,
        verifiers=[NetworkVerifier(address=a, url=u) for a, u in governance.verifiers],
    )


@router.get(
    "/verifiers",
    tags=["verifiers"],
    summary="The verifier set and each verifier's status",
    **examples.docs(examples.VERIFIERS),
)
def list_verifiers(service: ServiceDep) -> VerifierSetPublic:
    return service.verifier_set()
