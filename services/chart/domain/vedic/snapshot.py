"""The Vedic snapshot: one pure, deterministic computation of everything the astro-mvp seed's
snapshot ``data`` document holds (``VedicSnapshot.to_dict()`` is that document).

Conventions (see each module for its rules):

* Sidereal, geocentric, apparent positions: tropical Swiss Ephemeris positions minus the
  ayanamsa of the instant (``positions``). Rahu is the true node; Ketu = Rahu + 180°; both are
  always reported retrograde (their mean motion), whatever the true node's momentary speed.
* Houses: Whole Sign (default), Placidus or Equal. ``d1.houses`` and each planet's ``house``
  follow the chosen system (Placidus falls back to Whole Sign inside the polar circles and
  ``meta.house_fallback_reason`` says so). Yogas, graha drishti, transits and Sade Sati count
  signs from the Lagna / Moon, as the classical rules do, whatever the house system.
* ``d1.houses[].degree``: for Whole Sign, the ascendant's degree within each sign (the seed's
  example: house 1 of a Leo 15.5° lagna has degree 15.5); for Placidus/Equal, the cusp's degree.
* "Today" never comes from the clock: ``as_of`` (a date) drives dashas and transits, ``now``
  (optional) only fills ``meta.calc_timestamp``. Transits are computed at 12:00 UTC of ``as_of``.
* Cost: 8 ``calc_ut`` (one per body) + 1 house computation + 1 sunrise search for the birth,
  2 ayanamsa reads, 3 ``calc_ut`` for transits, and per sensitivity edge 1 house computation + 1
  ``calc_ut`` (Moon).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone as dt_timezone
from functools import cached_property

from services.chart.domain import swiss
from services.chart.domain.aliases import AYANAMSAS, VEDIC_HOUSE_SYSTEMS, ayanamsa_key, vedic_house_system_key
from services.chart.domain.birth_time import ResolvedBirthTime, format_offset, resolve_birth_time, zone_info
from services.chart.domain.constants import FIRST_DATE, LAST_DATE
from services.chart.domain.errors import InvalidInput
from services.chart.domain.swiss import body_state, julian_day
from services.chart.domain.vedic import positions as pos
from services.chart.domain.vedic.ashtakavarga import bhinnashtakavarga, sarvashtakavarga
from services.chart.domain.vedic.bhava import METHOD as BHAVA_METHOD
from services.chart.domain.vedic.bhava import BhavaStrength, bhava_strengths
from services.chart.domain.vedic.dasha import YEAR_DAYS, DashaPeriod, Vimshottari, local_midnight_jd
from services.chart.domain.vedic.dasha import one_year_after
from services.chart.domain.vedic.panchanga import Panchanga, compute_panchanga
from services.chart.domain.vedic.rules import (
    aspect_houses,
    better_in_d9,
    degree_in_sign,
    dignity,
    graha_aspects,
    house_from,
    nakshatra_pada,
    navamsa_sign,
    sade_sati_phase,
    sign_of,
)
from services.chart.domain.vedic.ruleset import RULESET_VERSION, ephemeris_version, input_hash, normalize_input
from services.chart.domain.vedic.tables import (
    DASHA_LORDS,
    GRAHAS,
    NAKSHATRA_SPAN,
    NAKSHATRAS,
    NAVAMSA_SPAN,
    NODES,
    ORDINALS,
    SIGN_LORDS,
    SIGNS,
)
from services.chart.domain.vedic.yogas import Yoga, find_yogas
from services.chart.domain.western.houses import houses_of

MAX_UNCERTAINTY_MINUTES = 120


@dataclass(frozen=True)
class GrahaPlacement:
    name: str
    longitude: float  # sidereal
    speed: float
    house: int

    @cached_property
    def sign(self) -> int:
        return sign_of(self.longitude)

    @property
    def retrograde(self) -> bool:
        return True if self.name in NODES else self.speed < 0

    @cached_property
    def dignity(self) -> str:
        return dignity(self.name, self.longitude)

    def to_dict(self) -> dict:
        nakshatra, pada = nakshatra_pada(self.longitude)
        return {
            "name": self.name, "sign": SIGNS[self.sign], "degree": _degree(self.longitude), "house": self.house,
            "nakshatra": NAKSHATRAS[nakshatra], "pada": pada, "nakshatra_lord": DASHA_LORDS[nakshatra % 9],
            "longitude": round(self.longitude, 4), "retrograde": self.retrograde, "speed": round(self.speed, 4),
            "dignity": self.dignity,
        }


@dataclass(frozen=True)
class Sensitivity:
    window_minutes: int
    lagna_signs: tuple[int, int, int]  # at -window, birth, +window
    moon_signs: tuple[int, int, int]
    d9_asc_signs: tuple[int, int, int]
    lagna_flips: bool
    moon_sign_flips: bool
    d9_asc_flips: bool
    moon_nakshatra_flips: bool
    dashas: tuple[tuple[str, str], tuple[str, str], tuple[str, str]]  # (md, ad) at -window, birth, +window
    dasha_boundary_risky: bool
    dasha_shift_days: float

    def to_dict(self) -> dict:
        return {
            "lagna_flips": self.lagna_flips, "moon_sign_flips": self.moon_sign_flips,
            "d9_asc_flips": self.d9_asc_flips, "dasha_boundary_risky": self.dasha_boundary_risky,
            "window_minutes": self.window_minutes,
            "lagna_signs": [SIGNS[s] for s in self.lagna_signs],
            "moon_signs": [SIGNS[s] for s in self.moon_signs],
            "d9_asc_signs": [SIGNS[s] for s in self.d9_asc_signs],
            "moon_nakshatra_flips": self.moon_nakshatra_flips,
            "dasha_at_window_edges": [{"md": md, "ad": ad} for md, ad in (self.dashas[0], self.dashas[2])],
            "dasha_shift_days": self.dasha_shift_days,
        }


@dataclass(frozen=True)
class VedicSnapshot:
    birth: ResolvedBirthTime
    ayanamsa: str  # key
    house_system: str  # key requested
    as_of: date
    uncertainty_minutes: int
    altitude_m: float
    now: datetime | None
    jd_ut: float
    ayanamsa_degrees: float
    ascendant: float
    houses: pos.SiderealHouses
    grahas: dict[str, GrahaPlacement]
    panchanga: Panchanga
    vimshottari: Vimshottari
    current_dasha: tuple[DashaPeriod, DashaPeriod]  # (mahadasha, antardasha) on as_of
    transit_jd_ut: float
    transits: dict[str, pos.SiderealBody]
    bav: dict[str, list[int]]
    sav: list[int]
    yogas: list[Yoga]
    bhava: list[BhavaStrength]
    sensitivity: Sensitivity

    # --- derived -----------------------------------------------------------------------------
    @property
    def lagna_sign(self) -> int:
        return sign_of(self.ascendant)

    @property
    def longitudes(self) -> dict[str, float]:
        return {name: g.longitude for name, g in self.grahas.items()}

    @cached_property
    def next_12m_antardashas(self) -> list[DashaPeriod]:
        return self.vimshottari.antardashas_between(self.as_of, one_year_after(self.as_of))

    @property
    def d9_signs(self) -> dict[str, int]:
        return {name: navamsa_sign(g.longitude) for name, g in self.grahas.items()}

    @property
    def input_hash(self) -> str:
        location = self.birth.location
        return input_hash(normalize_input(
            local=self.birth.local, timezone=location.zone, latitude=location.latitude,
            longitude=location.longitude, altitude_m=self.altitude_m, ayanamsa=self.ayanamsa,
            house_system=self.house_system, uncertainty_minutes=self.uncertainty_minutes, as_of=self.as_of))

    @cached_property
    def graha_aspects(self) -> list[tuple[str, str, int, float]]:
        return graha_aspects(self.longitudes)

    def aspects(self) -> list[dict]:
        by_planet: dict[str, list[dict]] = {planet: [] for planet in GRAHAS}
        for planet, target, house, strength in self.graha_aspects:
            by_planet[planet].append({"target": target, "type": ORDINALS[house], "strength": round(strength, 2)})
        return [{"planet": planet, "aspects": found} for planet, found in by_planet.items()]

    # --- the seed's document ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "meta": self._meta(), "panchanga": self._panchanga(), "d1": self._d1(), "dignities": self._dignities(),
            "aspects": {
                "planetary_aspects": self.aspects(),
                "house_aspects": {p: sorted(house_from((self.grahas[p].sign + a - 1) % 12, self.lagna_sign)
                                            for a in aspect_houses(p)) for p in GRAHAS},
                "strength_scale": "1 - |separation - exact aspect angle| / 30, clamped to 0..1 (1 = exact)",
            },
            "dasha": self._dasha(), "transits": self._transits(), "d9": self._d9(),
            "sav": list(self.sav),
            "ashtakavarga": {
                "bav": {p: list(v) for p, v in self.bav.items()},
                "sav_by_house": [self.sav[(self.lagna_sign + i) % 12] for i in range(12)],
                "sav_total": sum(self.sav),
                "order": "sav and bav are per sign, Aries first; sav_by_house starts at the Lagna's sign",
            },
            "yogas": [y.to_dict() for y in self.yogas],
            "bhava_bala": [b.total for b in self.bhava],
            "bhava_bala_method": BHAVA_METHOD,
            "bhava_bala_detail": [b.to_dict() for b in self.bhava],
            "sensitivity": self.sensitivity.to_dict(),
        }

    def _meta(self) -> dict:
        birth = self.birth
        aware = birth.utc.astimezone(zone_info(birth.location.zone))
        return {
            "ayanamsa": AYANAMSAS[self.ayanamsa],
            "ayanamsa_degrees": round(self.ayanamsa_degrees, 6),
            "house_system": VEDIC_HOUSE_SYSTEMS[self.house_system],
            "house_system_used": VEDIC_HOUSE_SYSTEMS[self.houses.system_used],
            "house_fallback_reason": self.houses.fallback_reason,
            "timezone": birth.location.zone,
            "timezone_source": birth.location.zone_source,
            "dst_used": bool(aware.dst()),
            "local_datetime": birth.local.isoformat(),
            "utc_offset": format_offset(birth.utc_offset_seconds),
            "utc_datetime": birth.utc.isoformat().replace("+00:00", "Z"),
            "latitude": birth.location.latitude,
            "longitude": birth.location.longitude,
            "altitude_m": self.altitude_m,
            "ephemeris": "SwissEph",
            "ephemeris_version": ephemeris_version(),
            "positions": "sidereal, geocentric, apparent",
            "lunar_node": "true",
            "as_of": self.as_of.isoformat(),
            "calc_timestamp": _iso(self.now),
            "ruleset_version": RULESET_VERSION,
            "input_hash": self.input_hash,
        }

    def _panchanga(self) -> dict:
        p = self.panchanga
        return {
            "weekday": p.weekday, "tithi": p.tithi, "nakshatra": p.nakshatra, "pada": p.pada, "yoga": p.yoga,
            "karana": p.karana, "tithi_number": p.tithi_number, "paksha": p.paksha,
            "civil_weekday": p.civil_weekday, "vara_convention": p.vara_convention,
            "sunrise_utc": None if p.sunrise_jd_ut is None else _iso(swiss.moment_of(p.sunrise_jd_ut)),
        }

    def _d1(self) -> dict:
        nakshatra, pada = nakshatra_pada(self.ascendant)
        whole_sign = self.houses.system_used == "whole_sign"
        houses = []
        for i, cusp in enumerate(self.houses.cusps):
            sign = sign_of(cusp)
            degree = degree_in_sign(self.ascendant) if whole_sign else degree_in_sign(cusp)
            houses.append({"house": i + 1, "sign": SIGNS[sign], "degree": _clip_degree(degree),
                           "lord": SIGN_LORDS[sign], "cusp_longitude": round(cusp, 4)})
        return {
            "ascendant": {"sign": SIGNS[self.lagna_sign], "degree": _degree(self.ascendant),
                          "nakshatra": NAKSHATRAS[nakshatra], "pada": pada, "longitude": round(self.ascendant, 4),
                          "lord": SIGN_LORDS[self.lagna_sign]},
            "planets": [self.grahas[name].to_dict() for name in GRAHAS],
            "houses": houses,
        }

    def _dignities(self) -> dict:
        by_planet = {name: g.dignity for name, g in self.grahas.items()}
        pick = lambda level: [name for name in GRAHAS if by_planet[name] == level]  # noqa: E731
        return {"exaltation": pick("exalted"), "debilitation": pick("debilitated"),
                "mooltrikona": pick("mooltrikona"), "own_sign": pick("own"), "by_planet": by_planet}

    def _dasha(self) -> dict:
        md, ad = self.current_dasha
        v = self.vimshottari
        return {
            "system": "Vimshottari",
            "year_days": YEAR_DAYS,
            "moon_nakshatra": self.panchanga.nakshatra,
            "balance_at_birth_years": round(v.balance_years, 4),
            "current_md": md.lord,
            "current_ad": ad.lord,
            "current_md_period": md.to_dict(),
            "current_ad_period": ad.to_dict(),
            "next_12m_ads": [p.to_dict() for p in self.next_12m_antardashas],
            "mahadashas": [p.to_dict() for p in v.mahadashas(until=self.as_of)],
        }

    def _transits(self) -> dict:
        t = self.transits
        moon_sign = self.grahas["Moon"].sign
        saturn_from_moon = (sign_of(t["Saturn"].longitude) - moon_sign) % 12
        house = lambda name: house_from(sign_of(t[name].longitude), self.lagna_sign)  # noqa: E731
        return {
            "saturn_house_from_lagna": house("Saturn"),
            "jupiter_house_from_lagna": house("Jupiter"),
            "rahu_ketu_axis_from_lagna": [house("Rahu"), house("Ketu")],
            "sade_sati_phase": sade_sati_phase(sign_of(t["Saturn"].longitude), moon_sign),
            "saturn_house_from_moon": saturn_from_moon + 1,
            "as_of": self.as_of.isoformat(),
            "computed_at_utc": _iso(swiss.moment_of(self.transit_jd_ut)),
            "positions": {
                name: {"sign": SIGNS[sign_of(b.longitude)], "degree": _degree(b.longitude),
                       "longitude": round(b.longitude, 4),
                       "retrograde": True if name in NODES else b.speed < 0}
                for name, b in t.items()
            },
        }

    def _d9(self) -> dict:
        d9 = self.d9_signs
        return {
            "asc_sign": SIGNS[navamsa_sign(self.ascendant)],
            "planet_signs": {name: SIGNS[d9[name]] for name in GRAHAS},
            "d9_better": {name: better_in_d9(name, self.grahas[name].sign, d9[name]) for name in GRAHAS},
            "vargottama": [name for name in GRAHAS if self.grahas[name].sign == d9[name]],
            "rule": "better = vargottama, or a higher sign dignity in D9 than in D1 "
                    "(exalted > mooltrikona > own > friend > neutral > enemy > debilitated)",
        }


def _degree(longitude: float) -> float:
    return _clip_degree(degree_in_sign(longitude))


def _clip_degree(degree: float) -> float:
    return min(round(degree, 2), 29.99)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_date(field_name: str, day: date) -> None:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidInput(field_name, f"must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()} "
                                       "(the range of the ephemeris files)")


def vedic_snapshot(
    birth: ResolvedBirthTime,
    *,
    as_of: date,
    ayanamsa: str | None = "lahiri",
    house_system: str | None = "whole_sign",
    uncertainty_minutes: int = 0,
    altitude_m: float = 0.0,
    now: datetime | None = None,
) -> VedicSnapshot:
    """Compute the snapshot of a resolved birth (local time -> UTC by ``birth_time``).

    Needs the birth place's coordinates (given or from the gazetteer). Raises ``InvalidInput``
    naming the field for unusable input and ``EphemerisUnavailable`` without the ephemeris files.
    """
    location = birth.location
    if not location.has_coordinates:
        raise InvalidInput("latitude", "a Vedic chart needs the birth place: give latitude/longitude or birth_place")
    aya_key, house_key = ayanamsa_key(ayanamsa), vedic_house_system_key(house_system)
    _check_date("dob", birth.local.date())
    _check_date("as_of", as_of)
    if as_of < birth.local.date():  # a birth after today is fine when as_of is later (a planned moment)
        raise InvalidInput("dob", f"must not be after as_of ({as_of.isoformat()})")
    if not isinstance(uncertainty_minutes, int) or not 0 <= uncertainty_minutes <= MAX_UNCERTAINTY_MINUTES:
        raise InvalidInput("uncertainty_minutes", f"must be a whole number of minutes, 0 to {MAX_UNCERTAINTY_MINUTES}")
    lat, lon = location.latitude, location.longitude

    jd = julian_day(birth.utc)
    transit_jd = julian_day(datetime.combine(as_of, time(12, 0), tzinfo=dt_timezone.utc))
    aya, aya_transit = swiss.ayanamsa_degrees(aya_key, (jd, transit_jd))

    bodies = pos.sidereal_bodies(jd, aya)
    houses = pos.sidereal_houses(jd, lat, lon, aya, house_key)
    asc = houses.ascendant
    if houses.system_used == "whole_sign":
        planet_houses = {name: house_from(sign_of(b.longitude), sign_of(asc)) for name, b in bodies.items()}
    else:
        numbers = houses_of([b.longitude for b in bodies.values()], houses.cusps)
        planet_houses = dict(zip(bodies, numbers))
    grahas = {name: GrahaPlacement(name, bodies[name].longitude, bodies[name].speed, planet_houses[name])
              for name in GRAHAS}

    midnight_jd = local_midnight_jd(birth.local.date(), birth.utc_offset_seconds)
    sunrise = swiss.sunrise_after(midnight_jd, lat, lon, altitude_m)
    panchanga = compute_panchanga(sun=bodies["Sun"].longitude, moon=bodies["Moon"].longitude, birth_jd_ut=jd,
                                  civil_date=birth.local.date(), sunrise_jd_ut=sunrise,
                                  local_midnight_jd_ut=midnight_jd)

    vimshottari = Vimshottari(bodies["Moon"].longitude, jd, birth.utc_offset_seconds)
    transits = pos.sidereal_bodies(transit_jd, aya_transit, names=("Jupiter", "Saturn", "Rahu"))

    longitudes = {name: g.longitude for name, g in grahas.items()}
    contributor_signs = {name: sign_of(longitudes[name]) for name in GRAHAS[:7]}
    contributor_signs["Lagna"] = sign_of(asc)
    bav = bhinnashtakavarga(contributor_signs)
    sav = sarvashtakavarga(bav)
    yogas = find_yogas(longitudes, asc)
    bhava = bhava_strengths(house_signs=[sign_of(c) for c in houses.cusps], planet_houses=planet_houses,
                            longitudes=longitudes, sav=sav)
    current_md, current_ad = vimshottari.current(as_of)
    sensitivity = _sensitivity(jd, uncertainty_minutes, lat, lon, aya, asc, bodies["Moon"].longitude,
                               (current_md.lord, current_ad.lord), birth.utc_offset_seconds, as_of)
    return VedicSnapshot(
        birth=birth, ayanamsa=aya_key, house_system=house_key, as_of=as_of, uncertainty_minutes=uncertainty_minutes,
        altitude_m=float(altitude_m), now=now, jd_ut=jd, ayanamsa_degrees=aya, ascendant=asc, houses=houses,
        grahas=grahas, panchanga=panchanga, vimshottari=vimshottari,
        current_dasha=(current_md, current_ad), transit_jd_ut=transit_jd, transits=transits,
        bav=bav, sav=sav, yogas=yogas, bhava=bhava, sensitivity=sensitivity,
    )


def compute_vedic_snapshot(
    local: datetime,
    *,
    as_of: date,
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    birth_place: str | None = None,
    **options,
) -> VedicSnapshot:
    """Resolve the local birth time (zone, historical DST, gazetteer) and compute the snapshot."""
    birth = resolve_birth_time(local, timezone=timezone, latitude=latitude, longitude=longitude,
                               birth_place=birth_place)
    return vedic_snapshot(birth, as_of=as_of, **options)


def _forward(reference: float, other: float, later: bool) -> float:
    """``other`` unwrapped next to ``reference``, assuming the point only moves forward in time."""
    return reference + ((other - reference) % 360.0) if later else reference - ((reference - other) % 360.0)


def _crosses(before: float, value: float, after: float, span: float) -> bool:
    """Does a forward-moving point (unwrapped ``before`` <= ``value`` <= ``after``) change ``span``-wide slot?"""
    return int(before // span) != int(value // span) or int(after // span) != int(value // span)


def _sensitivity(jd: float, minutes: int, lat: float, lon: float, aya: float, asc: float, moon: float,
                 here: tuple[str, str], offset: int, as_of: date) -> Sensitivity:
    """``here``: the (mahadasha, antardasha) lords current on ``as_of`` for the birth time as given."""
    if minutes == 0:
        lagna, moon_sign, d9 = sign_of(asc), sign_of(moon), navamsa_sign(asc)
        return Sensitivity(0, (lagna,) * 3, (moon_sign,) * 3, (d9,) * 3, False, False, False, False, (here,) * 3,
                           False, 0.0)
    edges = []
    for later in (False, True):
        edge_jd = jd + (minutes if later else -minutes) / 1440.0
        edge_asc = _forward(asc, pos.sidereal_ascendant(edge_jd, lat, lon, aya), later)
        edge_moon = _forward(moon, body_state(edge_jd, "moon").longitude - aya, later)
        edge_dasha = Vimshottari(edge_moon % 360.0, edge_jd, offset)
        edge_md, edge_ad = edge_dasha.current(as_of)
        edges.append((edge_asc, edge_moon, edge_dasha, (edge_md.lord, edge_ad.lord)))
    (asc_a, moon_a, dasha_a, lords_a), (asc_b, moon_b, dasha_b, lords_b) = edges

    lagna_flips, d9_flips = _crosses(asc_a, asc, asc_b, 30.0), _crosses(asc_a, asc, asc_b, NAVAMSA_SPAN)
    moon_flips, nakshatra_flips = _crosses(moon_a, moon, moon_b, 30.0), _crosses(moon_a, moon, moon_b, NAKSHATRA_SPAN)
    risky = nakshatra_flips or lords_a != here or lords_b != here
    return Sensitivity(
        window_minutes=minutes,
        lagna_signs=(sign_of(asc_a), sign_of(asc), sign_of(asc_b)),
        moon_signs=(sign_of(moon_a), sign_of(moon), sign_of(moon_b)),
        d9_asc_signs=(navamsa_sign(asc_a % 360.0), navamsa_sign(asc), navamsa_sign(asc_b % 360.0)),
        lagna_flips=lagna_flips, moon_sign_flips=moon_flips, d9_asc_flips=d9_flips,
        moon_nakshatra_flips=nakshatra_flips, dashas=(lords_a, here, lords_b), dasha_boundary_risky=risky,
        dasha_shift_days=round(abs(dasha_b.cycle_start_jd - dasha_a.cycle_start_jd), 2),
    )
