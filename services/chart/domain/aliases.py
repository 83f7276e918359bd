"""The one table of house-system and ayanamsa names: every chart type, and identity (which passes
names through), accept the same spellings.

Parsing is forgiving: case and every non-alphanumeric character are ignored, so "Whole Sign",
"whole-sign", "whole_sign" and "WholeSign" are one name, as are "Fagan-Bradley" and "fagan_bradley";
Swiss Ephemeris letters (P, K, W, A/E, O, R, C) and the usual short names ("whole", "KP",
"B.V. Raman") work too. An empty name is the default; an unknown one (or one the chart type does not
offer) is InvalidInput naming the field.
"""
from __future__ import annotations

from collections.abc import Mapping

from services.chart.domain.errors import InvalidInput

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


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_HOUSE_ALIASES = {
    **{_squash(key): key for key in HOUSE_SYSTEMS},
    "p": "placidus", "k": "koch", "w": "whole_sign", "whole": "whole_sign", "a": "equal", "e": "equal",
    "o": "porphyry", "r": "regiomontanus", "c": "campanus",
}
_AYANAMSA_ALIASES = {
    **{_squash(key): key for key in AYANAMSAS},
    "chitrapaksha": "lahiri", "bvraman": "raman", "kp": "krishnamurti", "krishnamurthy": "krishnamurti",
    "fagan": "fagan_bradley", "truechitra": "true_chitrapaksha", "truecitra": "true_chitrapaksha",
    "truelahiri": "true_chitrapaksha",
}


def _key(field: str, kind: str, name: str | None, aliases: Mapping[str, str], choices: Mapping[str, str],
         default: str) -> str:
    if name is None or not str(name).strip():
        return default
    key = aliases.get(_squash(str(name)))
    if key not in choices:
        raise InvalidInput(field, f"unknown {kind} {name!r}; use one of {', '.join(choices.values())}")
    return key


_WESTERN_CHOICES = {key: key for key in HOUSE_SYSTEMS}  # the error message lists the keys


def house_system_key(name: str | None) -> str:
    """A Western house system's key; default Placidus."""
    return _key("house_system", "house system", name, _HOUSE_ALIASES, _WESTERN_CHOICES, DEFAULT_HOUSE_SYSTEM)


def vedic_house_system_key(name: str | None) -> str:
    """A Vedic house system's key (Whole Sign, Placidus or Equal); default Whole Sign."""
    return _key("house_system", "house system", name, _HOUSE_ALIASES, VEDIC_HOUSE_SYSTEMS,
                DEFAULT_VEDIC_HOUSE_SYSTEM)


def ayanamsa_key(name: str | None) -> str:
    """An ayanamsa's key; default Lahiri."""
    return _key("ayanamsa", "ayanamsa", name, _AYANAMSA_ALIASES, AYANAMSAS, DEFAULT_AYANAMSA)
