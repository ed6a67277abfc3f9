"""Print the programs and export formats section of docs/registry.md, from their declarations in code.

docs/registry.md holds this section between two markers; ``tests/registry/test_registry_docs.py`` fails
when it no longer matches. Regenerate it with::

    .venv/bin/python scripts/registry_docs.py            # print the section
    .venv/bin/python scripts/registry_docs.py --write    # replace it in docs/registry.md
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from bridge.registry.imports.catalogue import render, replace_section

DOC: Final = Path(__file__).resolve().parents[1] / "docs" / "registry.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"replace the section in {DOC}")
    args = parser.parse_args()
    if args.write:
        DOC.write_text(replace_section(DOC.read_text(), render()))
        print(f"updated {DOC}")
    else:
        print(render())


if __name__ == "__main__":
    main()
