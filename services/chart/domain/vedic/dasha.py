"""Vimshottari dasha from the Moon's nakshatra.

* Year length: 365.25 days (Julian years), fixed. (PyJHora's default is the sidereal year of
  365.256364 days; our comparison tests set it to 365.25.)
* The first mahadasha is the lord of the Moon's nakshatra; the part of it already elapsed at
  birth is the fraction of the nakshatra the Moon has traversed. Mahadashas then follow
  Ketu, Venus, Sun, Moon, Mars, Rahu, Jupiter, Saturn, Mercury (120 years), repeating if needed.
* Antardashas of a mahadasha start with its own lord and follow the same order, each lasting
  ``md_years * ad_years / 120``.
* Boundaries are instants (JD UT); they are shown as calendar dates at the birth's UTC offset,
  and "current as of a date" compares those calendar dates: a period is current on ``as_of`` when
  ``start_date <= as_of < end_date``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from services.chart.domain.swiss import date_of, iso_date, julian_day_of_date
from services.chart.domain.vedic.tables import DASHA_CYCLE_YEARS, DASHA_LORDS, DASHA_YEARS, NAKSHATRA_SPAN

YEAR_DAYS = 365.25


def jd_to_local_date(jd_ut: float, utc_offset_seconds: int) -> date:
    # 1e-9 day (86 µs) absorbs rounding, so an instant at local midnight belongs to the new day.
    return date_of(jd_ut + utc_offset_seconds / 86400.0 + 1e-9)


def local_midnight_jd(day: date, utc_offset_seconds: int) -> float:
    """JD UT of 00:00 on ``day`` at the given UTC offset: the first instant whose local date is ``day``."""
    return julian_day_of_date(day) - utc_offset_seconds / 86400.0


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class DashaPeriod:
    lord: str
    start_jd: float
    end_jd: float
    utc_offset_seconds: int
    mahadasha: str | None = None  # the parent's lord, for antardashas

    @property
    def start_date(self) -> date:
        return jd_to_local_date(self.start_jd, self.utc_offset_seconds)

    @property
    def end_date(self) -> date:
        return jd_to_local_date(self.end_jd, self.utc_offset_seconds)

    def contains(self, day: date) -> bool:
        """``start_date <= day < end_date``, decided on the instants."""
        next_day = local_midnight_jd(day, self.utc_offset_seconds) + 1.0
        return self.start_jd < next_day <= self.end_jd

    def to_dict(self) -> dict:
        # ISO strings from the instants: the first mahadasha of a birth in year 1 began before year 1
        out = {"dasha": self.lord, "start_date": iso_date(self.start_jd + 1e-9, self.utc_offset_seconds),
               "end_date": iso_date(self.end_jd + 1e-9, self.utc_offset_seconds)}
        if self.mahadasha is not None:
            out["mahadasha"] = self.mahadasha
        return out


class Vimshottari:
    def __init__(self, moon_longitude: float, birth_jd_ut: float, utc_offset_seconds: int) -> None:
        lon = moon_longitude % 360.0
        nakshatra = min(int(lon / NAKSHATRA_SPAN), 26)
        self.first_lord = DASHA_LORDS[nakshatra % 9]
        self.elapsed_fraction = (lon % NAKSHATRA_SPAN) / NAKSHATRA_SPAN
        first_years = DASHA_YEARS[self.first_lord]
        self.balance_years = (1.0 - self.elapsed_fraction) * first_years
        self.cycle_start_jd = birth_jd_ut - self.elapsed_fraction * first_years * YEAR_DAYS
        self.offset = utc_offset_seconds

    def mahadashas(self, until: date | None = None) -> list[DashaPeriod]:
        """The nine mahadashas of the first cycle, continued (cycling) while ``until`` is not covered."""
        limit = -math.inf if until is None else local_midnight_jd(until, self.offset) + 1.0
        periods: list[DashaPeriod] = []
        start = self.cycle_start_jd
        index = DASHA_LORDS.index(self.first_lord)
        while len(periods) < 9 or periods[-1].end_jd < limit:
            lord = DASHA_LORDS[index % 9]
            end = start + DASHA_YEARS[lord] * YEAR_DAYS
            periods.append(DashaPeriod(lord, start, end, self.offset))
            start, index = end, index + 1
        return periods

    def antardashas(self, mahadasha: DashaPeriod) -> list[DashaPeriod]:
        periods = []
        start = mahadasha.start_jd
        index = DASHA_LORDS.index(mahadasha.lord)
        md_days = DASHA_YEARS[mahadasha.lord] * YEAR_DAYS / DASHA_CYCLE_YEARS
        for i in range(9):
            lord = DASHA_LORDS[(index + i) % 9]
            end = mahadasha.end_jd if i == 8 else start + md_days * DASHA_YEARS[lord]
            periods.append(DashaPeriod(lord, start, end, self.offset, mahadasha.lord))
            start = end
        return periods

    def current(self, as_of: date) -> tuple[DashaPeriod, DashaPeriod]:
        """(mahadasha, antardasha) current on ``as_of`` (``as_of`` must not precede the birth)."""
        mahadashas = self.mahadashas(until=as_of)
        md = next(p for p in mahadashas if p.contains(as_of))
        ad = next(p for p in self.antardashas(md) if p.contains(as_of))
        return md, ad

    def antardashas_between(self, first: date, last: date) -> list[DashaPeriod]:
        """Antardashas overlapping [first, last): the current one and every one starting before ``last``."""
        after = local_midnight_jd(first, self.offset) + 1.0  # end_date > first  <=>  end_jd >= after
        before = local_midnight_jd(last, self.offset)  # start_date < last  <=>  start_jd < before
        out = []
        for md in self.mahadashas(until=last):
            if md.end_jd < after or md.start_jd >= before:
                continue
            out.extend(ad for ad in self.antardashas(md) if ad.end_jd >= after and ad.start_jd < before)
        return out
