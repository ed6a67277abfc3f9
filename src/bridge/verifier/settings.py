"""A verifier's settings: one object, from ``BRIDGE_VERIFIER_*`` environment variables or a JSON file.

A verifier holds its own key (``key_file``, a file only its owner can read, or ``key``), reads the registry
over its HTTP API with its own read-only key (``registry_key``: a registry API key that acts for no
account), reads the chain from its own node (``rpc_url``), attests for one bridge contract and one trust
account, applies its own eligibility policy, and remembers what it signed in its own file
(``memory_file``). The engine must present ``api_key`` to ask it for signatures.

They fail closed as the bridge's do: ``environment`` has no default, and outside ``local`` every secret
must be long, random and distinct (``bridge.settings.weak_secret``), the registry read key is required and
the key file must not be readable by others.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Self

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bridge.engine.policy import EligibilityPolicy
from bridge.http_edge import EdgeLimits
from bridge.primitives import Address
from bridge.settings import Environment, secret_value, weak_secret
from bridge.verifier.errors import VerifierError, VerifierErrorCode

_HTTP_URL = r"^https?://[^\s/]+(/\S*)?$"


class VerifierSettings(BaseSettings):
    """Everything one verifier service needs (``carbon-bridge verifier serve``)."""

    model_config = SettingsConfigDict(env_prefix="BRIDGE_VERIFIER_", env_nested_delimiter="__", extra="forbid")

    environment: Environment = Field(description="local (one machine: demos, tests), staging or production")
    name: str = Field(default="verifier", min_length=1, max_length=64, description="how logs and answers name it")
    key_file: str | None = Field(default=None, description="a file holding the verifier's signing key (0600)")
    key: SecretStr | None = Field(default=None, description="the signing key itself (instead of key_file)")
    registry_url: str = Field(pattern=_HTTP_URL, description="the registry's HTTP API, e.g. https://registry/registry")
    registry_key: SecretStr | None = Field(
        default=None, description="the verifier's own registry API key: one that acts for no account (reads)"
    )
    rpc_url: str = Field(pattern=_HTTP_URL, description="the verifier's own JSON-RPC node of the bridge's chain")
    bridge_address: Address = Field(description="the bridge contract whose mints it attests")
    trust_account: int = Field(ge=1, description="the registry account the bridge's locked units sit in")
    policy: EligibilityPolicy = Field(default_factory=EligibilityPolicy)
    memory_file: str = Field(description="the SQLite file of what it signed (lock id -> leaf)")
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)
    api_key: SecretStr = Field(description="the key the engine must present (X-API-Key)")
    http: EdgeLimits = Field(default_factory=EdgeLimits, description="the HTTP edge: body cap and rate limits")

    @model_validator(mode="after")
    def _one_key_and_strong_secrets_outside_local(self) -> Self:
        if (self.key is None) == (self.key_file is None):
            raise ValueError("key_file or key: give the verifier's signing key one way")
        if self.environment == "local":
            return self
        if self.registry_key is None:
            raise ValueError("registry_key: a verifier reads the registry with a key of its own outside local use")
        seen: dict[str, str] = {}
        for name, value in (
            ("api_key", self.api_key.get_secret_value()),
            ("registry_key", secret_value(self.registry_key)),
        ):
            problem = weak_secret(value)
            if problem is not None:
                raise ValueError(f"{name}: {problem}; refused in {self.environment}")
            same = seen.setdefault(value, name)
            if same != name:
                raise ValueError(f"{name}: the same secret as {same}; every role needs a key of its own")
        return self

    @classmethod
    def from_file(cls, path: Path) -> VerifierSettings:
        """The settings in a JSON file (``BRIDGE_VERIFIER_*`` variables are not read then)."""
        try:
            values = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise VerifierError(
                f"{path} cannot be read as JSON settings ({exc})", code=VerifierErrorCode.MISCONFIGURED, field="config"
            ) from exc
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "settings"
            message = str(problem["msg"]).removeprefix("Value error, ")
            raise VerifierError(
                f"{path}: {where}: {message}", code=VerifierErrorCode.MISCONFIGURED, field=where
            ) from exc

    def signing_key(self) -> LocalAccount:
        """The verifier's account; a key file others can read is refused outside local use."""
        if self.key is not None:
            secret = self.key.get_secret_value()
        else:
            assert self.key_file is not None
            path = Path(self.key_file)
            try:
                mode = path.stat().st_mode
                secret = path.read_text().strip()
            except OSError as exc:
                raise _misconfigured(f"the key file {path} cannot be read ({exc.strerror})", "key_file") from exc
            if self.environment != "local" and mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise _misconfigured(f"the key file {path} is readable by others (chmod 600 it)", "key_file")
        try:
            return Account.from_key(secret)
        except (ValueError, TypeError) as exc:
            raise _misconfigured("the signing key is not a hex private key", "key") from exc


def _misconfigured(message: str, field: str) -> VerifierError:
    return VerifierError(message, code=VerifierErrorCode.MISCONFIGURED, field=field)
