"""Golden record of the public API, through the gateway, on the whole stack as ``make run`` starts it.

A fixed sequence of requests covers every public endpoint with valid and invalid input (missing field, wrong
type, out of range, unknown id, someone else's id, no or a bad token). Each exchange is kept as the request,
the status, a few stable headers and the JSON body, with what varies between runs normalised:

* ids become ``<user1>``, ``<profile2>``, ``<match1>`` ... per kind, numbered in order of first appearance,
  so relations between bodies are kept (the same user is the same label everywhere, also inside paths);
* datetimes within days of the run (``created_at``, ``calc_timestamp``, ``calculated_at`` ...) become
  ``<now>``, a date-only today becomes ``<today>``; calculated datetimes (birth, design time) are far from
  now and are kept;
* tokens, request ids, scan cursors, readiness latencies and ``Retry-After`` seconds of a 429 are replaced;
  the methods in ``Allow`` are sorted (Starlette lists a set, in hash order);
* an ``age`` is replaced by ``<age ok>`` when it is the age, today, of the person's known birth date;
* answers for "today" are compared with the answer for today's date given explicitly, in the same run.

Calculation results are kept as they are: they are the point.

``NUMEROS_GOLDEN_RECORD=1`` writes ``golden/api_responses.json``; otherwise the run is compared with that file
and every exchange that differs is listed with a diff (this run's whole record is left beside the stack's data,
its path in the failure message)::

    python -m pytest -q tests/e2e/test_api_golden.py                           # compare
    NUMEROS_GOLDEN_RECORD=1 python -m pytest -q tests/e2e/test_api_golden.py   # record again
"""
from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import io
import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from PIL import Image

from devstack.processes import poll
from devstack.stack import HIGH_RATE_LIMITS

from services.identity.tests.test_profile_photos import png_bomb, two_colour_jpeg

from .conftest import running_stack
from .helpers import mailed_reset_token, sent_code

pytestmark = pytest.mark.e2e

GOLDEN = Path(__file__).parent / "golden" / "api_responses.json"
RECORD = os.environ.get("NUMEROS_GOLDEN_RECORD") == "1"
KEPT_HEADERS = ("content-type", "retry-after", "allow", "x-ratelimit-limit")
# Limits out of the way (far above what the sequence sends, so no request waits and none is refused), except
# astro-mvp's 10 predictions a minute, which the sequence exceeds on purpose once.
STACK_ENV = {**HIGH_RATE_LIMITS, "NUMEROS_RATE_LIMIT_ASTRO_PREDICT": "10/minute",
             "NUMEROS_EDGE_RATE_AVERAGE": "1000000", "NUMEROS_EDGE_RATE_BURST": "1000000"}
PASSWORD = "long-enough-pw"
AS_OF = "2024-06-01"            # every date-dependent calculation is asked for this day
UNKNOWN = 987654321             # an id that exists nowhere; kept literally in the record
UNKNOWN_PHOTO = "A" * 22        # a photo id that exists nowhere
NOT_SENT = object()

# --- normalisation -----------------------------------------------------------------------------------

ID_KEYS = {"user_id": "user", "sender_id": "user", "target_user_id": "user", "user_ids": "user",
           "reporter_id": "user", "reviewed_by": "user",
           "match_id": "match", "profile_id": "profile", "calc_snapshot_id": "snapshot", "snapshot_id": "snapshot",
           "prediction_id": "prediction", "next_before": "message", "numerology_profile_id": "numprofile",
           "next_after": "message", "up_to_message_id": "message", "reader_id": "user",
           "last_message_id": "message", "previous_id": "message"}
ID_PARENTS = {"user": "user", "other_user": "user", "match": "match", "matches": "match", "messages": "message",
              "message": "message", "leads": "lead", "last_message": "message", "reported_user": "user",
              "reports": "report"}
TOP_LEVEL_IDS = ((r"/numerology/profiles/[^/]+/name-trials", "trial"), (r"/numerology/profiles", "numprofile"),
                 (r"/auth/me", "user"), (r"/auth/profile", "user"), (r"/admin/leads/", "lead"),
                 (r"/admin/users/", "user"), (r"/astro/profiles", "profile"),
                 (r"/astro/compute/", "snapshot"), (r"/astro/predict/", "prediction"),
                 (r"/matches/[^/]+/messages", "message"), (r"/matches/", "match"), (r"/devices", "device"),
                 (r"/reports", "report"))
IDS_IN_TEXT = ((re.compile(r"(/astro/profiles/)(\d+)"), "profile"), (re.compile(r"(/astro/compute/)(\d+)"), "snapshot"),
               (re.compile(r"(/astro/predict/)(\d+)"), "prediction"), (re.compile(r"(/matches/)(\d+)"), "match"),
               (re.compile(r"(/admin/cache/reset/)(\d+)"), "profile"),
               (re.compile(r"(/admin/users/)(\d+)"), "user"), (re.compile(r"(/admin/leads/)(\d+)"), "lead"),
               (re.compile(r"(/ws/chat/)(\d+)"), "match"),
               (re.compile(r"(/admin/reports/)(\d+)"), "report"), (re.compile(r"(/blocks/)(\d+)"), "user"),
               (re.compile(r"(for profile )(\d+)"), "profile"),
               (re.compile(r"(/numerology/profiles/)(\d+)"), "numprofile"),
               (re.compile(r"(/name-trials/)(\d+)"), "trial"),
               (re.compile(r"(/devices/)(\d+)"), "device"), (re.compile(r"(after=)(\d+)"), "message"))
