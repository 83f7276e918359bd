"""astro-mvp under /api/v1/astro on real Postgres, Redis, NATS and chart."""
import datetime as dt

import pytest

from .conftest import new_user_id
from .test_vedic_rules import cited_value

pytestmark = pytest.mark.asyncio
PROFILE = {"name": "John Doe", "gender": "male", "dob": "1990-05-15", "tob": "14:30", "tz": "America/New_York",
           "place": "New York, NY", "lat": 40.7128, "lon": -74.0060, "altitude_m": 10, "uncertainty_minutes": 5,
           "ayanamsa": "Lahiri", "house_system": "WholeSign"}
AS_OF = "2026-01-01"


async def make_profile(client, headers, **overrides) -> dict:
    reply = await client.post("/api/v1/astro/profiles/", json={**PROFILE, **overrides}, headers=headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


def error_fields(reply) -> set[str]:
    """The fields an astro-mvp error body names (``details`` is the list of ``{field, message}``)."""
    details = reply.json()["details"]
    return {f["field"] for f in details} if isinstance(details, list) else set()


# --- profiles --------------------------------------------------------------------------------------


async def test_profile_crud_and_isolation(client, alice, bob):
    created = await make_profile(client, alice)
    assert {k: created[k] for k in PROFILE} == PROFILE
    pid = created["id"]
    assert (await client.get(f"/api/v1/astro/profiles/{pid}", headers=alice)).json() == created
    patched = await client.patch(f"/api/v1/astro/profiles/{pid}",
                                 json={"name": "John Smith", "uncertainty_minutes": 10}, headers=alice)
    assert patched.status_code == 200 and patched.json()["name"] == "John Smith"
    assert patched.json()["uncertainty_minutes"] == 10 and patched.json()["dob"] == "1990-05-15"
    assert patched.json()["updated_at"] >= created["updated_at"]
    # Bob cannot see, change or delete it: 404, as if it did not exist.
    for method in ("get", "delete"):
        assert (await getattr(client, method)(f"/api/v1/astro/profiles/{pid}", headers=bob)).status_code == 404
    assert (await client.patch(f"/api/v1/astro/profiles/{pid}", json={"name": "X"}, headers=bob)).status_code == 404
    assert (await client.get(f"/api/v1/astro/profiles/{pid}/history", headers=bob)).status_code == 404
    assert (await client.get("/api/v1/astro/profiles", headers=bob)).json()["total"] == 0
    deleted = await client.delete(f"/api/v1/astro/profiles/{pid}", headers=alice)
    assert deleted.json() == {"message": "Profile deleted successfully"}
    assert (await client.get(f"/api/v1/astro/profiles/{pid}", headers=alice)).status_code == 404


async def test_every_astro_route_needs_a_token(client):
    for method, path in (("get", "/api/v1/astro/profiles"), ("post", "/api/v1/astro/compute"),
                         ("get", "/api/v1/astro/compute/1"), ("get", "/api/v1/astro/predict/1")):
        assert (await getattr(client, method)(path)).status_code == 401


async def test_profile_pagination(client, alice):
    ids = [(await make_profile(client, alice, name=f"P{i}"))["id"] for i in range(5)]
    page = (await client.get("/api/v1/astro/profiles?page=2&per_page=2", headers=alice)).json()
    assert page["total"] == 5 and page["page"] == 2 and page["per_page"] == 2
    assert [p["id"] for p in page["profiles"]] == ids[2:4]
    default = (await client.get("/api/v1/astro/profiles", headers=alice)).json()
    assert default["per_page"] == 20 and len(default["profiles"]) == 5
    last = (await client.get("/api/v1/astro/profiles?page=3&per_page=2", headers=alice)).json()
    assert [p["id"] for p in last["profiles"]] == ids[4:]
    for query, field in (("page=0", "page"), ("per_page=101", "per_page"), ("per_page=0", "per_page")):
        reply = await client.get(f"/api/v1/astro/profiles?{query}", headers=alice)
        assert reply.status_code == 400 and error_fields(reply) == {field}, query


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""), ("name", "x" * 51), ("gender", "other"), ("dob", "1990-13-01"), ("dob", "3001-01-01"),
    ("tob", "25:00"), ("tob", "2pm"), ("tz", "Mars/Olympus"), ("place", ""), ("place", "x" * 101),
    ("lat", 90.5), ("lon", -181), ("altitude_m", -501), ("altitude_m", 10001), ("uncertainty_minutes", 11),
    ("uncertainty_minutes", -1), ("ayanamsa", ""), ("ayanamsa", "x" * 33), ("house_system", ""),
    ("house_system", "x" * 33),
])
async def test_profile_validation_names_the_field(client, alice, field, value):
    reply = await client.post("/api/v1/astro/profiles", json={**PROFILE, field: value}, headers=alice)
    assert reply.status_code == 400, reply.text
    assert error_fields(reply) == {field}


