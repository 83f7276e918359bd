"""Yogas of the D1 chart. Houses are counted by sign (the rasi chart), as the classical rules do.

Rules:
* Gajakesari — Jupiter in a kendra (1, 4, 7, 10) from the Moon.
* Budhaditya — Sun and Mercury in the same sign (combustion not considered).
* Pancha Mahapurusha — Mars (Ruchaka), Mercury (Bhadra), Jupiter (Hamsa), Venus (Malavya),
  Saturn (Sasa) in its own, mooltrikona or exaltation sign AND in a kendra from the Lagna.
* Chandra-Mangala — Moon and Mars in the same sign, or in mutual 7th (opposite signs).
* Kemadruma — no graha other than the Sun, Rahu and Ketu in the 2nd or 12th sign from the Moon.
  It is reported with ``cancelled: true`` (strength 0) when a usual cancellation holds:
  a graha (Mars … Saturn) with the Moon, or a graha (Mars … Saturn) in a kendra from the Lagna or
  from the Moon.
* Raja Yoga — a lord of a kendra (1, 4, 7, 10) and a lord of a trikona (1, 5, 9), different
  houses and different grahas, associated by conjunction (same sign), exchange of signs or
  mutual graha drishti; and a yogakaraka — one graha ruling both a kendra (4, 7, 10) and a
  trikona (5, 9). One entry per pair of grahas, with every kendra/trikona pairing they form.

Strength (0..1): the mean dignity strength of the grahas involved (exalted 1.0, mooltrikona 0.85,
own 0.75, friend 0.6, neutral 0.5, enemy 0.35, debilitated 0.1), times 0.75 for a Raja Yoga
formed by mutual aspect only. For Kemadruma it is ``1 - the Moon's dignity strength`` (a strong
Moon softens it), 0 when cancelled.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.chart.domain.vedic.rules import aspects_between, dignity, house_from, sign_dignity, sign_of
from services.chart.domain.vedic.tables import DIGNITY_STRENGTH, KENDRAS, SEVEN_GRAHAS, SIGN_LORDS, TRIKONAS

MAHAPURUSHA = {"Mars": "Ruchaka Yoga", "Mercury": "Bhadra Yoga", "Jupiter": "Hamsa Yoga", "Venus": "Malavya Yoga",
               "Saturn": "Sasa Yoga"}
_TARA_GRAHAS = ("Mars", "Mercury", "Jupiter", "Venus", "Saturn")
_STRONG_SIGN = ("exalted", "mooltrikona", "own")


@dataclass(frozen=True)
class Yoga:
    name: str
    planets: tuple[str, ...]
    strength: float
    description: str
    cancelled: bool = False
    cancellations: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        out = {"name": self.name, "planets": list(self.planets), "strength": self.strength,
               "description": self.description, "cancelled": self.cancelled}
        if self.cancellations:
            out["cancellations"] = list(self.cancellations)
        return out


def _strength(longitudes: Mapping[str, float], planets, factor: float = 1.0) -> float:
    values = [DIGNITY_STRENGTH[dignity(p, longitudes[p])] for p in planets]
    return round(factor * sum(values) / len(values), 2)


def find_yogas(longitudes: Mapping[str, float], lagna: float) -> list[Yoga]:
    """``longitudes``: sidereal D1 longitudes of the nine grahas; ``lagna``: the sidereal ascendant."""
    sign = {p: sign_of(lon) for p, lon in longitudes.items()}
    lagna_sign = sign_of(lagna)
    moon = sign["Moon"]
    yogas: list[Yoga] = []

    if house_from(sign["Jupiter"], moon) in KENDRAS:
        yogas.append(Yoga("Gajakesari Yoga", ("Jupiter", "Moon"), _strength(longitudes, ("Jupiter", "Moon")),
                          f"Jupiter in house {house_from(sign['Jupiter'], moon)} from the Moon (a kendra)"))
    if sign["Sun"] == sign["Mercury"]:
        yogas.append(Yoga("Budhaditya Yoga", ("Sun", "Mercury"), _strength(longitudes, ("Sun", "Mercury")),
                          "Sun and Mercury in the same sign"))
    for planet, name in MAHAPURUSHA.items():
        house = house_from(sign[planet], lagna_sign)
        level = sign_dignity(planet, sign[planet])
        if house in KENDRAS and level in _STRONG_SIGN:
            yogas.append(Yoga(name, (planet,), _strength(longitudes, (planet,)),
                              f"{planet} {level} in house {house} from the Lagna (a kendra)"))
    moon_mars = house_from(sign["Mars"], moon)
    if moon_mars in (1, 7):
        how = "in the same sign" if moon_mars == 1 else "in mutual 7th"
        yogas.append(Yoga("Chandra-Mangala Yoga", ("Moon", "Mars"), _strength(longitudes, ("Moon", "Mars")),
                          f"Moon and Mars {how}"))
    kemadruma = _kemadruma(sign, lagna_sign, longitudes)
    if kemadruma is not None:
        yogas.append(kemadruma)
    yogas.extend(_raja_yogas(longitudes, sign, lagna_sign))
    return yogas


def _kemadruma(sign: Mapping[str, int], lagna_sign: int, longitudes: Mapping[str, float]) -> Yoga | None:
    moon = sign["Moon"]
    flanking = [p for p in _TARA_GRAHAS if house_from(sign[p], moon) in (2, 12)]
    if flanking:
        return None
    cancellations = []
    with_moon = [p for p in _TARA_GRAHAS if sign[p] == moon]
    if with_moon:
        cancellations.append(f"{', '.join(with_moon)} with the Moon")
    from_lagna = [p for p in _TARA_GRAHAS if house_from(sign[p], lagna_sign) in KENDRAS]
    if from_lagna:
        cancellations.append(f"{', '.join(from_lagna)} in a kendra from the Lagna")
    from_moon = [p for p in _TARA_GRAHAS if house_from(sign[p], moon) in KENDRAS]
    if from_moon:
        cancellations.append(f"{', '.join(from_moon)} in a kendra from the Moon")
    strength = 0.0 if cancellations else round(1.0 - DIGNITY_STRENGTH[dignity("Moon", longitudes["Moon"])], 2)
    return Yoga("Kemadruma Yoga", ("Moon",), strength,
                "no graha other than the Sun and the nodes in the 2nd or 12th from the Moon",
                cancelled=bool(cancellations), cancellations=tuple(cancellations))


def house_lords(lagna_sign: int) -> dict[int, str]:
    return {house: SIGN_LORDS[(lagna_sign + house - 1) % 12] for house in range(1, 13)}


def _raja_yogas(longitudes: Mapping[str, float], sign: Mapping[str, int], lagna_sign: int) -> list[Yoga]:
    lords = house_lords(lagna_sign)
    owned: dict[str, list[int]] = {}
    for house, lord in lords.items():
        owned.setdefault(lord, []).append(house)
    yogas = []
    for planet in SEVEN_GRAHAS:  # yogakarakas
        houses = owned.get(planet, [])
        kendras = [h for h in houses if h in (4, 7, 10)]
        trikonas = [h for h in houses if h in (5, 9)]
        if kendras and trikonas:
            yogas.append(Yoga("Raja Yoga", (planet,), _strength(longitudes, (planet,)),
                              f"{planet} is yogakaraka: lord of houses {kendras[0]} and {trikonas[0]}"))
    pairs: dict[tuple[str, str], list[str]] = {}
    for k in KENDRAS:
        for t in TRIKONAS:
            a, b = lords[k], lords[t]
            if k == t or a == b:
                continue
            key = tuple(sorted((a, b), key=SEVEN_GRAHAS.index))
            pairs.setdefault(key, [])
            label = f"{k}-{t}"
            if label not in pairs[key]:
                pairs[key].append(label)
    for (a, b), links in pairs.items():
        if sign[a] == sign[b]:
            how, factor = "conjunct", 1.0
        elif SIGN_LORDS[sign[a]] == b and SIGN_LORDS[sign[b]] == a:
            how, factor = "exchange signs", 1.0
        elif (aspects_between(a, longitudes[a], b, longitudes[b])
              and aspects_between(b, longitudes[b], a, longitudes[a])):
            how, factor = "in mutual aspect", 0.75
        else:
            continue
        yogas.append(Yoga("Raja Yoga", (a, b), _strength(longitudes, (a, b), factor),
                          f"lords of houses {', '.join(links)} (kendra-trikona) {how}"))
    return yogas

