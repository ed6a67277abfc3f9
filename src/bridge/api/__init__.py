"""The bridge's HTTP API (FastAPI): ``create_app(service)``."""

from bridge.api.app import create_app

__all__ = ["create_app"]
