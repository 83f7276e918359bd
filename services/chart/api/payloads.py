"""What each RPC computes, as plain functions of plain data: the gRPC edge runs them in worker
processes and returns their JSON-ready results. Every clock reading is passed in."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from services.chart.domain import synastry
from services.chart.domain.errors import InvalidInput
from services.chart.domain.human_design import calculate_chart
from services.chart.domain.numerology import (
    calculate_response,
    compare_response,
    name_trial_values,
    numerology_compatibility,
    pythagorean_profile,
)
from services.chart.domain.numerology.compatibility import HARMONY_NUMBERS, WEIGHTS, harmony_matrix
from services.chart.domain.western import compute_natal_chart

KEY_PLANETS = synastry.KEY_PLANETS  # sun, moon, mercury, venus, mars


@dataclass(frozen=True)
class Core:
    life_path: int
    expression: int
    soul_urge: int
    personality: int


def parse_birth_time(value: str) -> dt.time | None:
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise InvalidInput("birth_time", "must be HH:MM or HH:MM:SS") from None


def profile(name: str, birth_date: dt.date, *, birth_time: str, birth_place: str, latitude: float | None,
            longitude: float | None, timezone: str, house_system: str, y_as_vowel: str = "auto") -> dict[str, Any]:
    """numerology + natal chart: the anonymous calculate response, and what register stores."""
    try:  # one profile holds the four core numbers too (calculate_numerology would compute it again)
        pythagorean = pythagorean_profile(name, birth_date, y_as_vowel=y_as_vowel or "auto")
    except InvalidInput as error:  # the numerology engine calls it full_name; BirthData calls it name
        raise InvalidInput("name" if error.field == "full_name" else error.field, error.reason) from None
    core = Core(pythagorean.life_path.number, pythagorean.expression.number, pythagorean.soul_urge.number,
                pythagorean.personality.number)
    details = pythagorean.to_dict()
    chart = compute_natal_chart(birth_date, parse_birth_time(birth_time), latitude=latitude, longitude=longitude,
                                timezone=timezone or None, birth_place=birth_place or None,
                                house_system=house_system or None)
    astrology = chart.to_dict()
    numerology = {"life_path": core.life_path, "soul_urge": core.soul_urge, "expression": core.expression,
                  "personality": core.personality, **details}
    ascendant = chart.ascendant
    return {
        "core": core,
        "chart_level": chart.chart_level,
        "sun_sign": astrology["planets"]["sun"]["sign"],
        "moon_sign": astrology["planets"]["moon"]["sign"],
        "rising_sign": ascendant.sign if ascendant is not None else "",
        "key_longitudes": tuple(chart.planets[p].longitude for p in KEY_PLANETS),
        "document": {"numerology": numerology, "astrology": astrology, "chart_level": chart.chart_level},
        "ruleset_version": pythagorean.ruleset_version,
    }


# orjson and json.dumps write every float in 1e-4 <= |x| < 1e16 alike; outside it orjson writes 0.000015, 1e-7
# and 1e16 where Python writes 1.5e-05, 1e-07 and 1e+16. So orjson's text is json.dumps's unless it holds
# "0.0000" or a number with an exponent. In a copy of the text with every digit, sign and dot turned into 0,
# "e" kept and "," "}" "]" (what ends a value) turned into ",", such a number reads 0e0..0, (a hash's "3e41"
# ends in a letter or a quote; a string that happens to match only sends the body to json.dumps). Half the
# cost of scanning the text itself with regexes; most texts have no "0e" at all, which one ``in`` tells.
_NUMBER_SHAPES = bytes.maketrans(b"0123456789-+.eE,}]", b"0000000000000ee,,,")
_EXPONENT = re.compile(rb"0e0+,")


def _json_bytes(body: Any) -> bytes:
    """``to_json``'s text as UTF-8."""
    try:
        text = orjson.dumps(body)
    except TypeError:  # e.g. non-string keys or numpy scalars, which json.dumps accepts
        text = b"0"
    if text[:1] in b"[{" and b"0.0000" not in text:
        shapes = text.translate(_NUMBER_SHAPES)
        if b"0e" not in shapes or _EXPONENT.search(shapes) is None:
            return text
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def to_json(body: Any) -> str:
    """A document's compact JSON text, as ``JsonDocument.json`` carries it: byte for byte what
    ``json.dumps(body, ensure_ascii=False, separators=(",", ":"))`` writes (the text clients have always had),
    through orjson whenever its text is the same: a profile document costs ~0.06 ms instead of ~0.12-0.18.
    Not a number and infinities become null (json.dumps wrote NaN and Infinity, which are not JSON)."""
    return _json_bytes(body).decode()


