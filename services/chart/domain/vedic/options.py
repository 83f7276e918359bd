"""Ayanamsas and house systems the Vedic engine offers, with the names the API accepts and shows.

Keys are snake_case (``lahiri``, ``whole_sign``); display names follow the astro-mvp seed
(``"Lahiri"``, ``"WholeSign"``). Parsing is forgiving: ``"Fagan-Bradley"``, ``"FaganBradley"``,
``"fagan_bradley"``, ``"KP"`` and ``"Whole Sign"`` all work.
"""
from __future__ import annotations

from dataclasses import dataclass

import swisseph as swe

from services.chart.domain.errors import InvalidInput


@dataclass(frozen=True)
class Ayanamsa:
    key: str
    display: str
    swe_mode: int


AYANAMSAS: dict[str, Ayanamsa] = {
    a.key: a
    for a in (
        Ayanamsa("lahiri", "Lahiri", swe.SIDM_LAHIRI),
        Ayanamsa("raman", "Raman", swe.SIDM_RAMAN),
        Ayanamsa("krishnamurti", "Krishnamurti", swe.SIDM_KRISHNAMURTI),
        Ayanamsa("fagan_bradley", "FaganBradley", swe.SIDM_FAGAN_BRADLEY),
        Ayanamsa("true_chitrapaksha", "TrueChitrapaksha", swe.SIDM_TRUE_CITRA),
    )
}
DEFAULT_AYANAMSA = "lahiri"

# Our names -> the house-system keys of services.chart.domain.western.houses.
HOUSE_SYSTEMS: dict[str, str] = {"whole_sign": "WholeSign", "placidus": "Placidus", "equal": "Equal"}
DEFAULT_HOUSE_SYSTEM = "whole_sign"


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_AYANAMSA_ALIASES = {
    "lahiri": "lahiri", "chitrapaksha": "lahiri",
    "raman": "raman", "bvraman": "raman",
    "krishnamurti": "krishnamurti", "kp": "krishnamurti", "krishnamurthy": "krishnamurti",
    "faganbradley": "fagan_bradley", "fagan": "fagan_bradley",
    "truechitrapaksha": "true_chitrapaksha", "truechitra": "true_chitrapaksha", "truecitra": "true_chitrapaksha",
    "truelahiri": "true_chitrapaksha",
}
_HOUSE_ALIASES = {"wholesign": "whole_sign", "whole": "whole_sign", "w": "whole_sign",
                  "placidus": "placidus", "p": "placidus", "equal": "equal", "e": "equal", "a": "equal"}


def ayanamsa_key(name: str | None) -> str:
    if name is None or not str(name).strip():
        return DEFAULT_AYANAMSA
    key = _AYANAMSA_ALIASES.get(_squash(str(name)))
    if key is None:
        names = ", ".join(a.display for a in AYANAMSAS.values())
        raise InvalidInput("ayanamsa", f"unknown ayanamsa {name!r}; use one of {names}")
    return key


def house_system_key(name: str | None) -> str:
    if name is None or not str(name).strip():
        return DEFAULT_HOUSE_SYSTEM
    key = _HOUSE_ALIASES.get(_squash(str(name)))
    if key is None:
        raise InvalidInput("house_system",
                           f"unknown house system {name!r}; use one of {', '.join(HOUSE_SYSTEMS.values())}")
    return key
