"""Demo people for discovery: varied names, birth data, genders, preferences, locations around a few
cities and photos, with numerology and natal summaries computed by the real chart service, published
as identity.user.registered events (identity's own contract) so matching takes them in as it takes
anyone. Used by ``make seed-demo`` and by bench/scan.py.

    python -m devstack.demo 500            # into the system ``make run`` started
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from numeros.chart.v1 import chart_pb2

from numeros_common.chart_client import ChartClient, grpc_date
from numeros_common.events.schemas import Envelope, KeyLongitudes, Location, NumerologyCore, UserRegisteredV1
from services.chart.domain.constants import ZODIAC_SIGNS as SIGNS

from .stack import Ports

CITIES = {"Berlin": (52.52, 13.405), "London": (51.5074, -0.1278), "Mumbai": (19.076, 72.8777),
          "New York": (40.7128, -74.006), "Sao Paulo": (-23.5505, -46.6333)}
FIRST = {"female": ["Ada", "Maya", "Lena", "Priya", "Sofia", "Amara", "Chloe", "Nadia", "Ines", "Yuki", "Zara",
                    "Hannah", "Lucia", "Aisha", "Emma", "Freya"],
         "male": ["Omar", "Lukas", "Arjun", "Mateo", "Noah", "Kenji", "Felix", "Ravi", "Diego", "Jonas", "Elias",
                  "Samuel", "Tariq", "Leo", "Hugo", "Ivan"],
         "non_binary": ["Alex", "Robin", "Sam", "Kai", "River", "Noor", "Quinn", "Eden"]}
LAST = ["Schmidt", "Okafor", "Patel", "Silva", "Nakamura", "Kowalski", "Haddad", "Moreau", "Jensen", "Rossi",
        "Garcia", "Chen", "Novak", "Mensah", "Larsen", "Ibrahim", "Costa", "Fischer", "Dubois", "Singh"]
KEY_BODIES = ("sun", "moon", "mercury", "venus", "mars")  # the first five of NatalChartsResponse.bodies
BATCH = 2000


@dataclass(frozen=True)
class Sketch:
    """Who a demo person is, before the chart computes their numbers."""

    name: str
    gender: str
    interested_in: list[str]
    birth_date: dt.date
    birth_time: str  # "" when unknown
    city: str
    location: tuple[float, float]


def near(rng: random.Random, centre: tuple[float, float], spread_km: float) -> tuple[float, float]:
    """A point around ``centre``, denser towards it (a city, not a disc of even density)."""
    distance, bearing = spread_km * math.sqrt(rng.random()) * rng.random(), rng.uniform(0, 2 * math.pi)
    lat = centre[0] + math.degrees(distance * math.cos(bearing) / 6371.0088)
    lon = centre[1] + math.degrees(distance * math.sin(bearing) / 6371.0088 / math.cos(math.radians(centre[0])))
    return lat, lon


def sketch(rng: random.Random, cities: Sequence[str], spread_km: float) -> Sketch:
    gender = rng.choices(("female", "male", "non_binary"), weights=(47, 47, 6))[0]
    others = {"female": "male", "male": "female", "non_binary": "female"}
    interested_in = rng.choices([[others[gender]], [], ["female", "male"], [gender]], weights=(70, 15, 8, 7))[0]
    today = dt.date.today()
    birth = today - dt.timedelta(days=rng.randint(18 * 366, 60 * 365))
    time = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.6 else ""
    city = rng.choice(list(cities))
    return Sketch(f"{rng.choice(FIRST[gender])} {rng.choice(LAST)}", gender, interested_in, birth, time, city,
                  near(rng, CITIES[city], spread_km))


async def compute(chart: ChartClient, sketches: Sequence[Sketch], *, first_id: int) -> list[UserRegisteredV1]:
    """Each sketch's numerology (CalculateNumerology) and natal summary (CalculateNatalCharts, batched)."""
    in_flight = asyncio.Semaphore(16)  # the chart answers many at once, not thousands

    async def numerology(s: Sketch) -> chart_pb2.CalculateNumerologyResponse:
        async with in_flight:
            return await chart.call(chart.stub.CalculateNumerology, chart_pb2.CalculateNumerologyRequest(
                full_name=s.name, birth_date=grpc_date(s.birth_date)))

    numbers = await asyncio.gather(*(numerology(s) for s in sketches))
    charts = await chart.call(chart.stub.CalculateNatalCharts, chart_pb2.NatalChartsRequest(charts=[
        chart_pb2.BirthData(name=s.name, birth_date=grpc_date(s.birth_date), birth_time=s.birth_time,
                            latitude=s.location[0], longitude=s.location[1]) for s in sketches]), deadline=120)
    people = []
    for i, (s, n) in enumerate(zip(sketches, numbers, strict=True)):
        longitudes = charts.longitudes[12 * i:12 * i + 5]
        level = charts.chart_level[i]
        key = KeyLongitudes(**dict(zip(KEY_BODIES, longitudes, strict=True))) if level else None
        user_id = first_id + i
        people.append(UserRegisteredV1(
            user_id=user_id, display_name=s.name, birth_date=s.birth_date,
            bio=f"{s.city} · loves {SIGNS[i % 12]} people",
            photos=[f"https://picsum.photos/seed/numeros-{user_id}-{k}/600/800" for k in range(1 + i % 3)],
            numerology=NumerologyCore(life_path=n.life_path, expression=n.expression, soul_urge=n.soul_urge,
                                      personality=n.personality),
            chart_level=level or 1, key_longitudes=key,
            sun_sign=SIGNS[int(longitudes[0] // 30)] if key else None,
            moon_sign=SIGNS[int(longitudes[1] // 30)] if key else None,
            rising_sign=SIGNS[int(charts.ascendant[i] // 30)] if key and level == 4 else None,
            gender=s.gender, interested_in=s.interested_in,
            location=Location(latitude=s.location[0], longitude=s.location[1]),
            last_active_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=i % 5000)))
    return people


async def make_people(chart_addr: str, count: int, *, seed: int, first_id: int, cities: Sequence[str],
                      spread_km: float) -> list[UserRegisteredV1]:
    rng = random.Random(seed)
    chart = ChartClient(chart_addr, deadline_seconds=60)
    try:
        people: list[UserRegisteredV1] = []
        for start in range(0, count, BATCH):
            sketches = [sketch(rng, cities, spread_km) for _ in range(min(BATCH, count - start))]
            people.extend(await compute(chart, sketches, first_id=first_id + start))
        return people
    finally:
        await chart.close()


async def publish(nats_url: str, people: Sequence[UserRegisteredV1]) -> None:
    """identity.user.registered for each, as identity's outbox relay publishes them."""
    nc = await nats.connect(nats_url, name="numeros-demo-seed")
    try:
        js = nc.jetstream()
        for start in range(0, len(people), 500):
            await asyncio.gather(*(js.publish(e.subject, e.model_dump_json().encode(),
                                              headers={"Nats-Msg-Id": str(e.id)})
                                   for e in (Envelope.wrap("identity", p) for p in people[start:start + 500])))
    finally:
        await nc.close()


def main() -> None:
    ports = Ports.from_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--first-id", type=int, default=9_000_000_000,
                        help="user ids from here on (far above identity's own)")
    parser.add_argument("--cities", default=",".join(CITIES), help="comma-separated, from: " + ", ".join(CITIES))
    parser.add_argument("--spread-km", type=float, default=25.0)
    parser.add_argument("--nats-url", default=f"nats://127.0.0.1:{ports.nats}")
    parser.add_argument("--chart-addr", default=f"127.0.0.1:{ports.chart}")
    args = parser.parse_args()
    people = asyncio.run(make_people(args.chart_addr, args.count, seed=args.seed, first_id=args.first_id,
                                     cities=args.cities.split(","), spread_km=args.spread_km))
    asyncio.run(publish(args.nats_url, people))
    print(f"published {len(people)} people (user ids {args.first_id}..{args.first_id + len(people) - 1}) "
          f"around {args.cities}")


if __name__ == "__main__":
    main()