async def test_profile_missing_field_and_null_patch_are_400(client, alice):
    body = {k: v for k, v in PROFILE.items() if k != "tz"}
    reply = await client.post("/api/v1/astro/profiles", json=body, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {"tz"}
    pid = (await make_profile(client, alice))["id"]
    reply = await client.patch(f"/api/v1/astro/profiles/{pid}", json={"lat": None}, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {"lat"}
    reply = await client.patch(f"/api/v1/astro/profiles/{pid}", json={"tob": "7:5"}, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {"tob"}


@pytest.mark.parametrize(("sent", "stored"), [
    ({"ayanamsa": "lahiri", "house_system": "whole_sign"}, ("Lahiri", "WholeSign")),
    ({"house_system": "W"}, ("Lahiri", "WholeSign")),
    ({"house_system": "P", "ayanamsa": "KP"}, ("Krishnamurti", "Placidus")),
    ({"ayanamsa": "fagan-bradley", "house_system": "whole sign"}, ("FaganBradley", "WholeSign")),
])
async def test_profiles_store_and_return_chart_s_canonical_names(client, alice, sent, stored):
    """chart resolves the names (identity keeps no table of them); the profile stores chart's spelling."""
    created = await make_profile(client, alice, **sent)
    assert (created["ayanamsa"], created["house_system"]) == stored
    fetched = (await client.get(f"/api/v1/astro/profiles/{created['id']}", headers=alice)).json()
    assert (fetched["ayanamsa"], fetched["house_system"]) == stored
    patched = await client.patch(f"/api/v1/astro/profiles/{created['id']}",
                                 json={"house_system": "equal", "ayanamsa": "b.v. raman"}, headers=alice)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["ayanamsa"], patched.json()["house_system"]) == ("Raman", "Equal")
    reply = await client.post("/api/v1/astro/compute", json={"profile_id": created["id"], "as_of": AS_OF},
                              headers=alice)
    assert reply.status_code == 200, reply.text
    assert (reply.json()["ayanamsa"], reply.json()["house_system"]) == ("Raman", "Equal")


@pytest.mark.parametrize("house_system", ["P", "placidus"])
async def test_compute_accepts_chart_s_house_system_names(client, alice, house_system):
    reply = await client.post("/api/v1/astro/compute", json={**PROFILE, "house_system": house_system, "as_of": AS_OF},
                              headers=alice)
    assert reply.status_code == 200, reply.text
    assert reply.json()["house_system"] == "Placidus"


@pytest.mark.parametrize("field", ["ayanamsa", "house_system"])
async def test_a_name_chart_does_not_know_is_400_naming_the_field_and_nothing_is_stored(client, alice, field):
    mine = (await client.get("/api/v1/astro/profiles", headers=alice)).json()["total"]
    created = await client.post("/api/v1/astro/profiles", json={**PROFILE, field: "Sassanian"}, headers=alice)
    assert created.status_code == 400, created.text
    error = created.json()
    assert error["error"] == "VALIDATION_ERROR" and error_fields(created) == {field}
    assert "unknown" in error["message"] and "'Sassanian'" in error["message"]
    assert (await client.get("/api/v1/astro/profiles", headers=alice)).json()["total"] == mine
    pid = (await make_profile(client, alice))["id"]
    patched = await client.patch(f"/api/v1/astro/profiles/{pid}", json={field: "Sassanian", "place": "Elsewhere"},
                                 headers=alice)
    assert patched.status_code == 400 and error_fields(patched) == {field}, patched.text
    kept = (await client.get(f"/api/v1/astro/profiles/{pid}", headers=alice)).json()
    assert (kept["place"], kept[field]) == (PROFILE["place"], PROFILE[field])
    inline = await client.post("/api/v1/astro/compute", json={**PROFILE, field: "Sassanian", "as_of": AS_OF},
                               headers=alice)
    assert inline.status_code == 400 and error_fields(inline) == {field}, inline.text
    history = (await client.get(f"/api/v1/astro/profiles/{pid}/history", headers=alice)).json()
    assert history["total"] == 0


@pytest.mark.parametrize("profile_id", ["mine", "unknown"])
async def test_an_unknown_override_is_400_before_the_profile_is_looked_up(client, alice, profile_id):
    pid = (await make_profile(client, alice))["id"] if profile_id == "mine" else 2**40
    reply = await client.post("/api/v1/astro/compute", json={"profile_id": pid, "house_system": "bogus",
                                                             "as_of": AS_OF}, headers=alice)
    assert reply.status_code == 400, reply.text
    assert error_fields(reply) == {"house_system"}
    assert "'bogus'" in reply.json()["message"]


# --- compute ---------------------------------------------------------------------------------------


async def test_a_planned_birth_is_computed_for_a_later_as_of_and_refused_for_today(client, alice):
    planned = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=400)).isoformat()
    pid = (await make_profile(client, alice, dob=planned))["id"]
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=800)).isoformat()
    reply = await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": later}, headers=alice)
    assert reply.status_code == 200, reply.text
    assert reply.json()["as_of"] == later
    today = await client.post("/api/v1/astro/compute", json={"profile_id": pid}, headers=alice)
    assert today.status_code == 400 and error_fields(today) == {"dob"}, today.text


