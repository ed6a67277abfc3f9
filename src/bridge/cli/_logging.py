"""How ``carbon-bridge serve`` logs: every flow step at info (``--log-level``, ``BRIDGE_LOG_LEVEL``), as
plain lines or, with ``--log-json``, one JSON object per line for a log collector."""

from __future__ import annotations

import json
import logging
from typing import Final

LEVELS: Final = ("debug", "info", "warning", "error")
PLAIN: Final = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


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


def configure_logging(level: str, *, json_lines: bool = False) -> None:
    """The root logger at ``level``, to stderr; the server's own loggers (uvicorn) go through it too."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(PLAIN))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("web3").setLevel(max(root.level, logging.WARNING))  # its debug chatter is not ours
