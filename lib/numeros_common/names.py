"""How numerology reads a name, one character at a time: the one copy of the rule, used by chart to
compute and by identity to state it in the OpenAPI document (``NAME_PATTERN``), so that a name the schema
allows is one chart can read.

A name is read after Unicode NFKD: combining marks drop out (José → JOSE), spaces, hyphens/dashes,
apostrophes and dots separate words, Latin letters count as their A-Z spelling (Æ → AE, ß → SS), and
anything else (digits, other punctuation, non-Latin scripts) makes the name unreadable, as does a name
with no letter at all."""
from __future__ import annotations

import functools
import sys
import unicodedata

SKIP, BREAK = "", " "  # a combining mark; a word separator
SEPARATORS = frozenset(
    "-\u2010\u2011\u2012\u2013\u2014"  # hyphen and dashes
    "'`\u2018\u2019\u02bc"  # apostrophes
    "."
)
# Upper-case Latin letters that NFKD does not decompose into A-Z.
LATIN_SPELLINGS = {"Æ": "AE", "Œ": "OE", "Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "TH", "Ħ": "H"}


def reading(char: str) -> str | None:
    """What one character of an NFKD-normalised name reads as: SKIP, BREAK, its A-Z letters, or None."""
    if unicodedata.combining(char):
        return SKIP
    if char.isspace() or char in SEPARATORS:
        return BREAK
    upper = char.upper()
    spelled = LATIN_SPELLINGS.get(upper, upper)
    return spelled if all("A" <= letter <= "Z" for letter in spelled) else None


def _escaped(start: int, end: int) -> str:
    def one(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    return one(start) if start == end else f"{one(start)}-{one(end)}"


def _class(code_points: list[int]) -> str:
    spans: list[list[int]] = []
    for cp in code_points:
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "[" + "".join(_escaped(a, b) for a, b in spans) + "]"


@functools.cache
def name_pattern() -> str:
    """A regular expression (Python syntax) for exactly the names ``reading`` can read: characters whose
    every NFKD part reads, at least one of them a letter."""
    letters, others = [], []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) in ("Cn", "Co", "Cs"):  # unassigned, private use, surrogates: unread
            continue
        parts = [reading(c) for c in unicodedata.normalize("NFKD", chr(cp))]
        if None in parts:
            continue
        (letters if any(p not in (SKIP, BREAK) for p in parts) else others).append(cp)
    readable = _class(sorted(letters + others))
    return f"^{readable}*{_class(letters)}{readable}*$"


def state_name_rule(schema: dict) -> None:
    """``json_schema_extra`` of a name field: the pattern, computed when the document is (not at import)."""
    schema["pattern"] = name_pattern()