async def test_the_first_and_last_supported_years_compute(client, alice):
    for dob, as_of in (("0001-01-01", "0001-06-01"), ("3000-12-31", "3000-12-31")):
        reply = await client.post("/api/v1/astro/compute", json={**PROFILE, "dob": dob, "as_of": as_of}, headers=alice)
        assert reply.status_code == 200, reply.text
        snapshot = (await client.get(f"/api/v1/astro/compute/{reply.json()['calc_snapshot_id']}", headers=alice)).json()
        assert "swe-standard-data" in snapshot["ephemeris_version"]
        assert snapshot["data"]["meta"]["as_of"] == as_of


async def test_compute_caches_by_input_and_recomputes_for_another_ayanamsa(client, alice, bob):
    pid = (await make_profile(client, alice))["id"]
    first = await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF}, headers=alice)
    assert first.status_code == 200, first.text
    summary = first.json()
    assert summary["cached"] is False and len(summary["input_hash"]) == 64
    assert summary["ayanamsa"] == "Lahiri" and summary["house_system"] == "WholeSign"
    assert summary["ruleset_version"] and summary["ephemeris_version"] and summary["calc_timestamp"]
    again = (await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF}, headers=alice)).json()
    assert again["cached"] is True and again["calc_snapshot_id"] == summary["calc_snapshot_id"]
    assert again["input_hash"] == summary["input_hash"]
    # The same birth inline, spelled differently: Redis misses, chart's input hash finds the stored snapshot.
    inline = {**PROFILE, "ayanamsa": "lahiri", "house_system": "whole_sign", "as_of": AS_OF}
    same = (await client.post("/api/v1/astro/compute", json=inline, headers=alice)).json()
    assert same["cached"] is True and same["calc_snapshot_id"] == summary["calc_snapshot_id"]
    # Another ayanamsa is another input: a new snapshot.
    raman = (await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF, "ayanamsa": "Raman"},
                               headers=alice)).json()
    assert raman["cached"] is False and raman["ayanamsa"] == "Raman"
    assert raman["calc_snapshot_id"] != summary["calc_snapshot_id"] and raman["input_hash"] != summary["input_hash"]

    snapshot = await client.get(f"/api/v1/astro/compute/{summary['calc_snapshot_id']}", headers=alice)
    assert snapshot.status_code == 200
    body = snapshot.json()
    assert body["input_hash"] == summary["input_hash"] and body["ayanamsa"] == "Lahiri"
    data = body["data"]
    assert {"meta", "panchanga", "d1", "dignities", "aspects", "dasha", "transits", "d9", "sav", "yogas",
            "bhava_bala", "sensitivity"} <= set(data)
    assert data["meta"]["timezone"] == "America/New_York" and data["meta"]["dst_used"] is True
    assert len(data["sav"]) == 12 and sum(data["sav"]) == 337 and len(data["bhava_bala"]) == 12
    assert data["panchanga"]["weekday"] in {"Monday", "Tuesday"}
    assert data["dasha"]["current_md"] and data["dasha"]["next_12m_ads"]
    # Bob sees none of it.
    assert (await client.get(f"/api/v1/astro/compute/{summary['calc_snapshot_id']}", headers=bob)).status_code == 404
    assert (await client.post("/api/v1/astro/compute", json={"profile_id": pid}, headers=bob)).status_code == 404
    # Bob computing the same birth gets his own snapshot, not Alice's.
    mine = (await client.post("/api/v1/astro/compute", json=inline, headers=bob)).json()
    assert mine["cached"] is False and mine["calc_snapshot_id"] != summary["calc_snapshot_id"]

    history = (await client.get(f"/api/v1/astro/profiles/{pid}/history", headers=alice)).json()
    snaps = [h for h in history["history"] if h["type"] == "calc_snapshot"]
    assert history["profile_id"] == pid and history["total"] == 2
    assert {h["id"] for h in snaps} == {summary["calc_snapshot_id"], raman["calc_snapshot_id"]}
    assert {h["metadata"]["ayanamsa"] for h in snaps} == {"Lahiri", "Raman"}


