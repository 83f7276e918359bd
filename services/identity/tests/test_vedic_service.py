"""The Vedic use-cases called directly (no HTTP): snapshot caching in Redis and Postgres, an inline
snapshot claimed by a profile, chart's refusals named as our fields, and predictions through the engine
seam. Real Postgres, Redis and chart."""
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from numeros_common.errors import AppError
from services.identity.vedic import cache, service
from services.identity.vedic.predictions import PredictionRequest
from services.identity.vedic.tables import astro_profiles, astro_snapshots

from .conftest import new_user_id

pytestmark = pytest.mark.asyncio
AS_OF = dt.date(2026, 1, 1)
BIRTH = {"name": "John Doe", "gender": "male", "dob": dt.date(1990, 5, 15), "tob": "14:30", "tz": "America/New_York",
         "place": "New York, NY", "lat": 40.7128, "lon": -74.006, "altitude_m": 10.0, "uncertainty_minutes": 5,
         "ayanamsa": "Lahiri", "house_system": "WholeSign"}


@pytest.fixture
def runtime(client):
    return client.app.state.runtime


async def stats(runtime) -> dict[str, int]:
    return {k: v for k, v in (await cache.stats(runtime.redis)).items() if k in cache.STAT_NAMES}


async def snapshot_row(runtime, snapshot_id: int):
    async with runtime.sessions() as session:
        return (await session.execute(select(astro_snapshots).where(astro_snapshots.c.id == snapshot_id))
                ).mappings().one()


async def test_a_snapshot_is_computed_once_then_answered_from_redis(runtime):
    owner = new_user_id()
    before = await stats(runtime)
    async with runtime.sessions() as session:
        first, stored = await service.compute_snapshot(runtime, session, owner, BIRTH, profile_id=None, as_of=AS_OF)
        again, stored_again = await service.compute_snapshot(runtime, session, owner, BIRTH, profile_id=None,
                                                             as_of=AS_OF)
    assert (stored, stored_again) == (False, True)
    assert again == first
    after = await stats(runtime)
    assert after["misses"] - before["misses"] >= 1 and after["redis_hits"] - before["redis_hits"] >= 1
    row = await snapshot_row(runtime, first["calc_snapshot_id"])
    assert (row["owner_user_id"], row["profile_id"], row["input_hash"]) == (owner, None, first["input_hash"])
    assert row["as_of"] == AS_OF and row["data"]["meta"]["timezone"] == "America/New_York"


async def test_a_profile_claims_the_inline_snapshot_of_the_same_input(runtime):
    owner = new_user_id()
    async with runtime.sessions() as session:
        inline, _ = await service.compute_snapshot(runtime, session, owner, BIRTH, profile_id=None, as_of=AS_OF)
        profile = await service.create_profile(runtime, session, owner, BIRTH)
        # Another spelling of the same input, resolved to the same name: Redis misses (its key names the
        # profile), Postgres finds the snapshot by chart's input hash.
        summary, stored = await service.compute(runtime, session, owner, as_of=AS_OF, profile_id=profile["id"],
                                                options={"ayanamsa": "lahiri"})
        history = await service.profile_history(session, owner, profile["id"])
    assert stored is True and summary["calc_snapshot_id"] == inline["calc_snapshot_id"]
    assert summary["profile_id"] == profile["id"]
    assert (await snapshot_row(runtime, inline["calc_snapshot_id"]))["profile_id"] == profile["id"]
    assert [(h["type"], h["id"]) for h in history] == [("calc_snapshot", inline["calc_snapshot_id"])]


async def test_another_owner_never_shares_a_snapshot(runtime):
    async with runtime.sessions() as session:
        mine, _ = await service.compute_snapshot(runtime, session, new_user_id(), BIRTH, profile_id=None, as_of=AS_OF)
        theirs, stored = await service.compute_snapshot(runtime, session, new_user_id(), BIRTH, profile_id=None,
                                                        as_of=AS_OF)
    assert stored is False and theirs["calc_snapshot_id"] != mine["calc_snapshot_id"]
    assert theirs["input_hash"] == mine["input_hash"]


@pytest.mark.parametrize(("change", "field"), [({"ayanamsa": "Sassanian"}, "ayanamsa"),
                                               ({"house_system": "Sassanian"}, "house_system"),
                                               ({"lat": 95.0}, "lat")])
async def test_chart_s_refusal_names_our_field(runtime, change, field):
    async with runtime.sessions() as session:
        with pytest.raises(AppError) as refused:
            await service.compute_snapshot(runtime, session, new_user_id(), {**BIRTH, **change}, profile_id=None,
                                           as_of=AS_OF)
    assert (refused.value.status, refused.value.field) == (422, field)


