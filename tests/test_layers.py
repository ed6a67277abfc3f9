"""The package's layers, read from its imports: no module imports one that imports it back, and nothing
below the edges (the HTTP API and its SDK, the CLI, the pytest plugin) reaches up into them. (``bridge.local``
is neither: it assembles a whole local bridge, and its demo plays against the API through the SDK.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
EDGES = ("bridge.api", "bridge.client", "bridge.cli", "bridge.testing")
BELOW_THE_EDGES = ("bridge.chain", "bridge.engine", "bridge.pools", "bridge.registry")
BELOW_THE_EDGES_MODULES = (
    "bridge.service",
    "bridge.settings",
    "bridge.primitives",
    "bridge.errors",
    "bridge.reserves_check",
)


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "bridge").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The modules of this package that ``name`` imports (anywhere in it: a deferred import counts)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(node.level - 1, 0)):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def test_no_module_imports_one_that_imports_it_back() -> None:
    edges = graph()
    cycles = []
    for start in edges:
        seen, frontier = set(), list(edges[start])
        while frontier:
            current = frontier.pop()
            if current == start:
                cycles.append(start)
                break
            if current not in seen:
                seen.add(current)
                frontier.extend(edges[current])
    assert not cycles, f"modules in an import cycle: {sorted(cycles)}"


def test_nothing_below_the_edges_imports_them() -> None:
    edges = graph()
    below = [name for name in edges if within(name, BELOW_THE_EDGES) or name in BELOW_THE_EDGES_MODULES]
    assert len(below) > 50
    reaching_up = {name: sorted(t for t in edges[name] if within(t, EDGES)) for name in below}
    assert not {name: up for name, up in reaching_up.items() if up}
