"""Numerology use-cases. Calculate and compare: chart computes the jioastro bodies; identity checks the name
count and names chart's fields as the request did (both return the body as JSON text, passed through).

Saved profiles and name trials: chart computes, Postgres keeps the result, every read and write is scoped
to its owner (another user's profile or trial is a 404, as if it did not exist). A profile keeps the
/calculate sections it was saved with; a change of ``full_name`` or ``birth_date`` recalculates them."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError

from ..calculations import renamed
from ..vedic import service as birth_profiles
from . import repository

COMPARE_NAMES_MIN, COMPARE_NAMES_MAX = 2, 5
# What a change of recalculates the saved numbers.
RECALCULATED_BY = ("full_name", "birth_date")


async def calculate(chart: ChartClient, full_name: str, birth_date: dt.date, *, as_of: dt.date, system: str,
                    y_as_vowel: str) -> str:
    try:
        reply = await chart.numerology_report(full_name, birth_date, as_of=as_of, system=system,
                                              y_as_vowel=y_as_vowel)
    except AppError as error:
        raise renamed(error, {}) from error
    return reply.json


async def compare(chart: ChartClient, names: Sequence[str], birth_date: dt.date, *, system: str,
                  y_as_vowel: str) -> str:
    """2 to 5 names side by side (fewer or more is a 400 naming ``names``, as the seed says)."""
    if not COMPARE_NAMES_MIN <= len(names) <= COMPARE_NAMES_MAX:
        raise AppError(400, "BAD_REQUEST", f"names: give {COMPARE_NAMES_MIN} to {COMPARE_NAMES_MAX} names "
                                           f"(got {len(names)})", field="names")
    try:
        reply = await chart.compare_names(names, birth_date, system=system, y_as_vowel=y_as_vowel)
    except AppError as error:
        raise renamed(error, {}) from error
    return reply.json


# --- saved profiles ----------------------------------------------------------------------------------


def profile_not_found() -> AppError:
    return AppError(404, "NUMEROLOGY_PROFILE_NOT_FOUND", "Numerology profile not found")


def trial_not_found() -> AppError:
    return AppError(404, "NAME_TRIAL_NOT_FOUND", "Name trial not found")


def _birth_profile_not_found() -> AppError:
    return AppError(404, "BIRTH_PROFILE_NOT_FOUND", "Birth profile not found", field="profile_id")


def _account_gone() -> AppError:
    """A valid token of an account deleted meanwhile: its rows cannot be written any more."""
    return AppError(401, "UNAUTHENTICATED", "Not authenticated")


async def _calculated(chart: ChartClient, full_name: str, birth_date: dt.date, *, system: str, y_as_vowel: str,
                      as_of: dt.date) -> dict[str, Any]:
    """The stored columns of a calculation: the /calculate sections, the western cycles, hash and time."""
    body = json.loads(await calculate(chart, full_name, birth_date, as_of=as_of, system=system,
                                      y_as_vowel=y_as_vowel))
    western = body.get("western")
    return {"western_data": western, "vedic_data": body.get("vedic"), "chaldean_data": body.get("chaldean"),
            "cycles": western["current_cycles"] if western else None,
            "calculation_hash": body["calculation_hash"],
            "calculated_at": dt.datetime.fromisoformat(body["calculated_at"])}


async def _owned_birth_profile(session: AsyncSession, owner: int, profile_id: int) -> None:
    try:
        await birth_profiles.get_profile(session, owner, profile_id)
    except AppError as error:
        if error.status == 404:
            raise _birth_profile_not_found() from error
        raise


async def create_profile(chart: ChartClient, session: AsyncSession, owner: int, values: dict[str, Any], *,
                         as_of: dt.date) -> RowMapping:
    """``values``: full_name, birth_date, system, y_as_vowel and the optional common_name, name_at_birth and
    profile_id (one of the owner's birth profiles)."""
    if values.get("profile_id") is not None:
        await _owned_birth_profile(session, owner, values["profile_id"])
    calculated = await _calculated(chart, values["full_name"], values["birth_date"], system=values["system"],
                                   y_as_vowel=values["y_as_vowel"], as_of=as_of)
    try:
        row = await repository.create_profile(session, {**values, **calculated, "user_id": owner})
        await session.commit()
    except IntegrityError as error:  # the account or the birth profile was deleted since the checks
        await session.rollback()
        if values.get("profile_id") is not None:
            await _owned_birth_profile(session, owner, values["profile_id"])
        raise _account_gone() from error
    return row


async def list_profiles(session: AsyncSession, owner: int, *, limit: int, offset: int) -> list[RowMapping]:
    return await repository.list_profiles(session, owner, limit=limit, offset=offset)


async def get_profile(session: AsyncSession, owner: int, profile_id: int, *, lock: bool = False) -> RowMapping:
    row = await repository.get_profile(session, owner, profile_id, lock=lock)
    if row is None:
        raise profile_not_found()
    return row


def _refuse_nulls(values: dict[str, Any], *required: str) -> None:
    for name in required:
        if name in values and values[name] is None:
            raise AppError(422, "VALIDATION_ERROR", f"{name}: may not be null", field=name)


async def update_profile(chart: ChartClient, session: AsyncSession, owner: int, profile_id: int,
                         values: dict[str, Any], *, as_of: dt.date | None, today: dt.date) -> RowMapping:
    """Only the fields in ``values`` change. A new ``full_name`` or ``birth_date``, or an ``as_of``, recalculates
    every number (cycles as of ``as_of``, else ``today``) with the profile's system and Y rule; the row is
    locked meanwhile, so concurrent updates apply one after the other."""
    _refuse_nulls(values, *RECALCULATED_BY)
    row = await get_profile(session, owner, profile_id, lock=True)
    changed = {name: value for name, value in values.items() if value != row[name]}
    if as_of is not None or any(name in changed for name in RECALCULATED_BY):
        person = {**dict(row), **changed}
        changed |= await _calculated(chart, person["full_name"], person["birth_date"], system=row["system"],
                                     y_as_vowel=row["y_as_vowel"], as_of=as_of or today)
    if not changed:
        await session.rollback()
        return row
    row = await repository.update_profile(session, profile_id, {**changed, "updated_at": dt.datetime.now(dt.UTC)})
    await session.commit()
    return row


async def delete_profile(session: AsyncSession, owner: int, profile_id: int) -> None:
    """The profile with its name trials."""
    if not await repository.delete_profile(session, owner, profile_id):
        raise profile_not_found()
    await session.commit()


# --- name trials -------------------------------------------------------------------------------------


async def create_trial(chart: ChartClient, session: AsyncSession, owner: int, profile_id: int, *, trial_name: str,
                       system: str, notes: str | None, is_preferred: bool) -> RowMapping:
    """The trial name's numbers in ``system``, read with the profile's Y rule. A preferred trial is the
    profile's only one (the previous preferred name is no longer)."""
    profile = await get_profile(session, owner, profile_id, lock=True)
    try:
        reply = await chart.name_trial_values(trial_name, system=system, y_as_vowel=profile["y_as_vowel"])
    except AppError as error:
        raise renamed(error, {}) from error
    if is_preferred:
        await repository.clear_preferred(session, profile_id)
    try:
        row = await repository.create_trial(session, {
            "numerology_profile_id": profile_id, "user_id": owner, "trial_name": trial_name, "system": system,
            "calculated_values": json.loads(reply.json), "notes": notes, "is_preferred": is_preferred})
        await session.commit()
    except IntegrityError as error:  # the account was deleted meanwhile (the profile is locked)
        await session.rollback()
        raise _account_gone() from error
    return row


async def list_trials(session: AsyncSession, owner: int, profile_id: int, *, limit: int,
                      offset: int) -> list[RowMapping]:
    await get_profile(session, owner, profile_id)
    return await repository.list_trials(session, owner, profile_id, limit=limit, offset=offset)


async def get_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int) -> RowMapping:
    await get_profile(session, owner, profile_id)
    row = await repository.get_trial(session, owner, profile_id, trial_id)
    if row is None:
        raise trial_not_found()
    return row


async def update_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int,
                       values: dict[str, Any]) -> RowMapping:
    """``notes`` (null clears them) and ``is_preferred``; marking one trial preferred unmarks the others."""
    _refuse_nulls(values, "is_preferred")
    await get_profile(session, owner, profile_id, lock=True)
    if values.get("is_preferred"):
        await repository.clear_preferred(session, profile_id, except_trial=trial_id)
    if values:
        row = await repository.update_trial(session, owner, profile_id, trial_id,
                                            {**values, "updated_at": dt.datetime.now(dt.UTC)})
    else:
        row = await repository.get_trial(session, owner, profile_id, trial_id)
    if row is None:
        await session.rollback()
        raise trial_not_found()
    await session.commit()
    return row


async def delete_trial(session: AsyncSession, owner: int, profile_id: int, trial_id: int) -> None:
    await get_profile(session, owner, profile_id)
    if not await repository.delete_trial(session, owner, profile_id, trial_id):
        raise trial_not_found()
    await session.commit()