async def profile_rows(runtime, owner: int) -> list:
    async with runtime.sessions() as session:
        return list((await session.execute(select(astro_profiles).where(astro_profiles.c.owner_user_id == owner)
                                           .order_by(astro_profiles.c.id))).mappings())


async def test_profiles_store_chart_s_canonical_names(runtime):
    owner = new_user_id()
    async with runtime.sessions() as session:
        for names in ({"ayanamsa": "lahiri", "house_system": "whole_sign"}, {"house_system": "W"},
                      {"ayanamsa": "kp", "house_system": "p"}):
            await service.create_profile(runtime, session, owner, {**BIRTH, **names})
        first = (await profile_rows(runtime, owner))[0]
        await service.update_profile(runtime, session, owner, first["id"], {"house_system": "a"})
    assert [(row["ayanamsa"], row["house_system"]) for row in await profile_rows(runtime, owner)] == [
        ("Lahiri", "Equal"), ("Lahiri", "WholeSign"), ("Krishnamurti", "Placidus")]


@pytest.mark.parametrize("field", ["ayanamsa", "house_system"])
async def test_an_unknown_name_is_refused_before_anything_is_written(runtime, field):
    owner = new_user_id()
    async with runtime.sessions() as session:
        with pytest.raises(AppError) as created:
            await service.create_profile(runtime, session, owner, {**BIRTH, field: "bogus"})
        assert await profile_rows(runtime, owner) == []
        profile = await service.create_profile(runtime, session, owner, BIRTH)
        with pytest.raises(AppError) as patched:
            await service.update_profile(runtime, session, owner, profile["id"], {field: "bogus", "place": "X"})
        # An unknown override is refused before the profile is looked up: for no profile, too.
        refusals = [created.value, patched.value]
        for profile_id in (profile["id"], 2**40):
            with pytest.raises(AppError) as computed:
                await service.compute(runtime, session, owner, as_of=AS_OF, profile_id=profile_id,
                                      options={field: "bogus"})
            refusals.append(computed.value)
    assert [(e.status, e.code, e.field) for e in refusals] == [(422, "VALIDATION_ERROR", field)] * 4
    assert [(row["place"], row[field]) for row in await profile_rows(runtime, owner)] == [
        (BIRTH["place"], BIRTH[field])]


async def test_profiles_are_their_owner_s_only(runtime):
    owner = new_user_id()
    async with runtime.sessions() as session:
        profile = await service.create_profile(runtime, session, owner, BIRTH)
        for call in (service.get_profile(session, new_user_id(), profile["id"]),
                     service.update_profile(runtime, session, new_user_id(), profile["id"], {"name": "X"}),
                     service.delete_profile(runtime, session, new_user_id(), profile["id"])):
            with pytest.raises(AppError) as missing:
                await call
            assert (missing.value.status, missing.value.code) == (404, "PROFILE_NOT_FOUND")
        with pytest.raises(AppError) as null:
            await service.update_profile(runtime, session, owner, profile["id"], {"tz": None})
        assert (null.value.status, null.value.field) == (422, "tz")
        assert (await service.update_profile(runtime, session, owner, profile["id"], {}))["name"] == "John Doe"


class EchoEngine:
    """An engine that says what it was given."""

    model = "echo-v0"

    def __init__(self) -> None:
        self.requests: list[PredictionRequest] = []

    def predict(self, request: PredictionRequest) -> dict[str, Any]:
        self.requests.append(request)
        return {"topic": "general", "answer": {"summary": request.question}, "confidence_overall": 0.5,
                "sensitivity_notice": None}


async def test_ask_answers_from_today_s_snapshot_through_the_engine_and_stores_it(runtime):
    owner, engine, today = new_user_id(), EchoEngine(), dt.date(2026, 2, 3)
    async with runtime.sessions() as session:
        profile = await service.create_profile(runtime, session, owner, BIRTH)
        prediction = await service.ask(runtime, session, engine, owner, profile_id=profile["id"],
                                       question="Anything?", time_horizon_months=6, snapshot_id=None, today=today)
        stored = await service.get_prediction(session, owner, prediction.row["id"])
        snapshot = await service.get_snapshot(session, owner, prediction.row["snapshot_id"])
        with pytest.raises(AppError) as missing:
            await service.ask(runtime, session, engine, owner, profile_id=profile["id"], question="Again?",
                              time_horizon_months=6, snapshot_id=2**40, today=today)
    (request,) = engine.requests
    assert (request.question, request.time_horizon_months, request.as_of) == ("Anything?", 6, today)
    assert request.snapshot == snapshot["data"] and snapshot["profile_id"] == profile["id"]
    assert (stored["llm_model"], stored["topic"], stored["result"]) == ("echo-v0", "general", prediction.result)
    assert (missing.value.status, missing.value.field) == (404, "calc_snapshot_id")
