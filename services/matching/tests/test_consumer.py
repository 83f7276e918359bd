"""The profiles read model fed by identity.user.* events through the durable, idempotent consumer."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from numeros_common.events.schemas import Envelope
from services.matching.database import inbox, outbox
from services.matching.profiles.consumers import PROFILE_CONSUMER

from .conftest import Harness, born_aged, new_user_id


@pytest.mark.asyncio
async def test_registered_event_creates_the_profile(harness: Harness) -> None:
    user_id = new_user_id()
    envelope = harness.registered(user_id, display_name="Nova", birth_date=dt.date(1990, 5, 17),
                                  photos=["https://img.example/n1.jpg", "https://img.example/n2.jpg"])
    await harness.publish(envelope)
    row = await harness.wait_profile(user_id)
    assert row["display_name"] == "Nova"
    assert row["birth_date"] == dt.date(1990, 5, 17)
    assert row["photos"] == ["https://img.example/n1.jpg", "https://img.example/n2.jpg"]
    assert row["numerology"] == {"life_path": 7, "expression": 3, "soul_urge": 11, "personality": 1}
    assert row["updated_at"] == envelope.occurred_at
    assert row["deleted_at"] is None


@pytest.mark.asyncio
async def test_same_event_twice_applies_once(harness: Harness) -> None:
    user_id = new_user_id()
    original = harness.registered(user_id, display_name="Once")
    await harness.publish(original)
    # The same event id again (a new Nats-Msg-Id gets it past JetStream's de-duplication), this time with
    # content that would visibly win if it were applied: a later timestamp and another name.
    replay = original.model_copy(update={"occurred_at": original.occurred_at + dt.timedelta(minutes=5),
                                         "data": {**original.data, "display_name": "Twice"}})
    await harness.publish(replay, msg_id=str(uuid.uuid4()))
    # A later event on the same subject: once it is applied, both copies above have been handled.
    sentinel = new_user_id()
    await harness.publish(harness.registered(sentinel))
    await harness.wait_profile(sentinel)
    row = await harness.wait_profile(user_id)
    assert row["display_name"] == "Once"
    assert row["updated_at"] == original.occurred_at
    assert await harness.count(inbox, inbox.c.consumer == PROFILE_CONSUMER, inbox.c.event_id == original.id) == 1


@pytest.mark.asyncio
async def test_updates_apply_in_time_order(harness: Harness) -> None:
    user_id = new_user_id()
    t0 = dt.datetime.now(dt.UTC)
    await harness.publish(harness.registered(user_id, display_name="First", occurred_at=t0))
    await harness.wait_profile(user_id)
    await harness.publish(harness.registered(user_id, display_name="Newest", birth_date=born_aged(44),
                                             occurred_at=t0 + dt.timedelta(seconds=10), update=True))
    await harness.wait_profile(user_id, lambda row: row["display_name"] == "Newest")
    # An update that happened earlier, arriving late, must not overwrite the newer state.
    await harness.publish(harness.registered(user_id, display_name="Stale", occurred_at=t0 + dt.timedelta(seconds=5),
                                             update=True))
    sentinel = new_user_id()
    await harness.publish(harness.registered(sentinel, update=True))
    await harness.wait_profile(sentinel)
    row = await harness.profile(user_id)
    assert row["display_name"] == "Newest"
    assert row["updated_at"] == t0 + dt.timedelta(seconds=10)


@pytest.mark.asyncio
async def test_deletion_hides_the_user_and_removes_their_matches(harness: Harness) -> None:
    removed_events: list[Envelope] = []

    async def collect(msg) -> None:
        removed_events.append(Envelope.model_validate_json(msg.data))

    sub = await harness.nc.subscribe("matching.match.removed", cb=collect)
    try:
        leaving, friend, other_friend, bystander = await harness.register_many(4)
        match_ids = []
        for partner in (friend, other_friend):
            await harness.resonate(leaving, partner)
            match_ids.append((await harness.resonate(partner, leaving)).json()["match"]["id"])
        await harness.resonate(friend, other_friend)
        kept = (await harness.resonate(other_friend, friend)).json()["match"]["id"]

        deletion = harness.deleted(leaving)
        await harness.publish(deletion)
        row = await harness.wait_profile(leaving, lambda r: r["deleted_at"] is not None)
        assert row["deleted_at"] == deletion.occurred_at

        mine = [e for e in removed_events if leaving in e.data["user_ids"]]
        await harness.wait_for(lambda: _done(len([e for e in removed_events if leaving in e.data["user_ids"]]) == 2),
                               "matching.match.removed events")
        mine = [e for e in removed_events if leaving in e.data["user_ids"]]
        assert sorted(e.data["match_id"] for e in mine) == sorted(match_ids)
        assert all(e.data["reason"] == "user_deleted" and e.producer == "matching" for e in mine)
        assert await harness.count(outbox, outbox.c.subject == "matching.match.removed",
                                   outbox.c.envelope["data"]["match_id"].as_integer().in_(match_ids)) == 2

        listed = (await harness.client.get("/api/v1/matches", headers=harness.auth(friend))).json()["matches"]
        assert [m["id"] for m in listed] == [kept]
        reply = await harness.client.get(f"/api/v1/matches/{match_ids[0]}", headers=harness.auth(friend))
        assert reply.status_code == 404
        assert leaving not in [p["id"] for p in await harness.scan_all(bystander)]
        reply = await harness.resonate(bystander, leaving)
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "USER_NOT_FOUND"

        # A registration that arrives after the deletion (out of order) does not bring the user back.
        await harness.publish(harness.registered(leaving, display_name="Ghost", update=True))
        sentinel = new_user_id()
        await harness.publish(harness.registered(sentinel, update=True))
        await harness.wait_profile(sentinel)
        assert (await harness.profile(leaving))["deleted_at"] is not None
    finally:
        await sub.unsubscribe()


@pytest.mark.asyncio
async def test_deletion_before_registration_leaves_a_tombstone(harness: Harness) -> None:
    user_id = new_user_id()
    deleted_at = dt.datetime.now(dt.UTC)
    deletion = harness.deleted(user_id)
    deletion.occurred_at = deleted_at
    await harness.publish(deletion)
    await harness.wait_profile(user_id, lambda r: r["deleted_at"] is not None)
    await harness.publish(harness.registered(user_id, display_name="Late",
                                             occurred_at=deleted_at - dt.timedelta(seconds=1)))
    sentinel = new_user_id()
    await harness.publish(harness.registered(sentinel))
    await harness.wait_profile(sentinel)
    row = await harness.profile(user_id)
    assert row["deleted_at"] == deleted_at
    assert user_id not in [p["id"] for p in await harness.scan_all(sentinel)]


async def _done(value: bool) -> bool:
    return value


NATAL = {"chart_level": 4, "sun_sign": "Taurus", "moon_sign": "Scorpio", "rising_sign": "Leo",
         "key_longitudes": {"sun": 56.2, "moon": 221.75, "mercury": 40.5, "venus": 20.0, "mars": 300.125}}


@pytest.mark.asyncio
async def test_natal_summary_is_stored(harness: Harness) -> None:
    user_id = new_user_id()
    await harness.publish(harness.registered(user_id, natal=NATAL))
    row = await harness.wait_profile(user_id)
    assert {k: row[k] for k in NATAL} == NATAL
    # A later update with less of a chart (birth time removed) applies, explicit nulls included.
    lowered = {"chart_level": 2, "sun_sign": "Taurus", "moon_sign": None, "rising_sign": None,
               "key_longitudes": {**NATAL["key_longitudes"], "moon": 215.0}}
    await harness.publish(harness.registered(user_id, update=True, natal=lowered))
    row = await harness.wait_profile(user_id, lambda r: r["chart_level"] == 2)
    assert {k: row[k] for k in NATAL} == lowered


def _without_natal(envelope: Envelope) -> Envelope:
    """The event as identity sent it before the natal summary existed."""
    data = {k: v for k, v in envelope.data.items()
            if k not in ("chart_level", "sun_sign", "moon_sign", "rising_sign", "key_longitudes")}
    return envelope.model_copy(update={"data": data})


@pytest.mark.asyncio
async def test_events_without_the_natal_summary(harness: Harness) -> None:
    # A new user from an older producer: the defaults (level 1, no chart).
    fresh = new_user_id()
    await harness.publish(_without_natal(harness.registered(fresh)))
    row = await harness.wait_profile(fresh)
    assert (row["chart_level"], row["sun_sign"], row["moon_sign"], row["rising_sign"], row["key_longitudes"]) == (
        1, None, None, None, None)
    # An update from an older producer changes what it carries and leaves the chart alone.
    charted = new_user_id()
    await harness.publish(harness.registered(charted, natal=NATAL))
    await harness.wait_profile(charted)
    await harness.publish(_without_natal(harness.registered(charted, display_name="Renamed", update=True)))
    row = await harness.wait_profile(charted, lambda r: r["display_name"] == "Renamed")
    assert {k: row[k] for k in NATAL} == NATAL
