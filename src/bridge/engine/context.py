"""What every flow and step of one engine works with: its database, chain, registry, trust account, crash
points and clock, declared once.

The engine builds one ``FlowContext`` and hands it to each flow (``bridge.engine.tokenize``, ``redeem``,
``settle``) and step (``immobilize``, ``mint``); a flow's constructor takes only what is its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bridge.chain.bridge_contract import BridgeChain
from bridge.engine.faults import NO_FAULTS, Faults
from bridge.engine.ports import RegistryOperator
from bridge.engine.store import EngineStore


@dataclass(frozen=True)
class FlowContext:
    store: EngineStore
    chain: BridgeChain
    registry: RegistryOperator  # acting as the trust account's holder
    trust_account: int
    faults: Faults = NO_FAULTS
    clock: Callable[[], float] = time.time


class Flow:
    """Base of a flow or step: the context's parts as its own attributes (read at every step)."""

    def __init__(self, context: FlowContext) -> None:
        self.context = context
        self.store = context.store
        self.chain = context.chain
        self.registry = context.registry
        self.trust_account = context.trust_account
        self.faults = context.faults
        self.clock = context.clock
