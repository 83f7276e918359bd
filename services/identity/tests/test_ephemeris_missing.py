"""A chart service without its Swiss Ephemeris files: Human Design answers the seed's 500
EPHEMERIS_UNAVAILABLE (with retry_after), and register refuses with nothing stored."""
import uuid

import pytest
from sqlalchemy import func, select

from devstack.processes import Child, free_port, port_open, python, wait_until
from devstack.stack import REPO
from services.identity.accounts.tables import users

from .test_human_design_api import BERLIN, assert_seed_error

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def chart_without_ephemeris(tmp_path_factory):
    root = tmp_path_factory.mktemp("chart-no-ephe")
    (root / "ephe").mkdir()
    port = free_port()
    env = {"NUMEROS_GRPC_HOST": "127.0.0.1", "NUMEROS_GRPC_PORT": str(port), "NUMEROS_CHART_WORKERS": "1",
           "NUMEROS_EPHE_PATH": str(root / "ephe")}
    child = Child("chart-no-ephe", [python(), "-m", "services.chart"], env=env, cwd=REPO,
                  log_file=root / "chart.log").start()
    try:
        wait_until(lambda: port_open(port), 60, "chart without ephemeris")
        yield f"127.0.0.1:{port}"
    finally:
        child.stop()


async def test_human_design_without_ephemeris_is_the_seeds_500(make_identity_client, chart_without_ephemeris):
    async with make_identity_client(NUMEROS_CHART_ADDR=chart_without_ephemeris) as client:
        reply = await client.post("/api/v1/human-design/calculate-chart", json=BERLIN)
        detail = assert_seed_error(reply, 500, "EPHEMERIS_UNAVAILABLE", None)
        assert detail["retry_after"] == 60 and reply.headers["retry-after"] == "60"


async def test_register_without_ephemeris_is_503_and_stores_nothing(make_identity_client, chart_without_ephemeris):
    body = {"email": f"e{uuid.uuid4().hex[:12]}@example.com", "password": "s3cret-pass", "display_name": "Sarah",
            "birth_date": "1990-05-15"}
    async with make_identity_client(NUMEROS_CHART_ADDR=chart_without_ephemeris) as client:
        reply = await client.post("/api/v1/auth/register", json=body)
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"]["code"] == "EPHEMERIS_UNAVAILABLE"
        async with client.app.state.runtime.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(users).where(users.c.email == body["email"]))
        assert count == 0