# Photo ids are random strings (22 URL-safe characters), in paths, URLs and bodies.
PHOTO_IN_TEXT = re.compile(r"(/photos/)([A-Za-z0-9_-]{22})(?=/|$)")
PHOTO_ID_PARENTS = {"photo_details", "photos", "photo_ids"}
TOKEN_KEYS = {"token", "refresh_token", "access_token", "ticket", "public_key"}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Normaliser:
    def __init__(self, birth_dates: dict[str, str]) -> None:
        self.labels: dict[tuple[str, int], str] = {}
        self.counts: Counter[str] = Counter()
        self.birth_dates = birth_dates  # display name -> YYYY-MM-DD, for ages

    def label(self, kind: str, value: int | str) -> int | str:
        if value == UNKNOWN:
            return value
        if (kind, value) not in self.labels:
            self.counts[kind] += 1
            self.labels[kind, value] = f"<{kind}{self.counts[kind]}>"
        return self.labels[kind, value]

    def text(self, value: str) -> str:
        if DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
                if abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(days=3):
                    return "<now>"
        if DATE.match(value):
            try:
                if abs(dt.date.fromisoformat(value) - dt.datetime.now(dt.UTC).date()) <= dt.timedelta(days=1):
                    return "<today>"
            except ValueError:
                pass
        for pattern, kind in IDS_IN_TEXT:
            value = pattern.sub(lambda m, k=kind: m.group(1) + str(self.label(k, int(m.group(2)))), value)
        return PHOTO_IN_TEXT.sub(lambda m: m.group(1) + self.photo(m.group(2)), value)

    def photo(self, value: str) -> str:
        return value if value == UNKNOWN_PHOTO else str(self.label("photo", value))

    def _id_kind(self, key: str, where: str | None, owner: dict, endpoint: str) -> str | None:
        if key != "id":
            return ID_KEYS.get(key)
        if where in ID_PARENTS:
            return ID_PARENTS[where]
        if where == "history":
            return {"calc_snapshot": "snapshot", "prediction": "prediction"}.get(owner.get("type"))
        if where == "profiles":
            return "user" if "/scan" in endpoint else "profile" if "/astro" in endpoint else None
        if where is None:
            return next((kind for pattern, kind in TOP_LEVEL_IDS if re.search(pattern, endpoint)), None)
        return None

    def value(self, value: Any, endpoint: str, where: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self._field(k, v, value, endpoint, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item, endpoint, where) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _field(self, key: str, value: Any, owner: dict, endpoint: str, where: str | None) -> Any:
        kind = self._id_kind(key, where, owner, endpoint)
        if kind is not None:
            if isinstance(value, bool):
                return value
            if isinstance(value, int):
                return self.label(kind, value)
            if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return [self.label(kind, v) for v in value]
        if key in TOKEN_KEYS and isinstance(value, str):
            return "<token>"
        photo_id = key == "id" and (where in PHOTO_ID_PARENTS or where is None and endpoint.endswith("/photos/upload"))
        if (photo_id or key == "photo_ids") and value:
            return self.photo(value) if isinstance(value, str) else [self.photo(v) for v in value]
        if key == "otp_code" and isinstance(value, str) and re.fullmatch(r"\d{4}", value):
            return "<code>"  # a random code each run (read from the identity log)
        if key == "request_id" and value is not None:
            return "<request-id>"
        if key == "latency_ms":
            return "<ms>"
        if key == "timestamp" and isinstance(value, float):  # health bodies: epoch seconds of the run
            return "<now>" if abs(value - time.time()) < 3 * 86400 else value
        if key == "next_cursor" and isinstance(value, str):
            return "<cursor>"
        if key == "age" and isinstance(value, int) and owner.get("display_name") in self.birth_dates:
            born = dt.date.fromisoformat(self.birth_dates[owner["display_name"]])
            return "<age ok>" if value == age_on(born, dt.datetime.now(dt.UTC).date()) else value
        return self.value(value, endpoint, key)


# --- the recorder ------------------------------------------------------------------------------------


class Api:
    """Sends requests through the gateway and keeps each named exchange, normalised, in order."""

    def __init__(self, base_url: str, normaliser: Normaliser) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.norm = normaliser
        self.tokens: dict[str, str] = {}
        self.exchanges: list[dict[str, Any]] = []
        self.sent = 0

    def call(self, name: str | None, method: str, path: str, *, user: str | None = None, token: str | None = None,
             json_body: Any = NOT_SENT, content: str | None = None, params: dict[str, Any] | None = None,
             scheme: str = "Bearer", files: dict[str, tuple[str, bytes, str]] | None = None) -> httpx.Response:
        headers: dict[str, str] = {}
        auth = "none"
        if user is not None:
            headers["Authorization"] = f"{scheme} {self.tokens[user]}"
            auth = user if scheme == "Bearer" else f"{user} ({scheme} scheme)"
        elif token is not None:
            headers["Authorization"] = f"{scheme} {token}"
            auth = "invalid token"
        kwargs: dict[str, Any] = {"headers": headers, "params": params}
        if json_body is not NOT_SENT:
            kwargs["json"] = json_body
        if content is not None:
            kwargs["content"] = content
            headers["Content-Type"] = "application/json"
        if files is not None:
            kwargs["files"] = files
        self.sent += 1
        reply = self.client.request(method, path, **kwargs)
        if name is not None:
            self.keep(name, method, path, auth, params, json_body, content, reply, files)
        return reply

    def keep(self, name: str, method: str, path: str, auth: str, params: dict[str, Any] | None, json_body: Any,
             content: str | None, reply: httpx.Response,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> None:
        assert name not in {e["name"] for e in self.exchanges}, f"exchange name used twice: {name}"
        request: dict[str, Any] = {"method": method, "path": self.norm.text(path), "auth": auth}
        if params:
            request["query"] = self.norm.value(params, path)
        if json_body is not NOT_SENT:
            request["body"] = self.norm.value(json_body, path)
        if content is not None:
            request["raw_body"] = content
        if files is not None:  # the parts as sent, the bytes by their size
            request["files"] = {part: {"filename": filename, "content_type": kind, "bytes": len(data)}
                                for part, (filename, data, kind) in files.items()}
        headers = {h: reply.headers[h] for h in KEPT_HEADERS if h in reply.headers}
        if reply.status_code == 429 and "retry-after" in headers:
            headers["retry-after"] = "<seconds>"
        if "allow" in headers:  # a set of methods: Starlette lists them in hash order
            headers["allow"] = ", ".join(sorted(m.strip() for m in headers["allow"].split(",")))
        try:
            body = self.norm.value(reply.json(), path) if reply.content else None
        except ValueError:
            body = reply.text
        self.exchanges.append({"name": name, "request": request,
                               "response": {"status": reply.status_code, "headers": headers, "body": body}})

    def note(self, name: str, what: dict[str, Any]) -> None:
        """An exchange that is not one request (a comparison made in this run, WebSocket frames)."""
        assert name not in {e["name"] for e in self.exchanges}, f"exchange name used twice: {name}"
        self.exchanges.append({"name": name, **what})


# --- the sequence ------------------------------------------------------------------------------------

PEOPLE = {  # key -> registration body; fixed emails: every run starts on an empty database
    "ada": {"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada Lovelace",
            "birth_date": "1990-05-15", "birth_time": "14:30", "birth_place": "New York, USA",
            "latitude": 40.7128, "longitude": -74.006, "timezone": "America/New_York"},
    "bob": {"email": "bob@example.com", "password": PASSWORD, "display_name": "Bob Builder",
            "birth_date": "1988-11-02"},
    "cy": {"email": "cy@example.com", "password": PASSWORD, "display_name": "Cy Admin", "birth_date": "1975-03-03",
           "birth_place": "Berlin"},
    "dee": {"email": "dee@example.com", "password": PASSWORD, "display_name": "Dee Other", "birth_date": "1995-07-20",
            "birth_time": "06:15"},
    "rae": {"email": "rae@example.com", "password": PASSWORD, "display_name": "Rae Limit", "birth_date": "2000-01-01",
            "latitude": -33.8688, "longitude": 151.2093},
}
BIRTH_DATES = {p["display_name"]: p["birth_date"] for p in PEOPLE.values()}


def system_and_gateway(api: Api) -> None:
    api.call("healthz", "GET", "/healthz")
    api.call("readyz", "GET", "/readyz")
    api.call("admin/healthz", "GET", "/api/v1/admin/healthz")
    api.call("admin/readyz", "GET", "/api/v1/admin/readyz")
    for family in ("numerology", "astro", "human-design", "admin"):
        api.call(f"{family}: unknown path (the family's dialect)", "GET", f"/api/v1/{family}/nothing-here")
    api.call("gateway: unknown path", "GET", "/api/v1/nothing-here")
    api.call("gateway: /scanner is not /scan", "POST", "/api/v1/scanner", json_body={})


def profile_calculate(api: Api) -> None:
    url = "/api/v1/profile/calculate"
    base = {"name": "Ada Lovelace", "birth_date": "1990-05-15"}
    full = {**base, "birth_time": "14:30", "latitude": 40.7128, "longitude": -74.006, "timezone": "America/New_York"}
    cases = {
        "date only (level 1)": base,
        "date + place coordinates (level 2)": {**base, "latitude": 51.5074, "longitude": -0.1278},
        "date + time (level 3)": {**base, "birth_time": "14:30"},
        "full (level 4)": full,
        "trailing slash": None,
        "house system whole_sign": {**full, "house_system": "whole_sign"},
        "house system koch": {**full, "house_system": "koch"},
        "house system equal": {**full, "house_system": "equal"},
        "house system letter P": {**full, "house_system": "P"},
        "house system letter W": {**full, "house_system": "W"},
        "house system letter A": {**full, "house_system": "A"},
        "house system letter E": {**full, "house_system": "E"},
        "house system letter O": {**full, "house_system": "O"},
        "house system unknown": {**full, "house_system": "zodiacal-blender"},
        "polar latitude 78N placidus": {**base, "birth_time": "12:00", "latitude": 78.2232, "longitude": 15.6267,
                                        "timezone": "Arctic/Longyearbyen"},
        "polar latitude 78N whole_sign": {**base, "birth_time": "12:00", "latitude": 78.2232, "longitude": 15.6267,
                                          "timezone": "Arctic/Longyearbyen", "house_system": "whole_sign"},
        "polar latitude 89.9S": {**base, "birth_time": "03:00", "latitude": -89.9, "longitude": 0.0,
                                 "timezone": "Antarctica/McMurdo"},
        "DST gap 2021-03-14 02:30 New York": {**base, "birth_date": "2021-03-14", "birth_time": "02:30",
                                              "latitude": 40.7128, "longitude": -74.006,
                                              "timezone": "America/New_York"},
        "DST overlap 2021-11-07 01:30 New York": {**base, "birth_date": "2021-11-07", "birth_time": "01:30",
                                                  "latitude": 40.7128, "longitude": -74.006,
                                                  "timezone": "America/New_York"},
        "DST gap 2021-03-28 02:30 Berlin by place": {**base, "birth_date": "2021-03-28", "birth_time": "02:30",
                                                     "birth_place": "Berlin"},
        "place alone found": {**base, "birth_time": "09:00", "birth_place": "Berlin"},
        "place alone ambiguous": {**base, "birth_place": "Springfield"},
        "place alone unknown": {**base, "birth_place": "Atlantis Under The Sea"},
        "place + timezone": {**base, "birth_time": "09:00", "birth_place": "Paris", "timezone": "Europe/Paris"},
        "place as label with coordinates": {**base, "birth_place": "Nowhere Special", "latitude": 10.0,
                                            "longitude": 10.0},
        "missing name": {"birth_date": "1990-05-15"},
        "missing birth_date": {"name": "Ada"},
        "wrong type birth_date": {"name": "Ada", "birth_date": 19900515},
        "wrong type latitude": {**base, "latitude": "north", "longitude": 1.0},
        "latitude out of range": {**base, "latitude": 91, "longitude": 0},
        "latitude without longitude": {**base, "latitude": 10.0},
        "birth_time with offset": {**base, "birth_time": "10:00+02:00"},
        "birth_time invalid": {**base, "birth_time": "25:61"},
        "birth_date in year 1": {**base, "birth_date": "0001-01-01"},
        "birth_date after 3000-12-31": {**base, "birth_date": "3001-01-01"},
        "unknown timezone": {**base, "birth_time": "10:00", "timezone": "Mars/Olympus_Mons"},
        "name too long": {**base, "name": "A" * 101},
        "empty name": {**base, "name": "   "},
    }
    for label, body in cases.items():
        if body is None:
            api.call(f"profile/calculate: {label}", "POST", url + "/", json_body=base)
        else:
            api.call(f"profile/calculate: {label}", "POST", url, json_body=body)
    api.call("profile/calculate: malformed JSON", "POST", url, content='{"name": "Ada",')
    api.call("profile/calculate: body is a list", "POST", url, json_body=[base])
    api.call("profile/calculate: GET not allowed", "GET", url)


def auth_register_login(api: Api) -> None:
    url = "/api/v1/auth/register"
    for key, body in PEOPLE.items():
        reply = api.call(f"auth/register: {key}", "POST", url + ("/" if key == "bob" else ""), json_body=body)
        assert reply.status_code == 201, reply.text
        api.tokens[key] = reply.json()["token"]
        api.tokens[key + ":refresh"] = reply.json()["refresh_token"]
    ada = PEOPLE["ada"]
    api.call("auth/register: email taken", "POST", url, json_body={**ada, "display_name": "Ada Again"})
    api.call("auth/register: email taken, other case", "POST", url, json_body={**ada, "email": "ADA@example.com"})
    api.call("auth/register: invalid email", "POST", url, json_body={**ada, "email": "not-an-email"})
    api.call("auth/register: short password", "POST", url, json_body={**ada, "email": "x1@example.com",
                                                                       "password": "short"})
    api.call("auth/register: missing display_name", "POST", url,
             json_body={"email": "x2@example.com", "password": PASSWORD, "birth_date": "1990-01-01"})
    api.call("auth/register: future birth_date", "POST", url,
             json_body={**PEOPLE["bob"], "email": "x3@example.com", "birth_date": "2999-01-01"})
    api.call("auth/register: birth_date after 3000-12-31", "POST", url,
             json_body={**PEOPLE["bob"], "email": "x4@example.com", "birth_date": "3001-01-01"})
    api.call("auth/register: unknown field", "POST", url,
             json_body={**PEOPLE["bob"], "email": "x5@example.com", "is_admin": True})
    api.call("auth/register: unknown birth_place alone", "POST", url,
             json_body={**PEOPLE["bob"], "email": "x6@example.com", "birth_place": "Atlantis Under The Sea"})
    api.call("auth/register: wrong type display_name", "POST", url,
             json_body={**PEOPLE["bob"], "email": "x7@example.com", "display_name": 42})
    api.call("auth/register: empty body", "POST", url, json_body={})
    # astro-mvp's workflow, step 1: email and password alone (no profile yet)
    seed = {"email": "eve@example.com", "password": "SecurePass123"}
    reply = api.call("auth/register: email and password alone (astro-mvp)", "POST", url, json_body=seed)
    api.tokens["eve"] = reply.json()["access_token"]
    api.call("auth/register: birth_time without birth_date", "POST", url,
             json_body={"email": "x8@example.com", "password": PASSWORD, "birth_time": "10:00"})
    api.call("auth/login: eve (astro-mvp)", "POST", "/api/v1/auth/login", json_body=seed)
    api.call("auth/me: eve without a profile", "GET", "/api/v1/auth/me", user="eve")
    api.call("forecast: eve without birth data (universal)", "GET", f"/api/v1/forecast/{AS_OF}", user="eve")

    login = "/api/v1/auth/login"
    reply = api.call("auth/login: ada", "POST", login, json_body={"email": "ada@example.com", "password": PASSWORD})
    api.tokens["ada:second"] = reply.json()["token"]
    api.call("auth/login: email with spaces and capitals", "POST", login,
             json_body={"email": "  Bob@Example.com ", "password": PASSWORD})
    api.call("auth/login: wrong password", "POST", login,
             json_body={"email": "ada@example.com", "password": "wrong-pw"})
    api.call("auth/login: unknown email", "POST", login,
             json_body={"email": "nobody@example.com", "password": PASSWORD})
    api.call("auth/login: missing password", "POST", login, json_body={"email": "ada@example.com"})
    api.call("auth/login: invalid email", "POST", login, json_body={"email": "ada", "password": PASSWORD})
    api.call("auth/login: GET not allowed", "GET", login)

    refresh = "/api/v1/auth/refresh"
    old = api.tokens.pop("dee:refresh")
    reply = api.call("auth/refresh: dee", "POST", refresh, json_body={"refresh_token": old})
    api.tokens["dee"] = reply.json()["token"]
    retried = api.call("auth/refresh: the same refresh token again at once (a retry after a lost reply)", "POST",
                       refresh, json_body={"refresh_token": old})
    assert retried.json()["refresh_token"] == reply.json()["refresh_token"]  # the token the lost reply carried
    api.call("auth/refresh: dee's new refresh token", "POST", refresh,
             json_body={"refresh_token": reply.json()["refresh_token"]})
    api.call("auth/refresh: dee's first refresh token, two rotations back", "POST", refresh,
             json_body={"refresh_token": old})
    # That replay ended dee's session (reuse detection): dee signs in again for what follows.
    api.tokens["dee"] = api.call(None, "POST", "/api/v1/auth/login",
                                 json_body={"email": PEOPLE["dee"]["email"], "password": PASSWORD}).json()["token"]
    api.call("auth/refresh: unknown token", "POST", refresh, json_body={"refresh_token": "x" * 40})
    api.call("auth/refresh: too short", "POST", refresh, json_body={"refresh_token": "abc"})
    api.call("auth/refresh: missing", "POST", refresh, json_body={})

    for path in ("/api/v1/auth/me", "/api/v1/profile/me"):
        what = path.split("/api/v1/")[1]
        api.call(f"{what}: ada", "GET", path, user="ada")
        api.call(f"{what}: cy (place from gazetteer)", "GET", path, user="cy")
        api.call(f"{what}: no token", "GET", path)
        api.call(f"{what}: invalid token", "GET", path, token="not.a.jwt")
    api.call("auth/me: Token scheme", "GET", "/api/v1/auth/me", user="bob", scheme="Token")
    api.call("auth/me: unknown scheme", "GET", "/api/v1/auth/me", user="bob", scheme="Basic")
    api.call("auth/me: trailing slash", "GET", "/api/v1/auth/me/", user="rae")


def auth_logout(api: Api) -> None:
    api.call("auth/logout: no token", "POST", "/api/v1/auth/logout")
    api.call("auth/logout: ada's second session", "POST", "/api/v1/auth/logout", user="ada:second")
    api.call("auth/me: after logout", "GET", "/api/v1/auth/me", user="ada:second")
    api.call("auth/logout: again", "POST", "/api/v1/auth/logout", user="ada:second")
    api.call("auth/me: ada's first session still works", "GET", "/api/v1/auth/me", user="ada")


def numerology(api: Api) -> None:
    url = "/api/v1/numerology/calculate"
    body = {"full_name": "Ada King Lovelace", "birth_date": "1990-05-15", "as_of": AS_OF}
    for system in ("western", "vedic", "chaldean", "both"):
        api.call(f"numerology/calculate: {system}", "POST", url, user="bob", json_body={**body, "system": system})
    api.call("numerology/calculate: default system, y always", "POST", url, user="bob",
             json_body={**body, "full_name": "Yvonne Lyndsey", "y_as_vowel": "always"})
    api.call("numerology/calculate: y never", "POST", url, user="bob",
             json_body={**body, "full_name": "Yvonne Lyndsey", "y_as_vowel": "never"})
    api.call("numerology/calculate: seed's extra fields", "POST", url, user="bob",
             json_body={**body, "common_name": "Ada", "name_at_birth": "Augusta Ada Byron",
                        "profile_id": "6f1c2a54-1a7e-4f8e-9a55-3d6f3f1a2b3c"})
    api.call("numerology/calculate: no token", "POST", url, json_body=body)
    api.call("numerology/calculate: missing full_name", "POST", url, user="bob", json_body={"birth_date": "1990-05-15"})
    api.call("numerology/calculate: unknown system", "POST", url, user="bob", json_body={**body, "system": "mayan"})
    api.call("numerology/calculate: bad birth_date", "POST", url, user="bob",
             json_body={**body, "birth_date": "15/05/1990"})
    api.call("numerology/calculate: bad y_as_vowel", "POST", url, user="bob",
             json_body={**body, "y_as_vowel": "sometimes"})
    api.call("numerology/calculate: name without letters", "POST", url, user="bob",
             json_body={**body, "full_name": "12345"})
    api.call("numerology/calculate: birth_date after 3000-12-31", "POST", url, user="bob",
             json_body={**body, "birth_date": "3001-01-01"})

    url = "/api/v1/numerology/compare"
    names = ["Ada Lovelace", "Ada King", "Augusta Ada Byron"]
    for system in ("western", "vedic", "chaldean"):
        api.call(f"numerology/compare: {system}", "POST", url, user="bob",
                 json_body={"names": names, "birth_date": "1990-05-15", "system": system})
    api.call("numerology/compare: one name", "POST", url, user="bob",
             json_body={"names": ["Ada"], "birth_date": "1990-05-15", "system": "western"})
    api.call("numerology/compare: six names", "POST", url, user="bob",
             json_body={"names": ["A", "B", "C", "D", "E", "F"], "birth_date": "1990-05-15", "system": "western"})
    api.call("numerology/compare: missing system", "POST", url, user="bob",
             json_body={"names": names, "birth_date": "1990-05-15"})
    api.call("numerology/compare: system both not allowed", "POST", url, user="bob",
             json_body={"names": names, "birth_date": "1990-05-15", "system": "both"})
    api.call("numerology/compare: empty second name", "POST", url, user="bob",
             json_body={"names": ["Ada", ""], "birth_date": "1990-05-15", "system": "western"})
    api.call("numerology/compare: no token", "POST", url,
             json_body={"names": names, "birth_date": "1990-05-15", "system": "western"})


def numerology_saved(api: Api, ids: dict[str, int]) -> None:
    """Saved profiles (linked to ada's birth profile p2, deleted later by astro_delete) and name trials."""
    url = "/api/v1/numerology/profiles"
    body = {"full_name": "Ada King Lovelace", "birth_date": "1990-05-15", "as_of": AS_OF}
    api.call("numerology/profiles list: empty", "GET", url, user="ada")
    reply = api.call("numerology/profiles create: both, linked to p2", "POST", url, user="ada", json_body={
        **body, "common_name": "Ada", "name_at_birth": "Augusta Ada Byron", "profile_id": ids["p2"]})
    ids["n1"] = n1 = reply.json()["id"]
    for system in ("western", "vedic", "chaldean"):
        api.call(f"numerology/profiles create: {system}", "POST", url + "/", user="ada",
                 json_body={**body, "system": system, "y_as_vowel": "always"})
    api.call("numerology/profiles list", "GET", url, user="ada")
    api.call("numerology/profiles list: limit 2 offset 1", "GET", url, user="ada", params={"limit": 2, "offset": 1})
    api.call("numerology/profiles list: limit 101", "GET", url, user="ada", params={"limit": 101})
    api.call("numerology/profiles list: someone else's are not listed", "GET", url, user="dee")
    api.call("numerology/profiles create: someone else's birth profile", "POST", url, user="dee",
             json_body={**body, "profile_id": ids["p2"]})
    api.call("numerology/profiles create: birth profile id as a UUID", "POST", url, user="ada",
             json_body={**body, "profile_id": "6f1c2a54-1a7e-4f8e-9a55-3d6f3f1a2b3c"})
    api.call("numerology/profiles create: missing full_name", "POST", url, user="ada",
             json_body={"birth_date": "1990-05-15"})
    api.call("numerology/profiles create: name without letters", "POST", url, user="ada",
             json_body={**body, "full_name": "12345"})
    api.call("numerology/profiles create: no token", "POST", url, json_body=body)
    api.call("numerology/profiles get", "GET", f"{url}/{n1}", user="ada")
    api.call("numerology/profiles get: someone else's", "GET", f"{url}/{n1}", user="dee")
    api.call("numerology/profiles get: unknown", "GET", f"{url}/{UNKNOWN}", user="ada")
    api.call("numerology/profiles get: id not a number", "GET", f"{url}/first", user="ada")
    api.call("numerology/profiles update: common_name only (no recalculation)", "PATCH", f"{url}/{n1}", user="ada",
             json_body={"common_name": "Countess"})
    api.call("numerology/profiles update: full_name recalculates", "PATCH", f"{url}/{n1}", user="ada",
             json_body={"full_name": "Augusta Ada King", "as_of": AS_OF})
    api.call("numerology/profiles update: birth_date recalculates", "PATCH", f"{url}/{n1}/", user="ada",
             json_body={"birth_date": "1990-12-10", "as_of": AS_OF})
    api.call("numerology/profiles update: full_name null", "PATCH", f"{url}/{n1}", user="ada",
             json_body={"full_name": None})
    api.call("numerology/profiles update: system is not updatable", "PATCH", f"{url}/{n1}", user="ada",
             json_body={"system": "western"})
    api.call("numerology/profiles update: someone else's", "PATCH", f"{url}/{n1}", user="dee",
             json_body={"common_name": "Mine"})

    trials = f"{url}/{n1}/name-trials"
    reply = api.call("numerology/name-trials create: western", "POST", trials, user="ada", json_body={
        "trial_name": "Ada Lovelace", "system": "western", "notes": "Shorter", "is_preferred": True})
    t1 = reply.json()["id"]
    api.call("numerology/name-trials create: vedic, preferred", "POST", trials + "/", user="ada", json_body={
        "trial_name": "Ada Byron", "system": "vedic", "is_preferred": True})
    api.call("numerology/name-trials create: chaldean", "POST", trials, user="ada",
             json_body={"trial_name": "Augusta Ada Byron", "system": "chaldean"})
    api.call("numerology/name-trials create: system both", "POST", trials, user="ada",
             json_body={"trial_name": "Ada", "system": "both"})
    api.call("numerology/name-trials create: name without letters", "POST", trials, user="ada",
             json_body={"trial_name": "4da", "system": "western"})
    api.call("numerology/name-trials create: someone else's profile", "POST", trials, user="dee",
             json_body={"trial_name": "Ada", "system": "western"})
    api.call("numerology/name-trials list", "GET", trials, user="ada")
    api.call("numerology/name-trials get", "GET", f"{trials}/{t1}", user="ada")
    api.call("numerology/name-trials update: preferred again, notes cleared", "PATCH", f"{trials}/{t1}", user="ada",
             json_body={"notes": None, "is_preferred": True})
    api.call("numerology/name-trials update: is_preferred null", "PATCH", f"{trials}/{t1}", user="ada",
             json_body={"is_preferred": None})
    api.call("numerology/name-trials update: unknown trial", "PATCH", f"{trials}/{UNKNOWN}", user="ada",
             json_body={"notes": "x"})
    api.call("numerology/name-trials list: after update", "GET", trials, user="ada", params={"limit": 10})
    api.call("numerology/name-trials delete", "DELETE", f"{trials}/{t1}", user="ada")
    api.call("numerology/name-trials delete: again", "DELETE", f"{trials}/{t1}", user="ada")
    api.call("numerology/name-trials list: someone else's profile", "GET", trials, user="dee")

    reply = api.call("numerology/profiles create: to delete", "POST", url, user="ada", json_body=body)
    doomed = reply.json()["id"]
    api.call("numerology/name-trials create: on the profile to delete", "POST", f"{url}/{doomed}/name-trials",
             user="ada", json_body={"trial_name": "Ada", "system": "western"})
    api.call("numerology/profiles delete: someone else's", "DELETE", f"{url}/{doomed}", user="dee")
    api.call("numerology/profiles delete", "DELETE", f"{url}/{doomed}", user="ada")
    api.call("numerology/profiles delete: again", "DELETE", f"{url}/{doomed}", user="ada")
    api.call("numerology/name-trials list: of a deleted profile", "GET", f"{url}/{doomed}/name-trials", user="ada")


def human_design(api: Api) -> None:
    url = "/api/v1/human-design/calculate-chart"
    body = {"birth_datetime": "1990-05-15T14:30:00", "birth_timezone": "Europe/Berlin", "birth_latitude": 52.52,
            "birth_longitude": 13.405, "name": "John Doe"}
    cases = {
        "valid": body,
        "valid without name": {k: v for k, v in body.items() if k != "name"},
        "southern hemisphere": {**body, "birth_datetime": "1985-12-01T06:05:00", "birth_timezone": "Australia/Sydney",
                                "birth_latitude": -33.8688, "birth_longitude": 151.2093},
        "DST gap local time": {**body, "birth_datetime": "2021-03-28T02:30:00"},
        "DST overlap local time": {**body, "birth_datetime": "2021-10-31T02:30:00"},
        "non-IANA zone EST": {**body, "birth_timezone": "EST"},
        "unknown zone": {**body, "birth_timezone": "Mars/Olympus_Mons"},
        "latitude out of range": {**body, "birth_latitude": 95},
        "longitude out of range": {**body, "birth_longitude": -181},
        "year 3001": {**body, "birth_datetime": "3001-01-01T00:00:00"},
        "not a date": {**body, "birth_datetime": "yesterday"},
        "missing birth_datetime": {k: v for k, v in body.items() if k != "birth_datetime"},
        "missing birth_longitude": {k: v for k, v in body.items() if k != "birth_longitude"},
        "wrong type latitude": {**body, "birth_latitude": "north"},
        "wrong type timezone": {**body, "birth_timezone": 1},
        "name too long": {**body, "name": "N" * 101},
        "name wrong type": {**body, "name": ["John"]},
        "empty object": {},
    }
    for label, sent in cases.items():
        api.call(f"human-design: {label}", "POST", url, json_body=sent)
    api.call("human-design: body is a list", "POST", url, json_body=[body])
    api.call("human-design: malformed JSON", "POST", url, content='{"birth_datetime": ')


def astro(api: Api) -> dict[str, int]:
    ids: dict[str, int] = {}
    url = "/api/v1/astro/profiles"
    profile = {"name": "Ada", "gender": "female", "dob": "1990-05-15", "tob": "14:30", "tz": "America/New_York",
               "place": "New York", "lat": 40.7128, "lon": -74.006}
    api.call("astro/profiles list: empty", "GET", url, user="ada")
    reply = api.call("astro/profiles create: ada p1", "POST", url, user="ada", json_body=profile)
    ids["p1"] = reply.json()["id"]
    reply = api.call("astro/profiles create: ada p2 (all options)", "POST", url + "/", user="ada", json_body={
        **profile, "name": "Ada twin", "tob": "14:35:10", "altitude_m": 12.5, "uncertainty_minutes": 5,
        "ayanamsa": "Raman", "house_system": "Placidus"})
    ids["p2"] = reply.json()["id"]
    reply = api.call("astro/profiles create: dee p3", "POST", url, user="dee", json_body={
        **profile, "name": "Dee", "gender": "male", "dob": "1995-07-20", "tob": "06:15", "tz": "Asia/Kolkata",
        "place": "Mumbai", "lat": 19.076, "lon": 72.8777, "ayanamsa": "Krishnamurti", "house_system": "Equal"})
    ids["p3"] = reply.json()["id"]
    invalid = {
        "missing name": {k: v for k, v in profile.items() if k != "name"},
        "gender other": {**profile, "gender": "other"},
        "tob 25:00": {**profile, "tob": "25:00"},
        "tz not IANA": {**profile, "tz": "Not/AZone"},
        "lat 100": {**profile, "lat": 100},
        "lon wrong type": {**profile, "lon": "east"},
        "altitude -600": {**profile, "altitude_m": -600},
        "uncertainty 11": {**profile, "uncertainty_minutes": 11},
        "ayanamsa unknown": {**profile, "ayanamsa": "bogus"},
        "house_system unknown": {**profile, "house_system": "bogus"},
        "house_system letter P": {**profile, "house_system": "P"},
        "house_system letter W": {**profile, "house_system": "W"},
        "house_system whole_sign": {**profile, "house_system": "whole_sign"},
        "ayanamsa lower case lahiri": {**profile, "ayanamsa": "lahiri"},
        "dob year 0": {**profile, "dob": "0000-12-31"},
        "dob after 3000-12-31": {**profile, "dob": "3001-01-01"},
        "name too long": {**profile, "name": "N" * 51},
        "unknown field": {**profile, "colour": "blue"},
    }
    for label, body in invalid.items():
        reply = api.call(f"astro/profiles create: {label}", "POST", url, user="rae", json_body=body)
        if reply.status_code == 201:  # accepted spellings: keep the ids apart from the ones used below
            ids[f"extra:{label}"] = reply.json()["id"]
    api.call("astro/profiles create: no token", "POST", url, json_body=profile)

    api.call("astro/profiles list: ada", "GET", url, user="ada")
    api.call("astro/profiles list: page 2 of 1 per page", "GET", url, user="ada", params={"page": 2, "per_page": 1})
    api.call("astro/profiles list: page 0", "GET", url, user="ada", params={"page": 0})
    api.call("astro/profiles list: per_page 101", "GET", url, user="ada", params={"per_page": 101})
    api.call("astro/profiles list: per_page not a number", "GET", url, user="ada", params={"per_page": "many"})
    api.call("astro/profiles list: dee sees only dee's", "GET", url, user="dee")
    api.call("astro/profiles list: no token", "GET", url)

    p1, p2, p3 = ids["p1"], ids["p2"], ids["p3"]
    api.call("astro/profiles get: p1", "GET", f"{url}/{p1}", user="ada")
    api.call("astro/profiles get: unknown", "GET", f"{url}/{UNKNOWN}", user="ada")
    api.call("astro/profiles get: someone else's", "GET", f"{url}/{p3}", user="ada")
    api.call("astro/profiles get: not a number", "GET", f"{url}/abc", user="ada")
    api.call("astro/profiles get: no token", "GET", f"{url}/{p1}")

    api.call("astro/profiles patch: place", "PATCH", f"{url}/{p1}", user="ada", json_body={"place": "Manhattan"})
    api.call("astro/profiles patch: nothing", "PATCH", f"{url}/{p1}", user="ada", json_body={})
    api.call("astro/profiles patch: explicit null", "PATCH", f"{url}/{p1}", user="ada", json_body={"name": None})
    api.call("astro/profiles patch: bad tz", "PATCH", f"{url}/{p1}", user="ada", json_body={"tz": "Nowhere"})
    api.call("astro/profiles patch: house system Equal", "PATCH", f"{url}/{p2}", user="ada",
             json_body={"house_system": "Equal", "ayanamsa": "FaganBradley"})
    api.call("astro/profiles patch: unknown", "PATCH", f"{url}/{UNKNOWN}", user="ada", json_body={"place": "X"})
    api.call("astro/profiles patch: someone else's", "PATCH", f"{url}/{p1}", user="dee", json_body={"place": "X"})
    api.call("astro/profiles patch: no token", "PATCH", f"{url}/{p1}", json_body={"place": "X"})

    compute = "/api/v1/astro/compute"
    reply = api.call("astro/compute: p1", "POST", compute, user="ada", json_body={"profile_id": p1, "as_of": AS_OF})
    ids["s1"] = reply.json()["calc_snapshot_id"]
    api.call("astro/compute: p1 again (cached)", "POST", compute + "/", user="ada",
             json_body={"profile_id": p1, "as_of": AS_OF})
    reply = api.call("astro/compute: p1 with overrides", "POST", compute, user="ada", json_body={
        "profile_id": p1, "as_of": AS_OF, "house_system": "Placidus", "ayanamsa": "Raman", "uncertainty_minutes": 3})
    ids["s2"] = reply.json()["calc_snapshot_id"]
    api.call("astro/compute: p2 other as_of", "POST", compute, user="ada", json_body={"profile_id": p2,
                                                                                      "as_of": "2030-01-15"})
    api.call("astro/compute: inline birth data", "POST", compute, user="ada", json_body={
        "name": "Inline", "gender": "male", "dob": "1980-02-29", "tob": "23:59", "tz": "Asia/Tokyo",
        "place": "Tokyo", "lat": 35.6762, "lon": 139.6503, "as_of": AS_OF})
    api.call("astro/compute: inline same as p1 (claimed by no profile)", "POST", compute, user="ada",
             json_body={**profile, "place": "Manhattan", "as_of": AS_OF})
    api.call("astro/compute: inline DST gap", "POST", compute, user="ada", json_body={
        **profile, "dob": "2021-03-14", "tob": "02:30", "as_of": AS_OF})
    api.call("astro/compute: inline polar", "POST", compute, user="ada", json_body={
        **profile, "tz": "Arctic/Longyearbyen", "lat": 78.2232, "lon": 15.6267, "house_system": "Placidus",
        "as_of": AS_OF})
    api.call("astro/compute: inline missing fields", "POST", compute, user="dee", json_body={"name": "X",
                                                                                              "as_of": AS_OF})
    api.call("astro/compute: empty body", "POST", compute, user="dee", json_body={})
    api.call("astro/compute: unknown profile", "POST", compute, user="ada", json_body={"profile_id": UNKNOWN,
                                                                                       "as_of": AS_OF})
    api.call("astro/compute: someone else's profile", "POST", compute, user="dee", json_body={"profile_id": p1,
                                                                                              "as_of": AS_OF})
    api.call("astro/compute: profile_id 0", "POST", compute, user="dee", json_body={"profile_id": 0})
    api.call("astro/compute: as_of not a date", "POST", compute, user="dee", json_body={"profile_id": p1,
                                                                                        "as_of": "soon"})
    api.call("astro/compute: as_of before the birth", "POST", compute, user="ada",
             json_body={"profile_id": p1, "as_of": "1700-01-01"})
    api.call("astro/compute: as_of after 3000-12-31", "POST", compute, user="ada",
             json_body={"profile_id": p1, "as_of": "3001-01-01"})
    api.call("astro/compute: override unknown house system", "POST", compute, user="dee",
             json_body={"profile_id": p1, "house_system": "bogus"})
    api.call("astro/compute: no token", "POST", compute, json_body={"profile_id": p1, "as_of": AS_OF})

    api.call("astro/compute get: s1", "GET", f"{compute}/{ids['s1']}", user="ada")
    api.call("astro/compute get: s2", "GET", f"{compute}/{ids['s2']}", user="ada")
    api.call("astro/compute get: unknown", "GET", f"{compute}/{UNKNOWN}", user="ada")
    api.call("astro/compute get: someone else's", "GET", f"{compute}/{ids['s1']}", user="dee")
    api.call("astro/compute get: no token", "GET", f"{compute}/{ids['s1']}")

    predict = "/api/v1/astro/predict"
    questions = {"love": "When will I meet the love of my life?", "career": "Should I change my job this year?",
                 "health": "How is my health going to be?", "money": "Will my finances improve?",
                 "general": "What does the coming period hold?"}
    for topic, question in questions.items():
        reply = api.call(f"astro/predict: {topic} from s1", "POST", f"{predict}/question", user="ada", json_body={
            "profile_id": p1, "question": question, "time_horizon_months": 12, "calc_snapshot_id": ids["s1"]})
        ids.setdefault("q1", reply.json()["prediction_id"])
    api.call("astro/predict: from s2, 24 months", "POST", f"{predict}/question", user="ada", json_body={
        "profile_id": p1, "question": questions["career"], "time_horizon_months": 24, "calc_snapshot_id": ids["s2"]})
    # Without calc_snapshot_id the answer is read from a snapshot for today: only its shape is stable.
    reply = api.call(None, "POST", f"{predict}/question", user="ada",
                     json_body={"profile_id": p1, "question": questions["love"]})
    answer = reply.json()
    api.note("astro/predict: default snapshot for today (shape)", {
        "status": reply.status_code, "keys": sorted(answer), "answer_keys": sorted(answer.get("answer", {})),
        "topic": answer.get("topic"), "llm_model": answer.get("llm_model")})
    api.call("astro/predict: empty question", "POST", f"{predict}/question", user="dee",
             json_body={"profile_id": p1, "question": "  "})
    api.call("astro/predict: horizon 25", "POST", f"{predict}/question", user="dee",
             json_body={"profile_id": p1, "question": "Love?", "time_horizon_months": 25})
    api.call("astro/predict: question too long", "POST", f"{predict}/question", user="dee",
             json_body={"profile_id": p1, "question": "Q" * 501})
    api.call("astro/predict: missing profile_id", "POST", f"{predict}/question", user="dee",
             json_body={"question": "Love?"})
    api.call("astro/predict: unknown profile", "POST", f"{predict}/question", user="dee",
             json_body={"profile_id": UNKNOWN, "question": "Love?"})
    api.call("astro/predict: someone else's profile", "POST", f"{predict}/question", user="dee",
             json_body={"profile_id": p1, "question": "Love?", "calc_snapshot_id": ids["s1"]})
    api.call("astro/predict: unknown snapshot", "POST", f"{predict}/question", user="ada",
             json_body={"profile_id": p1, "question": "Love?", "calc_snapshot_id": UNKNOWN})
    api.call("astro/predict: no token", "POST", f"{predict}/question",
             json_body={"profile_id": p1, "question": "Love?"})

    api.call("astro/predict get: q1", "GET", f"{predict}/{ids['q1']}", user="ada")
    api.call("astro/predict get: unknown", "GET", f"{predict}/{UNKNOWN}", user="ada")
    api.call("astro/predict get: someone else's", "GET", f"{predict}/{ids['q1']}", user="dee")
    api.call("astro/predict get: not a number", "GET", f"{predict}/abc", user="ada")
    api.call("astro/predict get: no token", "GET", f"{predict}/{ids['q1']}")

    api.call("astro/history: p2", "GET", f"{url}/{p2}/history", user="ada")
    api.call("astro/history: unknown", "GET", f"{url}/{UNKNOWN}/history", user="ada")
    api.call("astro/history: someone else's", "GET", f"{url}/{p1}/history", user="dee")
    api.call("astro/history: no token", "GET", f"{url}/{p1}/history")
    return ids


def astro_rate_limit(api: Api) -> None:
    """astro-mvp's 10 predictions a minute per user (a moving window: no window edge to avoid)."""
    body = {"profile_id": UNKNOWN, "question": "Love?"}
    for attempt in range(1, 12):
        name = f"astro/predict: rae's request {attempt} of 11" if attempt in (1, 10, 11) else None
        api.call(name, "POST", "/api/v1/astro/predict/question", user="rae", json_body=body)


def astro_delete(api: Api, ids: dict[str, int]) -> None:
    url = "/api/v1/astro/profiles"
    api.call("astro/profiles delete: someone else's", "DELETE", f"{url}/{ids['p2']}", user="dee")
    api.call("astro/profiles delete: p2", "DELETE", f"{url}/{ids['p2']}", user="ada")
    api.call("astro/profiles delete: p2 again", "DELETE", f"{url}/{ids['p2']}", user="ada")
    api.call("astro/profiles get: p2 after delete", "GET", f"{url}/{ids['p2']}", user="ada")
    api.call("astro/history: p2 after delete", "GET", f"{url}/{ids['p2']}/history", user="ada")
    api.call("astro/profiles delete: no token", "DELETE", f"{url}/{ids['p1']}")
    api.call("astro/profiles list: after delete", "GET", url, user="ada", params={"per_page": 100})


def forecast(api: Api) -> None:
    url = "/api/v1/forecast"
    api.call("forecast: fixed date, anonymous", "GET", f"{url}/{AS_OF}")
    api.call("forecast: fixed date again (stored)", "GET", f"{url}/{AS_OF}/")
    api.call("forecast: fixed date, ada (level 4)", "GET", f"{url}/{AS_OF}", user="ada")
    api.call("forecast: fixed date, bob (date only)", "GET", f"{url}/{AS_OF}", user="bob")
    api.call("forecast: fixed date, cy (place by name)", "GET", f"{url}/{AS_OF}", user="cy")
    api.call("forecast: another date, dee", "GET", f"{url}/2031-12-31", user="dee")
    api.call("forecast: leap day", "GET", f"{url}/2024-02-29")
    api.call("forecast: first supported date", "GET", f"{url}/0001-01-01")
    api.call("forecast: invalid token is anonymous or 401", "GET", f"{url}/{AS_OF}", token="not.a.jwt")
    for label, value in {"month 13": "2024-13-01", "not a date": "tomorrow", "no leap day": "2023-02-29",
                         "year 0": "0000-12-31", "after 3000-12-31": "3001-01-01",
                         "short form": "2024-6-1"}.items():
        api.call(f"forecast: {label}", "GET", f"{url}/{value}")
    # "today" is the UTC date: compare with the same day asked for by date, in this run.
    for who in (None, "ada"):
        for attempt in range(3):  # the day could turn between the two requests
            today = dt.datetime.now(dt.UTC).date().isoformat()
            by_today = api.call(None, "GET", f"{url}/today", user=who)
            by_date = api.call(None, "GET", f"{url}/{today}", user=who)
            if today == dt.datetime.now(dt.UTC).date().isoformat():
                break
        body = by_today.json()
        api.note(f"forecast: today = forecast of today's date ({who or 'anonymous'})", {
            "status": by_today.status_code, "content-type": by_today.headers.get("content-type"),
            "same_as_by_date": body == by_date.json(), "date_is_today": body.get("date") == today,
            "keys": sorted(body), "personal": None if body.get("personal") is None else sorted(body["personal"])})


def matching(api: Api, uid: dict[str, int]) -> int:
    others = {uid[k] for k in ("bob", "cy", "dee", "rae")}

    def scan_ada() -> dict:
        return api.call(None, "POST", "/api/v1/scan", user="ada", json_body={"limit": 50}).json()

    seen = poll(scan_ada, lambda b: {p["id"] for p in b["profiles"]} == others
                and b["compatibility_unavailable"] is None, timeout=30, what="ada's scan to show everyone")
    assert {p["id"] for p in seen["profiles"]} == others, seen

    scan = "/api/v1/scan"
    api.call("scan: ada, no body", "POST", scan, user="ada")
    api.call("scan: ada, empty object", "POST", scan + "/", user="ada", json_body={})
    first = api.call("scan: ada, limit 2", "POST", scan, user="ada", json_body={"limit": 2}).json()
    api.call("scan: ada, next page", "POST", scan, user="ada", json_body={"limit": 2, "cursor": first["next_cursor"]})
    api.call("scan: bob, filters age 40..120", "POST", scan, user="bob",
             json_body={"filters": {"age_min": 40, "age_max": 120}})
    api.call("scan: bob, top-level filters (mobile client)", "POST", scan, user="bob", json_body={"age_min": 40})
    api.call("scan: bob, distance ignored", "POST", scan, user="bob", json_body={"filters": {"distance_km": 25}})
    for label, body in {"limit 0": {"limit": 0}, "limit 51": {"limit": 51}, "limit wrong type": {"limit": "ten"},
                        "cursor not ours": {"cursor": "garbage"}, "age_min 10": {"filters": {"age_min": 10}},
                        "age_max below age_min": {"filters": {"age_min": 40, "age_max": 30}},
                        "distance 0": {"filters": {"distance_km": 0}}, "unknown field": {"colour": "blue"}}.items():
        api.call(f"scan: {label}", "POST", scan, user="ada", json_body=body)
    api.call("scan: no token", "POST", scan, json_body={})
    api.call("scan: GET not allowed", "GET", scan, user="ada")

    evaluate = "/api/v1/scan/evaluate"
    api.call("scan/evaluate: ada -> bob (numerology only)", "POST", evaluate, user="ada",
             json_body={"target_user_id": uid["bob"]})
    api.call("scan/evaluate: ada -> rae (both charts)", "POST", evaluate, user="ada",
             json_body={"target_user_id": uid["rae"]})
    api.call("scan/evaluate: rae -> ada (the other side)", "POST", evaluate, user="rae",
             json_body={"target_user_id": uid["ada"]})
    api.call("scan/evaluate: ada -> cy", "POST", evaluate, user="ada", json_body={"target_user_id": uid["cy"]})
    api.call("scan/evaluate: self", "POST", evaluate, user="ada", json_body={"target_user_id": uid["ada"]})
    api.call("scan/evaluate: unknown user", "POST", evaluate, user="ada", json_body={"target_user_id": UNKNOWN})
    api.call("scan/evaluate: id 0", "POST", evaluate, user="ada", json_body={"target_user_id": 0})
    api.call("scan/evaluate: missing target", "POST", evaluate, user="ada", json_body={})
    api.call("scan/evaluate: no token", "POST", evaluate, json_body={"target_user_id": uid["bob"]})

    resonance = "/api/v1/resonance"
    api.call("resonance: ada declines dee", "POST", resonance, user="ada",
             json_body={"target_user_id": uid["dee"], "action": "decline"})
    api.call("resonance: ada resonates with bob", "POST", resonance + "/", user="ada",
             json_body={"target_user_id": uid["bob"], "action": "resonate"})
    reply = api.call("resonance: bob resonates with ada -> match", "POST", resonance, user="bob",
                     json_body={"target_user_id": uid["ada"], "action": "resonate"})
    match_id = reply.json()["match"]["id"]
    api.call("resonance: bob resonates again (same match)", "POST", resonance, user="bob",
             json_body={"target_user_id": uid["ada"], "action": "resonate"})
    api.call("resonance: dee resonates with ada (no match: ada declined)", "POST", resonance, user="dee",
             json_body={"target_user_id": uid["ada"], "action": "resonate"})
    api.call("resonance: bob declines ada (match stays)", "POST", resonance, user="bob",
             json_body={"target_user_id": uid["ada"], "action": "decline"})
    api.call("resonance: self", "POST", resonance, user="ada", json_body={"target_user_id": uid["ada"],
                                                                         "action": "resonate"})
    api.call("resonance: bad action", "POST", resonance, user="ada", json_body={"target_user_id": uid["cy"],
                                                                               "action": "maybe"})
    api.call("resonance: unknown user", "POST", resonance, user="ada", json_body={"target_user_id": UNKNOWN,
                                                                                 "action": "resonate"})
    api.call("resonance: missing action", "POST", resonance, user="ada", json_body={"target_user_id": uid["cy"]})
    api.call("resonance: no token", "POST", resonance, json_body={"target_user_id": uid["bob"], "action": "resonate"})
    api.call("scan: ada after acting on bob and dee", "POST", scan, user="ada", json_body={})

    matches = "/api/v1/matches"
    api.call("matches: ada", "GET", matches, user="ada")
    api.call("matches: bob", "GET", matches + "/", user="bob")
    api.call("matches: dee (none)", "GET", matches, user="dee")
    api.call("matches: no token", "GET", matches)
    api.call("matches get: ada", "GET", f"{matches}/{match_id}", user="ada")
    api.call("matches get: bob", "GET", f"{matches}/{match_id}/", user="bob")
    api.call("matches get: not a participant", "GET", f"{matches}/{match_id}", user="dee")
    api.call("matches get: unknown", "GET", f"{matches}/{UNKNOWN}", user="ada")
    api.call("matches get: not a number", "GET", f"{matches}/abc", user="ada")
    api.call("matches get: no token", "GET", f"{matches}/{match_id}")
    return match_id


def chat(api: Api, match_id: int) -> None:
    url = f"/api/v1/matches/{match_id}/messages"
    known = poll(lambda: api.call(None, "GET", url, user="ada"), lambda r: r.status_code == 200, timeout=30,
                 what="chat to know the match")
    assert known.status_code == 200, known.text
    api.call("messages: empty", "GET", url, user="ada")
    api.call("messages post: ada", "POST", url, user="ada", json_body={"content": "Hey! Our numbers align 💫"})
    api.call("messages post: bob, trailing slash", "POST", url + "/", user="bob", json_body={"content": "  Hi Ada  "})
    api.call("messages post: ada again", "POST", url, user="ada", json_body={"content": "Coffee?"})
    api.call("messages: bob", "GET", url, user="bob")
    page = api.call("messages: limit 2", "GET", url, user="ada", params={"limit": 2}).json()
    api.call("messages: before", "GET", url, user="ada", params={"limit": 2, "before": page["next_before"]})
    for label, params in {"limit 0": {"limit": 0}, "limit 101": {"limit": 101}, "before 0": {"before": 0},
                          "limit not a number": {"limit": "all"}}.items():
        api.call(f"messages: {label}", "GET", url, user="ada", params=params)
    api.call("messages: not a participant", "GET", url, user="dee")
    api.call("messages: unknown match", "GET", f"/api/v1/matches/{UNKNOWN}/messages", user="ada")
    api.call("messages: match id 0", "GET", "/api/v1/matches/0/messages", user="ada")
    api.call("messages: no token", "GET", url)
    for label, body in {"blank content": {"content": "   "}, "missing content": {},
                        "content wrong type": {"content": 42}, "content too long": {"content": "x" * 5001}}.items():
        api.call(f"messages post: {label}", "POST", url, user="ada", json_body=body)
    api.call("messages post: not a participant", "POST", url, user="dee", json_body={"content": "hi"})
    api.call("messages post: unknown match", "POST", f"/api/v1/matches/{UNKNOWN}/messages", user="ada",
             json_body={"content": "hi"})
    api.call("messages post: no token", "POST", url, json_body={"content": "hi"})
    api.call("messages: DELETE not allowed", "DELETE", url, user="ada")
    # Idempotent sends, cursors by time and forward, read receipts, unread counts.
    retry = {"content": "Sent twice?", "client_message_id": "golden-retry-1"}
    api.call("messages post: with a client message id", "POST", url, user="bob", json_body=retry)
    api.call("messages post: the same client message id again", "POST", url, user="bob", json_body=retry)
    api.call("messages post: bad client message id", "POST", url, user="bob",
             json_body={"content": "hi", "client_message_id": "has spaces"})
    newest = api.call(None, "GET", url, user="ada", params={"limit": 1}).json()["messages"][0]
    oldest = api.call(None, "GET", url, user="ada", params={"after": 1, "limit": 1}).json()["messages"][0]
    api.call("messages: before a timestamp (the seed's cursor)", "GET", url, user="ada",
             params={"before": newest["created_at"], "limit": 2})
    api.call("messages: after an id, oldest first", "GET", url, user="ada", params={"after": oldest["id"], "limit": 2})
    api.call("messages: before not a cursor", "GET", url, user="ada", params={"before": "yesterday"})
    api.call("unread: ada", "GET", "/api/v1/messages/unread", user="ada")
    api.call("unread: no token", "GET", "/api/v1/messages/unread")
    read = url + "/read"
    api.call("read: ada up to a message", "POST", read, user="ada", json_body={"up_to_message_id": oldest["id"]})
    api.call("read: ada, everything", "POST", read + "/", user="ada")
    api.call("read: ada again (nothing new)", "POST", read, user="ada", json_body={})
    api.call("read: bad id", "POST", read, user="ada", json_body={"up_to_message_id": 0})
    api.call("read: not a participant", "POST", read, user="dee")
    api.call("read: no token", "POST", read)
    api.call("unread: ada after reading", "GET", "/api/v1/messages/unread", user="ada")


def push(api: Api) -> None:
    devices, settings = "/api/v1/devices", "/api/v1/notifications/settings"
    phone = api.call("devices: ios token", "POST", devices, user="ada",
                     json_body={"platform": "ios", "token": "golden-fcm-token-ada"}).json()
    api.call("devices: web subscription", "POST", devices + "/", user="ada", json_body={
        "platform": "web", "subscription": {"endpoint": "https://push.example.com/send/golden-ada",
                                            "keys": {"p256dh": "BOr-golden-key", "auth": "golden-auth"}}})
    for label, body in {"web without subscription": {"platform": "web", "token": "x"},
                        "android without token": {"platform": "android"},
                        "unknown platform": {"platform": "fax", "token": "x"}}.items():
        api.call(f"devices: {label}", "POST", devices, user="ada", json_body=body)
    api.call("devices: no token", "POST", devices, json_body={"platform": "ios", "token": "x"})
    api.call("devices delete: someone else's", "DELETE", f"{devices}/{phone['id']}", user="bob")
    api.call("devices delete: ada", "DELETE", f"{devices}/{phone['id']}", user="ada")
    api.call("devices delete: again", "DELETE", f"{devices}/{phone['id']}", user="ada")
    api.call("devices delete: not a number", "DELETE", f"{devices}/abc", user="ada")
    api.call("settings: defaults", "GET", settings, user="bob")
    api.call("settings: patch", "PATCH", settings + "/", user="bob", json_body={"message_previews": False})
    api.call("settings: after patch", "GET", settings, user="bob")
    api.call("settings: wrong type", "PATCH", settings, user="bob", json_body={"new_messages": "sometimes"})
    api.call("settings: no token", "GET", settings)
    api.call("web push key", "GET", "/api/v1/notifications/web-push-key", user="bob")
    api.call("ws ticket: bob", "POST", "/api/v1/ws/tickets", user="bob")
    api.call("ws ticket: no token", "POST", "/api/v1/ws/tickets")


def match_activity(api: Api, match_id: int) -> None:
    """The match list after the conversation: chat's events (messages, read marks) reach matching moments
    later, so wait until matching shows what chat itself says: the newest message and ada's unread count."""
    page = api.call(None, "GET", f"/api/v1/matches/{match_id}/messages?limit=1", user="ada").json()
    newest, unread = page["messages"][0]["id"], page["unread_count"]
    poll(lambda: api.call(None, "GET", "/api/v1/matches", user="ada").json(),
         lambda b: b["matches"] and (b["matches"][0]["last_message"] or {}).get("id") == newest
         and b["matches"][0]["unread_count"] == unread,
         timeout=30, what="the last message and unread count in ada's match list")
    api.call("matches: ada after messages", "GET", "/api/v1/matches", user="ada")
    api.call("matches get: bob after messages", "GET", f"/api/v1/matches/{match_id}", user="bob")


def safety(api: Api, uid: dict[str, int], match_id: int) -> None:
    reports, blocks = "/api/v1/reports", "/api/v1/blocks"
    api.call("reports: ada reports dee", "POST", reports, user="ada",
             json_body={"user_id": uid["dee"], "reason": "spam_or_scam", "details": "Asked me for money"})
    api.call("reports: bob reports dee, no details", "POST", reports + "/", user="bob",
             json_body={"user_id": uid["dee"], "reason": "fake_profile"})
    for label, body in {"unknown reason": {"user_id": uid["dee"], "reason": "rude"},
                        "missing reason": {"user_id": uid["dee"]},
                        "details too long": {"user_id": uid["dee"], "reason": "other", "details": "x" * 1001},
                        "self": {"user_id": uid["ada"], "reason": "other"},
                        "unknown user": {"user_id": UNKNOWN, "reason": "other"}}.items():
        api.call(f"reports: {label}", "POST", reports, user="ada", json_body=body)
    api.call("reports: no token", "POST", reports, json_body={"user_id": uid["dee"], "reason": "other"})
    api.call("blocks: ada blocks cy", "POST", blocks, user="ada", json_body={"user_id": uid["cy"]})
    api.call("blocks: ada blocks cy again", "POST", blocks + "/", user="ada", json_body={"user_id": uid["cy"]})
    api.call("blocks: ada's list", "GET", blocks, user="ada")
    api.call("blocks: cy's list (none)", "GET", blocks, user="cy")
    api.call("scan: cy no longer sees ada", "POST", "/api/v1/scan", user="cy", json_body={})
    for label, body in {"self": {"user_id": uid["ada"]}, "unknown user": {"user_id": UNKNOWN},
                        "id 0": {"user_id": 0}, "missing user": {}}.items():
        api.call(f"blocks: {label}", "POST", blocks, user="ada", json_body=body)
    api.call("blocks: no token", "POST", blocks, json_body={"user_id": uid["cy"]})
    api.call("blocks: unblock cy", "DELETE", f"{blocks}/{uid['cy']}", user="ada")
    api.call("blocks: unblock cy again", "DELETE", f"{blocks}/{uid['cy']}", user="ada")
    api.call("blocks: unblock not a number", "DELETE", f"{blocks}/abc", user="ada")
    matches = "/api/v1/matches"
    api.call("unmatch: not a participant", "DELETE", f"{matches}/{match_id}", user="dee")
    api.call("unmatch: not a number", "DELETE", f"{matches}/abc", user="ada")
    api.call("unmatch: no token", "DELETE", f"{matches}/{match_id}")
    api.call("unmatch: bob unmatches ada", "DELETE", f"{matches}/{match_id}/", user="bob")
    api.call("unmatch: again", "DELETE", f"{matches}/{match_id}", user="ada")
    api.call("matches: ada after the unmatch", "GET", matches, user="ada")


def admin_reports(api: Api) -> None:
    url = "/api/v1/admin/reports"
    listing = api.call("admin/reports: newest first", "GET", url, user="cy").json()
    newest, older = (r["id"] for r in listing["reports"][:2])
    api.call("admin/reports: open only", "GET", url, user="cy", params={"status": "open", "limit": 1})
    api.call("admin/reports: one", "GET", f"{url}/{older}", user="cy")
    api.call("admin/reports: dismiss", "POST", f"{url}/{older}/dismiss", user="cy")
    api.call("admin/reports: unknown", "GET", f"{url}/{UNKNOWN}", user="cy")
    api.call("admin/reports: ban unknown report", "POST", f"{url}/{UNKNOWN}/ban", user="cy")
    api.call("admin/reports: bad status", "GET", url, user="cy", params={"status": "closed"})
    api.call("admin/reports: not an admin", "GET", url, user="ada")
    api.call("admin/reports: ban, not an admin", "POST", f"{url}/{newest}/ban", user="ada")
    api.call("admin/reports: no token", "GET", url)


def websocket(api: Api, gateway_url: str, match_id: int) -> None:
    base = gateway_url.replace("http://", "ws://") + f"/ws/chat/{match_id}/"

    async def refused(token: str | None, in_url: bool = False) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token and not in_url else {}
        async with websockets.connect(base + (f"?token={token}" if in_url else ""), additional_headers=headers) as ws:
            try:
                frame = await asyncio.wait_for(ws.recv(), 10)
                return {"frame": json.loads(frame)}
            except websockets.ConnectionClosed as closed:
                return {"close_code": closed.rcvd.code if closed.rcvd else None,
                        "close_reason": closed.rcvd.reason if closed.rcvd else None}

    async def converse() -> list[dict[str, Any]]:
        frames = []
        ticket = api.call(None, "POST", "/api/v1/ws/tickets", user="bob").json()["ticket"]
        async with websockets.connect(base + f"?ticket={ticket}") as ws:  # a browser's way in
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))  # "connected": subscribed
            await ws.send(json.dumps({"type": "ping"}))
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            await asyncio.to_thread(api.call, "messages post: ada while bob is connected", "POST",
                                    f"/api/v1/matches/{match_id}/messages", user="ada",
                                    json_body={"content": "Are you there?"})
            while len(frames) < 3:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if frame.get("type") == "message":
                    frames.append(frame)
            await ws.send(json.dumps({"type": "message", "content": "Yes, here", "client_message_id": "golden-ws-1"}))
            got = []
            while len(got) < 2:  # the ack and the message itself, in either order
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if frame.get("type") in ("message", "ack"):
                    got.append(frame)
            frames += sorted(got, key=lambda f: f["type"])
            await ws.send(json.dumps({"type": "bogus"}))
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        # Resume after the first message of this conversation: the rest again, in order, then live.
        first = api.call(None, "GET", f"/api/v1/matches/{match_id}/messages", user="bob",
                         params={"after": 1, "limit": 1}).json()["messages"][0]["id"]
        async with websockets.connect(base + f"?after={first}", additional_headers={
                "Authorization": f"Bearer {api.tokens['bob']}"}) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            frames.append(hello)
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                frames.append(frame)
                if frame["message"]["id"] == hello["last_message_id"]:
                    break
        return frames

    path = f"/ws/chat/{match_id}/"
    for who, token, in_url in (("no token", None, False), ("not a participant", api.tokens["dee"], False),
                               ("invalid token", "not.a.jwt", False), ("token in the URL", api.tokens["bob"], True)):
        api.note(f"websocket: {who}", {"request": api.norm.text(path),
                                       "outcome": api.norm.value(asyncio.run(refused(token, in_url)), path)})
    frames = asyncio.run(converse())
    api.note("websocket: bob's frames", {"request": api.norm.text(path), "frames": api.norm.value(frames, path)})


