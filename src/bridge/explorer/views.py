"""The explorer's templates (Jinja2, in ``templates/``) and the filters they format values with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bridge.errors import CodedError
from bridge.primitives import format_tonnes

PACKAGE: Final = Path(str(files("bridge.explorer")))
STATIC: Final = PACKAGE / "static"
ASSETS: Final = "/assets"  # where the static folder is served

templates = Jinja2Templates(directory=str(PACKAGE / "templates"))


def tonnes(wei: int | str | None) -> str:
    """Wei as tonnes, exactly, with thousands separators: ``1,234.25``."""
    if wei is None or wei == "":
        return "-"
    text = format_tonnes(int(wei))
    whole, _, fraction = text.lstrip("-").partition(".")
    sign = "-" if text.startswith("-") else ""
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def short(value: str | None, keep: int = 6) -> str:
    """A long hex id shortened for a table (the full value stays in the link and the title)."""
    if not value:
        return "-"
    return f"{value[: keep + 2]}…{value[-4:]}" if len(value) > keep + 8 else value


def when(value: datetime | date | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.isoformat()


def words(value: str | None) -> str:
    """``partly_settled`` as ``partly settled``."""
    return (value or "").replace("_", " ")


templates.env.filters.update(tonnes=tonnes, short=short, when=when, words=words)
templates.env.globals.update(assets=ASSETS)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def render(request: Request, template: str, build: Callable[[], dict[str, Any]]) -> HTMLResponse:
    """The page ``template`` with what ``build`` returns, or an error page with the error's code and status
    (a browser gets a page it can read, not the API's JSON)."""
    try:
        context = build()
    except CodedError as exc:
        status = exc.http_status if 400 <= exc.http_status < 600 else 500
        return page(request, "error.html", status_code=status, error=exc)
    return page(request, template, **context)
