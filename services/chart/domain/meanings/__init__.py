"""Interpretation texts for every number the numerology engine can return, written by us.

Each kind of number has its own table because the same digit reads differently as a life path, a
personal year, a pinnacle, a challenge or a Vedic planet number. Tests check every table covers
every number the engine can produce.
"""
from services.chart.domain.meanings._types import Meaning
from services.chart.domain.meanings.compounds import COMPOUND_RANGE, CompoundNote, compound_meaning, compound_note
from services.chart.domain.meanings.core import CORE_MEANINGS, CoreRole, core_meaning, core_role_line, core_texts
from services.chart.domain.meanings.cycles import CYCLE_MEANINGS, CyclePeriod, cycle_line, cycle_meaning
from services.chart.domain.meanings.periods import (
    CHALLENGE_MEANINGS,
    PINNACLE_MEANINGS,
    challenge_line,
    challenge_meaning,
    period_texts,
    pinnacle_line,
    pinnacle_meaning,
)
from services.chart.domain.meanings.vedic import PLANET_RULERS, PlanetRuler, favourable_dates, planet_ruler

__all__ = [
    "CHALLENGE_MEANINGS",
    "COMPOUND_RANGE",
    "CORE_MEANINGS",
    "CYCLE_MEANINGS",
    "PINNACLE_MEANINGS",
    "PLANET_RULERS",
    "CompoundNote",
    "CoreRole",
    "CyclePeriod",
    "Meaning",
    "PlanetRuler",
    "challenge_line",
    "challenge_meaning",
    "compound_meaning",
    "compound_note",
    "core_meaning",
    "core_role_line",
    "core_texts",
    "cycle_line",
    "cycle_meaning",
    "favourable_dates",
    "period_texts",
    "pinnacle_line",
    "pinnacle_meaning",
    "planet_ruler",
]
