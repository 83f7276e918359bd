"""Letter values of the two systems: Pythagorean (1-9 in order) and Chaldean (1-8, no 9)."""
from __future__ import annotations

import string
from collections.abc import Iterable

# A=1 ... I=9, J=1 ... R=9, S=1 ... Z=8.
PYTHAGOREAN_VALUES = {letter: index % 9 + 1 for index, letter in enumerate(string.ascii_uppercase)}

# The Chaldean table rests on sound, not alphabetical order, and gives no letter 9 (held sacred).
_CHALDEAN_GROUPS = {1: "AIJQY", 2: "BKR", 3: "CGLS", 4: "DMT", 5: "EHNX", 6: "UVW", 7: "OZ", 8: "FP"}
CHALDEAN_VALUES = {letter: value for value, letters in _CHALDEAN_GROUPS.items() for letter in letters}


def letter_value(letter: str) -> int:
    """Pythagorean value of one letter A-Z: A=1 ... I=9, J=1 ... R=9, S=1 ... Z=8."""
    if len(letter) != 1 or letter not in PYTHAGOREAN_VALUES:
        raise ValueError(f"not a letter A-Z: {letter!r}")
    return PYTHAGOREAN_VALUES[letter]


def chaldean_value(letter: str) -> int:
    """Chaldean value of one letter A-Z (1-8)."""
    if len(letter) != 1 or letter not in CHALDEAN_VALUES:
        raise ValueError(f"not a letter A-Z: {letter!r}")
    return CHALDEAN_VALUES[letter]


def pythagorean_total(letters: Iterable[str]) -> int:
    return sum(PYTHAGOREAN_VALUES[letter] for letter in letters)


def chaldean_total(letters: Iterable[str]) -> int:
    return sum(CHALDEAN_VALUES[letter] for letter in letters)
