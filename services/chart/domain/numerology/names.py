"""Names as written → the A-Z letters (grouped in words) that numbers are computed from.

* Unicode NFKD drops diacritics (José → JOSE, Zoë → ZOE, full-width Ｊ → J); Latin letters without a
  decomposition are spelled out (Æ → AE, Ø → O, ß → SS, Ł → L, Þ → TH, ...).
* Spaces, hyphens/dashes, apostrophes and dots separate words and are otherwise ignored. Any other
  character (digits, other punctuation, non-Latin scripts) makes the name invalid, as does a name
  with no letter at all.
* Words matter only to the "auto" Y rule (see ``is_vowel``); every number except the soul urge and
  personality under that rule depends on the letters alone.
"""
from __future__ import annotations

import unicodedata
from typing import Literal, get_args

from numeros_common.names import BREAK, SKIP, reading
from services.chart.domain.errors import InvalidInput

MAX_NAME_LENGTH = 200
VOWELS = frozenset("AEIOU")

YRule = Literal["never", "always", "auto"]
Y_RULES: tuple[YRule, ...] = get_args(YRule)
DEFAULT_Y_RULE: YRule = "auto"
# ``reading`` of the first 0x370 code points (Latin letters and the combining marks NFKD splits off), worked out
# once per process: names are mostly made of them. Others are read one by one.
_READINGS: dict[str, str | None] = {chr(cp): reading(chr(cp)) for cp in range(0x370)}
_UNLISTED = object()


def name_words(full_name: str, field: str = "full_name") -> tuple[str, ...]:
    """The name's words in upper-case A-Z; InvalidInput naming ``field`` if it cannot be read."""
    if len(full_name) > MAX_NAME_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_NAME_LENGTH} characters")
    words: list[str] = []
    word: list[str] = []
    for char in unicodedata.normalize("NFKD", full_name):  # the per-character rule: numeros_common.names
        spelled = _READINGS.get(char, _UNLISTED)
        if spelled is _UNLISTED:
            spelled = reading(char)
        if spelled is None:
            raise InvalidInput(field, f"{char!r} is not a Latin letter")
        if spelled == BREAK:
            if word:
                words.append("".join(word))
                word = []
        elif spelled != SKIP:
            word.append(spelled)
    if word:
        words.append("".join(word))
    if not words:
        raise InvalidInput(field, "must contain at least one letter")
    return tuple(words)


def normalize_name(full_name: str, field: str = "full_name") -> str:
    """Fold a name as written to the upper-case A-Z letters the numbers are computed from."""
    return "".join(name_words(full_name, field))


def check_y_rule(y_as_vowel: str) -> YRule:
    """The Y rule if it is one we know, else InvalidInput naming ``y_as_vowel``."""
    if y_as_vowel not in Y_RULES:
        raise InvalidInput("y_as_vowel", f"must be one of {', '.join(Y_RULES)}")
    return y_as_vowel  # type: ignore[return-value]


def is_vowel(word: str, index: int, y_as_vowel: YRule) -> bool:
    """Whether ``word[index]`` counts as a vowel (soul urge) rather than a consonant (personality).

    A, E, I, O and U are always vowels. Y follows the rule:

    * ``"never"``: Y is always a consonant.
    * ``"always"``: Y is always a vowel.
    * ``"auto"`` (default): Y is a vowel unless the letter right before or right after it *in the
      same word* is A, E, I, O or U. So Y is a vowel in LYNN, MARY, GWYN and a lone Y, and a
      consonant in YOLANDA, MAYA, JOY, BRYAN. Words are what spaces, hyphens, apostrophes and dots
      separate, so "Mary Ann" keeps MARY's Y a vowel while "Maryann" makes it a consonant.
      Why: a Y beside a vowel usually sounds as a consonant (yes, boy) or glides into that vowel,
      while a Y between consonants or at a word's edge usually carries the vowel sound (Lynn, Mary).
    """
    letter = word[index]
    if letter in VOWELS:
        return True
    if letter != "Y" or y_as_vowel == "never":
        return False
    if y_as_vowel == "always":
        return True
    before = word[index - 1] if index > 0 else ""
    after = word[index + 1] if index + 1 < len(word) else ""
    return before not in VOWELS and after not in VOWELS


def split_vowels(words: tuple[str, ...], y_as_vowel: YRule) -> tuple[str, str]:
    """(vowels, consonants) of a name's words, in order, under the given Y rule."""
    vowels: list[str] = []
    consonants: list[str] = []
    for word in words:
        for index, letter in enumerate(word):
            (vowels if is_vowel(word, index, y_as_vowel) else consonants).append(letter)
    return "".join(vowels), "".join(consonants)
