"""Schemathesis (v4) over the public OpenAPI, through the gateway, with a valid token: the examples,
coverage and fuzzing phases and every check. Passes only with no server error, no schema-valid request
rejected, no undocumented status code, no undeclared method answered without 405 + ``Allow`` ... : each
failure is listed.

``openapi_documents`` is the one place that says which documents are fuzzed: the merged
``/api/v1/openapi.json`` the gateway publishes (each service's own document could stand in for it)."""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from devstack.stack import Stack

pytestmark = pytest.mark.e2e

# Ending the session would turn every later case into a 401; everything else is fuzzed.
EXCLUDED_PATHS = ("/api/v1/auth/logout",)
MAX_EXAMPLES = 8        # per operation in the fuzzing phase: reaches every documented constraint in bounded time
SEED = 20261206         # reproducible runs; change it to explore other cases


def openapi_documents(stack: Stack) -> dict[str, dict]:
    """The documents to fuzz, by name: the gateway's merged document of every public path."""
    return {"merged": httpx.get(f"{stack.gateway_url}/api/v1/openapi.json", timeout=10).raise_for_status().json()}


# Rules that relate two fields (or a date and a zone), which a JSON Schema cannot state: each operation's
# description says them. A schema-valid request they refuse is accepted here only as a 4xx whose body names
# the field and the rule; any other rejection of schema-valid data still fails the test.
PHONE_RULES = (("phone_number", "Invalid phone number"),)
CODE_RULES = (("phone_number", "No OTP found"), ("otp_code", "Invalid OTP"), ("otp_code", "Too many attempts"),
              ("otp_code", "OTP has expired"))
CROSS_FIELD_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    # A device is an FCM token (ios, android) or a Web Push subscription (web), never both (its description).
    "POST /api/v1/devices": (("body", "send an FCM token"), ("body", "send a subscription")),
    # A scan cursor is opaque: only one this API issued continues a ranking (any other is refused by name).
    "POST /api/v1/scan": (("cursor", "not one this API issued"),),
    # Without profile_id, the inline birth fields are required (the description says which).
    "POST /api/v1/astro/compute": (("dob", "must not be after as_of"), ("name", "Field required")),
    "POST /api/v1/numerology/calculate": (("as_of", "must not be before birth_date"),),
    "POST /api/v1/numerology/profiles": (("as_of", "must not be before birth_date"),),
    "PATCH /api/v1/numerology/profiles/{numerology_profile_id}": (("as_of", "must not be before birth_date"),),
    # 00:00 on 0001-01-01 east of Greenwich falls before 0001-01-01T00:00Z, where the supported range starts.
    # A birth_place alone must be a place the offline gazetteer knows (34k names: no enum for that).
    "POST /api/v1/profile/calculate": (("birth_date", "the first supported instant"),
                                       ("birth_place", "in the gazetteer")),
    "POST /api/v1/auth/register": (("birth_date", "Field required with"), ("display_name", "Field required with"),
                                   ("birth_date", "the first supported instant"), ("birth_place", "in the gazetteer")),
    # Birth fields complete the stored ones (an account without a profile needs a date and a name); the photo
    # order must list each of the caller's photos once (which photos exist is state, not schema).
    "PATCH /api/v1/profile/me": (("birth_date", "Field required with"), ("display_name", "Field required with"),
                                 ("birth_date", "the first supported instant"), ("birth_date", "not be in the future"),
                                 ("birth_place", "in the gazetteer"), ("location.place", "in the gazetteer"),
                                 ("photos", "must list each"), ("photos", "more than once")),
    "PUT /api/v1/profile/photos/order": (("photo_ids", "must list each"), ("photo_ids", "more than once")),
    # Bytes are a photo only when they decode as one (a schema cannot say which bytes are a JPEG).
    "POST /api/v1/profile/photos/upload": (("file", "not a JPEG, PNG or WebP"), ("file", "cannot be decoded"),
                                           ("file", "megapixels")),
    # Confirming by one-time code needs a phone number and a code sent to it (its description says so).
    "DELETE /api/v1/profile/me": (("otp_code", "has no phone number"), ("otp_code", "OTP"),
                                  ("phone_number", "No OTP found")),
    # Phone OTP: a number must exist in its country's numbering plan (phonenumbers' metadata: no pattern for
    # that); a code must have been sent, be right, unexpired and not locked; complete-profile's data rules.
    **{f"POST /api/v1/auth/{path}": PHONE_RULES for path in ("signup", "login")},
    **{f"POST /api/v1/auth/{path}": PHONE_RULES + CODE_RULES for path in ("verify-otp", "verify-login")},
    "POST /api/v1/auth/complete-profile": PHONE_RULES + (
        ("phone_number", "signed-in account"), ("birth_date", "18 years or older"),
        ("event_interests", "invalid or inactive")),
}


