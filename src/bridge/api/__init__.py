"""The bridge's HTTP API (FastAPI): ``create_app(service)``.

Laid out like the FastAPI full-stack template: ``main`` (the app factory), ``deps`` (typed dependency
aliases: the service, the caller's key and role, pages, headers), ``routes/`` (one module-level router per
resource), ``schemas`` (what only the API sends and receives), ``examples`` (for the OpenAPI document),
``auth`` (who a key acts as) and ``errors`` (the edge's own codes and its ``HttpErrorCatalogue``).
"""

from bridge.api.main import create_app

__all__ = ["create_app"]
