"""The merged OpenAPI document: current with the code, only public paths, one tag per domain, and no
silent overwrite when two services disagree."""
import json
import os
import subprocess
import sys

import pytest

from services.gateway import openapi
from services.gateway.openapi import (OPENAPI_FILE, TAGS, OpenAPIMergeError, document_text, domain_tag, merge,
                                      public_path)


def test_committed_document_matches_the_services():
    assert OPENAPI_FILE.read_text() == document_text(), \
        "run `python -m services.gateway openapi` (then `npm --prefix clients/typescript run generate`) and commit"


def test_document_does_not_depend_on_the_hash_seed():
    """Set order (a multi-method route's methods) must not leak into the document."""
    for seed in ("1", "2", "3", "4"):
        result = subprocess.run([sys.executable, "-c", "from services.gateway.openapi import document_text; "
                                 "print(document_text(), end='')"], capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        assert result.stdout == OPENAPI_FILE.read_text(), f"PYTHONHASHSEED={seed}"


@pytest.fixture(scope="module")
def published():
    return json.loads(OPENAPI_FILE.read_text())


def operations(document):
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_every_service_contributes_its_public_paths(published):
    paths = set(published["paths"])
    assert {"/api/v1/auth/register", "/api/v1/astro/compute", "/api/v1/human-design/calculate-chart",
            "/api/v1/scan", "/api/v1/matches/{match_id}", "/api/v1/matches/{match_id}/messages",
            "/healthz", "/readyz"} <= paths
    # Internal paths never reach the public document.
    assert not paths & {"/system/readyz", "/metrics", "/openapi.json", "/docs"}


def test_one_tag_per_domain(published):
    declared = [tag["name"] for tag in published["tags"]]
    assert declared == ["accounts", "profile", "numerology", "vedic", "human_design", "forecast", "admin",
                        "discovery", "matches", "messages", "push", "safety", "health"]
    used = {tuple(op["tags"]) for _, _, op in operations(published)}
    assert used == {(name,) for name in declared}
    tag_of = {(path, method): op["tags"][0] for path, method, op in operations(published)}
    assert tag_of[("/api/v1/astro/profiles", "post")] == "vedic"
    assert tag_of[("/api/v1/matches/{match_id}/messages", "get")] == "messages"
    assert tag_of[("/api/v1/matches/{match_id}/messages/read", "post")] == "messages"
    assert tag_of[("/api/v1/devices", "post")] == "push"
    assert tag_of[("/api/v1/blocks", "post")] == "safety"
    assert tag_of[("/api/v1/admin/reports", "get")] == "admin"
    assert tag_of[("/api/v1/matches/{match_id}", "get")] == "matches"


def test_operation_ids_are_unique(published):
    ids = [op["operationId"] for _, _, op in operations(published)]
    assert len(ids) == len(set(ids))
    cache = published["paths"]["/api/v1/admin/cache/reset/all"]
    assert (cache["post"]["operationId"], cache["delete"]["operationId"]) == (
        "reset_all_api_v1_admin_cache_reset_all_post", "reset_all_api_v1_admin_cache_reset_all_delete")


def test_every_reference_resolves_and_every_component_is_used(published):
    text = json.dumps(published["paths"])
    schemas = published["components"]["schemas"]
    refs = set()
    pending = [text]
    while pending:
        chunk = pending.pop()
        for ref in {part.split('"')[0] for part in chunk.split('"$ref": "#/components/schemas/')[1:]}:
            if ref not in refs:
                refs.add(ref)
                pending.append(json.dumps(schemas[ref]))
    assert refs == set(schemas)


def test_document_speaks_for_the_gateway(published):
    assert published["info"]["title"] == "Numeros API"
    assert published["servers"] == [{"url": "/", "description": "The gateway that serves this document"}]
    assert published["openapi"].startswith("3.1")


# ------------------------------------------------------------------ which paths are public


@pytest.mark.parametrize(("service", "path", "public"), [
    ("chat", "/api/v1/matches/{match_id}/messages", "/api/v1/matches/{match_id}/messages"),
    ("matching", "/api/v1/matches/{match_id}/messages", None),  # the gateway sends it to chat
    ("matching", "/api/v1/matches/{match_id}", "/api/v1/matches/{match_id}"),
    ("identity", "/api/v1/auth/login", "/api/v1/auth/login"),
    ("identity", "/system/public-readyz", "/readyz"),  # rewritten by the gateway
    ("identity", "/system/readyz", None),  # the details stay on identity's port
    ("identity", "/readyz", None),  # the gateway rewrites /readyz, so identity's own is unreachable
    ("identity", "/healthz", "/healthz"),
    ("matching", "/healthz", None),
    ("identity", "/metrics", None),
    ("identity", "/api/v1/scanner", None),
])
def test_public_path_follows_the_route_table(service, path, public):
    assert public_path(service, path) == public


def test_domain_tags_name_every_routed_prefix():
    assert domain_tag("/api/v1/numerology/profiles/7/name-trials") == "numerology"
    assert domain_tag("/api/v1/matches/7/messages/read") == "messages"
    with pytest.raises(OpenAPIMergeError, match="DOMAIN_TAGS"):
        domain_tag("/api/v1/unheard-of")
    assert {name for _, name in openapi.DOMAIN_TAGS} == {tag["name"] for tag in TAGS}


# ------------------------------------------------------------------ merging rules, on small documents


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def doc(paths: dict, schemas: dict | None = None, version: str = "3.1.0") -> dict:
    return {"openapi": version, "info": {"title": "x", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas or {}}}


def op(op_id: str, schema: str | None = None) -> dict:
    reply: dict = {"description": "ok"}
    if schema:
        reply["content"] = {"application/json": {"schema": ref(schema)}}
    return {"operationId": op_id, "tags": ["whatever"], "responses": {"200": reply}}


def test_same_path_and_method_in_two_services_fails(monkeypatch):
    monkeypatch.setattr(openapi, "public_path", lambda service, path, routes: path)  # both copies routed
    identity = doc({"/api/v1/auth/x": {"get": op("a"), "post": op("b")}})
    with pytest.raises(OpenAPIMergeError, match="GET /api/v1/auth/x is declared by both identity and matching"):
        merge({"identity": identity, "matching": doc({"/api/v1/auth/x": {"get": op("c")}})})
    # Different methods of one path may come from different services (chat and matching share no method).
    merged = merge({"identity": identity, "matching": doc({"/api/v1/auth/x": {"delete": op("d")}})})
    assert list(merged["paths"]["/api/v1/auth/x"]) == ["get", "post", "delete"]


def test_unrouted_paths_and_what_only_they_use_are_left_out():
    merged = merge({"identity": doc({"/api/v1/auth/x": {"get": op("a", "Used")},
                                     "/internal/y": {"get": op("b", "Secret")}},
                                    {"Used": {"type": "object"}, "Secret": {"type": "string"}}),
                    "matching": doc({"/api/v1/auth/z": {"get": op("c", "Other")}}, {"Other": {"type": "integer"}})})
    assert list(merged["paths"]) == ["/api/v1/auth/x"]  # /api/v1/auth belongs to identity
    assert merged["components"] == {"schemas": {"Used": {"type": "object"}}}
    assert merged["paths"]["/api/v1/auth/x"]["get"]["tags"] == ["accounts"]


def test_same_schema_name_with_different_content_is_renamed_per_service():
    identity = doc({"/api/v1/auth/x": {"get": op("a", "Wrapper")}},
                   {"Wrapper": {"type": "object", "properties": {"p": ref("Profile"), "e": ref("Error")}},
                    "Profile": {"type": "object", "properties": {"name": {"type": "string"}}},
                    "Error": {"type": "string"}})
    matching = doc({"/api/v1/scan": {"post": op("b", "Profile")}, "/api/v1/resonance": {"post": op("c", "Error")}},
                   {"Profile": {"type": "object", "properties": {"score": {"type": "number"}}},
                    "Error": {"type": "string"}})
    merged = merge({"identity": identity, "matching": matching})
    schemas = merged["components"]["schemas"]
    assert sorted(schemas) == ["Error", "IdentityProfile", "MatchingProfile", "Wrapper"]
    assert schemas["Wrapper"]["properties"] == {"p": ref("IdentityProfile"), "e": ref("Error")}
    assert schemas["MatchingProfile"]["properties"] == {"score": {"type": "number"}}
    scan = merged["paths"]["/api/v1/scan"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert scan == ref("MatchingProfile")


def test_a_rename_that_would_overwrite_fails():
    identity = doc({"/api/v1/auth/x": {"get": op("a", "Profile")},
                    "/api/v1/auth/y": {"get": op("b", "MatchingProfile")}},
                   {"Profile": {"type": "string"}, "MatchingProfile": {"type": "integer"}})
    matching = doc({"/api/v1/scan": {"post": op("c", "Profile")}}, {"Profile": {"type": "number"}})
    with pytest.raises(OpenAPIMergeError, match="'MatchingProfile' is taken"):
        merge({"identity": identity, "matching": matching})


def test_operation_id_repeated_by_one_route_gets_the_method():
    merged = merge({"identity": doc({"/api/v1/admin/reset": {"post": op("reset_api_v1_admin_reset_post"),
                                                             "delete": op("reset_api_v1_admin_reset_post")}})})
    item = merged["paths"]["/api/v1/admin/reset"]
    assert (item["post"]["operationId"], item["delete"]["operationId"]) == ("reset_api_v1_admin_reset_post",
                                                                            "reset_api_v1_admin_reset_delete")
    merged = merge({"identity": doc({"/api/v1/admin/reset": {"delete": op("reset"), "post": op("reset")}})})
    item = merged["paths"]["/api/v1/admin/reset"]
    assert list(item) == ["post", "delete"]  # one order, whatever order the service listed them in
    assert (item["post"]["operationId"], item["delete"]["operationId"]) == ("reset_post", "reset_delete")
    with pytest.raises(OpenAPIMergeError, match="operation id 'same'"):
        merge({"identity": doc({"/api/v1/auth/x": {"get": op("same")}, "/api/v1/auth/y": {"get": op("same")}})})


def test_services_on_different_openapi_versions_fail():
    with pytest.raises(OpenAPIMergeError, match="different OpenAPI versions"):
        merge({"identity": doc({}), "matching": doc({}, version="3.0.3")})
