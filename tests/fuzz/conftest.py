"""The whole stack for fuzzing: the e2e ``stack`` fixture, started with every service limit lifted so that
thousands of generated requests are answered by the routes, not by 429s."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import stack  # noqa: F401 - the fixture, reused

# Requests a minute per user; far above what a fuzzing run sends. NUMEROS_RATE_LIMITS=off lifts every limit
# (the gateway's edge limit included) once the shared library reads it; until then the per-setting values do.
UNLIMITED = {"NUMEROS_RATE_LIMITS": "off", "NUMEROS_RATE_LIMIT_PER_MINUTE": "1000000",
             "NUMEROS_ASTRO_COMPUTE_RATE_PER_MINUTE": "1000000", "NUMEROS_ASTRO_PREDICT_RATE_PER_MINUTE": "1000000"}


@pytest.fixture(scope="module", autouse=True)
def unlimited_rates():
    """Autouse, so it runs before ``stack`` starts the services (they read the environment once)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in UNLIMITED.items():
            patch.setenv(name, value)
        yield
