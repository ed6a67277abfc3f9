"""Private files of a local home: written atomically, created 0600 (never readable by others)."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, in a file created 0600 (never readable by others, not even for
    the moment between creating it and a chmod)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
