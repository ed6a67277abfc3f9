"""Compile ``contracts/`` and cache the artifacts by a hash of everything that affects the output.

The artifacts live inside the package (``bridge/chain/artifacts/``) so that an installed wheel needs no
compiler: in a source checkout they are rebuilt when the sources, settings, locked dependencies or the
compiler change, and used as they are otherwise (a warm start never runs solc). Compiler settings come
from ``foundry.toml`` so that forge and Python build the same thing.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.chain.errors import ChainError, ChainErrorCode, CompileError
from bridge.chain.solc import SolcCompiler, find_solc

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST = "manifest.json"
_VERSION_MEMO = Path("cache") / "solc-versions.json"


@dataclass(frozen=True)
class CompileSettings:
    evm_version: str
    optimizer_runs: int
    remappings: tuple[str, ...]

    @classmethod
    def from_foundry_toml(cls, path: Path) -> CompileSettings:
        profile = tomllib.loads(path.read_text())["profile"]["default"]
        return cls(
            evm_version=profile["evm_version"],
            optimizer_runs=int(profile.get("optimizer_runs", 200)),
            remappings=tuple(profile.get("remappings", ())),
        )

    def as_solc_settings(self, output_files: list[str]) -> dict[str, Any]:
        wanted = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"]
        return {
            "optimizer": {"enabled": True, "runs": self.optimizer_runs},
            "evmVersion": self.evm_version,
            "remappings": list(self.remappings),
            "outputSelection": {name: {"*": wanted} for name in output_files},
        }


@dataclass(frozen=True)
class ContractArtifact:
    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str

    def to_json(self) -> dict[str, Any]:
        return {
            "contractName": self.name,
            "sourceName": self.source,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractArtifact:
        return cls(
            name=data["contractName"],
            source=data["sourceName"],
            abi=data["abi"],
            bytecode=data["bytecode"],
            deployed_bytecode=data["deployedBytecode"],
        )


@dataclass
class Artifacts:
    key: str
    compiler: str
    contracts: dict[str, ContractArtifact] = field(default_factory=dict)

    def __getitem__(self, name: str) -> ContractArtifact:
        try:
            return self.contracts[name]
        except KeyError:
            raise ChainError(
                f"no compiled contract named {name!r}", code=ChainErrorCode.ARTIFACT_MISSING, field="name"
            ) from None

    def all_abis(self) -> list[list[dict[str, Any]]]:
        return [c.abi for c in self.contracts.values()]


def find_project_root(start: Path | None = None) -> Path | None:
    """The source checkout this package runs from (a folder with foundry.toml and contracts/), if any."""
    candidates = [Path(__file__).resolve().parents[3]]
    if start is not None:
        candidates.insert(0, start.resolve())
    for candidate in candidates:
        if (candidate / "foundry.toml").is_file() and (candidate / "contracts").is_dir():
            return candidate
    return None


def _source_files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text() for path in sorted((root / "contracts").rglob("*.sol"))}


def _compiler_version(root: Path, compiler: SolcCompiler) -> str:
    """The compiler's version, remembered per binary so a warm start does not run it."""
    if compiler.kind == "shim":
        return compiler.identity
    memo_path = root / _VERSION_MEMO
    memo: dict[str, str] = json.loads(memo_path.read_text()) if memo_path.is_file() else {}
    if compiler.identity not in memo:
        out = subprocess.run([str(compiler.binary), "--version"], capture_output=True, text=True, check=True).stdout
        memo[compiler.identity] = "solc-" + out.strip().splitlines()[-1].removeprefix("Version: ")
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        memo_path.write_text(json.dumps(memo, indent=1))
    return memo[compiler.identity]


def _normalized_version(version: str) -> str:
    # solc-js and a native build of one release produce the same bytecode: key on the release only.
    return version.removeprefix("solcjs-").removeprefix("solc-").split("+")[0]


def cache_key(root: Path, settings: CompileSettings, compiler_version: str) -> str:
    digest = hashlib.sha256()
    for name, text in _source_files(root).items():
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    digest.update(json.dumps(settings.as_solc_settings([]), sort_keys=True).encode())
    lock = root / "package-lock.json"
    if lock.is_file():  # pins OpenZeppelin and solady, whose sources are compiled in
        digest.update(hashlib.sha256(lock.read_bytes()).digest())
    digest.update(_normalized_version(compiler_version).encode())
    return digest.hexdigest()


