"""Ashtakavarga: the seven Bhinnashtakavargas and the Sarvashtakavarga (their sum, 337 bindus).

Tables: ``tables.BHINNASHTAKAVARGA`` (Parashara, as P.V.R. Narasimha Rao / Jagannatha Hora give
them). Contributors are the signs of Sun … Saturn and the Lagna in D1.
"""
from __future__ import annotations

from collections.abc import Mapping

from services.chart.domain.vedic.tables import ASHTAKAVARGA_CONTRIBUTORS, BHINNASHTAKAVARGA, SAV_TOTAL


def bhinnashtakavarga(contributor_signs: Mapping[str, int]) -> dict[str, list[int]]:
    """For each of Sun … Saturn, bindus per sign (index 0 = Aries). ``contributor_signs`` maps
    Sun … Saturn and ``"Lagna"`` to their sign indices."""
    out = {}
    for planet, rows in BHINNASHTAKAVARGA.items():
        bindus = [0] * 12
        for contributor, houses in zip(ASHTAKAVARGA_CONTRIBUTORS, rows):
            base = contributor_signs[contributor] - 1
            for house in houses:
                bindus[(base + house) % 12] += 1
        out[planet] = bindus
    return out


def sarvashtakavarga(bav: Mapping[str, list[int]]) -> list[int]:
    sav = [sum(column) for column in zip(*bav.values())]
    assert sum(sav) == SAV_TOTAL
    return sav
