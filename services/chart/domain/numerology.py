"""Pythagorean numerology, ruleset ``pythagorean-v1``: pure functions, no I/O.

Rules of this ruleset:

* Names are folded to the letters A-Z: Unicode NFKD decomposition drops diacritics (José → JOSE),
  a few Latin letters without a decomposition are spelled out (Æ → AE, Ø → O, ß → SS, ...), and
  spaces, hyphens, apostrophes and dots are ignored. Any other character (digits, other
  punctuation, non-Latin scripts) makes the name invalid.
* Letter values repeat 1-9 through the alphabet: A=1 ... I=9, J=1 ... R=9, S=1 ... Z=8.
* Vowels are A, E, I, O, U. **Y is always a consonant** in this ruleset (it never counts toward
  the soul urge), so a name without A, E, I, O or U has soul urge 0; likewise a name made only
  of vowels has personality 0. 0 therefore means "no letters of that kind".
* Reduction sums digits until one digit remains, but stops at the master numbers 11, 22 and 33.
* Life path: month, day and year are each reduced first (masters kept), then their sum is reduced.
* Expression, soul urge and personality: the letter values (all letters, vowels, consonants) are
  summed, then reduced.
* Karmic debts: 13, 14, 16 or 19 met as a sum on the way from a number's final total to its
  reduced value — the life-path total (not the month, day or year reductions) and the three
  name totals.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.chart.domain.errors import InvalidInput

RULESET_VERSION = "pythagorean-v1"
MASTER_NUMBERS = frozenset({11, 22, 33})
KARMIC_DEBT_NUMBERS = frozenset({13, 14, 16, 19})
VOWELS = frozenset("AEIOU")
MAX_NAME_LENGTH = 200

_IGNORED_IN_NAMES = frozenset(
    "-\u2010\u2011\u2012\u2013\u2014"  # hyphen and dashes
    "'`\u2018\u2019\u02bc"  # apostrophes
    "."
)
# Upper-case Latin letters that NFKD does not decompose into A-Z.
_LATIN_SPELLINGS = {"Æ": "AE", "Œ": "OE", "Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "TH", "Ħ": "H"}


@dataclass(frozen=True)
class LifePathBreakdown:
    """Month, day and year each reduced, and their sum before the final reduction."""

    month: int
    day: int
    year: int
    total: int


@dataclass(frozen=True)
class NumerologyResult:
    life_path: int
    expression: int
    soul_urge: int
    personality: int
    life_path_breakdown: LifePathBreakdown
    karmic_debts: tuple[int, ...]
    normalized_name: str
    ruleset_version: str
    calculation_hash: str


def normalize_name(full_name: str) -> str:
    """Fold a name as written to the upper-case A-Z letters the numbers are computed from."""
    if len(full_name) > MAX_NAME_LENGTH:
        raise InvalidInput("full_name", f"must be at most {MAX_NAME_LENGTH} characters")
    letters: list[str] = []
    for char in unicodedata.normalize("NFKD", full_name):
        if unicodedata.combining(char) or char.isspace() or char in _IGNORED_IN_NAMES:
            continue
        upper = char.upper()
        spelled = _LATIN_SPELLINGS.get(upper, upper)
        if not all("A" <= letter <= "Z" for letter in spelled):
            raise InvalidInput("full_name", f"{char!r} is not a Latin letter")
        letters.append(spelled)
    if not letters:
        raise InvalidInput("full_name", "must contain at least one letter")
    return "".join(letters)


def birth_date_from_parts(year: int, month: int, day: int) -> date:
    """A real proleptic-Gregorian date (years 1..9999), or InvalidInput naming ``birth_date``."""
    try:
        return date(year, month, day)
    except ValueError as error:
        raise InvalidInput("birth_date", str(error)) from None


def letter_value(letter: str) -> int:
    """Pythagorean value of one letter A-Z: A=1 ... I=9, J=1 ... R=9, S=1 ... Z=8."""
    if len(letter) != 1 or not "A" <= letter <= "Z":
        raise ValueError(f"not a letter A-Z: {letter!r}")
    return (ord(letter) - ord("A")) % 9 + 1


def reduction_steps(number: int) -> tuple[int, ...]:
    """Every value from ``number`` down to its reduction, e.g. 49 → (49, 13, 4); masters stop it."""
    if number < 0:
        raise ValueError(f"cannot reduce a negative number: {number}")
    steps = [number]
    while steps[-1] > 9 and steps[-1] not in MASTER_NUMBERS:
        steps.append(sum(int(digit) for digit in str(steps[-1])))
    return tuple(steps)


def reduce_number(number: int) -> int:
    """Digit-sum ``number`` to 1..9, keeping the master numbers 11, 22 and 33 (0 stays 0)."""
    return reduction_steps(number)[-1]


def life_path_breakdown(birth_date: date) -> LifePathBreakdown:
    month, day, year = (reduce_number(part) for part in (birth_date.month, birth_date.day, birth_date.year))
    return LifePathBreakdown(month=month, day=day, year=year, total=month + day + year)


def calculation_hash(normalized_name: str, birth_date: date) -> str:
    """sha256 of the canonical JSON of the normalised input and the ruleset version.

    Inputs the rules cannot tell apart ("José" and "jose") share a hash, so it can key caches.
    """
    canonical = json.dumps(
        {"birth_date": birth_date.isoformat(), "full_name": normalized_name, "ruleset": RULESET_VERSION},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def calculate_numerology(full_name: str, birth_date: date) -> NumerologyResult:
    """The four core numbers, how the life path was reached, and the karmic debts met on the way."""
    normalized_name = normalize_name(full_name)
    breakdown = life_path_breakdown(birth_date)
    vowels = [letter for letter in normalized_name if letter in VOWELS]
    consonants = [letter for letter in normalized_name if letter not in VOWELS]
    life_path = reduction_steps(breakdown.total)
    expression = reduction_steps(_letter_total(normalized_name))
    soul_urge = reduction_steps(_letter_total(vowels))
    personality = reduction_steps(_letter_total(consonants))
    sums_met = {value for steps in (life_path, expression, soul_urge, personality) for value in steps}
    return NumerologyResult(
        life_path=life_path[-1],
        expression=expression[-1],
        soul_urge=soul_urge[-1],
        personality=personality[-1],
        life_path_breakdown=breakdown,
        karmic_debts=tuple(sorted(sums_met & KARMIC_DEBT_NUMBERS)),
        normalized_name=normalized_name,
        ruleset_version=RULESET_VERSION,
        calculation_hash=calculation_hash(normalized_name, birth_date),
    )


def _letter_total(letters: Iterable[str]) -> int:
    return sum(letter_value(letter) for letter in letters)
