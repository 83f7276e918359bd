"""The birth-place data, read from files once per worker process and handed to the domain.

``services/chart/data/`` holds the gazetteer (rebuilt by ``scripts/build-gazetteer``); the
coordinate -> zone finder is timezonefinder's, which reads its own data files when built (~50 ms).
"""
from __future__ import annotations

import gzip
from collections import defaultdict
from functools import cache
from pathlib import Path

from services.chart.domain.birth_time import Places, use_places
from services.chart.domain.gazetteer import Gazetteer, Place, fold

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CITIES_FILE = DATA_DIR / "gazetteer_cities.tsv.gz"
REGIONS_FILE = DATA_DIR / "gazetteer_regions.tsv"


@cache
def load_places() -> Places:
    """Read the gazetteer and build the zone finder (once per process, ~0.5 s), and hand both to
    the birth-time resolution."""
    from timezonefinder import TimezoneFinder

    finder = TimezoneFinder()
    places = Places(read_gazetteer(), lambda latitude, longitude: finder.timezone_at(lng=longitude, lat=latitude))
    use_places(places)
    return places


def read_gazetteer(cities_file: Path = CITIES_FILE, regions_file: Path = REGIONS_FILE) -> Gazetteer:
    places: list[Place] = []
    by_name: dict[str, list[int]] = defaultdict(list)
    by_alternate: dict[str, list[int]] = defaultdict(list)
    with gzip.open(cities_file, "rt", encoding="utf-8") as rows:
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
    for row in regions_file.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#"):
            continue
        kind, country, admin1, names = row.split("\t")
        for name in names.split("|"):
            if kind == "country":
                countries[fold(name)] = country
            else:
                regions[fold(name)].add((country, admin1))
    return Gazetteer(
        tuple(places),
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(v) for k, v in by_alternate.items()},
        countries,
        {k: frozenset(v) for k, v in regions.items()},
    )
