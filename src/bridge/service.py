"""The bridge as a service: the composition root that builds and owns a whole bridge from its settings,
and the one door every caller (the API, the engine worker, the CLI's local bridge) goes through.

``BridgeService.from_settings(settings)`` opens the registry, makes a registry client for the bridge's
trust account and one per custodian, connects the chain (the in-process EVM, a local anvil, or any
JSON-RPC URL), deploys the bridge contracts unless an address is configured, and wires the verifiers,
the ``BridgeEngine`` and the pools. (``bridge.local.local_service`` does it on embedded defaults with the
demo registry, for tests and demos.)

Concurrency is the service's own business: the in-process EVM is not thread-safe, so on it every method
that touches the chain holds ``lock`` (one caller at a time, engine and pools included). On a node reached
over JSON-RPC (anvil, a public chain) ``lock`` holds nothing: a sender serializes only choosing its nonce,
the head a round reads is per thread, and the engine's work is shared through its database (claims), so
the HTTP edge never waits for an engine round or a receipt. Engine rounds of one process (its worker
thread, ``drive`` in tests and demos) take turns on ``_driving``, which no route takes. Reads of the
engine's database alone never wait, and ``/health`` answers from what the service already knows.

A service built with ``worker=False`` (``carbon-bridge serve --no-worker``) only answers: it never resumes
or drives the flows. One built with ``worker=True`` claims its sending key in a shared engine database
for as long as it runs (``bridge.engine.claims``): two workers never send with one key, so their nonces
never collide.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.backend import InProcessChain
from bridge.chain.compiler import find_project_root
from bridge.chain.deploy import checked_bridge
from bridge.chain.local import DevChain, LocalBridge
from bridge.chain.retirement import PersonalData
from bridge.chain.rpc import RpcChain
from bridge.engine import queries
from bridge.engine.engine import BridgeEngine
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.filters import ClassFilter, PageQuery
from bridge.engine.queries import EngineReads
from bridge.engine.schemas import (
    BalancePublic,
    ClassPublic,
    HolderBalances,
    RedemptionPublic,
    ReserveReport,
    RetirementPublic,
    TokenizationPublic,
    TokenizationRequest,
    VerifierSetPublic,
)
from bridge.engine.store import EngineStore
from bridge.pools.contract import PoolHandle
from bridge.pools.repository import PoolRepository
from bridge.pools.schemas import PoolCreate, PoolEligibilityPublic, PoolPublic, PoolTransactionRequest, PoolTransactions
from bridge.pools.spec import PoolSpec
from bridge.pools.transactions import build_transactions
from bridge.pools.views import pool_eligibility, pool_public
from bridge.primitives import Page, decode_cursor, encode_cursor, format_tonnes
from bridge.read_cache import BlockCache
from bridge.registry.client import HttpRegistryClient, InProcessRegistryClient, RegistryClient
from bridge.registry.demo import DemoRegistry
from bridge.registry.errors import RegistryError
from bridge.registry.ledger import Registry
from bridge.reserves_check import IndependentReport, check_reserves
from bridge.service_parts import bridge_roles, in_process_verifiers, own_sender, timelock_delay
from bridge.settings import ANVIL, IN_PROCESS, BridgeSettings, secret_value
from bridge.verifier.client import HttpVerifier, InProcessVerifier
from bridge.verifier.service import VerifierService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Governance:
    admin: list[str]
    admin_delay_seconds: int | None
    engine: str
    threshold: int
    verifiers: list[tuple[str, str | None]]  # (address, URL this bridge asks it at)


@dataclass
class BridgeService(EngineReads):
    """A whole bridge, built from settings and owned: close it when done. The paged lists of the engine's
    rows (tokenizations, redemptions, retirements, settlements, batches, events) are ``EngineReads``'s."""

    settings: BridgeSettings
    registry: Registry | None  # the registry's database, opened here; None when it is reached over HTTP
    registry_reader: RegistryClient  # the registry as anyone may read it (no key): in-process or over HTTP
    onchain: LocalBridge  # the chain, the deployment and its keys
    store: EngineStore
    engine: BridgeEngine
    verifiers: list[VerifierService]  # the verifiers run in this process (local use only)
    pools: PoolRepository
    trust_account: int
    start_block: int
    chain_id: int
    demo: DemoRegistry | None = None  # the demo registry of a local bridge
    _anvil: AnvilChain | None = None
    _http_verifiers: list[HttpVerifier] = field(default_factory=list)
    ready: bool = True
    lock: AbstractContextManager[object] = field(default_factory=threading.RLock)  # see the module doc
    _held: ExitStack = field(default_factory=ExitStack)
    _driving: threading.RLock = field(default_factory=threading.RLock)  # one engine round at a time here
    _reads: BlockCache = field(
        default_factory=lambda: BlockCache()
    )  # reads computed once per block  # claims kept while the service runs (its sending key)
    _mined_to: int = -1  # the newest block the worker has mined confirmations after
    _project_names: dict[tuple[str, str], str | None] = field(default_factory=dict)  # registry names, cached

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def from_settings(
        cls, settings: BridgeSettings, *, demo: DemoRegistry | None = None, worker: bool = True
    ) -> BridgeService:
        """The bridge ``settings`` describe; ``worker``: this process drives the flows (else it only answers)."""
        settings.check_attach()
        registry = None if settings.registry_api_url else Registry.open(settings.registry_url)
        clients_by_key: dict[str | None, RegistryClient] = {}

        def registry_client(key: str | None) -> RegistryClient:
            """The registry with ``key`` (one client per key: an HTTP client keeps its connections)."""
            if key not in clients_by_key:
                if settings.registry_api_url:
                    clients_by_key[key] = HttpRegistryClient(settings.registry_api_url, key)
                else:
                    assert registry is not None
                    clients_by_key[key] = InProcessRegistryClient(registry, key)
            return clients_by_key[key]

        trust = settings.trust_account
        if trust is None:
            raise BridgeError(
                "no trust account configured", code=BridgeErrorCode.INVALID_REQUEST, field="trust_account"
            )
        anvil: AnvilChain | None = None
        chain: DevChain
        if settings.chain == IN_PROCESS:
            chain = InProcessChain()
        elif settings.chain == ANVIL:
            anvil = AnvilChain(
                binary=find_anvil(find_project_root() or Path.cwd()),
                state_file=Path(settings.anvil_state_file) if settings.anvil_state_file else None,
                **({"port": settings.anvil_port} if settings.anvil_port else {}),
            ).start()
            chain = anvil
        else:
            if settings.operator_key is None:
                raise BridgeError("a JSON-RPC chain needs operator_key", field="operator_key")
            chain = RpcChain(settings.chain, [Account.from_key(settings.operator_key.get_secret_value())])
        clients = [HttpVerifier(v.url, v.api_key.get_secret_value()) for v in settings.verifiers]
        roles = bridge_roles(settings, chain, clients)
        shape = {"threshold": settings.threshold, "roles": roles, "policy": settings.chain_policy}
        if settings.bridge_address:
            local = LocalBridge.attach(chain, checked_bridge(chain.w3, settings.bridge_address), **shape)
        else:
            local = LocalBridge.start(chain=chain, **shape)
        # an attached bridge has its start configured (check_attach); a fresh one has no events before it
        start_block = settings.start_block if settings.start_block is not None else int(chain.w3.eth.block_number)
        if not settings.bridge_address:
            log.info("deployed a new bridge at %s, start block %s", local.deployment.address, start_block)
        chain_id = chain.chain_id
        store = EngineStore(settings.engine_db_url)
        bridge_chain = local.bridge_chain(confirmations=settings.confirmations)
        reader = registry_client(None)
        in_process = [] if clients else in_process_verifiers(settings, reader, bridge_chain, local.verifiers)
        custodian_keys = {a: k.get_secret_value() for a, k in settings.custodian_registry_keys.items()}

        def custodian_registry(account: int) -> RegistryClient:
            return registry_client(custodian_keys.get(account))

        engine = BridgeEngine(
            store=store,
            chain=bridge_chain,
            registry=registry_client(secret_value(settings.trust_registry_key) or None),
            custodian_registry=custodian_registry,
            verifiers=clients or [InProcessVerifier(v) for v in in_process],
            trust_account=trust,
            policy=settings.policy,
            start_block=start_block,
            max_batch=settings.max_batch,
        )
        held = ExitStack()
        if worker:
            held.enter_context(own_sender(store, bridge_chain.sender.address))
            engine.resume()
        pools = PoolRepository(
            store, local.sender(), bridge_address=local.deployment.address, artifacts=local.deployment.artifacts
        )
        return cls(
            settings=settings,
            registry=registry,
            registry_reader=reader,
            onchain=local,
            store=store,
            engine=engine,
            verifiers=in_process,
            pools=pools,
            trust_account=trust,
            start_block=start_block,
            chain_id=chain_id,
            demo=demo,
            _anvil=anvil,
            _http_verifiers=clients,
            lock=threading.RLock() if isinstance(chain, InProcessChain) else nullcontext(),
            _held=held,
        )

    # --- what it is -------------------------------------------------------------------------------

    @property
    def rpc_url(self) -> str | None:
        """The chain's JSON-RPC URL (anvil or a node); None for the in-process EVM."""
        url = getattr(self.onchain.chain, "url", None)
        return url if isinstance(url, str) else None

    @property
    def bridge_address(self) -> str:
        return self.onchain.deployment.address

    @property
    def last_head(self) -> int:
        """The newest block the engine has read (no chain call: it answers while the engine is busy)."""
        return self.engine.chain.last_head

    @property
    def can_mine(self) -> bool:
        """A development chain (in-process, anvil) mines on request; a node reached by URL does not."""
        return not isinstance(self.onchain.chain, RpcChain)

    def api_key(self, name: str) -> str:
        """The bridge API key named ``name`` (local bridges: operator, verifier, custodian, trader...)."""
        return self.settings.api_key(name)

    # --- flows ------------------------------------------------------------------------------------

    def tokenize(self, request: TokenizationRequest) -> TokenizationPublic:
        """Accept a tokenization (the engine drives it from there); a repeated key returns the first."""
        with self.lock:
            return self.engine.request_tokenization(request)

    def tokenize_many(self, requests: Sequence[TokenizationRequest]) -> list[TokenizationPublic]:
        """Accept many tokenizations at once, all or none; each repeated key returns its first tokenization."""
        with self.lock:
            return self.engine.request_tokenizations(requests)

    def tokenization(self, tokenization_id: int) -> TokenizationPublic:
        return queries.tokenization(self.store, tokenization_id)

    def redemption(self, redemption_id: int) -> RedemptionPublic:
        return queries.redemption(self.store, redemption_id)

    def retirement(self, certificate_id: int) -> RetirementPublic:
        return queries.retirement(self.store, certificate_id, self.class_names())

    def disclose(self, certificate_id: int, data: PersonalData) -> RetirementPublic:
        """Give the bridge the names a retirement keeps off-chain (checked against its hash)."""
        with self.lock:
            self.engine.disclose(certificate_id, data)
        return self.retirement(certificate_id)

    def project_name(self, program: str, project_id: str) -> str | None:
        """The registry's name of a project (cached: a project's name does not change)."""
        key = (program, project_id)
        if key not in self._project_names:
            try:
                self._project_names[key] = self.registry_reader.get_project(program=program, project_id=project_id).name
            except RegistryError:
                return None
        return self._project_names[key]

    def classes(self, filters: ClassFilter, page: PageQuery) -> Page[ClassPublic]:
        """Read once per block."""

        def read() -> Page[ClassPublic]:
            with self.lock:
                return queries.classes(self.store, self.engine.chain, self.project_name, filters, page)

        key = ("classes", page.model_dump_json(), filters.model_dump_json())
        return self._reads.get(key, self.engine.chain.head(), read)

    def credit_class(self, reference: str) -> ClassPublic:
        """A class by id, token address or name (``not_found``; ``ambiguous_class`` lists the candidates)."""
        with self.lock:
            return queries.one_class(self.store, self.engine.chain, self.project_name, reference)

    def balances(self, address: str) -> HolderBalances:
        """What ``address`` holds of every class token and pool token the bridge knows, at one block."""
        with self.lock:
            chain = self.engine.chain
            block = chain.head()
            found: list[BalancePublic] = []
            for item in queries.every_class(self.store, chain, self.project_name):
                if item.token_address is None:
                    continue
                balance = int(
                    self.onchain.deployment.token_at(item.token_address)
                    .functions.balanceOf(address)
                    .call(block_identifier=block)
                )
                if balance:
                    found.append(
                        BalancePublic(
                            kind="class",
                            token=item.token_address,
                            class_id=item.class_id,
                            name=item.name,
                            balance=balance,
                            tonnes=format_tonnes(balance),
                        )
                    )
            rows, _ = self.pools.page(10**6, 0)
            for row in rows:
                handle = self.pools.handle(row.address)
                balance = int(handle.contract.functions.balanceOf(address).call(block_identifier=block))
                if balance:
                    found.append(
                        BalancePublic(
                            kind="pool",
                            token=row.address,
                            class_id=None,
                            name=f"{row.name} ({row.symbol})",
                            balance=balance,
                            tonnes=format_tonnes(balance),
                        )
                    )
            return HolderBalances(address=address, block_number=block, balances=found)

    def independent_reserves(self) -> IndependentReport:
        """The reserve recomputed as ``verify-reserves`` does: from the chain and the registry's public reads
        alone, never the engine's database."""
        with self.lock:
            return check_reserves(
                self.onchain.chain.w3,
                self.bridge_address,
                self.registry_reader,
                trust_account=self.trust_account,
                from_block=self.start_block,
            )

    def governance(self) -> Governance:
        """Who holds which key on-chain now: the admin(s), the timelock's delay, the engine, the verifiers."""
        with self.lock:
            chain = self.engine.chain
            admins = chain.role_holders("DEFAULT_ADMIN_ROLE", self.start_block)
            on_chain, threshold = chain.verifier_set()
            urls = {
                identity.address.lower(): client.url
                for client, identity in self.engine.verifiers.known()
                if identity is not None
            }
            return Governance(
                admin=admins,
                admin_delay_seconds=timelock_delay(self.onchain, admins),
                engine=chain.sender.address,
                threshold=threshold,
                verifiers=[(a, urls.get(a.lower())) for a in on_chain],
            )

    def verifier_set(self) -> VerifierSetPublic:
        with self.lock:
            return queries.verifier_set(self.store, self.engine.verifiers)

    def reserves(self) -> ReserveReport:
        """The proof of reserve, computed at most once per block (and ``READ_CACHE_S``): its
        ``block_number`` says which block it is true at."""

        def read() -> ReserveReport:
            with self.lock:
                return self.engine.proof_of_reserve()

        report = self._reads.get(("reserves",), self.engine.chain.head(), read)
        names = self.class_names()
        for row in report.classes:
            row.name = names.get(row.class_id)
        return report

    def enforce_reserves(self) -> ReserveReport:
        """Check the reserve; on a mismatch pause minting (``reserve_mismatch``)."""
        with self.lock:
            return self.engine.enforce_reserve()

    # --- driving the engine -------------------------------------------------------------------------

    def run_engine(self) -> int:
        """Drive every flow until idle; how many steps moved."""
        with self._driving, self.lock:
            return self.engine.run_until_idle()

    def work_round(self) -> int:
        """One round of the engine worker: drive every flow until idle, and on a development chain that
        mines only on transactions, mine ``confirmations`` blocks after any new block so that requests
        reach their depth without anyone sending more. Steps moved (mining counts as one)."""
        with self._driving, self.lock:
            moved = self.engine.run_until_idle()
            if self.can_mine:
                head = self.engine.chain.head()
                if head > self._mined_to:
                    blocks = max(self.settings.confirmations, 1)
                    self.onchain.chain.mine(blocks)
                    # the blocks mined here, not the head read after: a user's transaction mined in between
                    # must get its own confirmations next round (reading the head would count it as ours)
                    self._mined_to = head + blocks
                    moved += 1  # blocks moved: look again before calling it idle
            return moved

    def drive(self, rounds: int = 6) -> int:
        """Drive the engine to rest; on a development chain, mine blocks so confirmations are reached."""
        with self._driving, self.lock:
            moved = 0
            for _ in range(rounds):
                moved += self.engine.run_until_idle()
                if self.can_mine:
                    self.onchain.chain.mine(max(self.settings.confirmations, 1))
            return moved + self.engine.run_until_idle()

    # --- pools --------------------------------------------------------------------------------------

    def pools_page(self, *, limit: int, offset: int = 0, cursor: str | None = None) -> Page[PoolPublic]:
        """Oldest first; the cursor carries the position (pools are only ever added)."""
        start = offset
        if cursor is not None:
            try:
                start = int(decode_cursor("pools", cursor)[0])
            except (ValueError, IndexError):
                raise BridgeError("not a cursor this list gave out", field="cursor") from None
            if offset:
                raise BridgeError("give a cursor or an offset, not both", field="cursor")
        with self.lock:
            rows, total = self.pools.page(limit, start)
            items = [pool_public(row, self.pools.handle(row.address)) for row in rows]
        more = start + len(items) < total
        next_cursor = encode_cursor("pools", [start + len(items)]) if more and items else None
        return Page[PoolPublic](items=items, limit=limit, offset=offset, total=total, next_cursor=next_cursor)

    def pool(self, address: str) -> PoolPublic:
        with self.lock:
            row = self.pools.get(address)
            return pool_public(row, self.pools.handle(row.address))

    def pool_eligibility(self, address: str, token: str) -> PoolEligibilityPublic:
        with self.lock:
            row = self.pools.get(address)
            return pool_eligibility(row, self.pools.handle(row.address), token)

    def create_pool(self, request_key: str, body: PoolCreate) -> PoolPublic:
        """Deploy the pool ``body`` asks for, once per ``request_key`` (an unknown preset is refused first)."""
        with self.lock:
            spec = PoolSpec.of_request(body, self.pools.operator)
            row = self.pools.deploy(request_key, spec)
            return pool_public(row, self.pools.handle(row.address))

    def pool_transactions(self, address: str, request: PoolTransactionRequest) -> PoolTransactions:
        """A trader's unsigned transactions for ``request``, checked against the pool now."""
        with self.lock:
            row = self.pools.get(address)
            handle = self.pools.handle(row.address)
            return build_transactions(handle, request, decoder=self.onchain.deployment.decoder)

    def ensure_preset_pools(self) -> list[PoolHandle]:
        """Every preset pool, deployed once (fees to the operator); the recorded ones after a restart."""
        with self.lock:
            return self.pools.ensure_presets()

    # --- closing ------------------------------------------------------------------------------------

    def save_chain(self, timeout: float = 10.0) -> None:
        """Wait until a persistent local chain's state file holds the current head (anvil writes it every
        second): what was just done on-chain then survives a crash of the whole machine."""
        if self._anvil is not None:
            self._anvil.wait_saved(timeout)

    def close(self) -> None:
        self.ready = False
        self._held.close()
        self.store.close()
        for verifier in self.verifiers:
            verifier.close()
        for client in self._http_verifiers:
            client.close()
        if self._anvil is not None:
            self._anvil.stop()
