"""A pool to deploy, fully resolved: a preset's, with the fields a request gives instead, or one from rules.

The spec is what ``deploy_pool`` deploys and what the pool's record keeps (``PoolRepository``): its JSON is
enough to finish a deployment after a crash, and its digest tells a retry of the same request from another.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from bridge.pools.presets import PoolPreset, preset
from bridge.pools.rules import PoolRules
from bridge.pools.schemas import PoolCreate
from bridge.primitives import Wei, tonnes_to_wei

# what a request for a preset's pool may give instead of the preset's own (rules come only with no preset)
_PRESET_FIELDS = PoolCreate.model_fields.keys() & PoolPreset.model_fields.keys()


class PoolSpec(BaseModel):
    """A pool to deploy, fully resolved (a preset's defaults applied). Caps in wei; None = no cap. Its JSON
    (caps as decimal strings) is what the pool's record keeps: enough to finish the deployment after a crash."""

    model_config = ConfigDict(frozen=True)

    name: str
    symbol: str
    fee_bps: int
    rules: PoolRules
    supply_cap: Wei | None
    class_cap: Wei | None
    fee_recipient: str
    preset: str | None = None

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()

    @classmethod
    def of_preset(cls, chosen: PoolPreset | str, fee_recipient: str, **overrides: Any) -> PoolSpec:
        """A preset's pool (the preset or its key), with ``overrides`` of its fields (whole tonnes, as the
        preset has them)."""
        chosen = (preset(chosen) if isinstance(chosen, str) else chosen).model_copy(update=overrides)
        shared = {name: value for name, value in chosen if name in cls.model_fields}  # name, symbol, fee, rules
        caps = {"supply_cap": chosen.supply_cap, "class_cap": chosen.class_cap}  # the preset's tonnes, in wei
        return cls(**shared, **caps, fee_recipient=fee_recipient, preset=chosen.key)

    @classmethod
    def of_request(cls, body: PoolCreate, fee_recipient: str) -> PoolSpec:
        """The spec a ``POST /v1/pools`` body asks for: a preset with the fields it gives instead, or rules."""
        recipient = body.fee_recipient or fee_recipient
        if body.preset is not None:
            return cls.of_preset(body.preset, recipient, **body.model_dump(include=_PRESET_FIELDS, exclude_none=True))
        supply_cap = None if body.supply_cap_tonnes is None else tonnes_to_wei(body.supply_cap_tonnes)
        class_cap = None if body.class_cap_tonnes is None else tonnes_to_wei(body.class_cap_tonnes)
        assert body.rules is not None and body.name is not None and body.symbol is not None  # the model checks
        return cls(
            name=body.name,
            symbol=body.symbol,
            fee_bps=body.fee_bps or 0,
            rules=body.rules,
            supply_cap=supply_cap,
            class_cap=class_cap,
            fee_recipient=recipient,
        )