async def test_compute_validation(client, alice):
    body = {k: v for k, v in PROFILE.items() if k != "lat"}
    reply = await client.post("/api/v1/astro/compute", json=body, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {"lat"}
    reply = await client.post("/api/v1/astro/compute", json={**PROFILE, "as_of": "1980-01-01"}, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {"dob"}, reply.text  # a birth after as_of
    assert "as_of (1980-01-01)" in reply.text
    reply = await client.post("/api/v1/astro/compute", json={"profile_id": 2**40}, headers=alice)
    assert reply.status_code == 404


async def test_deleting_a_profile_deletes_its_snapshots(client, alice):
    pid = (await make_profile(client, alice, name="Gone"))["id"]
    sid = (await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF},
                             headers=alice)).json()["calc_snapshot_id"]
    assert (await client.delete(f"/api/v1/astro/profiles/{pid}", headers=alice)).status_code == 200
    assert (await client.get(f"/api/v1/astro/compute/{sid}", headers=alice)).status_code == 404


# --- predictions -----------------------------------------------------------------------------------


async def test_prediction_cites_real_snapshot_fields_and_is_private(client, alice, bob):
    pid = (await make_profile(client, alice))["id"]
    sid = (await client.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF},
                             headers=alice)).json()["calc_snapshot_id"]
    reply = await client.post("/api/v1/astro/predict/question", headers=alice, json={
        "profile_id": pid, "question": "Will I get a new job soon?", "time_horizon_months": 6,
        "calc_snapshot_id": sid})
    assert reply.status_code == 200, reply.text
    prediction = reply.json()
    assert prediction["topic"] == "career" and prediction["llm_model"] == "numeros-rules-v1"
    assert prediction["calc_snapshot_id"] == sid and 0 < prediction["confidence_overall"] <= 1
    answer = prediction["answer"]
    assert answer["summary"] and answer["actions"] and answer["risks"] and answer["time_windows"]
    assert all("2026-01-01" <= w["start"] <= w["end"] <= "2026-07-01" for w in answer["time_windows"])
    data = (await client.get(f"/api/v1/astro/compute/{sid}", headers=alice)).json()["data"]
    assert answer["evidence"]
    for entry in answer["evidence"]:
        assert cited_value(data, entry["calc_field"]) == entry["value"], entry["calc_field"]

    stored = await client.get(f"/api/v1/astro/predict/{prediction['prediction_id']}", headers=alice)
    assert stored.status_code == 200
    body = stored.json()
    assert body["question"] == "Will I get a new job soon?" and body["topic"] == "career"
    assert body["result"]["answer"] == answer and body["confidence_overall"] == prediction["confidence_overall"]
    assert (await client.get(f"/api/v1/astro/predict/{prediction['prediction_id']}", headers=bob)).status_code == 404
    reply = await client.post("/api/v1/astro/predict/question", headers=bob,
                              json={"profile_id": pid, "question": "Will I marry?"})
    assert reply.status_code == 404
    history = (await client.get(f"/api/v1/astro/profiles/{pid}/history", headers=alice)).json()
    assert [h["metadata"]["topic"] for h in history["history"] if h["type"] == "prediction"] == ["career"]


