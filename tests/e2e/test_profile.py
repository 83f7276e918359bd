"""The dating profile through the gateway on the whole stack: editing it (and the events other services
learn it from), photos (upload, the files, delete, order, every refusal) and deleting the account, which
matching and chat must honour."""
from __future__ import annotations

import asyncio
import io
import uuid

import httpx
import nats
import pytest
from PIL import Image

from devstack.processes import poll
from numeros_common.events.schemas import Envelope
from numeros_common.testing import stream_events
from services.identity.tests.test_profile_photos import png_bomb, two_colour_jpeg

from .helpers import register

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pw"


@pytest.fixture(scope="module")
def client(stack) -> httpx.Client:
    return httpx.Client(base_url=stack.gateway_url, timeout=30)


def auth(person: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {person['token']}"}


def events_of(stack, subject: str, user_id: int) -> list[Envelope]:
    async def read() -> list[Envelope]:
        connection = await nats.connect(stack.nats.url)
        try:
            return [e for e in await stream_events(connection.jetstream(), subject) if e.data["user_id"] == user_id]
        finally:
            await connection.close()

    return asyncio.run(read())


def last_event(stack, subject: str, user_id: int, condition) -> dict:
    """The newest ``subject`` event of the user once one meets ``condition`` (the relay publishes shortly
    after the answer)."""
    found = poll(lambda: events_of(stack, subject, user_id), lambda events: events and condition(events[-1].data),
                 15, f"{subject} for user {user_id}", interval=0.2)
    return found[-1].data


def field_errors(reply: httpx.Response) -> list[str]:
    return [f["field"] for f in reply.json()["error"]["fields"]]


def upload(client: httpx.Client, person: dict, data: bytes, filename: str = "photo.jpg",
           content_type: str = "image/jpeg") -> httpx.Response:
    return client.post("/api/v1/profile/photos/upload", headers=auth(person),
                       files={"file": (filename, data, content_type)})


def scan_ids(client: httpx.Client, person: dict) -> list[int]:
    seen, cursor = [], None
    while True:
        body = client.post("/api/v1/scan/", json={"limit": 50, **({"cursor": cursor} if cursor else {})},
                           headers=auth(person)).json()
        seen += [p["id"] for p in body["profiles"]]
        cursor = body.get("next_cursor")
        if not cursor:
            return seen


# --- editing -------------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_recalculates_and_announces(stack, client) -> None:
    ada = register(client, "Ada", "1990-05-15")
    user_id = ada["user"]["id"]
    assert ada["user"]["chart_level"] == 1
    reply = client.patch("/api/v1/profile/me/", headers=auth(ada), json={
        "bio": "Stargazer.", "gender": "female", "interested_in": ["male", "non_binary"],
        "location": {"latitude": 48.8566, "longitude": 2.3522}})
    assert reply.status_code == 200, reply.text
    user = reply.json()["user"]
    assert (user["bio"], user["gender"], user["interested_in"]) == ("Stargazer.", "female", ["male", "non_binary"])
    assert user["location"] == {"latitude": 48.8566, "longitude": 2.3522, "place": None}
    assert (user["display_name"], user["birth_date"], user["chart_level"]) == ("Ada", "1990-05-15", 1)
    event = last_event(stack, "identity.user.updated", user_id, lambda d: d["bio"] == "Stargazer.")
    assert (event["gender"], event["interested_in"], event["active"]) == ("female", ["male", "non_binary"], True)
    assert event["location"] == {"latitude": 48.8566, "longitude": 2.3522}
    assert event["last_active_at"] is not None

    # Birth time and place: chart is asked again (level 4 with houses), the place from the gazetteer.
    reply = client.patch("/api/v1/profile/me", headers=auth(ada), json={
        "birth_time": "14:30", "birth_place": "New York", "timezone": "America/New_York"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["user"]["chart_level"] == body["astrology"]["chart_level"] == 4
    assert body["astrology"]["birth"]["utc_datetime"] == "1990-05-15T18:30:00Z"  # EDT, UTC-4
    assert body["user"]["sun_sign"] == "Taurus" and body["user"]["rising_sign"] is not None
    assert body["user"]["bio"] == "Stargazer."  # untouched
    event = last_event(stack, "identity.user.updated", user_id, lambda d: d["chart_level"] == 4)
    assert event["rising_sign"] == body["user"]["rising_sign"] and event["sun_sign"] == "Taurus"

    # The name is what numerology reads: A1 D4 A1 -> expression 6, soul urge (A, A) 2, personality (D) 4.
    reply = client.patch("/api/v1/profile/me", headers=auth(ada), json={"display_name": "Ada"})
    numerology = reply.json()["numerology"]
    assert (numerology["expression"], numerology["soul_urge"], numerology["personality"]) == (6, 2, 4)

    # A location by name: the gazetteer's Berlin; null clears it; a new birth place drops the old zone.
    reply = client.patch("/api/v1/profile/me", headers=auth(ada), json={"location": {"place": "Berlin"}})
    location = reply.json()["user"]["location"]
    assert (round(location["latitude"], 1), round(location["longitude"], 1), location["place"]) == (
        52.5, 13.4, "Berlin")
    reply = client.patch("/api/v1/profile/me", headers=auth(ada), json={"birth_place": "Berlin"})
    assert reply.json()["user"]["timezone"] is None
    assert reply.json()["astrology"]["birth"]["timezone"] == "Europe/Berlin"
    reply = client.patch("/api/v1/profile/me", headers=auth(ada), json={"location": None, "birth_time": None})
    assert reply.json()["user"]["location"] is None and reply.json()["user"]["chart_level"] == 2
    assert client.get("/api/v1/profile/me", headers=auth(ada)).json() == reply.json()
    event = last_event(stack, "identity.user.updated", user_id, lambda d: d["chart_level"] == 2)
    assert event["location"] is None and event["display_name"] == "Ada"


@pytest.mark.parametrize(("body", "field"), [
    ({"bio": "x" * 501}, "bio"),
    ({"bio": "nul \x00 inside"}, "bio"),
    ({"gender": "other"}, "gender"),
    ({"interested_in": ["male", "male"]}, "interested_in"),
    ({"interested_in": ["robots"]}, "interested_in.0"),
    ({"display_name": None}, "display_name"),
    ({"display_name": "R2-D2"}, "display_name"),
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": None}, "birth_date"),
    ({"birth_time": "25:00"}, "birth_time"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"latitude": 1.0}, "longitude"),
    ({"birth_place": "Atlantis Under The Sea"}, "birth_place"),
    ({"location": {"latitude": 100, "longitude": 0}}, "location.latitude"),
    ({"location": {"place": "Atlantis Under The Sea"}}, "location.place"),
    ({"location": {"latitude": 1.0}}, "location"),
    ({"photos": ["nope"]}, "photos"),
    ({"is_admin": True}, "is_admin"),
])
def test_patch_validation_errors_name_the_field(client, body, field) -> None:
    person = register(client, "Val", "1991-02-03")
    reply = client.patch("/api/v1/profile/me", headers=auth(person), json=body)
    assert reply.status_code in (404, 422), reply.text
    assert field_errors(reply)[0] == field, reply.text
    assert client.get("/api/v1/profile/me", headers=auth(person)).json()["user"]["bio"] == ""


def test_an_email_only_account_publishes_registered_when_it_gains_a_profile(stack, client) -> None:
    reply = client.post("/api/v1/auth/register", json={"email": f"eo-{uuid.uuid4().hex[:8]}@example.com",
                                                       "password": PASSWORD})
    eve = reply.json()
    user_id = eve["user"]["id"]
    reply = client.patch("/api/v1/profile/me", headers=auth(eve), json={"bio": "Later."})
    assert reply.status_code == 200 and reply.json()["numerology"] is None
    reply = client.patch("/api/v1/profile/me", headers=auth(eve), json={"birth_time": "10:00"})
    assert (reply.status_code, field_errors(reply)) == (422, ["birth_date"])
    reply = client.patch("/api/v1/profile/me", headers=auth(eve), json={"birth_date": "1992-03-04"})
    assert (reply.status_code, field_errors(reply)) == (422, ["display_name"])
    reply = client.patch("/api/v1/profile/me", headers=auth(eve), json={"display_name": "Eve",
                                                                        "birth_date": "1992-03-04"})
    assert reply.status_code == 200 and reply.json()["user"]["chart_level"] == 1
    event = last_event(stack, "identity.user.registered", user_id, lambda d: True)
    assert (event["display_name"], event["birth_date"], event["bio"]) == ("Eve", "1992-03-04", "Later.")
    client.patch("/api/v1/profile/me", headers=auth(eve), json={"bio": "Now."})
    assert last_event(stack, "identity.user.updated", user_id, lambda d: True)["bio"] == "Now."
    assert len(events_of(stack, "identity.user.registered", user_id)) == 1
    other = register(client, "Finder", "1990-01-01")
    assert user_id in poll(lambda: scan_ids(client, other), lambda ids: user_id in ids, 15, "Eve in a scan",
                           interval=0.2)


# --- photos --------------------------------------------------------------------------------------------


def test_a_photo_comes_back_upright_without_exif_in_both_sizes(stack, client) -> None:
    ada = register(client, "Pia", "1990-05-15")
    reply = upload(client, ada, two_colour_jpeg(400, 200, orientation=6, gps=True))  # wide, tagged "turn right"
    assert reply.status_code == 201, reply.text
    photo = reply.json()
    assert (photo["width"], photo["height"]) == (200, 400)
    for url in (photo["url"], photo["thumbnail_url"]):
        served = client.get(url)  # no token: scan cards load them as plain image URLs
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
        image = Image.open(io.BytesIO(served.content))
        assert dict(image.getexif()) == {} and "exif" not in image.info
        assert image.height == 2 * image.width  # came in wide, tagged rotate-90: now tall
        top = image.convert("RGB").getpixel((image.width // 2, image.height // 8))
        assert top[0] > 200 and top[2] < 60  # the red left half turned to the top (clockwise)
    assert Image.open(io.BytesIO(client.get(photo["thumbnail_url"]).content)).size == (160, 320)
    me = client.get("/api/v1/profile/me", headers=auth(ada)).json()["user"]
    assert me["photos"] == [photo["url"]] and me["photo_details"] == [photo]
    event = last_event(stack, "identity.user.updated", ada["user"]["id"], lambda d: d["photos"])
    assert event["photos"] == [photo["url"]]


def test_uploads_that_are_not_acceptable_are_refused(client) -> None:
    person = register(client, "Ray", "1990-05-15")
    reply = upload(client, person, b"%PDF-1.7 this is no photo", "cv.pdf", "application/pdf")
    assert (reply.status_code, reply.json()["error"]["code"], field_errors(reply)) == (422, "INVALID_IMAGE", ["file"])
    reply = upload(client, person, png_bomb(20_000), "bomb.png", "image/png")  # 400 megapixels in < 1 MB
    assert (reply.status_code, reply.json()["error"]["code"], field_errors(reply)) == (422, "IMAGE_TOO_LARGE", ["file"])
    reply = upload(client, person, b"\xff\xd8\xff" + b"\x00" * 10_200_000)  # 10.2 MB: past the photo limit
    assert (reply.status_code, reply.json()["error"]["code"], field_errors(reply)) == (
        413, "PAYLOAD_TOO_LARGE", ["file"])
    reply = upload(client, person, b"\x00" * 12_000_000)  # past the gateway's body limit as well
    assert reply.status_code == 413
    reply = client.post("/api/v1/profile/photos/upload", headers=auth(person), json={"file": "x"})
    assert (reply.status_code, field_errors(reply)) == (422, ["file"])
    reply = client.post("/api/v1/profile/photos/upload", headers=auth(person), files={"other": ("a.jpg", b"x")})
    assert (reply.status_code, field_errors(reply)) == (422, ["file"])
    assert client.post("/api/v1/profile/photos/upload", files={"file": ("a.jpg", b"x")}).status_code == 401
    assert client.get("/api/v1/profile/me", headers=auth(person)).json()["user"]["photos"] == []


def test_six_photos_at_most_order_and_delete(stack, client) -> None:
    owner, stranger = register(client, "Six", "1990-05-15"), register(client, "Mal", "1989-01-01")
    ids = []
    for n in range(6):
        reply = upload(client, owner, two_colour_jpeg(60 + n, 40))
        assert reply.status_code == 201, reply.text
        ids.append(reply.json()["id"])
    seventh = upload(client, owner, two_colour_jpeg(50, 50))
    assert (seventh.status_code, seventh.json()["error"]["code"]) == (409, "TOO_MANY_PHOTOS")
    assert [p["id"] for p in
            client.get("/api/v1/profile/me", headers=auth(owner)).json()["user"]["photo_details"]] == ids

    order = "/api/v1/profile/photos/order"
    reply = client.put(order, headers=auth(owner), json={"photo_ids": list(reversed(ids))})
    assert reply.status_code == 200 and [p["id"] for p in reply.json()["photos"]] == list(reversed(ids))
    assert reply.json()["photos"][0]["width"] == 65
    for bad in ([*ids[:5], ids[0]], ids[:5]):
        reply = client.put(order, headers=auth(owner), json={"photo_ids": bad})
        assert (reply.status_code, field_errors(reply)) == (422, ["photo_ids"])
    # PATCH takes the order too, as the profile lists the photos (URLs).
    urls = client.get("/api/v1/profile/me", headers=auth(owner)).json()["user"]["photos"]
    reply = client.patch("/api/v1/profile/me", headers=auth(owner), json={"photos": list(reversed(urls))})
    assert reply.status_code == 200 and [p["id"] for p in reply.json()["user"]["photo_details"]] == ids
    event = last_event(stack, "identity.user.updated", owner["user"]["id"],
                       lambda d: d["photos"] == [f"/api/v1/media/photos/{i}/display" for i in ids])
    assert len(event["photos"]) == 6

    # Someone else's photo is not found, exactly like an id that does not exist.
    theirs = upload(client, stranger, two_colour_jpeg(30, 30)).json()["id"]
    unknown = "A" * 22
    for photo_id in (theirs, unknown):
        reply = client.delete(f"/api/v1/profile/photos/{photo_id}", headers=auth(owner))
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "PHOTO_NOT_FOUND"
        reply = client.put(order, headers=auth(owner), json={"photo_ids": [*ids[:5], photo_id]})
        assert (reply.status_code, reply.json()["error"]["code"]) == (404, "PHOTO_NOT_FOUND")
    first = client.delete(f"/api/v1/profile/photos/{theirs}", headers=auth(owner)).json()["error"]
    second = client.delete(f"/api/v1/profile/photos/{unknown}", headers=auth(owner)).json()["error"]
    assert {**first, "request_id": None} == {**second, "request_id": None}
    assert client.get(f"/api/v1/media/photos/{theirs}/display").status_code == 200  # still theirs, still there

    reply = client.delete(f"/api/v1/profile/photos/{ids[2]}", headers=auth(owner))
    assert reply.status_code == 204
    assert client.get(f"/api/v1/media/photos/{ids[2]}/display").status_code == 404
    assert client.get(f"/api/v1/media/photos/{ids[2]}/thumbnail").status_code == 404
    left = [p["id"] for p in client.get("/api/v1/profile/me", headers=auth(owner)).json()["user"]["photo_details"]]
    assert left == [i for i in ids if i != ids[2]]
    assert upload(client, owner, two_colour_jpeg(50, 50)).status_code == 201  # room for one again
    assert client.get("/api/v1/media/photos/../../etc/passwd/display").status_code == 404
    assert client.get(f"/api/v1/media/photos/{ids[0]}/original").status_code == 422


# --- deleting the account ------------------------------------------------------------------------------


def test_deleting_the_account_erases_the_person_everywhere(stack, client) -> None:
    ada, bob = register(client, "Ada", "1990-05-15"), register(client, "Bob", "1988-11-02")
    bob_id = bob["user"]["id"]
    photo = upload(client, bob, two_colour_jpeg(80, 60)).json()
    assert bob_id in poll(lambda: scan_ids(client, ada), lambda ids: bob_id in ids, 15, "Bob in Ada's scan",
                          interval=0.2)
    client.post("/api/v1/resonance", json={"target_user_id": bob_id, "action": "resonate"}, headers=auth(ada))
    matched = poll(lambda: client.post("/api/v1/resonance", headers=auth(bob),
                                       json={"target_user_id": ada["user"]["id"], "action": "resonate"}),
                   lambda r: r.status_code == 200, 15, "Bob's resonance", interval=0.2)
    match_id = matched.json()["match"]["id"]
    sent = poll(lambda: client.post(f"/api/v1/matches/{match_id}/messages", json={"content": "Hi Bob"},
                                    headers=auth(ada)), lambda r: r.status_code == 201, 15, "chat to know the match",
                interval=0.2)
    assert sent.status_code == 201
    messages = f"/api/v1/matches/{match_id}/messages"
    assert client.post(messages, json={"content": "Hi Ada"}, headers=auth(bob)).status_code == 201

    me = "/api/v1/profile/me"
    reply = client.request("DELETE", me, headers=auth(bob), json={"password": "not-the-password"})
    assert (reply.status_code, field_errors(reply)) == (403, ["password"])
    reply = client.request("DELETE", me, headers=auth(bob), json={"otp_code": "1234"})
    assert (reply.status_code, field_errors(reply)) == (422, ["otp_code"])  # an email account: no phone to text
    reply = client.request("DELETE", me, headers=auth(bob), json={})
    assert (reply.status_code, field_errors(reply)) == (422, ["password"])
    assert client.get(me, headers=auth(bob)).status_code == 200  # nothing happened yet

    reply = client.request("DELETE", me, headers=auth(bob), json={"password": PASSWORD})
    assert reply.status_code == 204, reply.text
    # identity: the session is over, the account and its photo files are gone.
    assert client.get("/api/v1/auth/me", headers=auth(bob)).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": bob["refresh_token"]}).status_code == 401
    assert client.post("/api/v1/auth/login",
                       json={"email": bob["user"]["email"], "password": PASSWORD}).status_code == 401
    assert client.get(photo["url"]).status_code == 404 and client.get(photo["thumbnail_url"]).status_code == 404
    assert events_of(stack, "identity.user.deleted", bob_id)
    assert last_event(stack, "identity.session.revoked", bob_id, lambda d: True)["reason"] == "deleted"
    # matching: out of every scan, the match ended; chat: the conversation is closed.
    poll(lambda: scan_ids(client, ada), lambda ids: bob_id not in ids, 15, "Bob gone from Ada's scan", interval=0.2)
    poll(lambda: client.get("/api/v1/matches", headers=auth(ada)).json()["matches"], lambda m: m == [], 15,
         "the match ended", interval=0.2)
    assert client.get(f"/api/v1/matches/{match_id}", headers=auth(ada)).status_code == 404
    # chat erased Bob's messages and ended the conversation: reading and writing answer as for no match at all.
    history = poll(lambda: client.get(messages, headers=auth(ada)), lambda r: r.status_code != 200, 15,
                   "chat to erase the conversation", interval=0.2)
    assert (history.status_code, history.json()["error"]["code"]) == (404, "MATCH_NOT_FOUND")
    closed = client.post(messages, json={"content": "Bob?"}, headers=auth(ada))
    assert (closed.status_code, closed.json()["error"]["code"]) == (404, "MATCH_NOT_FOUND")
    reply = client.post("/api/v1/resonance", json={"target_user_id": bob_id, "action": "resonate"}, headers=auth(ada))
    assert reply.status_code == 404
