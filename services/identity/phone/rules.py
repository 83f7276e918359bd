"""Pure rules of the phone product: numbers, codes, and the Loopin profile's validation flow."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from urllib.parse import urlsplit

import phonenumbers

ADULT_AGE = 18  # the seed's validation flow: "Under 18" is refused
INTERESTS_MIN, INTERESTS_MAX = 1, 5
PICTURES_MIN, PICTURES_MAX = 1, 6
# Loopin's genders, and how the events (and the rest of the dating app) spell them.
GENDERS = {"male": "male", "female": "female", "other": "non_binary"}
LOOPIN_GENDER = {stored: loopin for loopin, stored in GENDERS.items()}
NAME_PATTERN = r"^[A-Za-z][A-Za-z '\-]*$"  # Loopin: letters, spaces, hyphens, apostrophes
_SEPARATORS = re.compile(r"[\s\-().]")


def e164(raw: str) -> str:
    """``raw`` as an E.164 number (``+916205829376``). Loopin's clients send it with or without the ``+``,
    spaces, dashes or brackets; anything that is not a valid number somewhere is a ValueError."""
    text = _SEPARATORS.sub("", raw)
    if not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Invalid phone number format; give it with its country code, e.g. +916205829376") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Invalid phone number: no such number in its country's numbering plan")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region(number: str) -> str | None:
    """The ISO country of an E.164 number (``IN``), None when it is not one country's (phonenumbers' "ZZ",
    or "001" for the valid non-geographic numbers such as +800 freephone)."""
    code = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    return code if code and code not in ("ZZ", phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY) else None


def code_hash(key: bytes, number: str, code: str) -> str:
    """The only form a code is stored in: keyed, so the table alone does not reveal 10**n guesses' answer."""
    return hmac.new(key, f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(key: bytes, number: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(key, number, code), stored_hash)


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def https_url(url: str) -> str:
    """A picture URL the app can show: https with a host."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        raise ValueError("must be an https URL with a host, e.g. https://example.com/pic1.jpg")
    return url


def needs_profile_completion(completed_at: dt.datetime | None) -> bool:
    return completed_at is None
