"""The connection every HTTP client of the project sends with (the bridge SDK, the registry's and the
verifier's clients): an ``httpx.Client`` the caller gives, such as FastAPI's ``TestClient``, which the caller
keeps and closes; or one made here, which ``close()`` (or the end of a ``with`` block) closes."""

from __future__ import annotations

from typing import Self

import httpx

from bridge.errors import ErrorBody


class HttpClientBase:
    """Owns ``http`` only when it made it."""

    def __init__(self, http: httpx.Client | None, *, timeout: float, base_url: str = "") -> None:
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(base_url=base_url, timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def error_body(response: httpx.Response) -> ErrorBody | None:
    """The coded error body of ``response``; None when its body is not JSON or not such a body."""
    try:
        return ErrorBody.of(response.json())
    except ValueError:
        return None