def admin(api: Api, stack: Any, ids: dict[str, int]) -> None:
    async def make_admin() -> None:
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await conn.execute("UPDATE identity.users SET is_admin = true WHERE email = $1", "cy@example.com")
        finally:
            await conn.close()

    asyncio.run(make_admin())
    reply = api.call("auth/login: cy after being made admin", "POST", "/api/v1/auth/login",
                     json_body={"email": "cy@example.com", "password": PASSWORD})
    api.tokens["cy"] = reply.json()["token"]
    url = "/api/v1/admin"
    api.call("admin/stats: admin", "GET", f"{url}/stats", user="cy")
    api.call("admin/stats: not an admin", "GET", f"{url}/stats", user="ada")
    api.call("admin/stats: no token", "GET", f"{url}/stats")
    p1 = ids["p1"]
    api.call("admin/cache/reset p1: POST", "POST", f"{url}/cache/reset/{p1}", user="cy")
    api.call("admin/cache/reset p1: DELETE (nothing left)", "DELETE", f"{url}/cache/reset/{p1}", user="cy")
    api.call("admin/cache/reset: unknown profile", "POST", f"{url}/cache/reset/{UNKNOWN}", user="cy")
    api.call("admin/cache/reset: not a number", "POST", f"{url}/cache/reset/abc", user="cy")
    api.call("admin/cache/reset: not an admin", "POST", f"{url}/cache/reset/{p1}", user="ada")
    api.call("admin/cache/reset: GET not allowed", "GET", f"{url}/cache/reset/{p1}", user="cy")
    api.call("astro/compute: p1 after the reset (recomputed)", "POST", "/api/v1/astro/compute", user="ada",
             json_body={"profile_id": p1, "as_of": AS_OF})
    api.call("astro/compute get: s1 after the reset (invalidated)", "GET", f"/api/v1/astro/compute/{ids['s1']}",
             user="ada")
    api.call("admin/cache/reset all: POST", "POST", f"{url}/cache/reset/all", user="cy")
    api.call("admin/cache/reset all: DELETE", "DELETE", f"{url}/cache/reset/all", user="cy")
    api.call("admin/cache/reset all: not an admin", "DELETE", f"{url}/cache/reset/all", user="ada")
    api.call("admin/cache/reset all: no token", "POST", f"{url}/cache/reset/all")
    api.call("astro/history: p1 at the end", "GET", f"/api/v1/astro/profiles/{p1}/history", user="ada")
    api.call("admin/stats: at the end", "GET", f"{url}/stats", user="cy")
    eve = api.call(None, "GET", "/api/v1/auth/me", user="eve").json()["id"]
    api.call("admin/users: eve to premium", "PATCH", f"{url}/users/{eve}", user="cy", json_body={"tier": "premium"})
    api.call("admin/users: unknown tier", "PATCH", f"{url}/users/{eve}", user="cy", json_body={"tier": "gold"})
    api.call("admin/users: unknown user", "PATCH", f"{url}/users/{UNKNOWN}", user="cy", json_body={"tier": "premium"})
    api.call("admin/users: not an admin", "PATCH", f"{url}/users/{eve}", user="ada", json_body={"tier": "premium"})
    api.call("auth/me: eve is premium", "GET", "/api/v1/auth/me", user="eve")
    admin_reports(api)


