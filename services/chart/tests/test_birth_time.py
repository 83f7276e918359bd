"""Birth time resolution (zone choice, DST gaps and folds, local mean time) and the gazetteer."""
from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from services.chart.domain import birth_time
from services.chart.domain.birth_time import (
    BirthPlaceNotResolved,
    format_offset,
    resolve_birth_time,
    resolve_location,
)
from services.chart.domain.errors import InvalidInput
from services.chart.adapters.places import load_places
from services.chart.domain.gazetteer import fold
from services.chart.domain.gazetteer import lookup_place as lookup_in


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# ---------------------------------------------------------------- offsets, gaps, folds


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "+00:00"), (7200, "+02:00"), (-34200, "-09:30"), (20700, "+05:45"), (-17762, "-04:56:02"), (-75, "-00:01:15"),
])
def test_format_offset(seconds, text):
    assert format_offset(seconds) == text


def test_spring_forward_gap_reads_the_time_with_the_offset_before_the_change():
    # UK, 25 Mar 1990: 01:00 GMT -> 02:00 BST, so 01:30 never happened. Before the change: GMT.
    resolved = resolve_birth_time(datetime(1990, 3, 25, 1, 30), timezone="Europe/London")
    assert resolved.nonexistent_time and not resolved.ambiguous_time
    assert resolved.utc == _utc(1990, 3, 25, 1, 30)
    assert (resolved.utc_offset_seconds, resolved.abbreviation) == (0, "GMT")


def test_half_hour_dst_gap_and_fold_on_lord_howe_island():
    # Lord Howe moves its clocks by 30 minutes: +10:30 standard, +11:00 summer.
    # 6 Oct 2019 02:00 -> 02:30: 02:15 never happened; read with +10:30.
    gap = resolve_birth_time(datetime(2019, 10, 6, 2, 15), timezone="Australia/Lord_Howe")
    assert gap.nonexistent_time and gap.utc == _utc(2019, 10, 5, 15, 45)
    # 7 Apr 2019 02:00 -> 01:30: 01:45 happened twice; the earlier instant is at +11:00.
    fold_ = resolve_birth_time(datetime(2019, 4, 7, 1, 45), timezone="Australia/Lord_Howe")
    assert fold_.ambiguous_time and fold_.utc == _utc(2019, 4, 6, 14, 45)


def test_ordinary_time_has_no_flags():
    resolved = resolve_birth_time(datetime(1990, 7, 1, 12, 0), timezone="Europe/Paris")
    assert not resolved.nonexistent_time and not resolved.ambiguous_time and not resolved.local_mean_time
    assert resolved.utc == _utc(1990, 7, 1, 10, 0)


def test_local_mean_time_before_standard_time_comes_from_the_tz_database():
    # Chicago kept local mean time (-5:50:36) until noon on 18 Nov 1883.
    before = resolve_birth_time(datetime(1883, 11, 18, 11, 0), timezone="America/Chicago")
    assert before.local_mean_time and format_offset(before.utc_offset_seconds) == "-05:50:36"
    after = resolve_birth_time(datetime(1883, 11, 19, 11, 0), timezone="America/Chicago")
    assert not after.local_mean_time and after.abbreviation == "CST"


def test_result_dict_reports_zone_offset_and_instant():
    data = resolve_birth_time(datetime(1944, 6, 6, 12, 0), timezone="Europe/London").to_dict()
    assert data == {
        "local_datetime": "1944-06-06T12:00:00", "timezone": "Europe/London", "timezone_source": "explicit",
        "utc_offset": "+02:00", "utc_offset_seconds": 7200, "abbreviation": "BDST",
        "utc_datetime": "1944-06-06T10:00:00Z", "nonexistent_time": False, "ambiguous_time": False,
        "local_mean_time": False, "latitude": None, "longitude": None, "place": None,
    }


# ---------------------------------------------------------------- which zone


def test_zone_sources_in_order_of_precedence():
    assert resolve_location(timezone="Asia/Tokyo", latitude=51.5, longitude=-0.12).zone == "Asia/Tokyo"
    by_coordinates = resolve_location(latitude=-33.87, longitude=151.21, birth_place="London, UK")
    assert (by_coordinates.zone, by_coordinates.zone_source, by_coordinates.place) == (
        "Australia/Sydney", "coordinates", None)
    by_place = resolve_location(birth_place="Tromsø")
    assert (by_place.zone, by_place.zone_source) == ("Europe/Oslo", "gazetteer")
    assert by_place.latitude == pytest.approx(69.649, abs=0.01)
    assert resolve_location() == birth_time.BirthLocation("UTC", "assumed_utc")


