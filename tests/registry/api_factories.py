"""Helpers for the registry API and client tests: API keys for the test world, clients of both kinds,
and an assertion that a refused call changed nothing."""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bridge.registry.api import get_registry, install_error_handlers, registry_router
from bridge.registry.auth import issue_api_key
from bridge.registry.client import HttpRegistryClient, InProcessRegistryClient, RegistryClient
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from registry_factories import World

PREFIX = "/registry"
CLIENT_KINDS = ["in_process", "http"]


@dataclass(frozen=True)
class Keys:
    """API keys over the test world: one per account, one for two accounts, and the operator's."""

    operator: str
    custodian: str
    trader: str
    trust: str
    custodian_and_trader: str


def issue_keys(world: World) -> Keys:
    registry = world.registry
    return Keys(
        operator=issue_api_key(registry, operator=True, label="operator"),
        custodian=issue_api_key(registry, accounts=[world.custodian], label="Acme Custody"),
        trader=issue_api_key(registry, accounts=[world.trader], label="Blue Trading"),
        trust=issue_api_key(registry, accounts=[world.trust], label="Carbon Bridge"),
        custodian_and_trader=issue_api_key(registry, accounts=[world.custodian, world.trader], label="group"),
    )


Connect = Callable[[str | None], RegistryClient]


_shared: list[tuple[FastAPI, TestClient]] = []


def shared_app() -> tuple[FastAPI, TestClient]:
    """One app mounting the registry router under ``PREFIX`` for the whole run (building an app and
    serving its first request costs a few hundred milliseconds); ``serving`` points it at a registry."""
    if not _shared:
        app = FastAPI(title="registry under test")
        app.include_router(registry_router(), prefix=PREFIX)
        install_error_handlers(app)
        http = TestClient(app)
        http.__enter__()
        atexit.register(http.__exit__, None, None, None)
        _shared.append((app, http))
    return _shared[0]


@contextmanager
def serving(registry: Registry) -> Iterator[TestClient]:
    """The shared app's test client, serving ``registry`` until the block ends."""
    app, http = shared_app()
    app.dependency_overrides[get_registry] = lambda: registry
    try:
        yield http
    finally:
        app.dependency_overrides.pop(get_registry, None)


@contextmanager
def connector(kind: str, registry: Registry) -> Iterator[Connect]:
    """Makes clients of ``kind`` ("in_process" or "http") for an API key (None: anonymous)."""
    if kind == "in_process":
        yield lambda key: InProcessRegistryClient(registry, key)
        return
    with serving(registry) as http:
        yield lambda key: HttpRegistryClient(PREFIX, key, http=http)


def assert_refused(
    registry: Registry, code: RegistryErrorCode, call: Callable[..., Any], /, *args: Any, **kwargs: Any
) -> RegistryError:
    """``call`` raises a ``RegistryError`` with ``code`` and the ledger is exactly as before."""
    before = registry.snapshot()
    with pytest.raises(RegistryError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, f"expected {code}, got {caught.value.code}: {caught.value}"
    assert registry.snapshot() == before, "a refused request changed the ledger"
    return caught.value
