"""Find a Solidity compiler that works offline.

Order: the binary named by ``BRIDGE_SOLC``; a native ``solc`` on PATH; the npm solc-js compiler run
through ``scripts/solc-shim.js`` (installed by ``npm ci``). Native compilers are much faster, so
they win when present; the shim is what a fresh machine has.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bridge.chain.errors import ChainError, ChainErrorCode

SOLC_ENV = "BRIDGE_SOLC"


@dataclass(frozen=True)
class SolcCompiler:
    binary: Path
    kind: str  # "env", "native" or "shim"
    identity: str  # names this exact compiler in cache keys without running it


def _file_identity(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}"


def find_solc(project_root: Path) -> SolcCompiler:
    named = os.environ.get(SOLC_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ChainError(f"{SOLC_ENV}={named} is not a file", code=ChainErrorCode.SOLC_NOT_FOUND, field=SOLC_ENV)
        return SolcCompiler(path, "env", _file_identity(path))
    native = shutil.which("solc")
    if native:
        return SolcCompiler(Path(native), "native", _file_identity(Path(native)))
    shim = project_root / "scripts" / "solc-shim.js"
    solcjs_pkg = project_root / "node_modules" / "solc" / "package.json"
    if shim.is_file() and solcjs_pkg.is_file():
        version = json.loads(solcjs_pkg.read_text())["version"]
        return SolcCompiler(shim, "shim", f"solcjs-{version}")
    raise ChainError(
        "no Solidity compiler found: set BRIDGE_SOLC to a solc binary, put solc on PATH, "
        "or run `npm ci` so that scripts/solc-shim.js can use solc-js",
        code=ChainErrorCode.SOLC_NOT_FOUND,
    )
