"""The README's examples answer as it says on the data `make run` starts with (the demo registry)."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.local import LocalTemplate
from bridge.registry.ledger import Registry

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_get_credit_example_finds_its_block_in_the_demo_registry(bridge_template: LocalTemplate) -> None:
    (serial,) = re.findall(r'registry\.get_credit\("([^"]+)"\)', README.read_text())
    registry = Registry.open(f"sqlite:///{bridge_template.registry_file}")
    try:
        credit = registry.get_credit(serial)
    finally:
        registry.close()
    assert credit.block.serial == serial and credit.program.code == "VCS"


def test_every_link_of_the_readme_stays_inside_the_repository() -> None:
    text = README.read_text()
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links
    for link in links:
        assert not link.startswith(("../", "/", "http")), link
        assert (README.parent / link.split("#")[0]).exists(), link