def account_lifecycle(api: Api, stack: Any) -> None:
    """Refresh reuse, password change, forgot and reset, per-account throttling, admin account changes."""
    auth = "/api/v1/auth"
    fay = {"email": "fay@example.com", "password": PASSWORD}
    reply = api.call("auth/register: fay (email and password)", "POST", f"{auth}/register", json_body=fay)
    first_refresh = reply.json()["refresh_token"]
    once = api.call("auth/refresh: fay", "POST", f"{auth}/refresh", json_body={"refresh_token": first_refresh})
    rotated = api.call("auth/refresh: fay again", "POST", f"{auth}/refresh",
                       json_body={"refresh_token": once.json()["refresh_token"]})
    api.tokens["fay:rotated"] = rotated.json()["token"]
    api.call("auth/refresh: fay's rotated-away token again (not the last one rotated away)", "POST", f"{auth}/refresh",
             json_body={"refresh_token": first_refresh})
    api.call("auth/me: fay's newest token after the reuse (session ended)", "GET", f"{auth}/me", user="fay:rotated")
    api.call("auth/refresh: fay's newest refresh token after the reuse", "POST", f"{auth}/refresh",
             json_body={"refresh_token": rotated.json()["refresh_token"]})

    for key in ("fay", "fay:other"):
        api.tokens[key] = api.call(None, "POST", f"{auth}/login", json_body=fay).json()["token"]
    change = f"{auth}/password/change"
    api.call("auth/password/change: no token", "POST", change,
             json_body={"current_password": PASSWORD, "new_password": "changed-pw-1"})
    api.call("auth/password/change: wrong current password", "POST", change, user="fay",
             json_body={"current_password": "not-the-password", "new_password": "changed-pw-1"})
    api.call("auth/password/change: new password too short", "POST", change, user="fay",
             json_body={"current_password": PASSWORD, "new_password": "short"})
    api.call("auth/password/change: missing new password", "POST", change, user="fay",
             json_body={"current_password": PASSWORD})
    api.call("auth/password/change: fay", "POST", change, user="fay",
             json_body={"current_password": PASSWORD, "new_password": "changed-pw-1"})
    api.call("auth/me: fay's session that changed it", "GET", f"{auth}/me", user="fay")
    api.call("auth/me: fay's other session after the change", "GET", f"{auth}/me", user="fay:other")
    api.call("auth/login: fay's old password", "POST", f"{auth}/login", json_body=fay)

    forgot = f"{auth}/password/forgot"
    api.call("auth/password/forgot: fay", "POST", forgot, json_body={"email": "fay@example.com"})
    api.call("auth/password/forgot: unknown email (same answer)", "POST", forgot,
             json_body={"email": "nobody@example.com"})
    api.call("auth/password/forgot: invalid email", "POST", forgot, json_body={"email": "fay"})
    api.call("auth/password/forgot: missing email", "POST", forgot, json_body={})
    token = poll(lambda: mailed_reset_token(stack, "fay@example.com"), bool, 15, "fay's reset mail")
    reset = f"{auth}/password/reset"
    api.call("auth/password/reset: unknown token", "POST", reset,
             json_body={"token": "x" * 43, "new_password": "after-reset-1"})
    api.call("auth/password/reset: new password too short", "POST", reset,
             json_body={"token": token, "new_password": "short"})
    api.call("auth/password/reset: missing token", "POST", reset, json_body={"new_password": "after-reset-1"})
    api.call("auth/password/reset: fay", "POST", reset, json_body={"token": token, "new_password": "after-reset-1"})
    api.call("auth/password/reset: the same token again", "POST", reset,
             json_body={"token": token, "new_password": "after-reset-2"})
    api.call("auth/me: fay's session after the reset", "GET", f"{auth}/me", user="fay")
    reply = api.call("auth/login: fay with the reset password", "POST", f"{auth}/login",
                     json_body={**fay, "password": "after-reset-1"})
    api.tokens["fay"] = reply.json()["token"]

    for email in ("fay@example.com", "nobody@example.com"):
        for _ in range(10):  # NUMEROS_LOGIN_FAILURE_LIMIT's default: 10 in 15 minutes
            api.call(None, "POST", f"{auth}/login", json_body={"email": email, "password": "wrong-pw"})
        api.call(f"auth/login: {email} after 10 wrong passwords", "POST", f"{auth}/login",
                 json_body={"email": email, "password": "wrong-pw"})
    api.call("auth/login: fay's right password while throttled", "POST", f"{auth}/login",
             json_body={**fay, "password": "after-reset-1"})

    users = "/api/v1/admin/users"
    fay_id = api.call(None, "GET", f"{auth}/me", user="fay").json()["id"]
    api.call("admin/users: fay made admin", "PATCH", f"{users}/{fay_id}", user="cy", json_body={"is_admin": True})
    api.call("admin/users: fay's admin rights revoked", "PATCH", f"{users}/{fay_id}", user="cy",
             json_body={"is_admin": False})
    api.call("admin/users: nothing to change", "PATCH", f"{users}/{fay_id}", user="cy", json_body={})
    api.call("admin/users: is_active not a boolean", "PATCH", f"{users}/{fay_id}", user="cy",
             json_body={"is_active": "maybe"})
    api.call("admin/users: unknown field", "PATCH", f"{users}/{fay_id}", user="cy", json_body={"banned": True})
    api.call("admin/users: fay deactivated", "PATCH", f"{users}/{fay_id}", user="cy", json_body={"is_active": False})
    api.call("auth/me: fay after deactivation", "GET", f"{auth}/me", user="fay")
    api.call("admin/users: ada deactivating fay (not an admin)", "PATCH", f"{users}/{fay_id}", user="ada",
             json_body={"is_active": False})
    api.call("admin/users: fay reactivated", "PATCH", f"{users}/{fay_id}", user="cy", json_body={"is_active": True})


