"""A user's own test file, in a folder of its own with no conftest: the installed package's ``pytest11``
entry point alone provides the fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_my_redemption_flow import __file__ as EXAMPLE  # the README's example, verbatim


def test_the_readme_example_passes_in_a_users_own_folder(tmp_path: Path) -> None:
    user_test = tmp_path / "test_users_redemption.py"
    user_test.write_text(Path(EXAMPLE).read_text())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(user_test)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
