"""Every HTTP client of the project closes the connection it made and leaves alone one it was given."""

from __future__ import annotations

import httpx
import pytest

from bridge.client import BridgeClient
from bridge.http_client import HttpClientBase
from bridge.registry.client import HttpRegistryClient
from bridge.verifier.client import HttpVerifier

CLIENTS = {
    "sdk": lambda http: BridgeClient("http://127.0.0.1:1", http=http),
    "registry": lambda http: HttpRegistryClient("http://127.0.0.1:1/registry", http=http),
    "verifier": lambda http: HttpVerifier("http://127.0.0.1:1", None, http=http),
}


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_client_closes_the_connection_it_made(kind: str) -> None:
    with CLIENTS[kind](None) as client:
        assert isinstance(client, HttpClientBase)
        own = client.http
        assert not own.is_closed
    assert own.is_closed


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_client_leaves_a_given_connection_open(kind: str) -> None:
    with httpx.Client() as given:
        with CLIENTS[kind](given) as client:
            assert client.http is given
        client.close()
        assert not given.is_closed


def test_an_sdk_client_with_another_key_shares_the_connection_and_leaves_it_open() -> None:
    with BridgeClient("http://127.0.0.1:1", api_key="a" * 32) as client:
        other = client.with_key(None)
        assert other.http is client.http and other.api_key is None
        other.close()
        assert not client.http.is_closed
    assert client.http.is_closed