def profile_edit(api: Api) -> None:
    url = "/api/v1/profile/me"
    reply = api.call("profile: register gil", "POST", "/api/v1/auth/register", json_body={
        "email": "gil@example.com", "password": PASSWORD, "display_name": "Gil Editor", "birth_date": "1985-08-08"})
    api.tokens["gil"] = reply.json()["token"]
    api.call("profile/me PATCH: bio, gender, interested_in, coordinates", "PATCH", url, user="gil", json_body={
        "bio": "Reads charts.", "gender": "non_binary", "interested_in": ["female", "non_binary"],
        "location": {"latitude": 48.8566, "longitude": 2.3522}})
    api.call("profile/me PATCH: birth time and place (recalculated)", "PATCH", url + "/", user="gil",
             json_body={"birth_time": "07:45", "birth_place": "Berlin"})
    api.call("profile/me PATCH: location by place name", "PATCH", url, user="gil",
             json_body={"location": {"place": "Berlin"}})
    api.call("profile/me PATCH: new name, birth time and location cleared", "PATCH", url, user="gil",
             json_body={"display_name": "Gil Renamed", "birth_time": None, "location": None})
    invalid = {
        "bio over 500": {"bio": "b" * 501}, "gender other": {"gender": "other"},
        "interested_in twice": {"interested_in": ["male", "male"]}, "display_name null": {"display_name": None},
        "birth_date in the future": {"birth_date": "2999-01-01"}, "latitude without longitude": {"latitude": 10.0},
        "location latitude 100": {"location": {"latitude": 100, "longitude": 0}},
        "location place unknown": {"location": {"place": "Atlantis Under The Sea"}},
        "location place ambiguous": {"location": {"place": "Paris"}},
        "location both forms": {"location": {"place": "Paris", "latitude": 1.0, "longitude": 2.0}},
        "photos not yours": {"photos": [UNKNOWN_PHOTO]}, "unknown field": {"email": "new@example.com"},
    }
    for label, body in invalid.items():
        api.call(f"profile/me PATCH: {label}", "PATCH", url, user="gil", json_body=body)
    api.call("profile/me PATCH: malformed JSON", "PATCH", url, user="gil", content='{"bio": ')
    api.call("profile/me PATCH: no token", "PATCH", url, json_body={"bio": "x"})
    api.call("profile/me PATCH: eve (email alone) gains a profile", "PATCH", url, user="eve",
             json_body={"display_name": "Eve Later", "birth_date": "1993-09-09"})