def encoded(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> str:
    """``to_json(function(*args, **kwargs))``: the JSON text a ``JsonDocument`` carries as it is."""
    return to_json(function(*args, **kwargs))


def profile_encoded(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """``profile`` with its ``document`` already JSON text: ``to_json(document)``, but the numerology part
    (integers, strings, booleans and nulls only: orjson's text is json.dumps's) is written without the
    check, which only floats need (and which a calculation hash's hex digits would often send to the regex)."""
    result = profile(*args, **kwargs)
    result["document"] = (b"{" + b",".join(
        orjson.dumps(key) + b":" + (orjson.dumps(part) if key in _FLOAT_FREE_PARTS else _json_bytes(part))
        for key, part in result["document"].items()) + b"}").decode()
    return result


# The parts of a profile document without floats (its other parts, and any part added later, get the check).
_FLOAT_FREE_PARTS = frozenset({"numerology", "chart_level"})


def numerology_report(full_name: str, birth_date: dt.date, *, as_of: dt.date, calculated_at: dt.datetime,
                      system: str, y_as_vowel: str) -> dict[str, Any]:
    return calculate_response(full_name, birth_date, as_of=as_of, calculated_at=calculated_at,
                              system=system or "both", y_as_vowel=y_as_vowel or "auto")


def compare_names(names: list[str], birth_date: dt.date, *, system: str, y_as_vowel: str) -> dict[str, Any]:
    return compare_response(names, birth_date, system=system or "western", y_as_vowel=y_as_vowel or "auto")


def name_trial(trial_name: str, *, system: str, y_as_vowel: str) -> dict[str, Any]:
    return name_trial_values(trial_name, system=system, y_as_vowel=y_as_vowel or "auto")


def human_design(birth_datetime: str, birth_timezone: str, latitude: float, longitude: float, name: str | None,
                 *, now: dt.datetime) -> dict[str, Any]:
    return calculate_chart(birth_datetime, birth_timezone, latitude, longitude, name, now=now).to_dict()


# Candidate numerology arrives as columns in WEIGHTS order: life_path, soul_urge, expression, personality.
NUMEROLOGY_COLUMNS = tuple(WEIGHTS)
_POSITION = np.full(max(HARMONY_NUMBERS) + 1, -1, dtype=np.intp)
_POSITION[list(HARMONY_NUMBERS)] = np.arange(len(HARMONY_NUMBERS))
_MATRIX = np.asarray(harmony_matrix(), dtype=np.int64)
_WEIGHTS = np.asarray(list(WEIGHTS.values()), dtype=np.int64)


def score_candidates(subject: Core, subject_level: int, subject_longitudes: tuple[float, ...] | None,
                     numerology_columns: np.ndarray, levels: np.ndarray,
                     longitudes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Scores for one subject against many candidates: (overall, numerology, astrology, highlights).

    Candidates without a chart (no longitudes) are scored on numerology alone."""
    numerology = numerology_scores(subject, numerology_columns)
    if subject_longitudes is None or longitudes is None:
        return numerology, numerology, np.zeros_like(numerology), [""] * len(numerology)
    batch = synastry.score_candidates(synastry.SynastryPerson(tuple(subject_longitudes), subject_level),
                                      longitudes, levels)
    astrology = np.asarray(batch.astrology_score, dtype=np.int32)
    overall = np.rint(synastry.combined_score(numerology, astrology, np.minimum(levels, subject_level)))
    return overall.astype(np.int32), numerology, astrology, [h or "" for h in batch.highlights()]


def numerology_scores(subject: Core, columns: np.ndarray) -> np.ndarray:
    """numerology_score(subject, candidate) for every row of ``columns``, vectorised."""
    columns = np.asarray(columns, dtype=np.intp).reshape(-1, len(NUMEROLOGY_COLUMNS))
    # Out-of-table values (negative ones would wrap around) read as position -1, i.e. invalid.
    in_table = (columns >= 0) & (columns < len(_POSITION))
    positions = np.where(in_table, _POSITION[np.where(in_table, columns, 0)], -1)
    if (positions < 0).any():
        column = int(np.flatnonzero((positions < 0).any(axis=0))[0])
        raise InvalidInput(NUMEROLOGY_COLUMNS[column], "numerology numbers must be 0-9, 11, 22 or 33")
    rows = _MATRIX[[_POSITION[getattr(subject, field)] for field in NUMEROLOGY_COLUMNS]]  # 4 x 13
    scores = rows[np.arange(len(NUMEROLOGY_COLUMNS)), positions]  # N x 4
    return ((scores @ _WEIGHTS + 50) // 100).astype(np.int32)


def evaluate_pair(a: Core, a_level: int, a_longitudes: tuple[float, ...] | None, b: Core, b_level: int,
                  b_longitudes: tuple[float, ...] | None) -> dict[str, Any]:
    """numeros-backend-rebuild's CompatibilityResponse for one pair."""
    numerology = numerology_compatibility(a, b)
    body: dict[str, Any] = {"numerology": {
        "life_path_harmony": numerology.life_path_harmony, "soul_connection": numerology.soul_connection,
        "expression_sync": numerology.expression_sync, "personality_match": numerology.personality_match,
        "challenges": list(numerology.challenges), "strengths": list(numerology.strengths),
        "numerology_score": numerology.numerology_score}}
    if a_longitudes is not None and b_longitudes is not None:
        astro = synastry.synastry(synastry.SynastryPerson(tuple(a_longitudes), a_level),
                                  synastry.SynastryPerson(tuple(b_longitudes), b_level)).to_dict()
        body["astrology"] = astro
        overall = synastry.combined_score(numerology.numerology_score, astro["astrology_score"], min(a_level, b_level))
        body["highlights"] = astro.get("highlights", [])
    else:
        overall = numerology.numerology_score
        body["highlights"] = []
    return {"overall_score": int(round(float(overall))), **body}


# --- Vedic snapshot and daily forecast ------------------------------------------------------------

# Domain field names -> the request fields (VedicRequest / DailyForecastRequest) they came from.
_VEDIC_FIELDS = {"dob": "birth.birth_date", "birth_date": "birth.birth_date", "birth_time": "birth.birth_time",
                 "latitude": "birth.latitude", "longitude": "birth.longitude", "timezone": "birth.timezone",
                 "birth_place": "birth.birth_place"}


def _renamed(error: InvalidInput, fields: dict[str, str]) -> InvalidInput:
    return InvalidInput(fields.get(error.field, error.field), error.reason)


def vedic_snapshot_encoded(birth_date: dt.date, birth_time: str, *, latitude: float | None,
                           longitude: float | None, timezone: str, birth_place: str, as_of: dt.date,
                           ayanamsa: str, house_system: str, uncertainty_minutes: int,
                           now: dt.datetime | None = None) -> dict[str, str]:
    """astro-mvp's snapshot ``data`` document as JSON text, with its input hash and ephemeris version."""
    from services.chart.domain.vedic import compute_vedic_snapshot, ephemeris_version

    try:
        if not birth_time:
            raise InvalidInput("birth_time", "is required for a Vedic chart (HH:MM or HH:MM:SS)")
        local = dt.datetime.combine(birth_date, parse_birth_time(birth_time))
        snapshot = compute_vedic_snapshot(
            local, as_of=as_of, timezone=timezone or None, latitude=latitude, longitude=longitude,
            birth_place=birth_place or None, ayanamsa=ayanamsa or None, house_system=house_system or None,
            uncertainty_minutes=uncertainty_minutes, now=now)
    except InvalidInput as error:
        raise _renamed(error, _VEDIC_FIELDS) from None
    return {"input_hash": snapshot.input_hash, "ephemeris_version": ephemeris_version(),
            "document": to_json(snapshot.to_dict())}


_NATAL_FIELDS = {name: f"natal.{name}" for name in
                 ("birth_date", "birth_time", "latitude", "longitude", "timezone", "birth_place", "house_system")}


def daily_forecast_encoded(day: dt.date, natal: Any | None = None) -> str:
    """The daily forecast document as JSON text; ``natal`` is a ``western.ChartRequest`` or None."""
    from services.chart.domain.forecast import daily_forecast

    try:
        body = daily_forecast(day, natal)
    except InvalidInput as error:
        raise (error if error.field == "date" else _renamed(error, _NATAL_FIELDS)) from None
    return to_json(body)
