"""Sign-in benchmark: register, login and phone-OTP verify through the gateway at 20 concurrent clients,
beside argon2 alone (the floor those flows stand on), in one run.

    .venv/bin/python bench/auth.py [--clients 20] [--requests 200] [--json results.json]

The whole stack is started as ``make run`` starts it (``devstack.stack.Stack``: Postgres, Redis, NATS,
chart, identity, matching, chat, Traefik) on free ports and a fresh data directory, with every rate
limit off (``NUMEROS_RATE_LIMITS=off``: the edge limit, the per-route limits and the OTP sending limits),
so the numbers are the work, not the limiter's refusals. Then, one section at a time:

- **argon2 floor**: ``hash_password`` and ``verify_password`` (identity's own functions, argon2-cffi's
  RFC 9106 defaults) called sequentially in this process: p50/p95 of one call, the cost no register or
  login can go under.
- **register**: ``POST /api/v1/auth/register`` with email and password alone (astro-mvp's shape: no chart
  call), so it is one argon2 hash, the user row, a session and its tokens.
- **login**: ``POST /api/v1/auth/login`` with the accounts just made: one argon2 verify and a session.
- **OTP verify**: ``POST /api/v1/auth/verify-otp`` for numbers that were sent a code first (untimed;
  each code read from the console SMS provider's log line): an HMAC, the code row locked and deleted,
  the account made, the lead converted, a session.

Each timed section runs ``--requests`` requests from ``--clients`` concurrent clients (each a long-lived
HTTP/1.1 connection through Traefik, one request at a time), after a short warm-up; latency is per
request, wall clock. Ratios are printed against the argon2 floor measured in the same run.
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
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from _chart_service import machine  # first: puts the repository on sys.path

import httpx  # noqa: E402

from devstack.stack import Ports, Stack  # noqa: E402
from services.identity.accounts.passwords import hash_password, verify_password  # noqa: E402
from tests.e2e.helpers import logged_codes  # noqa: E402

PASSWORD = "bench-password-1"
SEED = 20260509


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 2), "p95_ms": round(q[94] * 1000, 2), "n": len(ordered)}


def floor(rounds: int) -> dict[str, dict[str, float]]:
    hashed = hash_password(PASSWORD)
    hash_times, verify_times = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        hash_password(PASSWORD)
        hash_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert verify_password(hashed, PASSWORD)
        verify_times.append(time.perf_counter() - started)
    return {"argon2_hash": percentiles(hash_times), "argon2_verify": percentiles(verify_times)}


async def concurrently(base_url: str, clients: int, bodies: list[dict], path: str,
                       expect: int) -> tuple[list[float], float]:
    """Every body posted to ``path`` by ``clients`` workers; (latencies, wall seconds)."""
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                reply = await client.post(path, json=body)
                latencies.append(time.perf_counter() - started)
                if reply.status_code != expect:
                    raise RuntimeError(f"{path}: {reply.status_code} {reply.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, time.perf_counter() - started


async def section(name: str, run: Callable[[], Awaitable[tuple[list[float], float]]]) -> dict:
    latencies, wall = await run()
    result = {**percentiles(latencies), "per_second": round(len(latencies) / wall, 1)}
    print(f"  {name:<12} p50 {result['p50_ms']:8.1f} ms   p95 {result['p95_ms']:8.1f} ms   "
          f"{result['per_second']:6.1f}/s   ({result['n']} requests)", flush=True)
    return result


def numbers(count: int, rng: random.Random) -> list[str]:
    return [f"+919{n:09d}" for n in rng.sample(range(10**9), count)]


async def send_codes(base_url: str, log: Path, phones: list[str]) -> list[dict]:
    """A code for every number (untimed), read back from the console provider's log lines."""
    await concurrently(base_url, 10, [{"phone_number": p} for p in phones], "/api/v1/auth/signup", 200)
    deadline = time.monotonic() + 60
    while True:
        codes = {p: logged_codes(log, p) for p in phones}
        if all(codes.values()):
            return [{"phone_number": p, "otp_code": codes[p][-1]} for p in phones]
        if time.monotonic() > deadline:
            raise RuntimeError("codes missing from the identity log")
        await asyncio.sleep(0.2)


async def measure(stack: Stack, clients: int, requests: int) -> dict:
    base, log = stack.gateway_url, stack.root / "logs" / "identity.log"
    rng = random.Random(SEED)
    tag = uuid.uuid4().hex[:6]
    warm = [{"email": f"warm{n}-{tag}@example.com", "password": PASSWORD} for n in range(clients)]
    await concurrently(base, clients, warm, "/api/v1/auth/register", 201)
    await concurrently(base, clients, warm, "/api/v1/auth/login", 200)
    await concurrently(base, clients, await send_codes(base, log, numbers(clients, rng)),
                       "/api/v1/auth/verify-otp", 200)

    accounts = [{"email": f"b{n}-{tag}@example.com", "password": PASSWORD} for n in range(requests)]
    otp_bodies = await send_codes(base, log, numbers(requests, rng))
    results = {"register": await section("register", lambda: concurrently(
        base, clients, accounts, "/api/v1/auth/register", 201))}
    results["login"] = await section("login", lambda: concurrently(base, clients, accounts, "/api/v1/auth/login", 200))
    results["otp_verify"] = await section("OTP verify", lambda: concurrently(
        base, clients, otp_bodies, "/api/v1/auth/verify-otp", 200))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--floor-rounds", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    report: dict = {"machine": machine(), "clients": args.clients, "requests": args.requests}
    print(json.dumps(report["machine"]), flush=True)
    print("argon2 floor (this process, sequential):", flush=True)
    report["floor"] = floor(args.floor_rounds)
    for name, row in report["floor"].items():
        print(f"  {name:<14} p50 {row['p50_ms']:8.1f} ms   p95 {row['p95_ms']:8.1f} ms", flush=True)

    root = Path(tempfile.mkdtemp(prefix="numeros-bench-auth-"))
    stack = Stack(root=root, ports=Ports.free(), chart_workers=1,
                  env={"NUMEROS_RATE_LIMITS": "off", "NUMEROS_LOG_LEVEL": "INFO"})
    try:
        stack.start()
        print(f"through the gateway, {args.clients} concurrent clients:", flush=True)
        report["gateway"] = asyncio.run(measure(stack, args.clients, args.requests))
    finally:
        stack.stop()

    hash_p50, verify_p50 = report["floor"]["argon2_hash"]["p50_ms"], report["floor"]["argon2_verify"]["p50_ms"]
    gateway = report["gateway"]
    report["ratios"] = {
        "register_p50_per_hash_p50": round(gateway["register"]["p50_ms"] / hash_p50, 2),
        "login_p50_per_verify_p50": round(gateway["login"]["p50_ms"] / verify_p50, 2),
        "otp_verify_p50_per_hash_p50": round(gateway["otp_verify"]["p50_ms"] / hash_p50, 2),
        # what a request costs beyond argon2 with the clients queueing on the cores: p50 / (clients x floor / cores)
        "register_p50_per_queued_floor": round(
            gateway["register"]["p50_ms"] / (args.clients * hash_p50 / report["machine"]["usable_cores"]), 2),
        "login_p50_per_queued_floor": round(
            gateway["login"]["p50_ms"] / (args.clients * verify_p50 / report["machine"]["usable_cores"]), 2),
    }
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print("ratios (same run):", flush=True)
    for name, value in report["ratios"].items():
        print(f"  {name:<32} {value}", flush=True)
    print(f"load average at end: {report['machine']['load_average_at_end']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