def photos(api: Api) -> None:
    upload, order = "/api/v1/profile/photos/upload", "/api/v1/profile/photos/order"

    def jpeg(n: int) -> dict[str, tuple[str, bytes, str]]:
        return {"file": (f"p{n}.jpg", two_colour_jpeg(40 + n, 30, orientation=6 if n == 0 else None, gps=n == 0),
                         "image/jpeg")}

    ids = [api.call(f"photos/upload: gil #{n + 1}" if n in (0, 5) else None, "POST", upload, user="gil",
                    files=jpeg(n)).json()["id"] for n in range(6)]
    api.call("photos/upload: a seventh", "POST", upload, user="gil", files=jpeg(6))
    api.call("photos/upload: not an image", "POST", upload, user="ada",
             files={"file": ("cv.pdf", b"%PDF-1.7 not a photo", "application/pdf")})
    api.call("photos/upload: decompression bomb", "POST", upload, user="ada",
             files={"file": ("bomb.png", png_bomb(20_000), "image/png")})
    api.call("photos/upload: over 10 MB", "POST", upload, user="ada",
             files={"file": ("big.jpg", b"\xff\xd8\xff" + b"\x00" * 10_100_000, "image/jpeg")})
    api.call("photos/upload: no file part", "POST", upload, user="ada", files={"other": ("a.jpg", b"x", "image/jpeg")})
    api.call("photos/upload: JSON body", "POST", upload, user="ada", json_body={"file": "x"})
    api.call("photos/upload: no token", "POST", upload, files=jpeg(1))
    theirs = api.call("photos/upload: ada's", "POST", upload, user="ada", files=jpeg(2)).json()["id"]
    for size in ("display", "thumbnail"):
        reply = api.call(None, "GET", f"/api/v1/media/photos/{ids[0]}/{size}")
        image = Image.open(io.BytesIO(reply.content))
        api.note(f"media: gil's first photo, {size}", {"status": reply.status_code,
                                                       "content_type": reply.headers["content-type"],
                                                       "cache_control": reply.headers.get("cache-control"),
                                                       "size": list(image.size), "exif": dict(image.getexif())})
    api.call("media: unknown photo", "GET", f"/api/v1/media/photos/{UNKNOWN_PHOTO}/display")
    api.call("media: unknown size", "GET", f"/api/v1/media/photos/{ids[0]}/original")
    api.call("photos/order: reversed", "PUT", order, user="gil", json_body={"photo_ids": list(reversed(ids))})
    api.call("photos/order: one twice", "PUT", order, user="gil", json_body={"photo_ids": [*ids[:5], ids[0]]})
    api.call("photos/order: one missing", "PUT", order, user="gil", json_body={"photo_ids": ids[:5]})
    api.call("photos/order: someone else's", "PUT", order, user="gil", json_body={"photo_ids": [*ids[:5], theirs]})
    api.call("photos/order: wrong type", "PUT", order, user="gil", json_body={"photo_ids": "all"})
    api.call("profile/me PATCH: photo order as URLs", "PATCH", "/api/v1/profile/me", user="gil",
             json_body={"photos": [f"/api/v1/media/photos/{i}/display" for i in ids]})
    api.call("photos delete: someone else's", "DELETE", f"/api/v1/profile/photos/{theirs}", user="gil")
    api.call("photos delete: unknown", "DELETE", f"/api/v1/profile/photos/{UNKNOWN_PHOTO}", user="gil")
    api.call("photos delete: gil's third", "DELETE", f"/api/v1/profile/photos/{ids[2]}", user="gil")
    api.call("photos delete: again", "DELETE", f"/api/v1/profile/photos/{ids[2]}", user="gil")
    api.call("media: a deleted photo", "GET", f"/api/v1/media/photos/{ids[2]}/thumbnail")
    api.call("profile/me: gil with photos", "GET", "/api/v1/profile/me", user="gil")


