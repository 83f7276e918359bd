"""Phone OTP use-cases (Loopin): verify a code (signing in, making the account on first use; the code itself
is ``codes``), the event interests, and complete-profile.

Sign-up and login send a code the same way for every valid number, known or not, so neither answer tells
whether a number has an account (Loopin's "User not found. Please signup first." would). Verifying a code
proves the number: verify-otp and verify-login both sign in, making the account when there is none.
The sessions and tokens are accounts' own, so a phone user is signed in exactly like any other."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.errors import AppError
from numeros_common.runtime import Runtime

from ..accounts.service import start_session
from ..accounts.tokens import IssuedTokens
from ..leads import service as leads
from ..profile.rules import linked_pictures
from ..profile.service import announce_profile, calculate_profile, signed_in_user, user_values
from . import repository, rules
from .codes import now_or_given, spend_code


@dataclass(frozen=True)
class Verified:
    user: RowMapping
    tokens: IssuedTokens
    needs_profile_completion: bool


async def verify_code(runtime: Runtime, session: AsyncSession, number: str, code: str,
                      now: dt.datetime | None = None) -> Verified:
    """Signs the number's owner in (creating the account on first use). The same code again within the retry
    window (the app's retry after a lost answer, or a double submit that waited on the first's lock) signs in
    again: a session of its own, for the same account."""
    now = now_or_given(now)
    fresh = await spend_code(runtime, session, number, code, now, sign_in=True)
    user = await repository.user_by_phone(session, number) or await repository.create_phone_user(session, number)
    if not user["is_active"]:
        raise AppError(403, "ACCOUNT_DISABLED", "This account is disabled.")
    if not user["is_verified"]:
        user = await repository.mark_verified(session, user["id"])
    if fresh:
        await leads.verified(session, number, user_id=user["id"], by="otp", now=now)
    tokens = await start_session(runtime, session, user, now)
    profile = await repository.phone_profile(session, user["id"])
    await session.commit()
    return Verified(user, tokens, rules.needs_profile_completion(profile["completed_at"] if profile else None))


async def event_interests(session: AsyncSession) -> Sequence[RowMapping]:
    return await repository.active_interests(session)


@dataclass(frozen=True)
class ProfileForm:
    """complete-profile's input, already checked for shape (lengths, counts, formats)."""

    phone_number: str
    name: str
    birth_date: dt.date
    gender: str  # Loopin's spelling: male, female, other
    event_interests: list[int]
    profile_pictures: list[str]
    bio: str | None
    location: str | None


@dataclass(frozen=True)
class _Birth:
    birth_date: dt.date
    birth_time: dt.time | None = None
    birth_place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    house_system: str | None = None


def _invalid(field: str, message: str) -> AppError:
    return AppError(422, "VALIDATION_ERROR", f"{field}: {message}", field=field)


async def complete_profile(runtime: Runtime, session: AsyncSession, user_id: int, form: ProfileForm,
                           today: dt.date | None = None, now: dt.datetime | None = None) -> RowMapping:
    """The seed's validation flow (18+, known interests), then the profile: numerology from chart for the
    name and birth date (chart down: 503, nothing stored), the Loopin parts, and the event discovery reads
    (``identity.user.registered`` the first time the account has a profile, else ``identity.user.updated``)
    in one transaction. Returns the updated users row. The account's row is locked first: of two first
    calls at once, the second sees the profile the first made, so one ``registered`` event is written."""
    now = now_or_given(now)
    user = await signed_in_user(session, user_id, lock=True)
    if user["phone_number"] != form.phone_number:
        raise _invalid("phone_number", "is not the signed-in account's phone number")
    if rules.age_on(form.birth_date, today or now.date()) < rules.ADULT_AGE:
        raise _invalid("birth_date", f"User must be {rules.ADULT_AGE} years or older")
    if await repository.active_interest_ids(session, form.event_interests) != set(form.event_interests):
        raise _invalid("event_interests", "One or more selected event interests are invalid or inactive")
    same_birth = user["birth_date"] == form.birth_date  # keep a time and place given earlier (a finer chart)
    birth = _Birth(form.birth_date, **({"birth_time": user["birth_time"], "latitude": user["birth_latitude"],
                                        "longitude": user["birth_longitude"], "timezone": user["timezone"]}
                                       if same_birth else {}))
    calculated = await calculate_profile(runtime.chart, form.name, birth, name_field="name")
    values = {"display_name": form.name, "birth_date": form.birth_date, "gender": rules.GENDERS[form.gender],
              "photos": linked_pictures(user["photos"], form.profile_pictures), "bio": form.bio or "",
              "updated_at": now,
              **user_values(calculated, birth.timezone)}
    if not same_birth:
        values.update(birth_time=None, birth_place=None, birth_latitude=None, birth_longitude=None)
    row = await repository.save_profile(session, user_id, values, location=form.location or "", completed_at=now)
    await repository.set_interests(session, user_id, form.event_interests)
    await announce_profile(runtime, session, user, row)
    await session.commit()
    runtime.relay.wake()
    return row


@dataclass(frozen=True)
class LoopinProfile:
    user: RowMapping
    location: str
    interests: Sequence[RowMapping]


async def profile(session: AsyncSession, user_id: int) -> LoopinProfile:
    user = await signed_in_user(session, user_id)
    extra = await repository.phone_profile(session, user_id)
    return LoopinProfile(user, extra["location"] if extra else "", await repository.interests_of(session, user_id))
