"""The dependency rule of docs/architecture.md, checked on the source: a rule nobody checks decays.

- In the HTTP services, only a domain's router (and chat's WebSocket edge) speaks HTTP: use-cases,
  persistence, rules and consumers never import FastAPI/Starlette or a router/schemas module.
- Pure rules (``rules.py``) do no I/O: no database, cache, broker or HTTP client.
- chart's ``domain/`` is pure: it never imports chart's ``api``/``adapters``, gRPC, or file and OS
  modules, and ``domain/swiss.py`` is the only module anywhere in chart that imports Swiss Ephemeris.
- No service imports another service's code; every service may use ``numeros_common``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HTTP_SERVICES = ("identity", "matching", "chat")
HTTP_EDGE = {"router", "schemas", "websocket"}
HTTP_LIBRARIES = ("fastapi", "starlette")
IO_LIBRARIES = ("sqlalchemy", "asyncpg", "redis", "nats", "httpx", "grpc", "numeros_common.db")
CHART_DOMAIN_FORBIDDEN = ("services.chart.api", "services.chart.adapters", "grpc", "os", "pathlib", "gzip",
                          "io", "shutil", "urllib", "httpx", "socket", "subprocess")


def imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def sources(root: str) -> list[Path]:
    return sorted(p for p in (REPO / root).rglob("*.py") if "tests" not in p.relative_to(REPO).parts)


def under(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_the_rule_sees_imports() -> None:
    """The checker itself: a router import and a relative import are both seen."""
    router = REPO / "services/identity/accounts/router.py"
    assert any(under(name, "fastapi") for name in imports(router))
    assert "services.identity.accounts.service" in imports(router) or any(
        name.startswith("services.identity.accounts.service") for name in imports(router))


@pytest.mark.parametrize("service", HTTP_SERVICES)
def test_use_cases_and_persistence_never_speak_http(service: str) -> None:
    offences = []
    for path in sources(f"services/{service}"):
        if path.stem in HTTP_EDGE | {"app", "__main__"} or path.parent.name == "migrations":
            continue
        for name in imports(path):
            edge_module = name.rsplit(".", 1)[-1] in HTTP_EDGE and name.startswith(f"services.{service}.")
            if under(name, *HTTP_LIBRARIES) or edge_module:
                offences.append(f"{path.relative_to(REPO)} imports {name}")
    assert offences == []


@pytest.mark.parametrize("service", HTTP_SERVICES)
def test_rules_are_pure(service: str) -> None:
    offences = [f"{path.relative_to(REPO)} imports {name}"
                for path in sources(f"services/{service}") if path.stem == "rules"
                for name in imports(path) if under(name, *IO_LIBRARIES)]
    assert offences == []


def test_chart_domain_is_pure() -> None:
    offences = [f"{path.relative_to(REPO)} imports {name}"
                for path in sources("services/chart/domain")
                for name in imports(path) if under(name, *CHART_DOMAIN_FORBIDDEN)]
    assert offences == []


def test_only_the_swiss_wrapper_calls_swiss_ephemeris() -> None:
    callers = {str(path.relative_to(REPO)) for path in sources("services/chart")
               if any(under(name, "swisseph") for name in imports(path))}
    assert callers == {"services/chart/domain/swiss.py"}


@pytest.mark.parametrize("service", HTTP_SERVICES + ("chart",))
def test_services_do_not_import_each_other(service: str) -> None:
    others = tuple(f"services.{other}" for other in HTTP_SERVICES + ("chart", "gateway") if other != service)
    offences = [f"{path.relative_to(REPO)} imports {name}"
                for path in sources(f"services/{service}") for name in imports(path) if under(name, *others)]
    assert offences == []
