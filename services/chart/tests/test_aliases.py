"""One table of house-system and ayanamsa names: every spelling chart or identity accepted before
this table existed is still accepted, and to the same system. The lists are written out here (not
taken from the table) so that a spelling dropped from it fails."""
from __future__ import annotations

import pytest

from services.chart.domain.aliases import ayanamsa_key, house_system_key, vedic_house_system_key
from services.chart.domain.errors import InvalidInput

# Western: chart's names, letters and aliases (identity passed them through).
WESTERN = {
    "placidus": "placidus", "Placidus": "placidus", "P": "placidus", "p": "placidus",
    "koch": "koch", "K": "koch", "whole_sign": "whole_sign", "Whole Sign": "whole_sign", "whole-sign": "whole_sign",
    "wholesign": "whole_sign", "whole": "whole_sign", "W": "whole_sign", "equal": "equal", "A": "equal",
    "E": "equal", "porphyry": "porphyry", "O": "porphyry", "regiomontanus": "regiomontanus", "R": "regiomontanus",
    "campanus": "campanus", "C": "campanus",
}
# Vedic: identity's table (domain/astro.py before issue 7) and chart's (vedic/options.py).
VEDIC_HOUSES = {
    "WholeSign": "whole_sign", "Whole Sign": "whole_sign", "whole_sign": "whole_sign", "wholesign": "whole_sign",
    "whole": "whole_sign", "w": "whole_sign", "W": "whole_sign", "Placidus": "placidus", "placidus": "placidus",
    "p": "placidus", "P": "placidus", "Equal": "equal", "equal": "equal", "e": "equal", "E": "equal", "a": "equal",
    "A": "equal",
}
AYANAMSAS = {
    "Lahiri": "lahiri", "lahiri": "lahiri", "chitrapaksha": "lahiri", "Raman": "raman", "raman": "raman",
    "bvraman": "raman", "B.V. Raman": "raman", "Krishnamurti": "krishnamurti", "krishnamurthy": "krishnamurti",
    "kp": "krishnamurti", "KP": "krishnamurti", "FaganBradley": "fagan_bradley", "Fagan-Bradley": "fagan_bradley",
    "fagan_bradley": "fagan_bradley", "fagan": "fagan_bradley", "TrueChitrapaksha": "true_chitrapaksha",
    "true_chitrapaksha": "true_chitrapaksha", "truechitra": "true_chitrapaksha", "truecitra": "true_chitrapaksha",
    "true_lahiri": "true_chitrapaksha",
}


@pytest.mark.parametrize("name, key", WESTERN.items())
def test_western_house_system_spellings(name, key):
    assert house_system_key(name) == key


@pytest.mark.parametrize("name, key", VEDIC_HOUSES.items())
def test_vedic_house_system_spellings(name, key):
    assert vedic_house_system_key(name) == key


@pytest.mark.parametrize("name, key", AYANAMSAS.items())
def test_ayanamsa_spellings(name, key):
    assert ayanamsa_key(name) == key


def test_empty_names_are_the_defaults():
    assert (house_system_key(None), house_system_key("")) == ("placidus", "placidus")
    assert (vedic_house_system_key(None), vedic_house_system_key(" ")) == ("whole_sign", "whole_sign")
    assert (ayanamsa_key(None), ayanamsa_key("")) == ("lahiri", "lahiri")


@pytest.mark.parametrize("parse, name, field, listed", [
    (house_system_key, "topocentric", "house_system",
     "placidus, koch, whole_sign, equal, porphyry, regiomontanus, campanus"),
    (vedic_house_system_key, "koch", "house_system", "WholeSign, Placidus, Equal"),  # known, but not Vedic
    (vedic_house_system_key, "K", "house_system", "WholeSign, Placidus, Equal"),
    (ayanamsa_key, "Yukteshwar", "ayanamsa", "Lahiri, Raman, Krishnamurti, FaganBradley, TrueChitrapaksha"),
])
def test_unknown_names_name_the_field_and_the_choices(parse, name, field, listed):
    with pytest.raises(InvalidInput) as raised:
        parse(name)
    assert raised.value.field == field
    assert raised.value.reason.endswith(f"{name!r}; use one of {listed}")


def test_every_alias_is_already_squashed():
    """``_key`` looks a name up as it is before squashing it: right only while every alias is squashed."""
    from numeros_common.options import AYANAMSA_ALIASES, HOUSE_ALIASES, squash

    assert [alias for alias in (*HOUSE_ALIASES, *AYANAMSA_ALIASES) if squash(alias) != alias] == []