def cross_field_rule(label: str, status: int, body: bytes) -> tuple[str, str] | None:
    """The documented cross-field rule this refusal is, if it is one (a 4xx naming the field and the rule)."""
    text = body.decode("utf-8", "replace")
    if not 400 <= status < 500:
        return None
    return next(((name, rule) for name, rule in CROSS_FIELD_RULES.get(label, ())
                 if f'"{name}"' in text and rule in text), None)


def access_token(base_url: str) -> str:
    reply = httpx.post(f"{base_url}/api/v1/auth/register", timeout=30, json={
        "email": f"fuzz-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw",
        "display_name": "Fuzz", "birth_date": "1990-05-15"})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    return body.get("access_token") or body["token"]


@dataclass
class Outcome:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    # (operation, check, failure) -> [how many times, one reproduction: request and response]
    failures: dict[tuple[str, str, str], list] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    cross_field: Counter = field(default_factory=Counter)  # (operation, field, rule) -> refusals

    def add(self, recorder) -> None:
        self.cases += len(recorder.cases)
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.statuses[interaction.response.status_code] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction is not None else None
                rule = (cross_field_rule(recorder.label, response.status_code, response.content)
                        if check.name == "positive_data_acceptance" and response is not None else None)
                if rule is not None:
                    self.cross_field[(recorder.label, *rule)] += 1
                    continue
                key = (recorder.label, check.name, f"{failure.title}: {failure.message}".strip())
                entry = self.failures.setdefault(key, [0, _reproduction(recorder, case_id, check)])
                entry[0] += 1

    def listing(self) -> str:
        return "\n\n".join(f"[{label}] {check} (x{count})\n{text}\n{example}"
                           for (label, check, text), (count, example) in sorted(self.failures.items()))


def _reproduction(recorder, case_id: str, check) -> str:
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    answer = f"-> {response.status_code} {response.content[:300]!r}" if response is not None else "-> no response"
    return f"{check.failure_info.code_sample}\n{answer}"


def fuzz(document: dict, base_url: str, token: str) -> Outcome:
    config = schemathesis.Config.from_dict({
        "base-url": base_url, "headers": {"Authorization": f"Bearer {token}"}, "seed": SEED,
        "continue-on-failure": True, "cache": {"enabled": False},
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "checks": {"enabled": True},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
    })
    schema = schemathesis.openapi.from_dict(document, config=config).exclude(path=list(EXCLUDED_PATHS))
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            outcome.add(event.recorder)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
    return outcome


def test_openapi_fuzzing_through_the_gateway(stack: Stack) -> None:
    token = access_token(stack.gateway_url)
    report, failed = [], []
    for name, document in openapi_documents(stack).items():
        outcome = fuzz(document, stack.gateway_url, token)
        report.append(f"{name}: {outcome.cases} cases, statuses {dict(sorted(outcome.statuses.items()))}")
        report.extend(f"  refused by the cross-field rule {rule!r} on {label} naming {name_}: {count}"
                      for (label, name_, rule), count in sorted(outcome.cross_field.items()))
        if outcome.failures or outcome.errors:
            failed.append(f"== {name}: {len(outcome.failures)} distinct failures\n{outcome.listing()}\n"
                          + "\n".join(outcome.errors))
    print("\n".join(report))
    assert not failed, "\n".join(report) + "\n\n" + "\n\n".join(failed)
