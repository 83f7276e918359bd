"""Numerology use-cases: chart computes the jioastro bodies; identity checks the name count and names
chart's fields as the request did. Both return the body as JSON text, passed through unchanged."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from numeros_common.chart_client import ChartClient
from numeros_common.errors import AppError

from ..calculations import renamed

COMPARE_NAMES_MIN, COMPARE_NAMES_MAX = 2, 5


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
