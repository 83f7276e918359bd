"""astro-mvp profile rules that need no I/O: the ayanamsa and house-system names we accept and show."""
from __future__ import annotations

AYANAMSAS = ("Lahiri", "Raman", "Krishnamurti", "FaganBradley", "TrueChitrapaksha")
HOUSE_SYSTEMS = ("WholeSign", "Placidus", "Equal")
DEFAULT_AYANAMSA, DEFAULT_HOUSE_SYSTEM = "Lahiri", "WholeSign"
_AYANAMSA_ALIASES = {
    "lahiri": "Lahiri", "chitrapaksha": "Lahiri", "raman": "Raman", "bvraman": "Raman",
    "krishnamurti": "Krishnamurti", "krishnamurthy": "Krishnamurti", "kp": "Krishnamurti",
    "faganbradley": "FaganBradley", "fagan": "FaganBradley", "truechitrapaksha": "TrueChitrapaksha",
    "truechitra": "TrueChitrapaksha", "truecitra": "TrueChitrapaksha", "truelahiri": "TrueChitrapaksha",
}
_HOUSE_ALIASES = {"wholesign": "WholeSign", "whole": "WholeSign", "placidus": "Placidus", "equal": "Equal"}


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def ayanamsa_name(value: str) -> str:
    """The display name of an ayanamsa given in any usual spelling; ValueError if unknown."""
    name = _AYANAMSA_ALIASES.get(_squash(value))
    if name is None:
        raise ValueError(f"unknown ayanamsa {value!r}; use one of {', '.join(AYANAMSAS)}")
    return name


def house_system_name(value: str) -> str:
    name = _HOUSE_ALIASES.get(_squash(value))
    if name is None:
        raise ValueError(f"unknown house system {value!r}; use one of {', '.join(HOUSE_SYSTEMS)}")
    return name


def universal_day_number(day) -> int:
    """The universal day number: every digit of YYYY-MM-DD added and reduced to 1-9."""
    total = sum(int(c) for c in day.strftime("%Y%m%d"))
    while total > 9:
        total = sum(int(c) for c in str(total))
    return total
