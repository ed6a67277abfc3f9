"""Demo data: a small registry that reads like a real one, the same every time for the same seed.

``populate(registry, seed=7)`` fills an empty (initialized) registry with:

* the programs of DOMAIN.md -- VCS, GS, ACR, CAR, CDM, PACM, PURO, CCER -- and a few more (ACCU, T-VER,
  GCC, Plan Vivo, Isometric), with their CCP eligibility and CORSIA phases;
* 18 projects across 15 countries and the usual categories (REDD+, improved forest management,
  afforestation, agroforestry, cookstoves, safe water, landfill gas, livestock methane, wind, hydro,
  biomass, biochar, direct air capture, regeneration), with mixed labels: CCP-approved, CORSIA
  (per phase), ARB, removal vs. reduction, Article 6 authorization with corresponding adjustments, SDGs,
  CCB;
* issuances of vintages 2016-2024 (one block per vintage year), issued ex post, whose labels differ from
  their project's where real ones do (``issuance_labels``: CORSIA phase by vintage, CCP approval of recent
  vintages); Isometric's in kilograms;
* four holding accounts (a custodian, two traders, an exchange) and the bridge's trust account, with a
  history: transfers between holders, retirements with beneficiaries, buffer-pool deposits for
  nature-based projects, a cancellation, units immobilized for tokens (some later released or retired
  from trust, settling on-chain retirements), and one issuance frozen under review;
* an API key for each of those accounts and one for the operator.

The result (``DemoRegistry``) has the account ids and the keys. Same seed, same ledger: with a
deterministic registry clock (``open_demo_registry`` uses a ``DemoClock`` that walks through the
simulated history, June 2015 to September 2025) ``Registry.snapshot()`` is identical from run to run.

The holders' API keys are derived from the seed (``crk_demo...``) so demos and docs can show them: anyone
who knows the seed knows them, and they move nothing but those demo users' credits. The keys that could
move anyone's credits (the registry operator's, and the trust account's, which releases locked units)
are random, drawn anew each time the demo is built: never derived from the public seed. Never use demo
keys for anything but a local demo.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from eth_utils import to_checksum_address

from bridge.registry import auth
from bridge.registry.client import InProcessRegistryClient
from bridge.registry.db import create_registry_db, session_factory
from bridge.registry.ledger import Registry
from bridge.registry.schemas import IssuancePublic, ProjectPublic

_START: Final = datetime(2015, 6, 1, 9, 0, tzinfo=UTC)
_LAST_ISSUANCE: Final = date(2025, 3, 31)
_LAST_DAY: Final = date(2025, 9, 30)
MARKETPLACE: Final = "Carbon Bridge"
CHAIN_ID: Final = 31337


class DemoClock:
    """A registry clock the demo moves through its simulated history (never backwards).

    Each reading is one second after the previous one, so entries stay ordered within a day.
    """

    def __init__(self, start: datetime = _START) -> None:
        self.now = start

    def advance_to(self, day: date) -> None:
        moment = datetime.combine(day, time(9, 0), UTC)
        if moment > self.now:
            self.now = moment

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class DemoAccount:
    name: str  # key into DemoRegistry.accounts / .keys
    kind: str
    owner: str


ACCOUNTS: Final = (
    DemoAccount("custodian", "holding", "Acme Custody Services"),
    DemoAccount("trader", "holding", "Blue Harbor Trading"),
    DemoAccount("broker", "holding", "Nordic Offset Brokers"),
    DemoAccount("exchange", "holding", "Sunrise Carbon Exchange"),
    DemoAccount("bridge", "trust", "Carbon Bridge"),
)
_HOLDERS: Final = ("custodian", "trader", "broker", "exchange")

# code, category, CCP-eligible, CORSIA phases
PROGRAMS: Final[tuple[tuple[str, str, bool, list[str]], ...]] = (
    ("VCS", "independent", True, ["pilot", "first"]),
    ("GS", "independent", True, ["pilot", "first"]),
    ("ACR", "independent", True, ["pilot", "first"]),
    ("CAR", "independent", True, ["pilot", "first"]),
    ("GCC", "independent", True, ["pilot", "first"]),
    ("CDM", "international", False, ["pilot"]),
    ("PACM", "international", False, []),
    ("PURO", "independent", False, []),
    ("ISOMETRIC", "independent", True, []),
    ("PV", "independent", False, []),
    ("CCER", "government", False, []),
    ("ACCU", "government", False, []),
    ("TVER", "government", False, []),
)


@dataclass(frozen=True)
class DemoProject:
    fields: dict[str, Any]
    years: tuple[int, int]  # the vintages it may have
    size: tuple[int, int]  # units per vintage
    nature: bool = False  # nature-based: deposits into the buffer pool

    @property
    def program(self) -> str:
        return str(self.fields["program"])

    @property
    def project_id(self) -> str:
        return str(self.fields["project_id"])


def _project(
    program: str,
    project_id: str,
    name: str,
    methodology: tuple[str, str],
    sector: tuple[str, str],
    country: str,
    mitigation: str,
    *,
    years: tuple[int, int],
    size: tuple[int, int],
    nature: bool = False,
    **labels: Any,
) -> DemoProject:
    fields = {
        "program": program,
        "project_id": project_id,
        "name": name,
        "methodology_id": methodology[0],
        "methodology_category": methodology[1],
        "sector": sector[0],
        "sectoral_scope": sector[1],
        "host_country": country,
        "mitigation_type": mitigation,
        **labels,
    }
    return DemoProject(fields=fields, years=years, size=size, nature=nature)


_AFOLU: Final = "Agriculture, Forestry and Other Land Use"
PROJECTS: Final = (
    _project(
        "VCS", "1477", "Katingan Peatland Restoration and Conservation", ("VM0007", "REDD+"), (_AFOLU, "14"), "ID",
        "reduction", years=(2016, 2022), size=(150_000, 600_000), nature=True, ccp_approved=True,
        corsia_first_phase="yes", sdg_goals=[1, 5, 13, 15], additional_certifications=["CCB"],
    ),
    _project(
        "VCS", "2250", "Gujarat Wind Power Bundle", ("ACM0002", "Renewable energy"), ("Energy industries", "1"), "IN",
        "reduction", years=(2016, 2020), size=(40_000, 120_000), corsia_pilot="yes",
        sdg_goals=[7, 8, 13],
    ),
    _project(
        "VCS", "3019", "Cerrado Biochar Carbon Removal", ("VM0044", "Biochar"), (_AFOLU, "14"), "BR", "removal",
        years=(2022, 2024), size=(2_000, 9_000), ccp_approved=True, sdg_goals=[2, 13, 15],
    ),
    _project(
        "GS", "2211", "Uganda Efficient Cookstoves", ("GS-TPDDTEC", "Cookstoves"), ("Energy demand", "3"), "UG",
        "reduction", years=(2017, 2023), size=(20_000, 70_000), ccp_approved=True, corsia_first_phase="yes",
        sdg_goals=[3, 5, 7, 13],
    ),
    _project(
        "GS", "7650", "Kenya Safe Water Boreholes", ("GS-SWS", "Safe water"), ("Energy demand", "3"), "KE",
        "reduction", years=(2018, 2023), size=(10_000, 40_000), sdg_goals=[3, 6, 13],
    ),
    _project(
        "ACR", "412", "Mississippi Alluvial Valley Afforestation", ("ACR-AR", "Afforestation/reforestation"),
        (_AFOLU, "14"), "US", "removal", years=(2016, 2023), size=(30_000, 90_000), nature=True,
        ccp_approved=True, corsia_first_phase="yes", sdg_goals=[13, 15],
    ),
    _project(
        "ACR", "733", "Ohio Valley Landfill Gas Destruction", ("ACR-LFG", "Landfill gas"),
        ("Waste handling and disposal", "13"), "US", "reduction", years=(2016, 2021), size=(25_000, 80_000),
        ccp_approved=True, corsia_first_phase="yes",
    ),
    _project(
        "CAR", "1021", "Sonoma Coast Improved Forest Management", ("CAR-FPP", "Improved forest management"),
        (_AFOLU, "14"), "US", "removal", years=(2016, 2022), size=(20_000, 60_000), nature=True,
        corsia_pilot="yes", arb_eligible="yes", sdg_goals=[13, 15],
    ),
    _project(
        "CAR", "1188", "Central Valley Dairy Digester", ("CAR-LIVESTOCK", "Livestock methane"),
        (_AFOLU, "15"), "US", "reduction", years=(2018, 2023), size=(8_000, 30_000), ccp_approved=True,
    ),
    _project(
        "CDM", "1234", "Shandong Coastal Wind Farm", ("ACM0002", "Renewable energy"), ("Energy industries", "1"),
        "CN", "reduction", years=(2016, 2020), size=(60_000, 200_000), corsia_pilot="yes",
    ),
    _project(
        "PACM", "17", "Ghana Clean Cooking Programme", ("AMS-II.G", "Cookstoves"), ("Energy demand", "3"), "GH",
        "reduction", years=(2022, 2024), size=(15_000, 45_000), article6_authorization="ndc_and_other_purposes",
        corresponding_adjustment_declaration="Committed", corresponding_adjustment_status="Pending",
        sdg_goals=[3, 5, 7, 13],
    ),
    _project(
        "PURO", "helsinki-bc-1", "Helsinki Biochar 1", ("PURO-BIOCHAR-2022", "Biochar"), ("Carbon removal", "biochar"),
        "FI", "removal", years=(2021, 2024), size=(500, 4_000),
    ),
    _project(
        "ISOMETRIC", "iso-dac-001", "Hellisheidi Direct Air Capture 1", ("ISO-DACS-1.0", "Direct air capture"),
        ("Carbon removal", "DACCS"), "IS", "removal", years=(2022, 2024), size=(100_000, 1_500_000), ccp_approved=True,
        article6_authorization="other_international_mitigation_purposes",
        corresponding_adjustment_declaration="Committed", corresponding_adjustment_status="Completed",
    ),
    _project(
        "PV", "PV-010", "Malawi Smallholder Agroforestry", ("PV-CLIMATE", "Agroforestry"), (_AFOLU, "14"), "MW",
        "removal", years=(2017, 2023), size=(3_000, 15_000), nature=True, sdg_goals=[1, 2, 5, 13, 15],
    ),
    _project(
        "CCER", "000731", "Jiangsu Offshore Wind", ("CCER-01-001-V01", "Renewable energy"), ("Energy", "1"), "CN",
        "reduction", years=(2021, 2024), size=(80_000, 250_000),
    ),
    _project(
        "ACCU", "ERF101234", "Mulga Lands Human-Induced Regeneration", ("ERF-HIR-2013", "Regeneration"),
        ("Vegetation", "veg"), "AU", "removal", years=(2017, 2023), size=(10_000, 50_000), nature=True,
    ),
    _project(
        "TVER", "TVER-P-0042", "Suphan Buri Rice-Husk Biomass Power", ("T-VER-S-METH-01-01", "Biomass energy"),
        ("Energy", "1"), "TH", "reduction", years=(2019, 2024), size=(10_000, 35_000),
        article6_authorization="ndc_use", corresponding_adjustment_declaration="Committed",
        corresponding_adjustment_status="Not Started", sdg_goals=[7, 13],
    ),
    _project(
        "GCC", "S00512", "Aegean Run-of-River Hydropower", ("GCCM001", "Renewable energy"), ("Energy industries", "1"),
        "TR", "reduction", years=(2016, 2022), size=(30_000, 90_000), corsia_first_phase="yes",
        sdg_goals=[7, 13],
    ),
)  # fmt: skip

BENEFICIARIES: Final = (
    "Northwind Airlines",
    "Contoso Ltd",
    "Fabrikam GmbH",
    "Tailspin Toys",
    "Woodgrove Bank",
    "Alpine Ski Resorts AG",
    "Litware Inc.",
    "Adventure Works Cycles",
    "City of Freiburg",
    "Margie's Travel",
)
REASONS: Final = (
    "Voluntary offsetting of {year} Scope 1 and 2 emissions",
    "CORSIA offsetting requirements, first phase",
    "Carbon-neutral product claim (PAS 2060), {year}",
    "Offsetting of business travel, {year}",
    "Retired on behalf of customers' flights booked in {year}",
)


_PHASES: Final = {code: phases for code, _, _, phases in PROGRAMS}
CCP_FROM: Final = {("VCS", "1477"): 2018, ("GS", "2211"): 2019}
"""Projects whose issuances are CCP-approved only from this vintage on (the approval covers recent vintages)."""


def issuance_labels(spec: DemoProject, year: int) -> dict[str, Any]:
    """Labels of one issuance that differ from its project's, as real registries label issuances: CORSIA's
    pilot phase takes vintages 2016-2020 and its first phase 2021 on, so a CORSIA-labelled project's
    issuances are eligible in the phase their vintage fits (if its program is); some projects' CCP approval
    covers only recent vintages."""
    labels: dict[str, Any] = {}
    fields, phases = spec.fields, _PHASES[spec.program]
    if "yes" in (fields.get("corsia_pilot"), fields.get("corsia_first_phase")):
        labels["corsia_pilot"] = "yes" if year <= 2020 and "pilot" in phases else "no"
        labels["corsia_first_phase"] = "yes" if year >= 2021 and "first" in phases else "no"
    since = CCP_FROM.get((spec.program, spec.project_id))
    if since is not None and year < since:
        labels["ccp_approved"] = False
    return labels


@dataclass(frozen=True)
class DemoRegistry:
    """What ``populate`` built: account ids and API keys by name (see ``ACCOUNTS``), and more."""

    registry: Registry
    seed: int
    accounts: dict[str, int]
    keys: dict[str, str]  # account name -> key; "operator" -> the operator's key
    programs: list[str]
    projects: list[ProjectPublic]
    issuances: list[IssuancePublic]
    token_address: str = field(repr=False)

    @property
    def operator_key(self) -> str:
        return self.keys["operator"]

    @property
    def trust_account(self) -> int:
        return self.accounts["bridge"]

    def client(self, name: str | None = None) -> InProcessRegistryClient:
        """An in-process client acting with the key of account ``name`` (or "operator"; None: anonymous)."""
        return InProcessRegistryClient(self.registry, None if name is None else self.keys[name])


class _Timeline:
    """The simulated history: events run in date order; an event may schedule later ones."""

    def __init__(self, clock: DemoClock | None) -> None:
        self._clock = clock
        self._queue: list[tuple[date, int, Callable[[], object]]] = []
        self._count = 0

    def at(self, day: date, run: Callable[[], object]) -> None:
        self._count += 1
        heapq.heappush(self._queue, (min(day, _LAST_DAY), self._count, run))

    def run(self) -> None:
        while self._queue:
            day, _, event = heapq.heappop(self._queue)
            if self._clock is not None:
                self._clock.advance_to(day)
            event()


def demo_key(seed: int, name: str) -> str:
    """The demo API key of ``name`` for ``seed``: derived, not secret (demo use only)."""
    digest = hashlib.sha256(f"carbon-bridge demo key:{seed}:{name}".encode()).hexdigest()
    return f"crk_demo{seed}_{name}_{digest[:32]}"


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def populate(registry: Registry, *, seed: int = 7, clock: DemoClock | None = None) -> DemoRegistry:
    """Fill an empty, initialized ``registry`` with the demo world for ``seed`` (see the module doc).

    ``clock``: the registry's own clock, if it is a ``DemoClock``: each operation is then dated on its
    day of the simulated history (otherwise operations carry the registry clock's times).
    """
    rng = random.Random(seed)
    timeline = _Timeline(clock)
    token = to_checksum_address("0x" + hashlib.sha256(f"demo token:{seed}".encode()).hexdigest()[:40])
    world = _World(registry, rng, timeline, token_address=token)

    for code, category, ccp, phases in PROGRAMS:
        timeline.at(
            _START.date(),
            functools.partial(
                registry.create_program, code=code, category=category, ccp_eligible=ccp, corsia_phases=phases
            ),
        )
    for offset, account in enumerate(ACCOUNTS):
        timeline.at(date(2015, 9, 1) + timedelta(days=30 * offset), functools.partial(world.open_account, account))
    for index, spec in enumerate(PROJECTS):
        timeline.at(date(2016, 1, 15) + timedelta(days=9 * index), functools.partial(world.register, spec))
    timeline.run()
    for spec in PROJECTS:
        first, last = spec.years
        count = min(last - first + 1, rng.randint(2, 4))
        for year in sorted(rng.sample(range(first, last + 1), count)):
            issued_on = min(date(year, 12, 31) + _days(rng, 60, 330), _LAST_ISSUANCE)
            timeline.at(issued_on, functools.partial(world.issue, spec, year, issued_on))
    timeline.run()
    # the operator's last word: the newest issuance is frozen while a monitoring report is reviewed
    newest = max(world.issuances, key=lambda issuance: (issuance.issued_on, issuance.id))
    registry.freeze(issuance_id=newest.id, reason="Issuance under review: monitoring report query")

    keys = {name: demo_key(seed, name) for name in _HOLDERS}  # the others: random (see the module doc)
    for name, account_id in world.accounts.items():
        keys[name] = auth.issue_api_key(registry, accounts=[account_id], label=f"demo: {name}", secret=keys.get(name))
    keys["operator"] = auth.issue_api_key(registry, operator=True, label="demo: registry operator")
    return DemoRegistry(
        registry=registry,
        seed=seed,
        accounts=dict(world.accounts),
        keys=keys,
        programs=[code for code, *_ in PROGRAMS],
        projects=list(world.projects),
        issuances=list(world.issuances),
        token_address=world.token_address,
    )


class _World:
    """The demo's actors: each method is one event of the history, and plans the events it leads to.

    Planned quantities never exceed the units an account will hold when the event runs: every event
    on an issuance takes a share of what its planner has not yet given away.
    """

    def __init__(self, registry: Registry, rng: random.Random, timeline: _Timeline, *, token_address: str) -> None:
        self.registry = registry
        self.rng = rng
        self.timeline = timeline
        self.token_address = token_address
        self.accounts: dict[str, int] = {}
        self.projects: list[ProjectPublic] = []
        self.issuances: list[IssuancePublic] = []
        self._certificates = 0

    def open_account(self, account: DemoAccount) -> None:
        self.accounts[account.name] = self.registry.create_account(kind=account.kind, owner=account.owner).id

    def register(self, spec: DemoProject) -> None:
        self.projects.append(self.registry.create_project(**spec.fields))

    def issue(self, spec: DemoProject, year: int, issued_on: date) -> None:
        rng = self.rng
        holder = rng.choice(_HOLDERS)
        step = 100 if spec.size[0] >= 1_000 else 10
        result = self.registry.issue(
            program=spec.program,
            project_id=spec.project_id,
            to_account=self.accounts[holder],
            quantity=rng.randrange(spec.size[0], spec.size[1] + 1, step),
            vintage_start=date(year, 1, 1),
            vintage_end=date(year, 12, 31),
            issued_on=issued_on,
            **issuance_labels(spec, year),
        )
        self.issuances.append(result.issuance)
        self._plan(result.issuance, holder, spec)

    def _plan(self, issuance: IssuancePublic, holder: str, spec: DemoProject) -> None:
        rng, at, registry = self.rng, self.timeline.at, self.registry
        issued, owner, held = issuance.issued_on, self.accounts[holder], issuance.quantity

        def take(share: float) -> int:
            nonlocal held
            units = max(1, int(held * share))
            held -= units
            return units

        if spec.nature:
            buffered = take(rng.uniform(0.10, 0.20))
            at(
                issued,
                functools.partial(
                    registry.move_to_buffer, actor_account=owner, issuance_id=issuance.id, quantity=buffered
                ),
            )
            if (spec.program, spec.project_id) == ("VCS", "1477") and issuance.vintage_start.year <= 2018:
                at(
                    issued + _days(rng, 200, 400),
                    functools.partial(
                        registry.cancel,
                        actor_account=None,
                        issuance_id=issuance.id,
                        quantity=max(1, buffered // 4),
                        from_account=3,
                        reason="Reversal: peat fire in the monitoring period, covered by the buffer pool",
                    ),
                )
        if rng.random() < 0.7:
            buyer = self.accounts[rng.choice([name for name in _HOLDERS if name != holder])]
            moved = take(rng.uniform(0.2, 0.5))
            sold_on = issued + _days(rng, 20, 200)
            at(
                sold_on,
                functools.partial(
                    registry.transfer, actor_account=owner, to_account=buyer, issuance_id=issuance.id, quantity=moved
                ),
            )
            if rng.random() < 0.6:
                retired = max(1, int(moved * rng.uniform(0.2, 0.8)))
                self._retire(buyer, issuance, retired, sold_on + _days(rng, 10, 300))
        if rng.random() < 0.6:
            self._retire(owner, issuance, take(rng.uniform(0.05, 0.3)), issued + _days(rng, 30, 500))
        eligible = issuance.ccp_approved or issuance.corsia_eligible
        if eligible and issuance.vintage_start.year >= 2019 and held >= 20 and rng.random() < 0.6:
            self._bridge(owner, issuance, take(rng.uniform(0.05, 0.25)), issued + _days(rng, 15, 120))

    def _retire(self, account: int, issuance: IssuancePublic, units: int, day: date) -> None:
        rng = self.rng
        reason = rng.choice(REASONS).format(year=min(day.year, 2025) - 1)
        details = f"{units} t of {issuance.program} {issuance.project_id} vintage {issuance.vintage_start.year}"
        self.timeline.at(
            day,
            functools.partial(
                self.registry.retire,
                actor_account=account,
                issuance_id=issuance.id,
                quantity=units,
                beneficiary=rng.choice(BENEFICIARIES),
                reason=reason,
                details=details,
            ),
        )

    def _bridge(self, owner: int, issuance: IssuancePublic, units: int, day: date) -> None:
        """Units locked for tokens; token holders later redeem some and retire others on-chain."""
        rng, at, registry, trust = self.rng, self.timeline.at, self.registry, self.accounts["bridge"]
        at(
            day,
            functools.partial(
                registry.immobilize,
                actor_account=owner,
                trust_account=trust,
                marketplace=MARKETPLACE,
                marketplace_identifier={
                    "chain_id": CHAIN_ID,
                    "token_address": self.token_address,
                    "batch_id": str(issuance.id),
                },
                marketplace_link=f"evm:{CHAIN_ID}/{self.token_address}",
                issuance_id=issuance.id,
                quantity=units,
            ),
        )
        left = units
        if left >= 2 and rng.random() < 0.5:
            released = max(1, int(left * rng.uniform(0.1, 0.4)))
            left -= released
            at(
                day + _days(rng, 30, 200),
                functools.partial(
                    registry.release,
                    actor_account=trust,
                    to_account=self.accounts[rng.choice(_HOLDERS)],
                    issuance_id=issuance.id,
                    quantity=released,
                ),
            )
        if left >= 2 and rng.random() < 0.7:
            retired = max(1, int(left * rng.uniform(0.1, 0.5)))
            first = self._certificates + 1
            self._certificates += rng.randint(1, 3)
            settles = [f"{CHAIN_ID}:certificate:{n}" for n in range(first, self._certificates + 1)]
            at(
                day + _days(rng, 60, 300),
                functools.partial(
                    registry.retire_from_trust,
                    actor_account=trust,
                    issuance_id=issuance.id,
                    quantity=retired,
                    beneficiary=rng.choice(BENEFICIARIES),
                    settles=settles,
                    reason="Carbon tokens retired on-chain, settled in the registry",
                ),
            )


def open_demo_registry(url: str = "sqlite://", *, seed: int = 7) -> DemoRegistry:
    """A new registry at ``url`` (default: in memory) with a ``DemoClock``, populated for ``seed``."""
    clock = DemoClock()
    registry = Registry(session_factory(create_registry_db(url)), clock=clock)
    registry.initialize()
    return populate(registry, seed=seed, clock=clock)
