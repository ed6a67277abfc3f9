"""Everything a browser gets from the bridge besides the JSON API: the explorer's pages, their assets, the
API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) from files in this package, and the simulated
registry's landing page at ``/registry``. Nothing is loaded from another host."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from bridge.explorer.pages import explorer_router
from bridge.explorer.views import ASSETS, STATIC, page
from bridge.http_errors import HttpErrorCatalogue
from bridge.registry.schemas import JournalCheckpoint
from bridge.service import BridgeService

SWAGGER = f"{ASSETS}/vendor/swagger-ui"
REDOC = f"{ASSETS}/vendor/redoc"
REGISTRY = "/registry"
LOCAL_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)
"""The docs pages' Content-Security-Policy: the browser loads nothing from another host (ReDoc's bundle
would fetch its maker's logo from a CDN; this stops it before any request is made)."""


class RegistryEndpoint(BaseModel):
    method: str
    path: str
    summary: str


class RegistryIndex(BaseModel):
    """What the simulated registry at ``/registry`` serves, and the state of its journal."""

    name: str = Field(description="the registry")
    programs: list[str] = Field(description="codes of the crediting programs it keeps")
    accounts: int = Field(description="open and closed accounts")
    journal_head: JournalCheckpoint = Field(description="the newest journal entry: a checkpoint to publish")
    endpoints: list[RegistryEndpoint]


def _local_only(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = LOCAL_ONLY
    return response


def docs_router(app: FastAPI) -> APIRouter:
    """``/docs`` and ``/redoc`` on the vendored Swagger UI and ReDoc (see ``static/vendor/README.md``)."""
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"

    @router.get("/docs")
    def swagger_ui() -> HTMLResponse:
        return _local_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title}: API docs",
                swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                swagger_css_url=f"{SWAGGER}/swagger-ui.css",
                swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            )
        )

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return _local_only(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title}: API reference",
                redoc_js_url=f"{REDOC}/redoc.standalone.js",
                redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
                with_google_fonts=False,
            )
        )

    return router


def registry_landing(service: BridgeService) -> APIRouter:
    router = APIRouter(tags=["registry"])

    @router.get(
        REGISTRY,
        summary="The registry's landing page (HTML for a browser), or an index of its API (JSON)",
        response_model=RegistryIndex,
        responses={200: {"content": {"text/html": {}}}},
    )
    def landing(request: Request, accept: Annotated[str | None, Header()] = None) -> Response | RegistryIndex:
        registry = service.registry
        assert registry is not None
        programs = registry.list_programs()
        accounts = registry.list_accounts()
        endpoints = [  # from the app's own OpenAPI document: every registry operation it serves
            RegistryEndpoint(method=method.upper(), path=path, summary=str(operation.get("summary", "")))
            for path, item in request.app.openapi()["paths"].items()
            if path.startswith(REGISTRY + "/")
            for method, operation in item.items()
            if method in ("get", "post", "put", "patch", "delete")
        ]
        head = registry.journal_head()
        name = programs[0].registry_name if programs else "simulated registry"
        if "text/html" in (accept or ""):
            return page(
                request,
                "registry.html",
                name=name,
                programs=programs,
                accounts=accounts,
                head=head,
                trust_account=service.trust_account,
                endpoints=endpoints,
            )
        return RegistryIndex(
            name=name,
            programs=[p.code for p in programs],
            accounts=len(accounts),
            journal_head=head,
            endpoints=endpoints,
        )

    return router


def install_explorer(app: FastAPI, service: BridgeService, errors: HttpErrorCatalogue) -> None:
    """Serve the explorer, its assets, the API docs and the registry's landing page on ``app`` (whose
    ``docs_url`` and ``redoc_url`` are None: these replace FastAPI's CDN-loading pages); ``errors`` is the
    API's error catalogue, whose refusals the explorer's filters answer with."""
    app.mount(ASSETS, StaticFiles(directory=str(STATIC)), name="assets")
    app.include_router(docs_router(app))
    if service.registry is not None:  # a registry reached over HTTP has its own pages
        app.include_router(registry_landing(service))
    app.include_router(explorer_router(service, errors))
