"""The one table of house-system and ayanamsa names: chart resolves names with it (``services.chart.domain.
aliases``) and identity states the spellings in the OpenAPI document, so a name the schema allows is one
chart accepts.

Parsing is forgiving: case and ASCII punctuation and spaces are ignored, so "Whole Sign",
"whole-sign", "whole_sign" and "WholeSign" are one name, as are "Fagan-Bradley" and "fagan_bradley";
Swiss Ephemeris letters (P, K, W, A/E, O, R, C) and the usual short names ("whole", "KP",
"B.V. Raman") work too."""
from __future__ import annotations

from collections.abc import Callable, Mapping

# House-system keys -> the names Western charts show.
HOUSE_SYSTEMS: dict[str, str] = {
    "placidus": "Placidus", "koch": "Koch", "whole_sign": "Whole Sign", "equal": "Equal", "porphyry": "Porphyry",
    "regiomontanus": "Regiomontanus", "campanus": "Campanus",
}
DEFAULT_HOUSE_SYSTEM = "placidus"
# The house systems the Vedic engine offers -> the names the astro-mvp seed shows.
VEDIC_HOUSE_SYSTEMS: dict[str, str] = {"whole_sign": "WholeSign", "placidus": "Placidus", "equal": "Equal"}
DEFAULT_VEDIC_HOUSE_SYSTEM = "whole_sign"

# Ayanamsa keys -> the names the astro-mvp seed shows.
AYANAMSAS: dict[str, str] = {
    "lahiri": "Lahiri", "raman": "Raman", "krishnamurti": "Krishnamurti", "fagan_bradley": "FaganBradley",
    "true_chitrapaksha": "TrueChitrapaksha",
}
DEFAULT_AYANAMSA = "lahiri"


_IGNORED = frozenset(chr(c) for c in range(1, 128) if not chr(c).isalnum())  # NUL is never ignored: no name


def squash(name: str) -> str:
    """The name without case, ASCII punctuation and spaces (other characters stay, and are no name)."""
    return "".join(ch for ch in name.lower() if ch not in _IGNORED)


HOUSE_ALIASES = {
    **{squash(key): key for key in HOUSE_SYSTEMS},
    "p": "placidus", "k": "koch", "w": "whole_sign", "whole": "whole_sign", "a": "equal", "e": "equal",
    "o": "porphyry", "r": "regiomontanus", "c": "campanus",
}
AYANAMSA_ALIASES = {
    **{squash(key): key for key in AYANAMSAS},
    "chitrapaksha": "lahiri", "bvraman": "raman", "kp": "krishnamurti", "krishnamurthy": "krishnamurti",
    "fagan": "fagan_bradley", "truechitra": "true_chitrapaksha", "truecitra": "true_chitrapaksha",
    "truelahiri": "true_chitrapaksha",
}

# What squash drops, spelled the same in Python's and ECMA-262's (JSON Schema's) regular expressions.
_SEPARATOR = "[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]*"


def spelling_pattern(aliases: Mapping[str, str], choices: Mapping[str, str]) -> str:
    """A pattern for spellings of ``choices``: any case, with spaces, dots, hyphens or underscores."""
    spelled = ("".join(f"[{c}{c.upper()}]{_SEPARATOR}" if c.isalpha() else f"{c}{_SEPARATOR}" for c in alias)
               for alias, key in sorted(aliases.items()) if key in choices)
    return f"^{_SEPARATOR}(" + "|".join(spelled) + ")$"


def state_spellings(aliases: Mapping[str, str], choices: Mapping[str, str]) -> Callable[[dict], None]:
    """``json_schema_extra`` of an option-name field: the spellings chart accepts, as a pattern."""
    pattern = spelling_pattern(aliases, choices)

    def extra(schema: dict) -> None:
        schema["pattern"] = pattern
    return extra
