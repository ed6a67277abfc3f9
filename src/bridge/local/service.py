"""A whole local bridge in one call: the demo registry, an in-process chain, a fresh deployment, 2-of-3
verifiers, the engine, and demo API keys for every role."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bridge.local.settings import local_settings
from bridge.local.template import DEMO_SEED, LocalTemplate
from bridge.registry.ledger import Registry
from bridge.service import BridgeService


def local_service(
    directory: str | Path, *, seed: int = DEMO_SEED, template: LocalTemplate | None = None, **overrides: Any
) -> BridgeService:
    """A fully wired local bridge in ``directory`` (``service.api_key(name)`` gives its demo keys).

    ``template`` (from ``LocalTemplate.build``) copies a demo registry built once instead of building
    it again; ``overrides`` are settings (``chain="anvil"``, ``confirmations=1``...).
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    registry_file = folder / "registry.db"
    if template is None:
        template = LocalTemplate.build(folder, seed=seed, registry_file=registry_file)
    else:
        template.copy_to(registry_file)
    demo = dataclasses.replace(template.demo, registry=Registry.open(f"sqlite:///{registry_file}"))
    settings = local_settings(
        folder,
        seed=template.seed,
        trust_account=template.trust_account,
        trust_key=template.trust_key,
        accounts=demo.accounts,
        registry_keys=demo.keys,
        **overrides,
    )
    return BridgeService.from_settings(settings, demo=demo)
