"""The small registry world the scripts run in (the registry benchmark, the cluster and its chaos run): one
VCS program and project, a custodian, a trader and the bridge's trust account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bridge.registry.ledger import Registry


@dataclass
class RegistryWorld:
    registry: Registry
    custodian: int
    trader: int
    trust: int
    vintage: int

    @classmethod
    def build(cls, registry: Registry, *, vintage: int) -> RegistryWorld:
        """Create the program, project and accounts in a new ``registry``; credits are of ``vintage``."""
        registry.create_program(code="VCS", category="independent", ccp_eligible=True, corsia_phases=["first"])
        registry.create_project(
            program="VCS",
            project_id="1477",
            name="Katingan Peatland Restoration and Conservation",
            methodology_id="VM0007",
            methodology_category="REDD+",
            sector="Agriculture, Forestry and Other Land Use",
            sectoral_scope="14",
            host_country="ID",
            mitigation_type="reduction",
        )
        return cls(
            registry,
            custodian=registry.create_account(kind="holding", owner="Acme Custody").id,
            trader=registry.create_account(kind="holding", owner="Blue Trading").id,
            trust=registry.create_account(kind="trust", owner="Carbon Bridge").id,
            vintage=vintage,
        )

    def issue(self, quantity: int) -> str:
        """Issue ``quantity`` new units to the custodian; the new block's serial."""
        return self.registry.issue(
            program="VCS",
            project_id="1477",
            to_account=self.custodian,
            quantity=quantity,
            vintage_start=date(self.vintage, 1, 1),
            vintage_end=date(self.vintage, 12, 31),
        ).block.serial
