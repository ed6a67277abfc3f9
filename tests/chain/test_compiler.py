"""The compiler module: cache by content hash, file:line errors, packaged artifacts in sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bridge.chain import compiler
from bridge.chain.compiler import CompileSettings, cache_key, compile_contracts, find_project_root
from bridge.chain.errors import CompileError
from bridge.chain.solc import find_solc

ROOT = find_project_root()
assert ROOT is not None
# Read at collection time, before any fixture may rebuild the artifacts.
PACKAGED_MANIFEST = json.loads((compiler.ARTIFACT_DIR / compiler.MANIFEST).read_text())

SMALL_CONTRACT = """// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Small is ERC20 {
    constructor() ERC20("Small", "S") {}
}
"""


@pytest.fixture
def scratch_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway checkout: same settings and toolchain, its own contracts/ and artifact folder."""
    assert ROOT is not None
    shutil.copy(ROOT / "foundry.toml", tmp_path)
    shutil.copy(ROOT / "package-lock.json", tmp_path)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "solc-shim.js", tmp_path / "scripts")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Small.sol").write_text(SMALL_CONTRACT)
    monkeypatch.setattr(compiler, "ARTIFACT_DIR", tmp_path / "artifacts")
    return tmp_path


def test_packaged_artifacts_were_built_from_the_current_sources() -> None:
    assert ROOT is not None
    settings = CompileSettings.from_foundry_toml(ROOT / "foundry.toml")
    version = compiler._compiler_version(ROOT, find_solc(ROOT))
    assert PACKAGED_MANIFEST["key"] == cache_key(ROOT, settings, version), (
        "contracts/ changed since the artifacts were built: run `make compile` and commit src/bridge/chain/artifacts"
    )


def test_a_warm_start_does_not_run_the_compiler(scratch_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_contracts(scratch_project)
    assert "Small" in first.contracts

    def no_solc(*args: object, **kwargs: object) -> None:
        raise AssertionError("solc was called on a warm start")

    monkeypatch.setattr(compiler, "_run_solc", no_solc)
    again = compile_contracts(scratch_project)
    assert again.key == first.key
    assert again["Small"].bytecode == first["Small"].bytecode


def test_a_source_change_invalidates_the_cache(scratch_project: Path) -> None:
    first = compile_contracts(scratch_project)
    source = scratch_project / "contracts" / "Small.sol"
    source.write_text(SMALL_CONTRACT.replace('"S"', '"SM"'))
    second = compile_contracts(scratch_project)
    assert second.key != first.key
    assert second["Small"].bytecode != first["Small"].bytecode


def test_a_compile_error_names_file_and_line(scratch_project: Path) -> None:
    (scratch_project / "contracts" / "Broken.sol").write_text(
        "// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.24;\n\ncontract Broken {\n    uint x\n}\n"
    )
    with pytest.raises(CompileError) as info:
        compile_contracts(scratch_project)
    assert info.value.diagnostics[0].startswith("contracts/Broken.sol:6: ParserError")
    assert info.value.code == "compile_failed"


def test_installed_package_loads_artifacts_without_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler, "find_project_root", lambda start=None: None)
    artifacts = compiler.load_artifacts()
    assert {"CarbonBridge", "CarbonCreditToken"} <= set(artifacts.contracts)
    assert artifacts["CarbonBridge"].bytecode.startswith("0x6")