async def test_prediction_without_snapshot_computes_one_for_today(client, alice):
    pid = (await make_profile(client, alice))["id"]
    reply = await client.post("/api/v1/astro/predict/question", headers=alice,
                              json={"profile_id": pid, "question": "When will I get married?"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["topic"] == "relationships"
    snapshot = (await client.get(f"/api/v1/astro/compute/{reply.json()['calc_snapshot_id']}", headers=alice)).json()
    assert snapshot["as_of"] == dt.datetime.now(dt.UTC).date().isoformat()


@pytest.mark.parametrize(("patch", "field"), [({"question": ""}, "question"), ({"question": "x" * 501}, "question"),
                                              ({"time_horizon_months": 0}, "time_horizon_months"),
                                              ({"time_horizon_months": 25}, "time_horizon_months")])
async def test_question_validation(client, alice, patch, field):
    body = {"profile_id": 1, "question": "Will I get a job?", "time_horizon_months": 12, **patch}
    reply = await client.post("/api/v1/astro/predict/question", json=body, headers=alice)
    assert reply.status_code == 400 and error_fields(reply) == {field}


async def test_chart_down_gives_503_and_stores_nothing(client, make_identity_client, alice):
    from devstack.processes import free_port

    pid = (await make_profile(client, alice))["id"]
    async with make_identity_client(NUMEROS_CHART_ADDR=f"127.0.0.1:{free_port()}",
                                    NUMEROS_CHART_DEADLINE_SECONDS="1") as down:
        # The names are chart's to resolve: without chart no profile is written.
        created = await down.post("/api/v1/astro/profiles", json=PROFILE, headers=alice)
        assert created.status_code == 503 and created.json()["details"] == "CHART_UNAVAILABLE"
        assert (await down.get("/api/v1/astro/profiles", headers=alice)).json()["total"] == 1
        reply = await down.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF}, headers=alice)
        assert reply.status_code == 503
        assert (reply.json()["error"], reply.json()["details"]) == ("CALCULATION_ERROR", "CHART_UNAVAILABLE")
        history = (await down.get(f"/api/v1/astro/profiles/{pid}/history", headers=alice)).json()
        assert history["total"] == 0
        assert (await down.get("/api/v1/forecast/2399-12-01")).status_code == 503


async def test_unknown_prediction_engine_fails_at_start(make_identity_client):
    with pytest.raises(ValueError, match="unknown prediction engine"):
        async with make_identity_client(NUMEROS_PREDICTION_ENGINE="gpt-4o-mini"):
            pass


async def test_compute_and_predict_have_their_own_per_user_limits(make_identity_client, mint_token):
    headers = {"Authorization": f"Bearer {mint_token(new_user_id())}"}
    async with make_identity_client(NUMEROS_RATE_LIMIT_ASTRO="100/minute", NUMEROS_RATE_LIMIT_ASTRO_COMPUTE="2/minute",
                                    NUMEROS_RATE_LIMIT_ASTRO_PREDICT="1/minute") as limited:
        pid = (await make_profile(limited, headers))["id"]
        codes = [(await limited.post("/api/v1/astro/compute", json={"profile_id": pid, "as_of": AS_OF},
                                     headers=headers)).status_code for _ in range(3)]
        question = {"profile_id": pid, "question": "Will I get a new job?"}
        first = await limited.post("/api/v1/astro/predict/question", json=question, headers=headers)
        second = await limited.post("/api/v1/astro/predict/question", json=question, headers=headers)
        general = await limited.get(f"/api/v1/astro/profiles/{pid}", headers=headers)
    assert codes == [200, 200, 429]  # a moving window: no reset at a minute boundary
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.json() == {"error": "RATE_LIMIT_ERROR", "message": "Rate limit exceeded",
                             "details": "RATE_LIMITED", "request_id": second.headers["x-request-id"]}
    assert 1 <= int(second.headers["retry-after"]) <= 60
    # the general astro-mvp budget (100/min) counted the profile creation and this read only
    assert (general.headers["x-ratelimit-limit"], general.headers["x-ratelimit-remaining"]) == ("100", "98")
