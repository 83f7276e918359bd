"""The gateway's error-page process, as devstack runs it, for the tests that put Traefik in front of it."""
import pytest

from devstack.processes import Child, free_port, port_open, python, wait_until
from devstack.stack import REPO
from services.gateway.routes import ERROR_PAGES


@pytest.fixture(scope="session")
def error_pages(tmp_path_factory) -> dict[str, str]:
    """``{"errorpages": url}``, to merge into the backends of ``file_provider_config``."""
    port = free_port()
    child = Child(ERROR_PAGES, [python(), "-m", "services.gateway", "errorpages"], cwd=REPO,
                  env={"NUMEROS_HTTP_PORT": str(port)},
                  log_file=tmp_path_factory.mktemp("errorpages") / "errorpages.log").start()
    wait_until(lambda: port_open(port), 30, ERROR_PAGES)
    yield {ERROR_PAGES: f"http://127.0.0.1:{port}"}
    child.stop()
