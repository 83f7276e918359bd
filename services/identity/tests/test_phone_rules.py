"""The phone product's pure rules and its SMS providers, without the stack (Twilio's HTTP is a recording
stand-in: no message leaves the machine)."""
from __future__ import annotations

import datetime as dt
import json
import logging
from types import SimpleNamespace

import pytest
from pydantic import SecretStr
from twilio.http import HttpClient
from twilio.http.response import Response

from numeros_common.errors import AppError
from services.identity.phone import rules
from services.identity.phone.sms import ConsoleSms, TwilioSms, provider_from


@pytest.mark.parametrize(("raw", "number"), [
    ("+916205829376", "+916205829376"), ("916205829376", "+916205829376"), ("+91 62058-29376", "+916205829376"),
    ("+1 (415) 555-2671", "+14155552671"), ("+49 151 12345678", "+4915112345678")])
def test_numbers_become_e164(raw: str, number: str) -> None:
    assert rules.e164(raw) == number


@pytest.mark.parametrize("raw", ["12345", "+1234567890", "+447700900123", "+", "abc", "+999 1234 5678"])
def test_numbers_outside_every_plan_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        rules.e164(raw)


def test_region_of_a_number() -> None:
    assert (rules.region("+916205829376"), rules.region("+14155552671")) == ("IN", "US")


def test_a_code_is_kept_as_an_hmac_of_number_and_code() -> None:
    # HMAC-SHA256(b"k", b"+916205829376:1097"), computed with openssl: printf '+916205829376:1097' |
    # openssl dgst -sha256 -hmac k
    assert rules.code_hash(b"k", "+916205829376", "1097") == HMAC_K_1097
    assert rules.code_matches(b"k", "+916205829376", "1097", HMAC_K_1097)
    assert not rules.code_matches(b"other key", "+916205829376", "1097", HMAC_K_1097)
    assert not rules.code_matches(b"k", "+916205829377", "1097", HMAC_K_1097)


HMAC_K_1097 = "e689b6fafea7c80cd1183915be1caadf3ee2b144a6df262b218f1c163e79792c"


@pytest.mark.parametrize(("born", "today", "age"), [
    (dt.date(2000, 6, 15), dt.date(2018, 6, 14), 17), (dt.date(2000, 6, 15), dt.date(2018, 6, 15), 18),
    (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17), (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18)])
def test_age(born: dt.date, today: dt.date, age: int) -> None:
    assert rules.age_on(born, today) == age


@pytest.mark.parametrize("url", ["http://example.com/a.jpg", "https:///a.jpg", "ftp://example.com/a", "https://a b/c"])
def test_pictures_must_be_https_urls_with_a_host(url: str) -> None:
    with pytest.raises(ValueError):
        rules.https_url(url)


async def test_the_console_provider_logs_the_code(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="services.identity.phone.sms"):
        await ConsoleSms().send_code("+916205829376", "1097", 10)
    assert [r.getMessage() for r in caplog.records] == ["OTP for +916205829376: 1097"]


class RecordingTwilio(HttpClient):
    def __init__(self, status: int = 201) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        self.status = status
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        if self.status >= 400:
            return Response(self.status, json.dumps({"code": 21211, "message": "Invalid 'To' Phone Number",
                                                     "status": self.status}))
        return Response(self.status, json.dumps({"sid": "SM123", "status": "queued", "to": data["To"]}))


async def test_twilio_sends_the_code_through_the_messages_api() -> None:
    http = RecordingTwilio()
    sms = TwilioSms("AC123", "token", from_number="+15005550006", messaging_service_sid=None, http_client=http)
    await sms.send_code("+916205829376", "1097", 10)
    (sent,) = http.requests
    assert (sent["method"], sent["uri"]) == ("POST", "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json")
    assert sent["auth"] == ("AC123", "token")
    assert {k: sent["data"][k] for k in ("To", "From", "Body")} == {
        "To": "+916205829376", "From": "+15005550006",
        "Body": "Your verification code is: 1097. This code expires in 10 minutes."}


async def test_a_twilio_refusal_is_a_502_naming_the_number() -> None:
    sms = TwilioSms("AC123", "token", from_number=None, messaging_service_sid="MG123", http_client=RecordingTwilio(400))
    with pytest.raises(AppError) as refused:
        await sms.send_code("+916205829376", "1097", 10)
    assert (refused.value.status, refused.value.code, refused.value.field) == (502, "SMS_FAILED", "phone_number")


def test_twilio_only_when_account_token_and_sender_are_set() -> None:
    def settings(**twilio) -> SimpleNamespace:
        base = {"twilio_account_sid": None, "twilio_auth_token": None, "twilio_from_number": None,
                "twilio_messaging_service_sid": None}
        return SimpleNamespace(**{**base, **twilio})

    assert isinstance(provider_from(settings()), ConsoleSms)
    assert isinstance(provider_from(settings(twilio_account_sid="AC1", twilio_auth_token=SecretStr("t"))), ConsoleSms)
    chosen = provider_from(settings(twilio_account_sid="AC1", twilio_auth_token=SecretStr("t"),
                                    twilio_from_number="+15005550006"))
    assert isinstance(chosen, TwilioSms)