def account_delete(api: Api) -> None:
    url = "/api/v1/profile/me"
    api.call("account delete: no token", "DELETE", url, json_body={"password": PASSWORD})
    api.call("account delete: wrong password", "DELETE", url, user="gil", json_body={"password": "not-it"})
    api.call("account delete: otp_code", "DELETE", url, user="gil", json_body={"otp_code": "1234"})
    api.call("account delete: neither", "DELETE", url, user="gil", json_body={})
    api.call("account delete: both", "DELETE", url, user="gil", json_body={"password": PASSWORD, "otp_code": "1234"})
    api.call("account delete: gil", "DELETE", url, user="gil", json_body={"password": PASSWORD})
    api.call("account delete: gil's token afterwards", "GET", url, user="gil")
    api.call("account delete: gil's login afterwards", "POST", "/api/v1/auth/login",
             json_body={"email": "gil@example.com", "password": PASSWORD})


PHONE = "+916205829376"  # the Loopin README's number
PHONE_PROFILE = {"phone_number": PHONE, "name": "Gaurav Kumar", "birth_date": "1995-01-01", "gender": "male",
                 "event_interests": [1, 2, 3], "profile_pictures": ["https://example.com/pic1.jpg",
                                                                    "https://example.com/pic2.jpg"]}


def phone(api: Api, stack: Any) -> None:
    """Loopin's phone flows; codes come from the console SMS provider's line in the identity log."""
    log = stack.root / "logs" / "identity.log"
    url = "/api/v1/auth"
    api.call("auth/signup", "POST", f"{url}/signup", json_body={"phone_number": PHONE})
    api.call("auth/signup: invalid number", "POST", f"{url}/signup", json_body={"phone_number": "12345"})
    api.call("auth/signup: no number", "POST", f"{url}/signup", json_body={})
    api.call("auth/signup: again within the cooldown", "POST", f"{url}/signup", json_body={"phone_number": PHONE})
    code = sent_code(log, PHONE)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    api.call("auth/verify-otp: wrong code", "POST", f"{url}/verify-otp",
             json_body={"phone_number": PHONE, "otp_code": wrong})
    api.call("auth/verify-otp: code not digits", "POST", f"{url}/verify-otp",
             json_body={"phone_number": PHONE, "otp_code": "12ab"})
    reply = api.call("auth/verify-otp", "POST", f"{url}/verify-otp",
                     json_body={"phone_number": PHONE, "otp_code": code})
    api.tokens["gaurav"] = reply.json()["token"]
    api.call("auth/verify-otp: the same code again within the retry window (signed in again)", "POST",
             f"{url}/verify-otp", json_body={"phone_number": PHONE, "otp_code": code})

    async def past_the_retry_window() -> None:
        conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await conn.execute("UPDATE identity.phone_codes SET verified_at = verified_at - interval '1 minute' "
                               "WHERE phone_number = $1", PHONE)
        finally:
            await conn.close()

    asyncio.run(past_the_retry_window())
    api.call("auth/verify-otp: code used again", "POST", f"{url}/verify-otp",
             json_body={"phone_number": PHONE, "otp_code": code})
    api.call("auth/event-interests", "GET", f"{url}/event-interests")
    api.call("auth/complete-profile: no token", "POST", f"{url}/complete-profile", json_body=PHONE_PROFILE)
    api.call("auth/complete-profile: under 18", "POST", f"{url}/complete-profile", user="gaurav",
             json_body={**PHONE_PROFILE, "birth_date": "2020-01-01"})
    api.call("auth/complete-profile: unknown interest", "POST", f"{url}/complete-profile", user="gaurav",
             json_body={**PHONE_PROFILE, "event_interests": [1, 99]})
    api.call("auth/complete-profile: http picture", "POST", f"{url}/complete-profile", user="gaurav",
             json_body={**PHONE_PROFILE, "profile_pictures": ["http://example.com/pic1.jpg"]})
    api.call("auth/complete-profile", "POST", f"{url}/complete-profile", user="gaurav", json_body=PHONE_PROFILE)
    api.call("auth/login: phone number", "POST", f"{url}/login", json_body={"phone_number": PHONE})
    api.call("auth/login: invalid phone number", "POST", f"{url}/login", json_body={"phone_number": "+1234567890"})
    api.call("auth/verify-login", "POST", f"{url}/verify-login",
             json_body={"phone_number": PHONE, "otp_code": sent_code(log, PHONE, 2)})
    api.call("auth/profile", "GET", f"{url}/profile", user="gaurav")
    api.call("auth/profile: no token", "GET", f"{url}/profile")
    api.call("auth/signup: a second number", "POST", f"{url}/signup", json_body={"phone_number": "+14155552671"})


