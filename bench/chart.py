"""Chart service benchmark: kerykeion in-process vs our gRPC service, side by side in one run.

    .venv/bin/python bench/chart.py [--quick] [--single] [--json results.json]

One process tree: this process runs kerykeion, bare pyswisseph and the gRPC client; the chart
service runs as a child started exactly as in production (``python -m services.chart``, one
worker per usable core, its JSON request log on stdout, here into a temporary file). Sections run
one after another, never overlapping, after the server is up and every timed path is warmed up.

Measured (all times from ``time.perf_counter``):

1. kerykeion: ``AstrologicalSubjectFactory.from_birth_data`` (Placidus, the same twelve bodies plus
   Ascendant and Midheaven) for a fixed, seeded set of 200 birth records with explicit
   latitude, longitude and IANA zone. kerykeion re-points Swiss Ephemeris at its own bundled
   folder (no planet files: silent Moshier fallback) on every chart; as in the peer test, that
   call is redirected to our ephemeris files, and an untimed pass checks every position it
   computes came from the files (FLG_SWIEPH) and agrees with ours.
2. Our service, over a single long-lived grpc.aio channel: CalculateProfile single-call latency
   (sequential calls, p50/p99) and batch per-chart time (many calls in flight on the one channel:
   wall time / charts), with the CPU time the client and the server tree spent per chart.
   CalculateNatalCharts, the batch RPC (positions, speeds, houses as columns): 2,000 distinct
   charts in one call, and the same 2,000 as four calls of 500 in flight together; wall time /
   charts, repeated, checked against CalculateProfile's answers for the same records.
3. Human Design: CalculateHumanDesign, single-call p50/p99 and batch per chart.
4. Compatibility: ScoreCandidates with 2,000 candidates (RPC round trip p50/p99) and the same
   scoring in-process (the domain function alone).
5. The floor: bare pyswisseph, 12 bodies (calc_ut FLG_SWIEPH|FLG_SPEED) + houses_ex, per chart; also
   over the batch's 2,000 records in time order, the order the batch RPC computes them in.

Targets (issues 3 and 14): batch natal chart per chart <= 0.1 x kerykeion's (the best of the batch
methods, named in the output); CalculateProfile single call p50 <= 1.0 ms; compatibility for 2,000
candidates <= 20 ms. Printed as PASS or MISS.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _chart_service import EPHE_PATH, ChartService, machine, package_version  # first: puts the repository on sys.path

import grpc  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
import swisseph as swe  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc  # noqa: E402

SEED = 20240515
RECORD_COUNT = 200
COMPAT_CANDIDATES = 2000
NATAL_BATCH = 2000  # charts per CalculateNatalCharts call (distinct records: no repeated instants)
NATAL_SPLIT = 4  # ... and the same charts as this many calls in flight together

# Targets from issues 3 and 14 (14 set the single call's: an absolute p50).
BATCH_RATIO_TARGET = 0.1
SINGLE_P50_TARGET_MS = 1.0
COMPAT_TARGET_MS = 20.0

# Cities away from the polar circles (kerykeion clamps latitudes beyond 66° for houses).
CITIES = [
    ("London", 51.5074, -0.1278, "Europe/London"),
    ("Berlin", 52.5200, 13.4050, "Europe/Berlin"),
    ("Madrid", 40.4168, -3.7038, "Europe/Madrid"),
    ("Rome", 41.9028, 12.4964, "Europe/Rome"),
    ("Moscow", 55.7558, 37.6173, "Europe/Moscow"),
    ("Istanbul", 41.0082, 28.9784, "Europe/Istanbul"),
    ("Cairo", 30.0444, 31.2357, "Africa/Cairo"),
    ("Lagos", 6.5244, 3.3792, "Africa/Lagos"),
    ("Nairobi", -1.2921, 36.8219, "Africa/Nairobi"),
    ("Johannesburg", -26.2041, 28.0473, "Africa/Johannesburg"),
    ("Tehran", 35.6892, 51.3890, "Asia/Tehran"),
    ("Kolkata", 22.5726, 88.3639, "Asia/Kolkata"),
    ("Kathmandu", 27.7172, 85.3240, "Asia/Kathmandu"),
    ("Bangkok", 13.7563, 100.5018, "Asia/Bangkok"),
    ("Shanghai", 31.2304, 121.4737, "Asia/Shanghai"),
    ("Tokyo", 35.6762, 139.6503, "Asia/Tokyo"),
    ("Seoul", 37.5665, 126.9780, "Asia/Seoul"),
    ("Sydney", -33.8688, 151.2093, "Australia/Sydney"),
    ("Perth", -31.9505, 115.8605, "Australia/Perth"),
    ("Adelaide", -34.9285, 138.6007, "Australia/Adelaide"),
    ("Auckland", -36.8485, 174.7633, "Pacific/Auckland"),
    ("Honolulu", 21.3069, -157.8583, "Pacific/Honolulu"),
    ("Anchorage", 61.2181, -149.9003, "America/Anchorage"),
    ("Los Angeles", 34.0522, -118.2437, "America/Los_Angeles"),
    ("Denver", 39.7392, -104.9903, "America/Denver"),
    ("Chicago", 41.8781, -87.6298, "America/Chicago"),
    ("New York", 40.7128, -74.0060, "America/New_York"),
    ("St. John's", 47.5615, -52.7126, "America/St_Johns"),
    ("Mexico City", 19.4326, -99.1332, "America/Mexico_City"),
    ("Bogota", 4.7110, -74.0721, "America/Bogota"),
    ("Lima", -12.0464, -77.0428, "America/Lima"),
    ("Sao Paulo", -23.5505, -46.6333, "America/Sao_Paulo"),
    ("Buenos Aires", -34.6037, -58.3816, "America/Argentina/Buenos_Aires"),
    ("Santiago", -33.4489, -70.6693, "America/Santiago"),
    ("Reykjavik", 64.1466, -21.9426, "Atlantic/Reykjavik"),
    ("Apia", -13.8333, -171.7667, "Pacific/Apia"),
]
FIRST_NAMES = ["Ana", "José", "Mia", "Noah", "Zoë", "Liam", "Aiko", "Omar", "Freya", "Ravi", "Chloé", "Kwame"]
LAST_NAMES = ["López", "Müller", "Smith", "Tanaka", "O'Neil", "Nguyen", "Okafor", "Kowalski", "Silva", "Haddad"]

KERYKEION_ACTIVE = ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto",
                    "True_North_Lunar_Node", "Chiron", "Ascendant", "Medium_Coeli"]
KEY_PLANETS = ("sun", "moon", "mercury", "venus", "mars")
FLOOR_BODIES = (swe.SUN, swe.MOON, swe.MERCURY, swe.VENUS, swe.MARS, swe.JUPITER, swe.SATURN, swe.URANUS,
                swe.NEPTUNE, swe.PLUTO, swe.TRUE_NODE, swe.CHIRON)
FLOOR_FLAGS = swe.FLG_SWIEPH | swe.FLG_SPEED


@dataclass(frozen=True)
class Birth:
    name: str
    local: datetime  # naive local clock time
    latitude: float
    longitude: float
    zone: str

    @property
    def utc(self) -> datetime:
        return self.local.replace(tzinfo=ZoneInfo(self.zone)).astimezone(UTC)


def birth_records(count: int = RECORD_COUNT, seed: int = SEED) -> list[Birth]:
    """A fixed, seeded, varied set: 1900-2024, every continent, both hemispheres, odd offsets.

    Clock times that are skipped or repeated by a DST change are drawn again, so kerykeion (which
    refuses them without ``is_dst``) and we read every record the same way."""
    rng = random.Random(seed)
    records: list[Birth] = []
    while len(records) < count:
        _, latitude, longitude, zone = rng.choice(CITIES)
        local = datetime(rng.randint(1900, 2024), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                         rng.randint(0, 59))
        tz = ZoneInfo(zone)
        earlier, later = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
        if earlier.utcoffset() != later.utcoffset():
            continue
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        records.append(Birth(name, local, latitude, longitude, zone))
    return records


# --------------------------------------------------------------------------------------------
# statistics and reporting

def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


@dataclass
class Row:
    label: str
    p50_ms: float | None = None
    p99_ms: float | None = None
    per_chart_ms: float | None = None  # mean per chart (sequential) or wall / charts (batch)
    count: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)


def latency_row(label: str, samples_s: list[float], note: str = "") -> Row:
    ms = [s * 1000 for s in samples_s]
    return Row(label, percentile(ms, 50), percentile(ms, 99), statistics.fmean(ms), len(ms), note)


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# --------------------------------------------------------------------------------------------
# 1. kerykeion in-process, on our ephemeris files

@contextmanager
def kerykeion_on_our_files(record_flags: list[int] | None = None):
    """Redirect kerykeion's per-chart ``set_ephe_path`` to our files (as test_peer_kerykeion does);
    optionally record the flags ``calc_ut`` returns (untimed pass only: the wrapper costs time)."""
    real_set_path, real_calc_ut = swe.set_ephe_path, swe.calc_ut

    def calc_ut(*args, **kwargs):
        result = real_calc_ut(*args, **kwargs)
        record_flags.append(result[1])
        return result

    swe.set_ephe_path = lambda _bundled: real_set_path(str(EPHE_PATH))
    if record_flags is not None:
        swe.calc_ut = calc_ut
    try:
        yield
    finally:
        swe.set_ephe_path, swe.calc_ut = real_set_path, real_calc_ut
        real_set_path(str(EPHE_PATH))


def kerykeion_chart(birth: Birth):
    from kerykeion import AstrologicalSubjectFactory

    t = birth.local
    return AstrologicalSubjectFactory.from_birth_data(
        birth.name, t.year, t.month, t.day, t.hour, t.minute, lng=birth.longitude, lat=birth.latitude,
        tz_str=birth.zone, online=False, houses_system_identifier="P", active_points=KERYKEION_ACTIVE,
        calculate_lunar_phase=False,
    )


@dataclass(frozen=True)
class PeerChart:
    utc: datetime
    key_longitudes: tuple[float, ...]


def bench_kerykeion(records: list[Birth], rounds: int) -> tuple[Row, list[PeerChart]]:
    flags: list[int] = []
    peers = []
    with kerykeion_on_our_files(flags):  # untimed: check the files are used, keep positions to compare
        for birth in records:
            chart = kerykeion_chart(birth)
            peers.append(PeerChart(datetime.fromisoformat(chart.iso_formatted_utc_datetime),
                                   tuple(getattr(chart, p).abs_pos for p in KEY_PLANETS)))
    if not flags or not all(f & swe.FLG_SWIEPH for f in flags):
        raise SystemExit("kerykeion fell back to the Moshier model: the ephemeris redirect failed")
    samples = []
    with kerykeion_on_our_files():
        for birth in records[:20]:  # warm-up
            kerykeion_chart(birth)
        for _ in range(rounds):
            for birth in records:
                started = time.perf_counter()
                kerykeion_chart(birth)
                samples.append(time.perf_counter() - started)
    row = latency_row("kerykeion in-process: natal chart (Placidus, 12 bodies + ASC/MC)", samples,
                      f"{len(flags)} positions checked FLG_SWIEPH")
    return row, peers


def bench_kerykeion_with_aspects(records: list[Birth], rounds: int) -> Row:
    """Like for like with our chart, which also lists the aspects inside it (informational)."""
    from kerykeion import AspectsFactory

    samples = []
    with kerykeion_on_our_files():
        for birth in records[:20]:
            AspectsFactory.single_chart_aspects(kerykeion_chart(birth))
        for _ in range(rounds):
            for birth in records:
                started = time.perf_counter()
                AspectsFactory.single_chart_aspects(kerykeion_chart(birth))
                samples.append(time.perf_counter() - started)
    return latency_row("kerykeion in-process: natal chart + its aspects (informational)", samples)


# --------------------------------------------------------------------------------------------
# 5. bare pyswisseph floor, and our domain code in-process (for the discussion)

def bench_floor(records: list[Birth], rounds: int, in_time_order: bool = False) -> Row:
    """Per chart, timed one by one; ``in_time_order``: charts sorted by instant, as the batch RPC
    computes them (Swiss Ephemeris reuses the file segment it read last)."""
    swe.set_ephe_path(str(EPHE_PATH))
    prepared = []
    for b in records:
        u = b.utc
        jd = swe.julday(u.year, u.month, u.day, u.hour + u.minute / 60 + u.second / 3600, swe.GREG_CAL)
        prepared.append((jd, b.latitude, b.longitude))
    if in_time_order:
        prepared.sort()
    for jd, _, _ in prepared:
        for body in FLOOR_BODIES:
            if not swe.calc_ut(jd, body, FLOOR_FLAGS)[1] & swe.FLG_SWIEPH:
                raise SystemExit("pyswisseph fell back to the Moshier model")

    def chart(jd: float, latitude: float, longitude: float) -> None:
        for body in FLOOR_BODIES:
            swe.calc_ut(jd, body, FLOOR_FLAGS)
        swe.houses_ex(jd, latitude, longitude, b"P")

    for item in prepared[:20]:
        chart(*item)
    samples = []
    for _ in range(rounds):
        for item in prepared:
            started = time.perf_counter()
            chart(*item)
            samples.append(time.perf_counter() - started)
    if in_time_order:
        return latency_row(f"bare pyswisseph floor, {len(records)} charts in time order (the batch's)", samples)
    return latency_row("bare pyswisseph floor: 12 × calc_ut + houses_ex, in-process", samples)


def bench_domain_profile(records: list[Birth], rounds: int) -> Row:
    """Our CalculateProfile work without gRPC: the compute share of a call."""
    from services.chart.adapters.ephemeris import init_worker
    from services.chart.adapters.places import load_places
    from services.chart.api import payloads

    init_worker(EPHE_PATH)
    load_places()

    def profile(b: Birth) -> None:  # what a worker runs for the call: the document written as its JSON text
        payloads.profile_encoded(b.name, b.local.date(), birth_time=b.local.strftime("%H:%M"), birth_place="",
                                 latitude=b.latitude, longitude=b.longitude, timezone=b.zone, house_system="placidus")

    for b in records[:20]:
        profile(b)
    samples = []
    for _ in range(rounds):
        for b in records:
            started = time.perf_counter()
            profile(b)
            samples.append(time.perf_counter() - started)
    return latency_row("our profile in-process (numerology + chart + JSON, no gRPC)", samples)


# --------------------------------------------------------------------------------------------
# the service, started as in production

def client_cpu_seconds() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used (all cores, from /proc/stat)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def profile_request(b: Birth) -> chart_pb2.BirthData:
    return chart_pb2.BirthData(
        name=b.name, birth_date=chart_pb2.Date(year=b.local.year, month=b.local.month, day=b.local.day),
        birth_time=b.local.strftime("%H:%M"), latitude=b.latitude, longitude=b.longitude, timezone=b.zone,
        house_system="placidus")


def human_design_request(b: Birth) -> chart_pb2.HumanDesignRequest:
    return chart_pb2.HumanDesignRequest(birth_datetime=b.local.isoformat(), birth_timezone=b.zone,
                                        birth_latitude=b.latitude, birth_longitude=b.longitude, name=b.name)


async def sequential(call: Callable[[object], Awaitable[object]], requests: list, count: int,
                     warm_up: int) -> tuple[list[float], list]:
    for i in range(warm_up):
        await call(requests[i % len(requests)])
    samples, responses = [], []
    for i in range(count):
        started = time.perf_counter()
        responses.append(await call(requests[i % len(requests)]))
        samples.append(time.perf_counter() - started)
    return samples, responses


async def concurrent(service: ChartService, call: Callable[[object], Awaitable[object]], requests: list, count: int,
                     in_flight: int) -> dict:
    """``count`` calls, ``in_flight`` at a time, over the one channel: wall time and CPU per call."""
    semaphore = asyncio.Semaphore(in_flight)

    async def one(request):
        async with semaphore:
            return await call(request)

    await asyncio.gather(*(one(requests[i % len(requests)]) for i in range(min(count, 2 * in_flight))))  # warm
    client_before, (server_before, workers_before) = client_cpu_seconds(), service.cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(one(requests[i % len(requests)]) for i in range(count)))
    wall = time.perf_counter() - started
    client_after, (server_after, workers_after) = client_cpu_seconds(), service.cpu_seconds()
    return {
        "per_call_ms": wall / count * 1000, "wall_s": wall, "count": count, "in_flight": in_flight,
        "client_cpu_ms": (client_after - client_before) / count * 1000,
        "server_cpu_ms": (server_after - server_before) / count * 1000,
        "workers_cpu_ms": (workers_after - workers_before) / count * 1000,
    }


def batch_row(label: str, result: dict) -> Row:
    note = (f"{result['count']} calls, {result['in_flight']} in flight; CPU/chart ms: client "
            f"{result['client_cpu_ms']:.3f}, server main {result['server_cpu_ms']:.3f}, "
            f"workers {result['workers_cpu_ms']:.3f}")
    return Row(label, per_chart_ms=result["per_call_ms"], count=result["count"], note=note, extra=result)


async def natal_batches(service: ChartService, stub: chart_pb2_grpc.ChartServiceStub,
                        requests: list[chart_pb2.NatalChartsRequest], rounds: int) -> tuple[dict, list]:
    """``rounds`` times: every request of ``requests`` in flight together (one call each); the wall
    time of each round, and CPU time per chart as for ``concurrent``."""
    charts = sum(len(r.charts) for r in requests)
    for _ in range(2):  # warm-up
        responses = await asyncio.gather(*(stub.CalculateNatalCharts(r) for r in requests))
    client_before, (server_before, workers_before) = client_cpu_seconds(), service.cpu_seconds()
    busy_before, section_started = machine_busy_seconds(), time.perf_counter()
    walls = []
    for _ in range(rounds):
        started = time.perf_counter()
        responses = await asyncio.gather(*(stub.CalculateNatalCharts(r) for r in requests))
        walls.append(time.perf_counter() - started)
    client_after, (server_after, workers_after) = client_cpu_seconds(), service.cpu_seconds()
    busy, section = machine_busy_seconds() - busy_before, time.perf_counter() - section_started
    total = charts * rounds
    ours = (client_after - client_before) + (server_after - server_before) + (workers_after - workers_before)
    return {
        "per_call_ms": sum(walls) / total * 1000, "count": total, "calls": len(requests), "rounds": rounds,
        "round_p50_ms": percentile([w * 1000 for w in walls], 50), "round_max_ms": max(walls) * 1000,
        "best_round_per_chart_ms": min(walls) / charts * 1000,
        "client_cpu_ms": (client_after - client_before) / total * 1000,
        "server_cpu_ms": (server_after - server_before) / total * 1000,
        "workers_cpu_ms": (workers_after - workers_before) / total * 1000,
        # Cores the rest of the machine (other sessions) kept busy meanwhile: this batch wants both.
        "other_load_cores": max(0.0, busy - ours) / section,
    }, responses


def natal_row(label: str, result: dict) -> Row:
    note = (f"{result['rounds']} rounds of {result['calls']} call(s), {result['count'] // result['rounds']} charts "
            f"each; round p50 {result['round_p50_ms']:.1f} ms, best round {result['best_round_per_chart_ms']:.4f} "
            f"ms/chart; CPU/chart ms: client {result['client_cpu_ms']:.3f}, server main "
            f"{result['server_cpu_ms']:.3f}, workers {result['workers_cpu_ms']:.3f}; other processes kept "
            f"{result['other_load_cores']:.2f} cores busy meanwhile")
    return Row(label, per_chart_ms=result["per_call_ms"], count=result["count"], note=note, extra=result)


def check_natal_batch(response: chart_pb2.NatalChartsResponse, profiles: list) -> None:
    """The batch's first charts against CalculateProfile's answers for the same records."""
    if any(response.error_field):
        raise SystemExit(f"CalculateNatalCharts refused a record: {response.error_message[0]}")
    for i, profile in enumerate(profiles):
        ours = response.longitudes[12 * i:12 * i + 5]
        theirs = [getattr(profile.key_longitudes, p) for p in KEY_PLANETS]
        if response.chart_level[i] != profile.chart_level or any(abs(a - b) > 1e-9 for a, b in zip(ours, theirs)):
            raise SystemExit(f"CalculateNatalCharts disagrees with CalculateProfile on record {i}")


def compatibility_request(count: int = COMPAT_CANDIDATES, seed: int = SEED) -> chart_pb2.ScoreCandidatesRequest:
    from services.chart.domain.numerology import HARMONY_NUMBERS

    rng = np.random.default_rng(seed)
    numbers = np.asarray(HARMONY_NUMBERS[1:])
    subject = chart_pb2.CompatibilityPerson(
        life_path=7, expression=22, soul_urge=3, personality=9, chart_level=4,
        key_longitudes=chart_pb2.KeyLongitudes(sun=54.4, moon=297.4, mercury=38.0, venus=12.8, mars=348.3))
    return chart_pb2.ScoreCandidatesRequest(
        subject=subject, candidate_ids=list(range(1, count + 1)),
        life_path=rng.choice(numbers, count).tolist(), expression=rng.choice(numbers, count).tolist(),
        soul_urge=rng.choice(numbers, count).tolist(), personality=rng.choice(numbers, count).tolist(),
        chart_level=rng.integers(1, 5, count).tolist(), key_longitudes=rng.uniform(0, 360, 5 * count).tolist())


def bench_compatibility_in_process(request: chart_pb2.ScoreCandidatesRequest, reps: int) -> Row:
    from services.chart.api import payloads

    count = len(request.candidate_ids)
    s = request.subject
    subject = payloads.Core(s.life_path, s.expression, s.soul_urge, s.personality)
    longitudes = (s.key_longitudes.sun, s.key_longitudes.moon, s.key_longitudes.mercury, s.key_longitudes.venus,
                  s.key_longitudes.mars)
    columns = np.column_stack([np.asarray(c, dtype=np.intp) for c in
                               (request.life_path, request.soul_urge, request.expression, request.personality)])
    levels = np.asarray(request.chart_level, dtype=np.int64)
    candidates = np.asarray(request.key_longitudes, dtype=np.float64).reshape(count, 5)

    def score() -> None:
        payloads.score_candidates(subject, s.chart_level, longitudes, columns, levels, candidates)

    for _ in range(5):
        score()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        score()
        samples.append(time.perf_counter() - started)
    return latency_row(f"ScoreCandidates domain in-process ({count} candidates)", samples)


async def bench_single(stub: chart_pb2_grpc.ChartServiceStub, health: health_pb2_grpc.HealthStub,
                       records: list[Birth], sizes: dict) -> tuple[dict, list]:
    """The sequential single-call figures: the transport floor, tiny work, CalculateProfile (and its answers)."""
    results: dict = {}
    samples, _ = await sequential(health.Check, [health_pb2.HealthCheckRequest()], sizes["single"], sizes["warm"])
    results["health_single"] = latency_row("gRPC Health.Check, single call (no work: transport floor)", samples)
    numerology = [chart_pb2.CalculateNumerologyRequest(
        full_name=b.name, birth_date=chart_pb2.Date(year=b.local.year, month=b.local.month, day=b.local.day))
        for b in records]
    samples, _ = await sequential(stub.CalculateNumerology, numerology, sizes["single"], sizes["warm"])
    results["numerology_single"] = latency_row("gRPC CalculateNumerology, single call (tiny work)", samples)
    samples, responses = await sequential(stub.CalculateProfile, [profile_request(b) for b in records],
                                          sizes["single"], sizes["warm"])
    results["profile_single"] = latency_row("gRPC CalculateProfile, single call (sequential)", samples)
    return results, responses


async def bench_service(service: ChartService, records: list[Birth], sizes: dict) -> dict:
    options = [*service.options, ("grpc.max_receive_message_length", 16 * 1024 * 1024)]
    async with grpc.aio.insecure_channel(service.address, options=options) as channel:
        await service.wait_ready(channel)
        stub = chart_pb2_grpc.ChartServiceStub(channel)
        profiles = [profile_request(b) for b in records]
        designs = [human_design_request(b) for b in records]
        if sizes.get("natal_only"):  # CalculateProfile's answers only to check the batch against, untimed
            results: dict = {}
            _, results["profile_responses"] = await sequential(stub.CalculateProfile, profiles, len(profiles), 0)
            await natal_figures(service, stub, results, sizes)
            return results
        results, responses = await bench_single(stub, health_pb2_grpc.HealthStub(channel), records, sizes)
        results["profile_responses"] = responses[:len(records)]
        results["profile_batch"] = batch_row(
            "gRPC CalculateProfile, batch (concurrent, one channel)",
            await concurrent(service, stub.CalculateProfile, profiles, sizes["batch"], sizes["in_flight"]))

        await natal_figures(service, stub, results, sizes)

        samples, _ = await sequential(stub.CalculateHumanDesign, designs, sizes["hd_single"], sizes["warm"])
        results["hd_single"] = latency_row("gRPC CalculateHumanDesign, single call (sequential)", samples)
        results["hd_batch"] = batch_row(
            "gRPC CalculateHumanDesign, batch (concurrent, one channel)",
            await concurrent(service, stub.CalculateHumanDesign, designs, sizes["hd_batch"], sizes["in_flight"]))

        compat = compatibility_request()
        samples, responses = await sequential(stub.ScoreCandidates, [compat], sizes["compat"], 10)
        if len(responses[0].overall_score) != COMPAT_CANDIDATES:
            raise SystemExit("ScoreCandidates answered the wrong number of scores")
        results["compat_rpc"] = latency_row(f"gRPC ScoreCandidates, {COMPAT_CANDIDATES} candidates (round trip)",
                                            samples)
        results["compat_request"] = compat
        return results


async def natal_figures(service: ChartService, stub: chart_pb2_grpc.ChartServiceStub, results: dict,
                        sizes: dict) -> None:
    """The batch RPC on distinct records (the first RECORD_COUNT of them are `records`), checked against
    CalculateProfile's answers in ``results["profile_responses"]``."""
    natal = [profile_request(b) for b in birth_records(NATAL_BATCH)]
    whole = [chart_pb2.NatalChartsRequest(charts=natal)]
    step = NATAL_BATCH // NATAL_SPLIT
    split = [chart_pb2.NatalChartsRequest(charts=natal[i:i + step]) for i in range(0, NATAL_BATCH, step)]
    result, responses = await natal_batches(service, stub, whole, sizes["natal_rounds"])
    check_natal_batch(responses[0], results["profile_responses"])
    results["natal_batch"] = natal_row(f"gRPC CalculateNatalCharts, {NATAL_BATCH} charts in one call", result)
    result, _ = await natal_batches(service, stub, split, sizes["natal_rounds"])
    results["natal_split"] = natal_row(f"gRPC CalculateNatalCharts, {NATAL_SPLIT} calls of {step} in flight", result)