def test_explicit_zone_and_place_give_coordinates_and_can_settle_an_ambiguous_name():
    location = resolve_location(timezone="America/Chicago", birth_place="Paris")
    assert (location.zone_source, location.place.country_code, location.place.admin1) == ("explicit", "US", "TX")


def test_coordinates_at_sea_get_a_zone():
    assert resolve_location(latitude=0.0, longitude=-150.0).zone.startswith("Etc/GMT")


def test_places_load_once_per_process():
    assert load_places() is load_places()


def lookup_place(text: str):
    return lookup_in(load_places().gazetteer, text)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"latitude": 51.5}, "longitude"),
    ({"longitude": 0.0}, "latitude"),
    ({"latitude": 91.0, "longitude": 0.0}, "latitude"),
    ({"latitude": 0.0, "longitude": 180.5}, "longitude"),
    ({"birth_place": ",,"}, "birth_place"),
    ({"birth_place": "x" * 201}, "birth_place"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InvalidInput) as error:
        resolve_birth_time(datetime(1990, 1, 1, 12), **kwargs)
    assert error.value.field == field


def test_ambiguous_place_picks_none_and_lists_the_candidates():
    with pytest.raises(BirthPlaceNotResolved) as error:
        resolve_birth_time(datetime(1990, 1, 1, 12), birth_place="London")
    assert error.value.field == "birth_place"
    assert error.value.lookup.status == "ambiguous"
    assert [p.country_code for p in error.value.lookup.candidates][:2] == ["GB", "CA"]
    assert "London (GB)" in str(error.value) and "add the country" in str(error.value)
    copy = pickle.loads(pickle.dumps(error.value))  # crosses the worker-pool boundary intact
    assert (copy.field, copy.lookup, str(copy)) == (error.value.field, error.value.lookup, str(error.value))


def test_unknown_place_is_an_error_not_a_guess():
    with pytest.raises(BirthPlaceNotResolved) as error:
        resolve_birth_time(datetime(1990, 1, 1, 12), birth_place="Xyzzyville")
    assert error.value.lookup.status == "not_found" and "latitude/longitude" in error.value.reason


# ---------------------------------------------------------------- gazetteer


@pytest.mark.parametrize(("text", "folded"), [
    ("Tromsø", "tromso"), ("São Paulo", "sao paulo"), ("St. Petersburg", "saint petersburg"),
    ("  Köln-Mülheim ", "koln mulheim"), ("Mt. Vernon", "mount vernon"), ("Ft Worth", "fort worth"),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(("text", "name", "country", "zone"), [
    ("New York, USA", "New York City", "US", "America/New_York"),
    ("New York, NY", "New York City", "US", "America/New_York"),
    ("London, UK", "London", "GB", "Europe/London"),
    ("London, England", "London", "GB", "Europe/London"),
    ("London, Ontario, Canada", "London", "CA", "America/Toronto"),
    ("Springfield, IL", "Springfield", "US", "America/Chicago"),
    ("Springfield, Massachusetts", "Springfield", "US", "America/New_York"),
    ("Paris, Texas", "Paris", "US", "America/Chicago"),
    ("Paris, France", "Paris", "FR", "Europe/Paris"),
    ("Atlanta, Georgia", "Atlanta", "US", "America/New_York"),  # "Georgia": US state ...
    ("Tbilisi, Georgia", "Tbilisi", "GE", "Asia/Tbilisi"),  # ... or the country
    ("Bombay", "Mumbai", "IN", "Asia/Kolkata"),  # an alternate name
    ("St. Petersburg, Russia", "Saint Petersburg", "RU", "Europe/Moscow"),
    ("sao paulo", "São Paulo", "BR", "America/Sao_Paulo"),
    ("Longyearbyen", "Longyearbyen", "SJ", "Arctic/Longyearbyen"),
    ("Apia", "Apia", "WS", "Pacific/Apia"),
])
def test_lookup_finds_one_place(text, name, country, zone):
    lookup = lookup_place(text)
    assert lookup.status == "found", lookup.candidates
    assert (lookup.place.name, lookup.place.country_code, lookup.place.timezone) == (name, country, zone)


@pytest.mark.parametrize("text", ["London", "Springfield", "Paris", "Sydney", "Springfield, USA"])
def test_lookup_reports_ambiguity_largest_first(text):
    lookup = lookup_place(text)
    assert lookup.status == "ambiguous" and lookup.place is None
    populations = [p.population for p in lookup.candidates]
    assert len(populations) >= 2 and populations == sorted(populations, reverse=True)


def test_unknown_qualifiers_are_ignored_and_reported():
    lookup = lookup_place("Cambridge, Cambridgeshire")
    assert lookup.ignored_qualifiers == ("cambridgeshire",)
    assert lookup.status == "ambiguous"
    assert lookup.to_dict()["candidates"][0]["country_code"] == "GB"
