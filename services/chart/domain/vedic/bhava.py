"""Bhava bala by the "Numeros simplified bhava strength" method (v1).

This is NOT the Shadbala-based Bhava Bala of BPHS (bhavadhipati bala + bhava dig bala + bhava
drishti bala from full Shadbala). It is a transparent 0..1 score per house built from four
components, each 0..1 and each shown in the snapshot:

* ``lord``      (weight 0.30): the dignity strength of the house's lord in D1 (exalted 1.0,
                mooltrikona 0.85, own 0.75, friend 0.6, neutral 0.5, enemy 0.35, debilitated 0.1).
* ``occupants`` (weight 0.20): 0.5, plus 0.1 x dignity strength for each natural benefic in the
                house (Jupiter, Venus, Mercury, Moon), minus 0.1 x (1 - dignity strength) for each
                natural malefic (Sun, Mars, Saturn, Rahu, Ketu); clamped to 0..1.
* ``aspects``   (weight 0.20): 0.5, plus 0.1 for each natural benefic and minus 0.1 for each
                natural malefic casting graha drishti on the house's sign; clamped to 0..1.
* ``sav``       (weight 0.30): the Sarvashtakavarga bindus of the house's sign / 56 (56 = seven
                Bhinnashtakavargas x 8, the most a sign can hold; the mean sign holds 337/12 ≈ 28).

``total = 0.3 lord + 0.2 occupants + 0.2 aspects + 0.3 sav``, rounded to 2 decimals. Houses,
their signs and occupants come from the chosen house system; aspects are sign based.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.chart.domain.vedic.rules import aspect_houses, dignity, sign_of
from services.chart.domain.vedic.tables import DIGNITY_STRENGTH, NATURAL_BENEFICS, SIGN_LORDS, SIGNS

METHOD = "numeros-simplified-bhava-strength-v1"
WEIGHTS = {"lord": 0.30, "occupants": 0.20, "aspects": 0.20, "sav": 0.30}


@dataclass(frozen=True)
class BhavaStrength:
    house: int
    sign: int
    lord: str
    occupants: tuple[str, ...]
    aspected_by: tuple[str, ...]
    sav_bindus: int
    components: dict[str, float]
    total: float

    def to_dict(self) -> dict:
        return {"house": self.house, "sign": SIGNS[self.sign], "lord": self.lord, "occupants": list(self.occupants),
                "aspected_by": list(self.aspected_by), "sav_bindus": self.sav_bindus,
                "components": dict(self.components), "total": self.total}


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def bhava_strengths(
    *, house_signs: Sequence[int], planet_houses: Mapping[str, int], longitudes: Mapping[str, float],
    sav: Sequence[int],
) -> list[BhavaStrength]:
    strength = {p: DIGNITY_STRENGTH[dignity(p, lon)] for p, lon in longitudes.items()}
    aspected = {p: {(sign_of(lon) + h - 1) % 12 for h in aspect_houses(p)} for p, lon in longitudes.items()}
    out = []
    for index, house_sign in enumerate(house_signs):
        house = index + 1
        lord = SIGN_LORDS[house_sign]
        occupants = tuple(p for p, h in planet_houses.items() if h == house)
        occupant_score = 0.5
        for p in occupants:
            occupant_score += 0.1 * strength[p] if p in NATURAL_BENEFICS else -0.1 * (1.0 - strength[p])
        aspecting = tuple(p for p, signs in aspected.items() if house_sign in signs)
        aspect_score = 0.5 + sum(0.1 if p in NATURAL_BENEFICS else -0.1 for p in aspecting)
        components = {
            "lord": round(strength[lord], 3),
            "occupants": round(_clamp(occupant_score), 3),
            "aspects": round(_clamp(aspect_score), 3),
            "sav": round(sav[house_sign] / 56.0, 3),
        }
        total = round(sum(WEIGHTS[k] * v for k, v in components.items()), 2)
        out.append(BhavaStrength(house, house_sign, lord, occupants, aspecting, sav[house_sign], components, total))
    return out