def check_agreement(records: list[Birth], peers: list[PeerChart], responses: list) -> dict:
    """Our service's answers against kerykeion's, record by record.

    Where both read the local time as the same UTC instant, the key longitudes must agree; where
    they do not, the time-zone rules differ (kerykeion converts with pytz), which we list."""
    from services.chart.domain.western.zodiac import separation

    worst, same, differing = 0.0, 0, []
    for birth, peer, response in zip(records, peers, responses):
        ours_utc = datetime.fromisoformat(json.loads(response.document.json)["astrology"]["birth"]["utc_datetime"])
        if abs((ours_utc - peer.utc).total_seconds()) >= 60:
            differing.append(f"{birth.local:%Y-%m-%d %H:%M} {birth.zone}: ours {ours_utc:%H:%M}Z, "
                             f"kerykeion {peer.utc:%H:%M}Z")
            continue
        same += 1
        ours = [getattr(response.key_longitudes, p) for p in KEY_PLANETS]
        worst = max(worst, *(separation(a, b) for a, b in zip(ours, peer.key_longitudes)))
    return {"same_instant": same, "worst_deg": worst, "differing_instants": differing}


# --------------------------------------------------------------------------------------------

def versions() -> dict:
    version = package_version
    return {
        **machine(), "kerykeion": version("kerykeion"), "pyswisseph": version("pyswisseph"),
        "swiss_ephemeris": swe.version, "grpcio": version("grpcio"), "protobuf": version("protobuf"),
        "numpy": version("numpy"),
    }


