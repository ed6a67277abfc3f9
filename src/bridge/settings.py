"""A bridge's settings: one object, from ``BRIDGE_*`` environment variables or given directly.

They fail closed. ``environment`` has no default: a bridge says whether it is ``local`` (a demo or a
test on one machine) or not. Secrets are ``SecretStr`` (never printed); outside ``environment=local``
every secret must be long and random (at least ``MIN_SECRET_LENGTH`` characters, ``MIN_DISTINCT``
distinct ones), neither a default, a demo or a development key, and each one distinct from every other
(API keys, registry keys and chain keys alike: one leaked key must not be another role's), so a bridge
cannot go to production on the keys of a local one.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bridge.chain.anvil import dev_accounts
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.policy import ChainPolicy
from bridge.engine.policy import EligibilityPolicy
from bridge.http_edge import EdgeLimits
from bridge.primitives import Address

Role = Literal["custodian", "verifier", "operator"]
IN_PROCESS = "in-process"
ANVIL = "anvil"
_DEFAULT_SECRETS = frozenset({"", "changethis", "changeme", "secret", "password"})
MIN_SECRET_LENGTH = 32
MIN_DISTINCT = 10
Environment = Literal["local", "staging", "production"]


class ApiKeySetting(BaseModel):
    """One key of the bridge API: its role and, for a custodian, the registry account it acts for and the
    destinations it registered (the only addresses the operator may tokenize that account's credits to)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SecretStr
    role: Role
    account: int | None = Field(default=None, ge=1, description="custodian keys: the registry account")
    name: str | None = None
    destinations: list[Address] = Field(
        default_factory=list,
        description="custodian keys: addresses the operator key may tokenize this account's credits to",
    )

    @model_validator(mode="after")
    def _custodian_has_account(self) -> ApiKeySetting:
        if self.role == "custodian" and self.account is None:
            raise ValueError("a custodian key needs the registry account it acts for")
        if self.destinations and self.role != "custodian":
            raise ValueError("destinations: only a custodian registers where its credits may be tokenized to")
        return self


class VerifierEndpoint(BaseModel):
    """A verifier service the engine asks (``carbon-bridge verifier serve``): its URL and the key it wants."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$", description="e.g. https://verifier-1.example.org")
    api_key: SecretStr = Field(description="the key this verifier wants from the engine (its X-API-Key)")
    address: Address | None = Field(
        default=None, description="its signing address, for a deployment (else asked from its /v1/identity)"
    )


class BridgeSettings(BaseSettings):
    """Everything a bridge needs, from the environment (``BRIDGE_*``) or given directly."""

    model_config = SettingsConfigDict(env_prefix="BRIDGE_", env_nested_delimiter="__", extra="forbid")

    environment: Environment = Field(description="local (demo, tests: one machine), staging or production")
    registry_url: str = "sqlite:///.bridge/registry.db"
    registry_api_url: str | None = Field(
        default=None,
        description="the registry's HTTP API (e.g. https://registry.example/registry): set, the service reaches the "
        "registry there with its registry keys and never opens the registry's database (registry_url is unused)",
    )
    engine_db_url: str = "sqlite:///.bridge/bridge.db"
    chain: str = Field(default=IN_PROCESS, description='"in-process", "anvil", or a JSON-RPC URL')
    anvil_port: int | None = Field(default=None, ge=1, le=65535, description='chain "anvil": its port; None: any free')
    anvil_state_file: str | None = Field(
        default=None, description='chain "anvil": load the chain from this file at start, save it while running'
    )
    bridge_address: str | None = Field(
        default=None, description="the deployed bridge to attach to (with start_block); None: deploy one on a dev chain"
    )
    start_block: int | None = Field(
        default=None, ge=0, description="first block to watch (the bridge's deployment block): needed to attach"
    )
    deploy_bridge: bool = Field(
        default=False,
        description="on a JSON-RPC chain, deploy a new bridge (first start only: then attach with bridge_address and "
        "start_block)",
    )
    chain_policy: ChainPolicy = Field(
        default_factory=ChainPolicy, description="fees, replacement of stuck transactions, receipt polls, log spans"
    )
    confirmations: int = Field(default=2, ge=0, le=1000)
    operator_key: SecretStr | None = Field(
        default=None, description="the engine's chain key (sends its transactions: pause and settle roles only)"
    )
    admin_address: Address | None = Field(
        default=None,
        description="a deployment's admin: the timelock's proposer and executor (its key never sits here); "
        "on a development chain its second funded account by default",
    )
    verifiers: list[VerifierEndpoint] = Field(
        default_factory=list, description="the verifier services the engine asks (the production setting)"
    )
    verifier_keys: list[SecretStr] = Field(
        default_factory=list,
        description="local only: keys of verifiers run inside this process (tests, the pytest plugin); refused "
        "in staging and production, where verifiers are services of their own (verifiers)",
    )
    threshold: int = Field(default=2, ge=1, description="a deployment's threshold (the contract's is the one in force)")
    verifier_memory_dir: str | None = Field(
        default=None, description="local only: folder of in-process verifiers' memories of what they signed"
    )
    trust_account: int | None = Field(default=None, ge=1)
    trust_registry_key: SecretStr | None = Field(default=None, description="registry API key of the trust account")
    custodian_registry_keys: dict[int, SecretStr] = Field(default_factory=dict)
    api_keys: list[ApiKeySetting] = Field(default_factory=list)
    policy: EligibilityPolicy = Field(default_factory=EligibilityPolicy)
    max_batch: int = Field(default=50, ge=1, le=500)
    http: EdgeLimits = Field(default_factory=EdgeLimits, description="the HTTP edge: body cap and rate limits")

    @model_validator(mode="after")
    def _strong_distinct_secrets_outside_local(self) -> BridgeSettings:
        if self.environment == "local":
            return self
        if self.verifier_keys:
            raise ValueError(
                "verifier_keys: verifier private keys never sit in the bridge's settings outside local use; "
                "run each verifier as its own service (carbon-bridge verifier serve) and list it in verifiers"
            )
        secrets: list[tuple[str, str]] = [("operator_key", secret_value(self.operator_key))]
        secrets += [(f"verifiers[{i}].api_key", v.api_key.get_secret_value()) for i, v in enumerate(self.verifiers)]
        secrets.append(("trust_registry_key", secret_value(self.trust_registry_key)))
        secrets += [(f"custodian_registry_keys[{a}]", secret_value(k)) for a, k in self.custodian_registry_keys.items()]
        secrets += [(f"api_keys[{i}]", k.key.get_secret_value()) for i, k in enumerate(self.api_keys)]
        seen: dict[str, str] = {}
        for name, value in secrets:
            problem = weak_secret(value)
            if problem is not None:
                raise ValueError(f"{name}: {problem}; refused in {self.environment}")
            same = seen.setdefault(value.lower().removeprefix("0x"), name)
            if same != name:
                raise ValueError(f"{name}: the same secret as {same}; every role needs a key of its own")
        if len(self.verifiers) < self.threshold:
            raise ValueError("verifiers: fewer verifier services than the threshold")
        if self.bridge_address is None and self.admin_address is None:
            raise ValueError("admin_address: a deployment needs its admin (a timelock proposer or a multisig)")
        if self.trust_account is None:
            raise ValueError("trust_account is required outside local use")
        return self

    def check_attach(self) -> None:
        """Never deploy a new bridge or scan from block 0 by accident: attaching needs the bridge's address and
        the block to watch from; a JSON-RPC chain without a bridge address needs ``deploy_bridge`` said aloud."""
        if self.bridge_address and self.deploy_bridge:
            raise ChainError(
                "bridge_address and deploy_bridge: attach to that bridge or deploy a new one, not both",
                code=ChainErrorCode.ATTACH_INCOMPLETE,
                field="deploy_bridge",
            )
        if self.bridge_address and self.start_block is None:
            raise ChainError(
                f"attaching to the bridge at {self.bridge_address} needs start_block (its deployment block, or the "
                "first block to watch): without it every block from 0 would be scanned",
                code=ChainErrorCode.ATTACH_INCOMPLETE,
                field="start_block",
            )
        if not self.bridge_address and self.chain not in (IN_PROCESS, ANVIL) and not self.deploy_bridge:
            raise ChainError(
                f"the chain at {self.chain} needs bridge_address and start_block to attach to its bridge; to deploy a "
                "new bridge there (once), set deploy_bridge",
                code=ChainErrorCode.ATTACH_INCOMPLETE,
                field="bridge_address",
            )

    def destinations_of(self, account: int) -> frozenset[str]:
        """The addresses custodian ``account`` registered (lower case): where the operator may send its credits."""
        return frozenset(
            address.lower()
            for setting in self.api_keys
            if setting.role == "custodian" and setting.account == account
            for address in setting.destinations
        )

    def api_key(self, name: str) -> str:
        """The bridge API key named ``name`` (a local bridge's: operator, verifier, custodian, trader...)."""
        for setting in self.api_keys:
            if (setting.name or setting.role) == name:
                return setting.key.get_secret_value()
        raise KeyError(name)


def secret_value(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()


def weak_secret(value: str) -> str | None:
    """Why ``value`` is no secret to run a bridge on (None: it is long and random enough)."""
    bare = value.lower().removeprefix("0x")
    if value.lower() in _DEFAULT_SECRETS:
        return "a default secret"
    if "demo" in bare or bare in _development_keys():
        return "a demo or development key (derived from a public seed, or a well-known dev account)"
    if len(value) < MIN_SECRET_LENGTH:
        return f"too short ({len(value)} characters; at least {MIN_SECRET_LENGTH} random ones)"
    if len(set(value)) < MIN_DISTINCT:
        return f"not random ({len(set(value))} distinct characters; at least {MIN_DISTINCT})"
    return None


@cache
def _development_keys() -> frozenset[str]:
    return frozenset(a.key.hex().removeprefix("0x").lower() for a in dev_accounts(10))
