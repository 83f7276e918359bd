from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from services.chart.adapters.places import load_places
from services.chart.settings import REPO_ROOT
from services.chart.tests.grpc_support import serving_stub


@pytest.fixture(scope="session")
def ephe_dir() -> Path:
    """The real Swiss Ephemeris files (sepl_18, semo_18, seas_18) installed by the project setup."""
    return REPO_ROOT / "ephe"


@pytest.fixture(scope="session")
def empty_ephe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty-ephe")


module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")


@module_fixture
async def stub(ephe_dir: Path):
    """Each test module that asks for it gets its own chart server (2 workers) and channel."""
    async with serving_stub(ephe_dir, workers=2) as opened:
        yield opened


@module_fixture
async def stub_without_ephemeris(empty_ephe_dir: Path):
    async with serving_stub(empty_ephe_dir, workers=1) as opened:
        yield opened


@pytest.fixture(scope="session", autouse=True)
def places():
    """The gazetteer and zone finder, loaded once as each worker loads them."""
    return load_places()
