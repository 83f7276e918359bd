"""Panchanga of the birth moment: vara (weekday), tithi, nakshatra + pada, yoga, karana.

* Tithi: the Moon's elongation from the Sun in 12° steps; 1-15 ``Shukla Paksha N``, 16-30
  ``Krishna Paksha N`` (Krishna Paksha 15 is Amavasya).
* Karana: half-tithis (6°): Kimstughna, then Bava … Vishti eight times, then Shakuni,
  Chatushpada, Naga (the 4 fixed + 7 movable scheme), by the elongation at the birth moment.
* Yoga: the sum of the sidereal Sun and Moon in 13°20' steps, Vishkambha … Vaidhriti.
* Nakshatra/pada: the sidereal Moon's.
* Vara: the Vedic day runs from sunrise to sunrise, so a birth before the local sunrise belongs
  to the previous weekday. Sunrise is the centre of the Sun's disc on the geometric horizon
  without refraction (the Indian panchanga convention, Swiss Ephemeris BIT_HINDU_RISING), at the
  birth place, on the birth's local civil date. Where the Sun does not rise that day (polar
  night or midnight sun) the civil weekday is used and ``vara_convention`` says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chart.domain.vedic.rules import nakshatra_pada
from services.chart.domain.vedic.tables import KARANAS, NAKSHATRA_SPAN, NAKSHATRAS, WEEKDAYS, YOGAS


@dataclass(frozen=True)
class Panchanga:
    weekday: str
    civil_weekday: str
    vara_convention: str  # "sunrise_to_sunrise" | "civil_no_sunrise"
    sunrise_jd_ut: float | None
    tithi_number: int  # 1..30
    nakshatra_index: int  # 0..26
    pada: int
    yoga_index: int  # 0..26
    karana_index: int  # 0..59

    @property
    def tithi(self) -> str:
        return tithi_name(self.tithi_number)

    @property
    def paksha(self) -> str:
        return "Shukla" if self.tithi_number <= 15 else "Krishna"

    @property
    def nakshatra(self) -> str:
        return NAKSHATRAS[self.nakshatra_index]

    @property
    def yoga(self) -> str:
        return YOGAS[self.yoga_index]

    @property
    def karana(self) -> str:
        return KARANAS[self.karana_index]


def tithi_name(number: int) -> str:
    return f"Shukla Paksha {number}" if number <= 15 else f"Krishna Paksha {number - 15}"


def tithi_number(sun: float, moon: float) -> int:
    return min(int(((moon - sun) % 360.0) / 12.0), 29) + 1


def karana_index(sun: float, moon: float) -> int:
    return min(int(((moon - sun) % 360.0) / 6.0), 59)


def yoga_index(sun: float, moon: float) -> int:
    return min(int(((sun + moon) % 360.0) / NAKSHATRA_SPAN), 26)


def compute_panchanga(
    *, sun: float, moon: float, birth_jd_ut: float, civil_date: date, sunrise_jd_ut: float | None,
    local_midnight_jd_ut: float,
) -> Panchanga:
    """``sunrise_jd_ut``: the first sunrise after local midnight of ``civil_date`` (None if none)."""
    civil = civil_date.weekday()
    if sunrise_jd_ut is None or sunrise_jd_ut >= local_midnight_jd_ut + 1.0:
        weekday, convention, sunrise_jd_ut = civil, "civil_no_sunrise", None
    else:
        weekday = civil if birth_jd_ut >= sunrise_jd_ut else (civil - 1) % 7
        convention = "sunrise_to_sunrise"
    nakshatra, pada = nakshatra_pada(moon)
    return Panchanga(
        weekday=WEEKDAYS[weekday], civil_weekday=WEEKDAYS[civil], vara_convention=convention,
        sunrise_jd_ut=sunrise_jd_ut, tithi_number=tithi_number(sun, moon), nakshatra_index=nakshatra, pada=pada,
        yoga_index=yoga_index(sun, moon), karana_index=karana_index(sun, moon),
    )
