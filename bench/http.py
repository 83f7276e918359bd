"""HTTP benchmark through the gateway: calculate and register against the trivial endpoint (the ceiling of
the setup) and kerykeion in process on one core (the anchor), in one run.

    make run   # in another shell, started with NUMEROS_RATE_LIMITS=off
    .venv/bin/python bench/http.py [--url http://127.0.0.1:8000] [--rounds 3] [--duration 20] [--json out.json]

The load comes from ``wrk`` (``make setup`` installs Debian's ``wrk``: a C load generator, so the client costs little of
the two cores), 32 connections, with a Lua script that sends a different body each request: 10,000
distinct birth records (seeded, every continent, 1900-2024) in random order, so no cache of results could
carry the figure. Register gets a unique e-mail per request. Each figure runs ``--rounds`` times,
interleaved (trivial, calculate, register, trivial, ...), and the median round is reported with its p50
and p99 latency; CPU time per request is read from /proc for each process tree of the system (gateway,
identity, chart and its workers, Postgres, Redis, the devstack log echo, wrk) and for the rest of the
machine (other work that shared the cores).

Targets (issue 14), two cores: calculate >= 1,000 req/s and >= 1.25 x kerykeion's single-core rate, with
p99 <= 100 ms at that load; register reported beside argon2's floor (hashes per second on every core).
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is bench/http.py: its folder must come after the standard library, whose ``http`` package
# urllib needs (the folder stays on the path for ``chart`` and ``_chart_service``).
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in (_HERE, "")] + [_HERE]

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass

from chart import (SEED, birth_records, kerykeion_chart, kerykeion_on_our_files,  # noqa: E402
                   machine_busy_seconds)
from _chart_service import machine, package_version  # noqa: E402

import psutil  # noqa: E402

RECORDS = 10_000
CALCULATE_RATE_TARGET = 1000.0
KERYKEION_RATIO_TARGET = 1.25
P99_TARGET_MS = 100.0

# wrk's Lua side: every request is pre-formatted at start-up; each thread walks the shuffled list from
# its own offset, so no two requests in flight share a body. done() prints one JSON line.
LUA = r"""
local bodies_file, method, path = nil, "GET", "/"
local requests, position, count = {}, 0, 0
local threads, next_id = {}, 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  method, path, bodies_file = args[1], args[2], args[3]
  local headers = {["Content-Type"] = "application/json"}
  if bodies_file then
    for line in io.lines(bodies_file) do
      requests[#requests + 1] = wrk.format(method, path, headers, line)
    end
  else
    requests[1] = wrk.format(method, path)
  end
  count = #requests
  position = math.floor(id * count / tonumber(args[4] or "1"))
end

function request()
  position = position + 1
  return requests[(position % count) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass(frozen=True)
class Figure:
    name: str
    method: str
    path: str
    bodies: Path | None = None


def calculate_bodies(count: int, seed: int) -> list[str]:
    """``count`` distinct anonymous-calculate bodies, shuffled."""
    seen, bodies = set(), []
    for birth in birth_records(count * 2, seed):
        body = {"name": birth.name, "birth_date": birth.local.date().isoformat(),
                "birth_time": birth.local.strftime("%H:%M"), "latitude": birth.latitude,
                "longitude": birth.longitude, "timezone": birth.zone}
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if text not in seen:
            seen.add(text)
            bodies.append(text)
        if len(bodies) == count:
            break
    random.Random(seed).shuffle(bodies)
    return bodies


def register_bodies(calculate: list[str], run_id: str) -> list[str]:
    """One account per body: a unique e-mail (per run too, so a repeated run finds none taken)."""
    bodies = []
    for i, text in enumerate(calculate):
        birth = json.loads(text)
        name = birth.pop("name")
        bodies.append(json.dumps({"email": f"bench-{run_id}-{i}@example.com", "password": "bench-password-1",
                                  "display_name": name, **birth}, ensure_ascii=False, separators=(",", ":")))
    return bodies


# ----------------------------------------------------------------------------------------------------------
# processes and their CPU time

def listening_pid(port: int) -> int | None:
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port \
                and connection.pid:
            pid = connection.pid
            # uvicorn's workers inherit the listening socket: report the topmost process that holds it
            while True:
                parent = psutil.Process(pid).parent()
                if parent is None or not _listens(parent, port):
                    return pid
                pid = parent.pid
    return None


def _listens(process: psutil.Process, port: int) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in process.net_connections())
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return False


def tree_cpu_seconds(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def process_cpu_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def system_processes(ports: dict[str, int]) -> dict[str, tuple[int, bool]]:
    """name -> (pid, whole tree?) for every part of the system found listening on its port."""
    found: dict[str, tuple[int, bool]] = {}
    for name, port in ports.items():
        pid = listening_pid(port)
        if pid is not None:
            found[name] = (pid, True)
    identity = found.get("identity")
    if identity:  # make run's supervisor copies every log line to its terminal: part of the cost
        parent = psutil.Process(identity[0]).parent()
        if parent is not None and "devstack" in " ".join(parent.cmdline()):
            found["devstack log echo"] = (parent.pid, False)
    return found


def cpu_snapshot(processes: dict[str, tuple[int, bool]]) -> dict[str, float]:
    snapshot = {name: tree_cpu_seconds(pid) if tree else process_cpu_seconds(pid)
                for name, (pid, tree) in processes.items()}
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    snapshot["wrk"] = usage.ru_utime + usage.ru_stime
    snapshot["machine"] = machine_busy_seconds()
    return snapshot


# ----------------------------------------------------------------------------------------------------------
# one figure

def run_wrk(url: str, figure: Figure, script: Path, connections: int, duration: float, threads: int) -> dict:
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "10s",
            "-s", str(script), url + figure.path, "--", figure.method, figure.path]
    if figure.bodies is not None:
        args += [str(figure.bodies), str(threads)]
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("WRK_RESULT "):
            return json.loads(line.removeprefix("WRK_RESULT "))
    raise SystemExit(f"wrk printed no result:\n{output}")


def measure(url: str, figure: Figure, script: Path, processes: dict, args: argparse.Namespace) -> dict:
    before = cpu_snapshot(processes)
    result = run_wrk(url, figure, script, args.connections, args.duration, args.threads)
    after = cpu_snapshot(processes)
    seconds = result["duration_us"] / 1e6
    requests = result["requests"]
    cpu_ms = {name: (after[name] - before[name]) / max(requests, 1) * 1000 for name in after if name != "machine"}
    ours = sum(after[name] - before[name] for name in after if name != "machine")
    other_cores = max(0.0, (after["machine"] - before["machine"] - ours)) / seconds
    errors = sum(result["errors"].values())
    return {"figure": figure.name, "rate": requests / seconds, "requests": requests, "seconds": seconds,
            "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
            "errors": result["errors"], "error_count": errors, "cpu_ms_per_request": cpu_ms,
            "other_cores": other_cores, "load_average": os.getloadavg()[0]}


def median_round(rounds: list[dict]) -> dict:
    ordered = sorted(rounds, key=lambda r: r["rate"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["rates"] = [round(r["rate"], 1) for r in rounds]
    chosen["p99s_ms"] = [round(r["p99_ms"], 1) for r in rounds]
    return chosen


# ----------------------------------------------------------------------------------------------------------
# anchors in this process

def kerykeion_rate(count: int, seed: int, rounds: int) -> dict:
    """Charts per second, kerykeion in this process on one core (the same kind of records as the load)."""
    records = birth_records(count, seed)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        with kerykeion_on_our_files():
            for birth in records[:50]:
                kerykeion_chart(birth)
            rates = []
            for _ in range(rounds):
                started = time.perf_counter()
                for birth in records:
                    kerykeion_chart(birth)
                rates.append(count / (time.perf_counter() - started))
    finally:
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    return {"rate": statistics.median(rates), "rates": [round(r, 1) for r in rates], "charts": count}


def argon2_floor(hashes: int) -> dict:
    """identity's own password hasher in this process: hashes per second on one core, and on every core."""
    from services.identity.accounts.passwords import hash_password

    hash_password("warm-up-password")
    started = time.perf_counter()
    for i in range(hashes):
        hash_password(f"bench-password-{i}")
    one_core = hashes / (time.perf_counter() - started)
    cores = len(os.sched_getaffinity(0))
    return {"one_core_rate": one_core, "all_cores_rate": one_core * cores, "cores": cores}


# ----------------------------------------------------------------------------------------------------------

def check_up(url: str) -> None:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as reply:
            reply.read()
    except OSError as error:
        raise SystemExit(f"nothing answers at {url} ({error}); start the system with "
                         f"NUMEROS_RATE_LIMITS=off make run") from None


def check_calculate(url: str, body: str) -> None:
    request = urllib.request.Request(url + "/api/v1/profile/calculate", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        if reply.status != 200 or reply.headers.get("X-RateLimit-Limit"):
            raise SystemExit("calculate is rate limited: start the system with NUMEROS_RATE_LIMITS=off")
        json.loads(reply.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each figure (the median is reported)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--figures", default="trivial,calculate,register")
    parser.add_argument("--kerykeion-charts", type=int, default=2000)
    parser.add_argument("--ports", default="gateway=8000,identity=8101,chart=50051,postgres=55432,redis=56379",
                        help="name=port of the processes whose CPU time is reported (make run's defaults)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make setup` (scripts/prepare-system-packages installs it)")
    check_up(args.url)
    info = {**machine(), "kerykeion": package_version("kerykeion"), "uvicorn": package_version("uvicorn"),
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]}
    print(f"http benchmark: {info['date']}, {info['cpu']}, {info['usable_cores']} usable cores, load average "
          f"{info['load_average_at_start']}")
    ports = {name: int(port) for name, port in (item.split("=") for item in args.ports.split(","))}
    processes = system_processes(ports)
    print("processes measured: " + ", ".join(f"{name} (pid {pid})" for name, (pid, _) in processes.items()))

    calculate = calculate_bodies(args.records, SEED)
    check_calculate(args.url, calculate[0])
    with tempfile.TemporaryDirectory(prefix="http-bench-") as scratch:
        folder = Path(scratch)
        script = folder / "bench.lua"
        script.write_text(LUA)
        (folder / "calculate.jsonl").write_text("\n".join(calculate) + "\n")
        figures = {"trivial": Figure("trivial: GET /healthz", "GET", "/healthz"),
                   "calculate": Figure("POST /api/v1/profile/calculate", "POST", "/api/v1/profile/calculate",
                                       folder / "calculate.jsonl"),
                   "register": Figure("POST /api/v1/auth/register", "POST", "/api/v1/auth/register")}
        chosen = [name for name in args.figures.split(",") if name]
        results: dict[str, list[dict]] = {name: [] for name in chosen}
        for round_number in range(args.rounds):
            for name in chosen:
                figure = figures[name]
                if name == "register":  # fresh accounts every round
                    bodies = folder / f"register-{round_number}.jsonl"
                    bodies.write_text("\n".join(register_bodies(calculate, uuid.uuid4().hex[:10])) + "\n")
                    figure = Figure(figure.name, figure.method, figure.path, bodies)
                outcome = measure(args.url, figure, script, processes, args)
                results[name].append(outcome)
                print(f"  round {round_number + 1} {name:<10} {outcome['rate']:8.1f} req/s  p50 "
                      f"{outcome['p50_ms']:6.1f} ms  p99 {outcome['p99_ms']:6.1f} ms  errors "
                      f"{outcome['error_count']}  other cores {outcome['other_cores']:.2f}  load "
                      f"{outcome['load_average']:.2f}", flush=True)
    anchor = kerykeion_rate(args.kerykeion_charts, SEED + 1, args.rounds)
    argon2 = argon2_floor(20) if "register" in chosen else None
    summary = {name: median_round(rounds) for name, rounds in results.items()}

    print()
    print(f"kerykeion in process, one core: {anchor['rate']:.0f} charts/s (rounds {anchor['rates']})")
    if argon2:
        print(f"argon2 (identity's hasher) in process: {argon2['one_core_rate']:.1f} hashes/s on one core, "
              f"{argon2['all_cores_rate']:.1f}/s on {argon2['cores']} cores (register's floor)")
    names = sorted({n for s in summary.values() for n in s["cpu_ms_per_request"]})
    print(f"\n{'figure (median round)':<34} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  "
          + "  ".join(f"{n[:10]:>10}" for n in names) + "   (CPU ms per request)")
    for name, s in summary.items():
        print(f"{figures[name].name:<34} {s['rate']:8.1f} {s['p50_ms']:7.1f} {s['p99_ms']:7.1f} "
              f"{s['error_count']:>6}  " + "  ".join(f"{s['cpu_ms_per_request'].get(n, 0):10.3f}" for n in names))
        print(f"{'':<4}rounds: {s['rates']} req/s; p99 {s['p99s_ms']} ms; other cores busy "
              f"{s['other_cores']:.2f}")
    targets = []
    if "calculate" in summary:
        calc = summary["calculate"]
        ratio = calc["rate"] / anchor["rate"]
        targets = [
            ("calculate >= 1,000 req/s", calc["rate"] >= CALCULATE_RATE_TARGET, f"{calc['rate']:.0f} req/s"),
            ("calculate >= 1.25 x kerykeion (one core)", ratio >= KERYKEION_RATIO_TARGET,
             f"{calc['rate']:.0f} / {anchor['rate']:.0f} = {ratio:.2f} x"),
            ("calculate p99 <= 100 ms", calc["p99_ms"] <= P99_TARGET_MS, f"{calc['p99_ms']:.1f} ms"),
        ]
        if "trivial" in summary:
            print(f"\ncalculate / trivial (the gateway's ceiling here): "
                  f"{calc['rate'] / summary['trivial']['rate']:.2f}")
    if "register" in summary and argon2:
        print(f"register / argon2 floor on every core: {summary['register']['rate'] / argon2['all_cores_rate']:.2f}")
    print("\ntargets:")
    for label, passed, detail in targets:
        print(f"  {'PASS' if passed else 'MISS'}  {label}: {detail}")
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at end {info['load_average_at_end']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rounds": results, "median": summary,
                                         "kerykeion": anchor, "argon2": argon2,
                                         "targets": [{"target": t, "pass": p, "detail": d} for t, p, d in targets]},
                                        indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