def print_table(rows: list[Row], kerykeion: Row | None) -> None:
    header = f"{'measurement':<66} {'p50 ms':>8} {'p99 ms':>8} {'per chart ms':>13} {'× kerykeion':>12}  n"
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = None
        basis = row.per_chart_ms if row.p50_ms is None else row.p50_ms
        if kerykeion is not None and basis is not None and "ScoreCandidates" not in row.label:
            reference = kerykeion.per_chart_ms if row.p50_ms is None else kerykeion.p50_ms
            ratio = basis / reference
        print(f"{row.label:<66} {fmt(row.p50_ms):>8} {fmt(row.p99_ms):>8} {fmt(row.per_chart_ms):>13} "
              f"{fmt(ratio, 3):>12}  {row.count}")
        if row.note:
            print(f"{'':<4}{row.note}")
    if kerykeion is not None:
        print("(× kerykeion: p50 against kerykeion's p50; batch per-chart time against kerykeion's mean per chart)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; finishes in well under 60 s")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--workers", type=int, default=None, help="NUMEROS_CHART_WORKERS (default: usable cores)")
    parser.add_argument("--single", action="store_true",
                        help="only the sequential single-call figures (Health.Check, CalculateNumerology, "
                             "CalculateProfile) and their target; no kerykeion, batches or other methods")
    parser.add_argument("--natal-only", action="store_true",
                        help="only the batch target: kerykeion, the time-order floor and CalculateNatalCharts")
    parser.add_argument("--natal-rounds", type=int, default=None, help="rounds per CalculateNatalCharts figure")
    args = parser.parse_args()

    info = versions()
    workers = args.workers or info["usable_cores"]
    if args.quick:
        sizes = {"rounds": 1, "warm": 20, "single": 200, "batch": 1000, "in_flight": 200, "hd_single": 50,
                 "hd_batch": 200, "compat": 50, "natal_rounds": 3}
    else:
        sizes = {"rounds": 5, "warm": 100, "single": 2000, "batch": 10000, "in_flight": 200, "hd_single": 300,
                 "hd_batch": 2000, "compat": 300, "natal_rounds": 10}
    sizes["natal_only"] = args.natal_only
    if args.natal_rounds:
        sizes["natal_rounds"] = args.natal_rounds
    records = birth_records()
    print(f"chart benchmark{' (quick)' if args.quick else ''}: {info['date']}")
    print(f"machine: {info['cpu']}, {info['usable_cores']} usable cores ({info['logical_cpus']} logical), "
          f"load average at start {info['load_average_at_start']}")
    print(f"python {info['python']}, kerykeion {info['kerykeion']}, pyswisseph {info['pyswisseph']} (Swiss Ephemeris "
          f"{info['swiss_ephemeris']}), grpcio {info['grpcio']}, protobuf {info['protobuf']}, numpy {info['numpy']}")
    print(f"{len(records)} seeded birth records (seed {SEED}); service: python -m services.chart, "
          f"NUMEROS_CHART_WORKERS={workers}")
    print()
    if args.single:
        return single_only(workers, records, sizes, args.json, info)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="chart-bench-") as scratch:
        service = ChartService(workers, Path(scratch) / "chart-service.log")
        try:
            # Let the service start (forkserver, worker warm-up) before any in-process timing.
            asyncio.run(_wait_ready(service))
            kerykeion, kerykeion_peers = bench_kerykeion(records, sizes["rounds"])
            floor_sorted = bench_floor(birth_records(NATAL_BATCH), sizes["rounds"], in_time_order=True)
            if not args.natal_only:
                kerykeion_aspects = bench_kerykeion_with_aspects(records, sizes["rounds"])
                floor = bench_floor(records, sizes["rounds"] * 5)
                domain = bench_domain_profile(records, sizes["rounds"])
            results = asyncio.run(bench_service(service, records, sizes))
        finally:
            service.stop()
    if args.natal_only:
        print_table([kerykeion, results["natal_batch"], results["natal_split"], floor_sorted], kerykeion)
        best = min(results["natal_batch"], results["natal_split"], key=lambda row: row.per_chart_ms)
        ratio = best.per_chart_ms / kerykeion.per_chart_ms
        print(f"\n  {'PASS' if ratio <= BATCH_RATIO_TARGET else 'MISS'}  batch natal chart per chart <= 0.1 x "
              f"kerykeion: {best.label}: {best.per_chart_ms:.4f} ms vs {kerykeion.per_chart_ms:.3f} ms = {ratio:.3f} x")
        print(f"total run time {time.perf_counter() - started:.1f} s; load average at end "
              f"{[round(x, 2) for x in os.getloadavg()]}")
        return 0
    compat_domain = bench_compatibility_in_process(results["compat_request"], sizes["compat"])
    agreement = check_agreement(records, kerykeion_peers, results["profile_responses"])

    rows = [kerykeion, kerykeion_aspects, results["profile_single"], results["profile_batch"],
            results["natal_batch"], results["natal_split"], domain, floor, floor_sorted,
            results["health_single"], results["numerology_single"], results["hd_single"], results["hd_batch"],
            results["compat_rpc"], compat_domain]
    print_table(rows, kerykeion)
    print(f"agreement with kerykeion: {agreement['same_instant']}/{len(records)} records read as the same UTC "
          f"instant, their Sun-Mars longitudes within {agreement['worst_deg']:.5f}°")
    for line in agreement["differing_instants"]:
        print(f"    zone rules differ (kerykeion uses pytz): {line}")
    print()

    batch_methods = {"CalculateProfile, concurrent calls": results["profile_batch"],
                     f"CalculateNatalCharts, {NATAL_BATCH} in one call": results["natal_batch"],
                     f"CalculateNatalCharts, {NATAL_SPLIT} calls of {NATAL_BATCH // NATAL_SPLIT}":
                         results["natal_split"]}
    best_method, best_batch = min(batch_methods.items(), key=lambda item: item[1].per_chart_ms)
    batch_ratio = best_batch.per_chart_ms / kerykeion.per_chart_ms
    single_ratio = results["profile_single"].p50_ms / kerykeion.p50_ms
    compat_p50 = results["compat_rpc"].p50_ms
    targets = [
        ("batch natal chart per chart <= 0.1 x kerykeion", batch_ratio <= BATCH_RATIO_TARGET,
         f"best batch method: {best_method}: {best_batch.per_chart_ms:.4f} ms vs {kerykeion.per_chart_ms:.3f} ms "
         f"= {batch_ratio:.3f} x (needs <= {BATCH_RATIO_TARGET * kerykeion.per_chart_ms:.4f} ms)"),
        (f"CalculateProfile single call p50 <= {SINGLE_P50_TARGET_MS:g} ms",
         results["profile_single"].p50_ms <= SINGLE_P50_TARGET_MS,
         f"{results['profile_single'].p50_ms:.3f} ms; kerykeion {kerykeion.p50_ms:.3f} ms = {single_ratio:.3f} x "
         f"(vs kerykeion + aspects: {results['profile_single'].p50_ms / kerykeion_aspects.p50_ms:.3f} x)"),
        (f"compatibility for {COMPAT_CANDIDATES} candidates <= {COMPAT_TARGET_MS:g} ms", compat_p50 <= COMPAT_TARGET_MS,
         f"RPC p50 {compat_p50:.3f} ms (p99 {results['compat_rpc'].p99_ms:.3f} ms)"),
    ]
    print("targets:")
    for label, passed, detail in targets:
        print(f"  {'PASS' if passed else 'MISS'}  {label}: {detail}")
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\ntotal run time {time.perf_counter() - started:.1f} s; load average at end "
          f"{info['load_average_at_end']}")

    if args.json:
        payload = {"versions": info, "workers": workers, "sizes": sizes, "records": len(records),
                   "agreement": agreement,
                   "rows": [{k: v for k, v in vars(r).items()} for r in rows],
                   "targets": [{"target": label, "pass": passed, "detail": detail}
                               for label, passed, detail in targets]}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


