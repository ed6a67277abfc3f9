"""How ``carbon-bridge serve`` logs: every flow step at info (``--log-level``, ``BRIDGE_LOG_LEVEL``), as
plain lines or, with ``--log-json``, one JSON object per line for a log collector."""

from __future__ import annotations

import json
import logging
import sys
from typing import Annotated, Any, Final

import typer

from bridge.cli._app import fail

LEVELS: Final = ("debug", "info", "warning", "error")
PLAIN: Final = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

LogLevelOption = Annotated[
    str,
    typer.Option("--log-level", envvar="BRIDGE_LOG_LEVEL", help=f"{', '.join(LEVELS)}: info tells every flow step."),
]
LogJsonOption = Annotated[bool, typer.Option("--log-json", help="Log one JSON object per line.")]


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes, not the stream it was when made: a command run
    in-process (a test's CLI runner) swaps stderr and closes its own afterwards, while threads of the bridge
    it served may still log."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass  # always the current stderr


def configure_logging(level: str, *, json_lines: bool = False) -> None:
    """The root logger at ``level``, to stderr; the server's own loggers (uvicorn) go through it too."""
    handler = CurrentStderr()
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(PLAIN))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # libraries' chatter is not ours (every HTTP call to a verifier, every migration step, every request line):
    # shown at debug only
    libraries = root.level if root.level <= logging.DEBUG else max(root.level, logging.WARNING)
    for name in ("web3", "httpx", "alembic", "uvicorn.access"):
        logging.getLogger(name).setLevel(libraries)


def start_logging(level: str, *, json_lines: bool) -> None:
    """``configure_logging`` for a command's ``--log-level`` and ``--log-json``; a level not in LEVELS stops it."""
    if level.lower() not in LEVELS:
        fail(f"{level!r} is not a log level; one of: {', '.join(LEVELS)}", field="log_level")
    configure_logging(level, json_lines=json_lines)
