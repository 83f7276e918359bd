from __future__ import annotations

from pathlib import Path

import pytest

from services.chart.settings import REPO_ROOT


@pytest.fixture(scope="session")
def ephe_dir() -> Path:
    """The real Swiss Ephemeris files (sepl_18, semo_18, seas_18) installed by the project setup."""
    return REPO_ROOT / "ephe"


@pytest.fixture(scope="session")
def empty_ephe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty-ephe")