def single_only(workers: int, records: list[Birth], sizes: dict, json_path: Path | None, info: dict) -> int:
    """``--single``: the service's single-call rows and the single-call target, nothing else."""
    with tempfile.TemporaryDirectory(prefix="chart-bench-") as scratch:
        service = ChartService(workers, Path(scratch) / "chart-service.log")
        try:
            results = asyncio.run(_single(service, records, sizes))
        finally:
            service.stop()
    rows = [results["health_single"], results["numerology_single"], results["profile_single"]]
    print_table(rows, None)
    p50 = results["profile_single"].p50_ms
    print(f"target: {'PASS' if p50 <= SINGLE_P50_TARGET_MS else 'MISS'}  CalculateProfile single call p50 <= "
          f"{SINGLE_P50_TARGET_MS:g} ms: {p50:.3f} ms (Health.Check {results['health_single'].p50_ms:.3f} ms)")
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at end {info['load_average_at_end']}")
    if json_path:
        json_path.write_text(json.dumps({"versions": info, "workers": workers, "sizes": sizes,
                                         "rows": [vars(r) for r in rows]}, indent=2, default=str))
    return 0


async def _single(service: ChartService, records: list[Birth], sizes: dict) -> dict:
    async with grpc.aio.insecure_channel(service.address, options=service.options) as channel:
        await service.wait_ready(channel)
        results, _ = await bench_single(chart_pb2_grpc.ChartServiceStub(channel), health_pb2_grpc.HealthStub(channel),
                                        records, sizes)
        return results


async def _wait_ready(service: ChartService) -> None:
    async with grpc.aio.insecure_channel(service.address, options=service.options) as channel:
        await service.wait_ready(channel)


if __name__ == "__main__":
    sys.exit(main())