def leads(api: Api) -> None:
    url = "/api/v1/admin/leads"
    page = api.call("admin/leads: admin", "GET", url, user="cy")
    api.call("admin/leads: not verified", "GET", url, user="cy", params={"verified": "false"})
    api.call("admin/leads: a page of one", "GET", url, user="cy", params={"limit": 1, "offset": 1})
    api.call("admin/leads: csv, a day without leads", "GET", url, user="cy",
             params={"format": "csv", "date_from": "2020-01-01", "date_to": "2020-01-01"})
    api.call("admin/leads: invalid date", "GET", url, user="cy", params={"date_from": "2020-02-30"})
    api.call("admin/leads: not an admin", "GET", url, user="ada")
    api.call("admin/leads: no token", "GET", url)
    second = next(lead["id"] for lead in page.json()["leads"] if lead["phone_number"] == "+14155552671")
    api.call("admin/leads verify", "POST", f"{url}/{second}/verify", user="cy")
    api.call("admin/leads verify: unknown lead", "POST", f"{url}/{UNKNOWN}/verify", user="cy")
    api.call("admin/leads verify: not an admin", "POST", f"{url}/{second}/verify", user="ada")


# --- the test ----------------------------------------------------------------------------------------


def describe(exchange: dict[str, Any]) -> str:
    request = exchange.get("request")
    if isinstance(request, dict):
        return f"{exchange['name']}  [{request['method']} {request['path']} as {request['auth']}]"
    return exchange["name"]


def differences(golden: list[dict[str, Any]], now: list[dict[str, Any]], limit: int = 80) -> list[str]:
    """Every exchange that differs, with a unified diff of the two normalised exchanges."""
    found = []
    before = {e["name"]: e for e in golden}
    after = {e["name"]: e for e in now}
    for name in before.keys() - after.keys():
        found.append(f"- no longer made: {describe(before[name])}")
    for name in after.keys() - before.keys():
        found.append(f"+ not in the golden file: {describe(after[name])}")
    for name in (n for n in after if n in before and after[n] != before[n]):
        diff = list(difflib.unified_diff(
            json.dumps(before[name], indent=1, sort_keys=True, ensure_ascii=False).splitlines(),
            json.dumps(after[name], indent=1, sort_keys=True, ensure_ascii=False).splitlines(),
            "golden", "now", lineterm="", n=2))
        shown = diff[:limit] + ([f"... {len(diff) - limit} more diff lines"] if len(diff) > limit else [])
        was, now_status = ((before[name].get("response") or {}).get("status"),
                           (after[name].get("response") or {}).get("status"))
        status = f" (status {was} -> {now_status})" if was != now_status else ""
        found.append(f"* differs: {describe(after[name])}{status}\n" + "\n".join("    " + line for line in shown))
    common = [n for n in after if n in before]
    if not found and common != [n for n in before if n in after]:
        found.append("* same exchanges, in another order")
    return found


@pytest.fixture(scope="module")
def stack():
    with running_stack(STACK_ENV) as system:
        yield system


def test_public_api_answers_as_recorded(stack):
    started = time.monotonic()
    api = Api(stack.gateway_url, Normaliser(BIRTH_DATES))
    system_and_gateway(api)
    profile_calculate(api)
    auth_register_login(api)
    uid = {key: api.call(None, "GET", "/api/v1/auth/me", user=key).json()["user"]["id"] for key in PEOPLE}
    auth_logout(api)
    numerology(api)
    human_design(api)
    ids = astro(api)
    astro_rate_limit(api)
    numerology_saved(api, ids)
    forecast(api)
    match_id = matching(api, uid)
    chat(api, match_id)
    match_activity(api, match_id)
    push(api)
    websocket(api, stack.gateway_url, match_id)
    safety(api, uid, match_id)
    admin(api, stack, ids)
    astro_delete(api, ids)
    api.call("numerology/profiles get: its birth profile p2 deleted", "GET",
             f"/api/v1/numerology/profiles/{ids['n1']}", user="ada")
    account_lifecycle(api, stack)
    profile_edit(api)
    photos(api)
    account_delete(api)
    phone(api, stack)  # last: the phone user it adds would change the scans and statistics above
    leads(api)
    elapsed = time.monotonic() - started

    print(f"{len(api.exchanges)} exchanges, {api.sent} requests in {elapsed:.1f}s")
    document = {
        "about": "Public API answers through the gateway; written by tests/e2e/test_api_golden.py with "
                 "NUMEROS_GOLDEN_RECORD=1. Ids, tokens, request ids and times of the run are normalised.",
        "exchanges": api.exchanges,
    }
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if RECORD:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text)
        print(f"recorded {len(api.exchanges)} exchanges in {elapsed:.1f}s to {GOLDEN}")
        return
    assert GOLDEN.exists(), f"no golden file; record one with NUMEROS_GOLDEN_RECORD=1 ({GOLDEN})"
    golden = json.loads(GOLDEN.read_text())["exchanges"]
    found = differences(golden, api.exchanges)
    if found:
        actual = stack.root / "api_responses.actual.json"
        actual.write_text(text)
        pytest.fail(f"{len(found)} of {len(golden)} recorded exchanges differ (this run's record: {actual}):\n\n"
                    + "\n\n".join(found), pytrace=False)
