"""The whole stack for fuzzing, with every rate limit off (the gateway's edge limit included), so that
thousands of generated requests are answered by the routes, not by 429s."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import running_stack


@pytest.fixture(scope="module")
def stack():
    with running_stack({"NUMEROS_RATE_LIMITS": "off"}) as system:
        yield system
