"""House-system and ayanamsa names to chart's keys, by the one table in ``numeros_common.options`` (which
identity also states in the OpenAPI document). An empty name is the default; an unknown one (or one the
chart type does not offer) is InvalidInput naming the field.
"""
from __future__ import annotations

from collections.abc import Mapping

from numeros_common.options import (AYANAMSA_ALIASES as _AYANAMSA_ALIASES, AYANAMSAS, DEFAULT_AYANAMSA,  # noqa: F401
                                    DEFAULT_HOUSE_SYSTEM, DEFAULT_VEDIC_HOUSE_SYSTEM,
                                    HOUSE_ALIASES as _HOUSE_ALIASES, HOUSE_SYSTEMS, VEDIC_HOUSE_SYSTEMS,
                                    squash as _squash)
from services.chart.domain.errors import InvalidInput


def _key(field: str, kind: str, name: str | None, aliases: Mapping[str, str], choices: Mapping[str, str],
         default: str) -> str:
    if name is None or not str(name).strip():
        return default
    # Every alias is already squashed (lower-case letters and digits), so a name found as it is needs no
    # squashing: the common case ("placidus"), and a batch asks for thousands of charts.
    key = aliases.get(name) or aliases.get(_squash(str(name)))
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
