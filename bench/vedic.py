"""Vedic benchmark: our full snapshot via gRPC vs PyJHora computing the same fields, in one run.

    .venv/bin/python bench/vedic.py [--records N] [--json results.json]

Our side: the chart service started as in production (``python -m services.chart``, one worker
per usable core) and one long-lived grpc.aio channel. ``VedicSnapshot`` returns the whole
astro-mvp snapshot (D1, D9, panchanga with a sunrise search, Vimshottari with the next 12 months of
antardashas, dignities, graha drishti, transits, SAV/BAV, yogas, bhava bala; uncertainty 0) as JSON.
Measured: single-call latency (sequential calls, p50/p99) and batch per chart (every record in
flight at once on the one channel: wall time / charts, best of several rounds).

PyJHora (``pyjhora``), in this process, on our ephemeris files, for the same records and the same
fields (D1 with ascendant, D9, panchanga: vaara, tithi, nakshatra, yoga, karana; Vimshottari), two
ways:

A. public API at defaults: ``charts.divisional_chart`` (D1, D9), ``drik.tithi/nakshatra/yogam/
   karana/vaara`` and ``vimsottari.get_vimsottari_dhasa_bhukthi(jd, place)`` with every option at
   its default (the issue's "about 385 ms per chart" yardstick);
B. lower-level: the same charts and panchanga, but the dasha from ``vimsottari_mahadasa`` +
   ``_vimsottari_bhukti`` (what test_vedic_pyjhora compares against: apparent positions,
   365.25-day years).

An untimed pass checks both engines agree on every record (Moon sign, nakshatra, D9 ascendant,
mahadasha lords). Target (issue 4): our time <= 0.02 x PyJHora's, printed as PASS or MISS for each
PyJHora variant and for both our single-call p50 and our batch per chart.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _chart_service import EPHE_PATH, ChartService, machine, package_version  # first: puts the repository on sys.path

import grpc  # noqa: E402
import numpy as np  # noqa: E402
import swisseph as swe  # noqa: E402

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc  # noqa: E402

SEED = 20260422
AS_OF = date(2026, 1, 1)
RATIO_TARGET = 0.02
BATCH_ROUNDS = 5
SIGNS = ("Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius", "Capricorn",
         "Aquarius", "Pisces")
GRAHAS = ("Sun", "Moon", "Mars", "Mercury", "Jupiter", "Venus", "Saturn", "Rahu", "Ketu")
CITIES = (
    ("Chennai", 13.0827, 80.2707, "Asia/Kolkata"), ("Delhi", 28.6139, 77.2090, "Asia/Kolkata"),
    ("Mumbai", 19.0760, 72.8777, "Asia/Kolkata"), ("Kathmandu", 27.7172, 85.3240, "Asia/Kathmandu"),
    ("London", 51.5074, -0.1278, "Europe/London"), ("New York", 40.7128, -74.0060, "America/New_York"),
    ("Sydney", -33.8688, 151.2093, "Australia/Sydney"), ("Nairobi", -1.2921, 36.8219, "Africa/Nairobi"),
    ("Sao Paulo", -23.5505, -46.6333, "America/Sao_Paulo"), ("Tokyo", 35.6762, 139.6503, "Asia/Tokyo"),
)


@dataclass(frozen=True)
class Birth:
    local: datetime
    city: str
    latitude: float
    longitude: float
    zone: str

    @property
    def utc_offset_hours(self) -> float:
        return self.local.replace(tzinfo=ZoneInfo(self.zone)).utcoffset().total_seconds() / 3600.0

    def request(self) -> chart_pb2.VedicRequest:
        t = self.local
        return chart_pb2.VedicRequest(
            birth=chart_pb2.BirthData(birth_date=chart_pb2.Date(year=t.year, month=t.month, day=t.day),
                                      birth_time=f"{t:%H:%M}", latitude=self.latitude, longitude=self.longitude,
                                      timezone=self.zone),
            as_of=chart_pb2.Date(year=AS_OF.year, month=AS_OF.month, day=AS_OF.day))


def records(count: int) -> list[Birth]:
    rng = random.Random(SEED)
    start, span = datetime(1940, 1, 1), (datetime(2010, 12, 31) - datetime(1940, 1, 1)).days
    out = []
    for _ in range(count):
        city = rng.choice(CITIES)
        local = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(1440))
        out.append(Birth(local.replace(second=0), *city))
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


# --------------------------------------------------------------------------------------------
# the service, started as in production

async def ours(births: list[Birth], workers: int) -> tuple[dict, list[dict]]:
    requests = [b.request() for b in births]
    with tempfile.TemporaryDirectory() as folder:
        service = ChartService(workers, Path(folder) / "chart.log")
        try:
            async with grpc.aio.insecure_channel(service.address, options=service.options) as channel:
                await service.wait_ready(channel)
                stub = chart_pb2_grpc.ChartServiceStub(channel)
                # warm-up: every worker, every record once (untimed); keep the answers for the check
                answers = await asyncio.gather(*(stub.VedicSnapshot(r, timeout=60) for r in requests))
                documents = [json.loads(a.document.json) for a in answers]
                samples = []
                for r in requests:
                    started = time.perf_counter()
                    await stub.VedicSnapshot(r, timeout=60)
                    samples.append(time.perf_counter() - started)
                batch = []
                for _ in range(BATCH_ROUNDS):
                    started = time.perf_counter()
                    await asyncio.gather(*(stub.VedicSnapshot(r, timeout=60) for r in requests))
                    batch.append((time.perf_counter() - started) / len(requests))
        finally:
            service.stop()
    ms = [s * 1000 for s in samples]
    return {"single_p50_ms": pct(ms, 50), "single_p99_ms": pct(ms, 99), "single_mean_ms": statistics.fmean(ms),
            "batch_per_chart_ms": min(batch) * 1000, "batch_rounds_ms": [round(b * 1000, 4) for b in batch],
            "response_bytes_mean": round(statistics.fmean(len(a.document.json) for a in answers))}, documents


# --------------------------------------------------------------------------------------------
# PyJHora, in this process, on our ephemeris files

PYJHORA_PLANETS = dict(enumerate(GRAHAS))


def load_pyjhora():
    saved_path = list(sys.path)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its packages print when they touch sys.path
            from jhora import const, utils
            from jhora.horoscope.chart import charts
            from jhora.horoscope.dhasa.graha import vimsottari
            from jhora.panchanga import drik
    finally:
        sys.path[:] = saved_path
    swe.set_ephe_path(str(EPHE_PATH))
    drik.set_ayanamsa_mode("LAHIRI")
    return const, utils, charts, vimsottari, drik


def pyjhora_chart(j, birth: Birth, public: bool) -> dict:
    const, utils, charts, vimsottari, drik = j
    place = drik.Place(birth.city, birth.latitude, birth.longitude, birth.utc_offset_hours, 0.0)  # no elevation look-up
    t = birth.local
    jd = utils.julian_day_number(drik.Date(t.year, t.month, t.day), (t.hour, t.minute, t.second))
    d1 = charts.divisional_chart(jd, place, divisional_chart_factor=1)
    d9 = charts.divisional_chart(jd, place, divisional_chart_factor=9)
    panchanga = (drik.vaara(jd, place), drik.tithi(jd, place), drik.nakshatra(jd, place), drik.yogam(jd, place),
                 drik.karana(jd, place))
    if public:
        dashas = vimsottari.get_vimsottari_dhasa_bhukthi(jd, place)
        maha_lords = list(dict.fromkeys(row[0][0] for row in dashas[1]))
    else:
        mahadashas = vimsottari.vimsottari_mahadasa(jd, place)
        antardashas = {lord: vimsottari._vimsottari_bhukti(lord, start) for lord, start in mahadashas.items()}
        maha_lords = list(mahadashas)
        del antardashas
    return {"d1": d1, "d9": d9, "panchanga": panchanga, "maha_lords": [PYJHORA_PLANETS[p] for p in maha_lords]}


def time_pyjhora(j, births: list[Birth], public: bool) -> tuple[dict, list[dict]]:
    const, _, _, vimsottari, drik = j
    if not public:  # as test_vedic_pyjhora: apparent positions, 365.25-day years
        saved = (const.PLANET_POSITIONS_TRUE, vimsottari.year_duration)
        const.PLANET_POSITIONS_TRUE = False
        drik.refresh_planet_flags()
        vimsottari.year_duration = 365.25
    try:
        pyjhora_chart(j, births[0], public)  # warm-up
        results, samples = [], []
        for birth in births:
            started = time.perf_counter()
            results.append(pyjhora_chart(j, birth, public))
            samples.append(time.perf_counter() - started)
    finally:
        if not public:
            const.PLANET_POSITIONS_TRUE, vimsottari.year_duration = saved
            drik.refresh_planet_flags()
    ms = [s * 1000 for s in samples]
    return {"p50_ms": pct(ms, 50), "mean_ms": statistics.fmean(ms), "total_s": sum(samples)}, results


def agreement(documents: list[dict], theirs: list[dict]) -> dict:
    checked, mismatches = 0, []
    for doc, them in zip(documents, theirs):
        moon_sign = next(p["sign"] for p in doc["d1"]["planets"] if p["name"] == "Moon")
        their_moon = next(sign for planet, (sign, _) in them["d1"][1:] if planet == 1)
        their_lagna = them["d1"][0][1][0]
        facts = {
            "moon_sign": (moon_sign, SIGNS[their_moon]),
            "lagna": (doc["d1"]["ascendant"]["sign"], SIGNS[their_lagna]),
            "d9_asc": (doc["d9"]["asc_sign"], SIGNS[them["d9"][0][1][0]]),
            "first_md": (doc["dasha"]["mahadashas"][0]["dasha"], them["maha_lords"][0]),
        }
        checked += 1
        bad = {k: v for k, v in facts.items() if v[0] != v[1]}
        if bad:
            mismatches.append(bad)
    return {"records": checked, "mismatches": mismatches}


# --------------------------------------------------------------------------------------------

def versions() -> dict:
    return {**machine(), "pyjhora": package_version("pyjhora"), "pyswisseph": package_version("pyswisseph"),
            "grpcio": package_version("grpcio")}


def verdict(ours_ms: float, theirs_ms: float) -> str:
    ratio = ours_ms / theirs_ms
    return f"{ratio:.4f} x  ({'PASS' if ratio <= RATIO_TARGET else 'MISS'}, target <= {RATIO_TARGET})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    info = versions()
    workers = args.workers or info["usable_cores"]
    births = records(args.records)
    print(f"# Vedic benchmark, {len(births)} records, {workers} workers, {info}")

    ours_result, documents = asyncio.run(ours(births, workers))
    j = load_pyjhora()
    public, theirs_public = time_pyjhora(j, births, public=True)
    lower, theirs_lower = time_pyjhora(j, births, public=False)
    check = agreement(documents, theirs_lower)

    print(f"ours  VedicSnapshot single call  p50 {ours_result['single_p50_ms']:.3f} ms  "
          f"p99 {ours_result['single_p99_ms']:.3f} ms")
    print(f"ours  VedicSnapshot batch        {ours_result['batch_per_chart_ms']:.3f} ms/chart "
          f"(best of {BATCH_ROUNDS}: {ours_result['batch_rounds_ms']})")
    print(f"PyJHora A public API, defaults   p50 {public['p50_ms']:.2f} ms  mean {public['mean_ms']:.2f} ms/chart")
    print(f"PyJHora B lower-level functions  p50 {lower['p50_ms']:.2f} ms  mean {lower['mean_ms']:.2f} ms/chart")
    print(f"agreement (ours vs PyJHora B): {check['records']} records, {len(check['mismatches'])} mismatching"
          + (f" {check['mismatches'][:3]}" if check["mismatches"] else ""))
    verdicts = {}
    for name, theirs in (("A_public", public["mean_ms"]), ("B_lower", lower["mean_ms"])):
        for ours_name, ours_ms in (("batch", ours_result["batch_per_chart_ms"]),
                                   ("single_p50", ours_result["single_p50_ms"])):
            line = verdict(ours_ms, theirs)
            verdicts[f"{ours_name}_vs_{name}"] = line
            print(f"ratio ours {ours_name:<10} / PyJHora {name:<8}: {line}")
    if args.json:
        args.json.write_text(json.dumps({"info": info, "ours": ours_result, "pyjhora_public": public,
                                         "pyjhora_lower": lower, "agreement": check, "verdicts": verdicts},
                                        indent=2))


if __name__ == "__main__":
    main()
