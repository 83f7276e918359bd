"""ruff (pyproject.toml's [tool.ruff]) over the whole repository: line length and pyflakes' findings
(unused imports, undefined names) fail ``make test`` instead of piling up. A missing ruff fails too."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ruff_check_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(REPO)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, f"ruff check failed:\n{result.stdout}{result.stderr}"
