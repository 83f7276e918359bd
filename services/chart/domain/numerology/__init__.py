"""Numerology (Pythagorean, Chaldean, Vedic) as pure functions: no I/O, "today" is always passed in.

Modules: ``names`` (folding names to A-Z words, the Y rule), ``letters`` (letter tables),
``reduction`` (digit sums, masters, karmic debts), ``pythagorean`` (core numbers), ``cycles``
(personal/universal numbers), ``periods`` (pinnacles, challenges), ``vedic`` (Chaldean name,
psychic/destiny numbers, planets), ``compatibility`` (pair harmony), ``report`` (all of it for one
person), ``jioastro`` (the JioAstro API's response bodies), ``hashing`` (ruleset version, hash).
Interpretation texts live in ``services.chart.domain.meanings``.
"""
from services.chart.domain.numerology.compatibility import (
    HARMONY_NUMBERS,
    WEIGHTS,
    NumerologyCompatibility,
    PairHarmony,
    harmony_matrix,
    numerology_compatibility,
    numerology_score,
    numerology_scores,
    pair_harmony,
)
from services.chart.domain.numerology.cycles import (
    CycleNumber,
    PersonalCycles,
    UniversalCycles,
    personal_cycles,
    universal_cycles,
)
from services.chart.domain.numerology.dates import age_on, birth_date_from_parts
from services.chart.domain.numerology.hashing import RULESET_VERSION, calculation_hash
from services.chart.domain.numerology.jioastro import calculate_response, compare_response, name_trial_values
from services.chart.domain.numerology.letters import chaldean_value, letter_value
from services.chart.domain.numerology.names import (
    DEFAULT_Y_RULE,
    VOWELS,
    Y_RULES,
    YRule,
    is_vowel,
    name_words,
    normalize_name,
)
from services.chart.domain.numerology.periods import LifePeriod, LifePeriods, life_periods
from services.chart.domain.numerology.pythagorean import (
    CoreNumber,
    LifePathBreakdown,
    NameNumbers,
    NumerologyResult,
    PythagoreanProfile,
    calculate_numerology,
    life_path_breakdown,
    life_path_number,
    name_numbers,
    pythagorean_profile,
)
from services.chart.domain.numerology.reduction import (
    KARMIC_DEBT_NUMBERS,
    MASTER_NUMBERS,
    digit_root,
    karmic_debt,
    reduce_number,
    reduction_steps,
)
from services.chart.domain.numerology.report import NumerologyReport, numerology_report
from services.chart.domain.numerology.vedic import (
    ChaldeanName,
    VedicNumber,
    VedicProfile,
    chaldean_name,
    destiny_number,
    planet_relation,
    psychic_number,
    vedic_profile,
)

__all__ = [
    "DEFAULT_Y_RULE",
    "HARMONY_NUMBERS",
    "KARMIC_DEBT_NUMBERS",
    "MASTER_NUMBERS",
    "RULESET_VERSION",
    "VOWELS",
    "WEIGHTS",
    "Y_RULES",
    "ChaldeanName",
    "CoreNumber",
    "CycleNumber",
    "LifePathBreakdown",
    "LifePeriod",
    "LifePeriods",
    "NameNumbers",
    "NumerologyCompatibility",
    "NumerologyReport",
    "NumerologyResult",
    "PairHarmony",
    "PersonalCycles",
    "PythagoreanProfile",
    "UniversalCycles",
    "VedicNumber",
    "VedicProfile",
    "YRule",
    "age_on",
    "birth_date_from_parts",
    "calculate_numerology",
    "calculate_response",
    "calculation_hash",
    "chaldean_name",
    "chaldean_value",
    "compare_response",
    "destiny_number",
    "digit_root",
    "harmony_matrix",
    "is_vowel",
    "karmic_debt",
    "letter_value",
    "life_path_breakdown",
    "life_path_number",
    "life_periods",
    "name_numbers",
    "name_trial_values",
    "name_words",
    "normalize_name",
    "numerology_compatibility",
    "numerology_report",
    "numerology_score",
    "numerology_scores",
    "pair_harmony",
    "personal_cycles",
    "planet_relation",
    "psychic_number",
    "pythagorean_profile",
    "reduce_number",
    "reduction_steps",
    "universal_cycles",
    "vedic_profile",
]