def _line_of(root: Path, source: str, offset: int) -> int:
    path = root / source
    if offset < 0 or not path.is_file():
        return 0
    return path.read_bytes()[:offset].count(b"\n") + 1


def _diagnostics(root: Path, errors: list[dict[str, Any]]) -> list[str]:
    lines = []
    for err in errors:
        if err.get("severity") != "error":
            continue
        loc = err.get("sourceLocation") or {}
        where = loc.get("file", "<solc>")
        line = _line_of(root, where, int(loc.get("start", -1))) if loc else 0
        lines.append(f"{where}:{line}: {err.get('type', 'Error')}: {err.get('message', '').strip()}")
    return lines


def _run_solc(root: Path, compiler: SolcCompiler, settings: CompileSettings) -> dict[str, Any]:
    import solcx  # imported lazily: warm starts never need it

    sources = _source_files(root)
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": settings.as_solc_settings(list(sources)),
    }
    try:
        output: dict[str, Any] = solcx.compile_standard(
            standard_input,
            solc_binary=compiler.binary,
            base_path=str(root),
            allow_paths=[str(root)],
            allow_empty=True,
        )
    except solcx.exceptions.SolcError as exc:
        raw = getattr(exc, "stdout_data", "") or ""
        try:
            errors = json.loads(raw[raw.index("{") :]).get("errors", [])
        except ValueError:
            errors = [{"severity": "error", "type": "SolcError", "message": str(exc)}]
        raise CompileError(_diagnostics(root, errors) or [str(exc)]) from None
    problems = _diagnostics(root, output.get("errors", []))
    if problems:
        raise CompileError(problems)
    return output


def _write_artifacts(artifacts: Artifacts, settings: CompileSettings) -> None:
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACT_DIR.glob("*.json"):
        stale.unlink()
    for artifact in artifacts.contracts.values():
        (ARTIFACT_DIR / f"{artifact.name}.json").write_text(json.dumps(artifact.to_json(), indent=1) + "\n")
    manifest = {
        "key": artifacts.key,
        "compiler": artifacts.compiler,
        "evmVersion": settings.evm_version,
        "optimizerRuns": settings.optimizer_runs,
        "contracts": sorted(artifacts.contracts),
    }
    (ARTIFACT_DIR / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def load_packaged_artifacts() -> Artifacts:
    manifest_path = ARTIFACT_DIR / MANIFEST
    if not manifest_path.is_file():
        raise ChainError(
            "no compiled contracts are packaged; run `carbon-bridge compile` in a source checkout",
            code=ChainErrorCode.ARTIFACT_MISSING,
        )
    manifest = json.loads(manifest_path.read_text())
    contracts = {
        name: ContractArtifact.from_json(json.loads((ARTIFACT_DIR / f"{name}.json").read_text()))
        for name in manifest["contracts"]
    }
    return Artifacts(key=manifest["key"], compiler=manifest["compiler"], contracts=contracts)


def compile_contracts(root: Path, *, force: bool = False) -> Artifacts:
    """Compile ``root/contracts`` unless the packaged artifacts already match its sources."""
    settings = CompileSettings.from_foundry_toml(root / "foundry.toml")
    compiler = find_solc(root)
    version = _compiler_version(root, compiler)
    key = cache_key(root, settings, version)
    if not force and (ARTIFACT_DIR / MANIFEST).is_file():
        cached = load_packaged_artifacts()
        if cached.key == key:
            return cached
    output = _run_solc(root, compiler, settings)
    artifacts = Artifacts(key=key, compiler=_normalized_version(version))
    for source, contracts in sorted(output.get("contracts", {}).items()):
        for name, data in sorted(contracts.items()):
            evm = data.get("evm", {})
            artifacts.contracts[name] = ContractArtifact(
                name=name,
                source=source,
                abi=data.get("abi", []),
                bytecode="0x" + evm.get("bytecode", {}).get("object", ""),
                deployed_bytecode="0x" + evm.get("deployedBytecode", {}).get("object", ""),
            )
    _write_artifacts(artifacts, settings)
    return artifacts


def load_artifacts() -> Artifacts:
    """Artifacts for this installation: rebuilt from source in a checkout, packaged otherwise."""
    root = find_project_root()
    if root is None:
        return load_packaged_artifacts()
    return compile_contracts(root)
