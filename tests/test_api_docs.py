"""docs/api.md documents every endpoint the app serves: its table is generated from the app's OpenAPI
document (scripts/api_docs.py) and must match the app of today."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import FastAPI

from bridge.api import create_app
from bridge.service import BridgeService

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"
REGENERATE = "run: .venv/bin/python scripts/api_docs.py --write"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "scripts" / "api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


api_docs = _script()


@pytest.fixture
def app(bridge_service: BridgeService) -> FastAPI:
    return create_app(bridge_service)


def test_every_endpoint_the_app_serves_is_in_the_document(app: FastAPI) -> None:
    text = DOC.read_text()
    documented = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", text, flags=re.MULTILINE))
    served = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    assert not served - documented, f"endpoints missing from docs/api.md: {sorted(served - documented)}; {REGENERATE}"
    assert not documented - served, f"docs/api.md lists endpoints the app lacks: {sorted(documented - served)}"


def test_the_endpoint_table_is_the_one_generated_from_the_app(app: FastAPI) -> None:
    text = DOC.read_text()
    assert api_docs.render(app) in text, REGENERATE
    assert api_docs.replace_table(text, api_docs.render(app)) == text


def test_the_retirement_purposes_are_the_ones_declared_in_the_code() -> None:
    text = DOC.read_text()
    assert api_docs.render_purposes() in text, REGENERATE


def test_the_table_names_the_key_each_operation_needs(app: FastAPI) -> None:
    rows = {(method, path): role for method, path, role, _ in api_docs.endpoints(app)}
    assert rows[("GET", "/health")] == "public"
    assert rows[("GET", "/v1/tokenizations")] == "public"
    assert rows[("POST", "/v1/tokenizations")] == "custodian, operator"
    assert rows[("POST", "/v1/engine/run")] == "operator"
    assert rows[("GET", "/registry/blocks")] == "public"
    assert rows[("POST", "/registry/transfers")] == "registry key of the account"
    assert rows[("POST", "/registry/issuances")] == "registry operator"
    assert rows[("GET", "/registry/api-keys/me")] == "any registry key"


def test_the_table_is_replaced_between_its_markers_only() -> None:
    document = f"intro\n{api_docs.BEGIN}\nold table\n{api_docs.END}\noutro\n"
    assert api_docs.replace_table(document, "NEW") == "intro\nNEW\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        api_docs.replace_table("no markers here", "NEW")
