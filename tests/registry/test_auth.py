"""API keys: random, shown once, stored as sha256 only; who a key acts for; revocation."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from bridge.registry import auth
from bridge.registry._auth_models import ApiKey, ApiKeyAccount
from bridge.registry.db import session_factory
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger.operations import OPERATIONS
from registry_factories import World

C = RegistryErrorCode


def stored_keys(world: World) -> list[ApiKey]:
    with session_factory(world.registry.engine)() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def test_a_key_is_random_and_only_its_hash_is_stored(world: World) -> None:
    first = auth.issue_api_key(world.registry, accounts=[world.custodian], label="Acme")
    second = auth.issue_api_key(world.registry, accounts=[world.custodian], label="Acme")
    assert first != second and first.startswith("crk_") and len(first) >= 40
    rows = stored_keys(world)
    assert [row.key_hash for row in rows] == [hashlib.sha256(k.encode()).hexdigest() for k in (first, second)]
    assert all(first not in str(vars(row)) for row in rows), "the key itself is never stored"
    assert rows[0].prefix == first[:12]


def test_a_key_resolves_to_its_accounts_and_role(world: World) -> None:
    registry = world.registry
    key = auth.issue_api_key(registry, accounts=[world.trader, world.custodian, world.trader])
    principal = auth.resolve_api_key(registry, key)
    assert principal.accounts == frozenset({world.custodian, world.trader}) and not principal.operator
    assert principal.label == f"accounts {world.custodian}, {world.trader}"
    operator = auth.resolve_api_key(registry, auth.issue_api_key(registry, operator=True))
    assert operator.operator and operator.accounts == frozenset() and operator.label == "operator"
    with session_factory(registry.engine)() as session:
        assert len(session.scalars(select(ApiKeyAccount)).all()) == 2


@pytest.mark.parametrize("presented", [None, "", "crk_unknown", "x" * 500])
def test_a_missing_or_unknown_key_is_unauthorized(world: World, presented: str | None) -> None:
    with pytest.raises(RegistryError) as caught:
        auth.resolve_api_key(world.registry, presented)
    assert caught.value.code is C.UNAUTHORIZED and caught.value.http_status == 401


def test_a_revoked_key_stops_working_and_revoking_again_changes_nothing(world: World) -> None:
    registry = world.registry
    key = auth.issue_api_key(registry, accounts=[world.trust], label="bridge")
    key_id = auth.resolve_api_key(registry, key).key_id
    revoked = auth.revoke_api_key(registry, key_id)
    assert revoked.revoked_at is not None
    assert auth.revoke_api_key(registry, key_id).revoked_at == revoked.revoked_at
    with pytest.raises(RegistryError) as caught:
        auth.resolve_api_key(registry, key)
    assert caught.value.code is C.UNAUTHORIZED and "revoked" in caught.value.message
    assert [k.revoked_at is not None for k in auth.list_api_keys(registry)] == [True]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"accounts": [999]}, C.UNKNOWN_ACCOUNT),
        ({"accounts": [0]}, C.INVALID_REQUEST),
        ({"accounts": [2**40]}, C.INVALID_REQUEST),
        ({"accounts": [4], "label": ""}, C.INVALID_REQUEST),
        ({"operator": True, "secret": "short"}, C.INVALID_REQUEST),
    ],
)
def test_bad_key_requests_are_refused_and_store_nothing(world: World, kwargs: dict[str, object], code: C) -> None:
    with pytest.raises(RegistryError) as caught:
        auth.create_api_key(world.registry, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code is code
    assert stored_keys(world) == []


def test_a_closed_account_gets_no_key(world: World) -> None:
    world.registry.close_account(account_id=world.trader)
    with pytest.raises(RegistryError) as caught:
        auth.issue_api_key(world.registry, accounts=[world.trader])
    assert caught.value.code is C.ACCOUNT_CLOSED


def test_a_fixed_secret_gives_that_key_once(world: World) -> None:
    secret = "crk_demo_" + "a" * 32
    assert auth.issue_api_key(world.registry, operator=True, secret=secret) == secret
    with pytest.raises(RegistryError) as caught:
        auth.issue_api_key(world.registry, operator=True, secret=secret)
    assert caught.value.code is C.CONSTRAINT_VIOLATION
    assert len(stored_keys(world)) == 1


def test_holder_operations_take_units_only_from_the_keys_accounts(world: World) -> None:
    registry = world.registry
    serial = world.issue(10).block.serial
    custodian = auth.resolve_api_key(registry, auth.issue_api_key(registry, accounts=[world.custodian]))
    operator = auth.resolve_api_key(registry, auth.issue_api_key(registry, operator=True))

    def acting(principal: auth.Principal | None, operation: str, **selection: object) -> int | None:
        fields = {"serial": None, "from_account": None, "request_id": None, **selection}
        return auth.acting_account(registry, principal, OPERATIONS[operation], **fields)  # type: ignore[arg-type]

    assert acting(custodian, "transfer", serial=serial) == world.custodian
    assert acting(custodian, "retire") == world.custodian
    assert acting(operator, "cancel", serial=serial) is None, "the operator cancels on behalf of the holder"
    for principal, operation, code in (
        (None, "transfer", C.UNAUTHORIZED),
        (operator, "transfer", C.FORBIDDEN),
        (custodian, "release", None),
    ):
        if code is None:
            assert acting(principal, operation, serial=serial) == world.custodian
            continue
        with pytest.raises(RegistryError) as caught:
            acting(principal, operation, serial=serial)
        assert caught.value.code is code
    with pytest.raises(RegistryError) as caught:
        acting(custodian, "transfer", from_account=world.trust)
    assert (caught.value.code, caught.value.field) == (C.FORBIDDEN, "from_account")
    with pytest.raises(ValueError):
        acting(custodian, "issue")
