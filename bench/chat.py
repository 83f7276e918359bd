"""Chat live-delivery benchmark through the gateway, two chat replicas, the whole system as `make run` starts it.

    .venv/bin/python bench/chat.py [--sockets 1000] [--rate 1000] [--seconds 30] [--quick] [--profile DIR]

1. Anchor: bare NATS core publish -> subscribe latency on the same machine, in the same run (the floor under
   any fan-out over NATS).
2. Load: ``--sockets`` WebSockets (two per match: both participants) opened through the gateway, spread by
   Traefik over two chat replicas; messages sent over the sockets at ``--rate`` per second for ``--seconds``,
   each stored, announced and fanned out; delivery latency = the recipient's socket receiving the frame minus
   the sender's send (one clock: both ends are in this process). CPU per message = CPU seconds of the chat
   replicas (and of the whole stack) during the load / messages delivered; "above idle" first takes away what the
   replicas burn in 5 s with the sockets open and nothing sent.
3. Not-found timing: GET messages of a match that is someone else's, unknown and removed (200 each,
   interleaved, ``NUMEROS_MATCH_WAIT_SECONDS=0`` so only the query path is timed): medians and the
   Kolmogorov-Smirnov distance between the distributions.

``--profile DIR``: py-spy samples each chat replica during the load (``DIR/<replica>.txt``, collapsed stacks)
and the run prints the functions holding the most samples, inclusive and self.

Users and matches are synthetic: tokens signed with the stack's own key, matches published as matching's
relay would publish ``matching.match.created``. Prints numbers and PASS/MISS against p99 <= 20 ms; never fails.
The machine's 2 cores are shared: the load average before and after is printed with the numbers.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository first; this folder off the path (its http.py would shadow the standard library's http).
sys.path[:] = [str(REPO), str(REPO / "lib"), str(REPO / "gen")] + [
    p for p in sys.path if p not in (str(REPO / "bench"), "")]

import httpx  # noqa: E402
import nats  # noqa: E402
import psutil  # noqa: E402
import websockets  # noqa: E402

from devstack.stack import Ports, Stack  # noqa: E402
from numeros_common.events.schemas import Envelope, MatchCreatedV1, MatchRemovedV1  # noqa: E402
from numeros_common.settings import ServiceSettings  # noqa: E402
from services.identity.accounts.tokens import issue_access_token  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def ks_distance(a: list[float], b: list[float]) -> float:
    """The largest gap between the two empirical distribution functions (0 = identical)."""
    points = sorted(set(a) | set(b))
    sa, sb = sorted(a), sorted(b)
    import bisect
    return max(abs(bisect.bisect_right(sa, x) / len(sa) - bisect.bisect_right(sb, x) / len(sb)) for x in points)


class Tokens:
    def __init__(self, stack: Stack) -> None:
        self.key = (stack.secrets / "jwt_private.pem").read_text()
        self.defaults = ServiceSettings()

    def __call__(self, user_id: int) -> str:
        return issue_access_token(self.key, user_id=user_id, session_id=uuid.uuid4().hex, is_admin=False,
                                  now=dt.datetime.now(dt.UTC), ttl_seconds=3600, issuer=self.defaults.jwt_issuer,
                                  audience=self.defaults.jwt_audience)


async def publish(nats_url: str, envelopes: list[Envelope]) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(timeout=10)
        for envelope in envelopes:
            await js.publish(envelope.subject, envelope.model_dump_json().encode(),
                             headers={"Nats-Msg-Id": str(envelope.id)})
    finally:
        await nc.close()


async def nats_anchor(nats_url: str, count: int = 2000, rate: float = 1000) -> list[float]:
    nc = await nats.connect(nats_url)
    latencies: list[float] = []
    done = asyncio.Event()

    async def on_msg(msg):
        latencies.append((time.perf_counter() - float(msg.data)) * 1000)
        if len(latencies) == count:
            done.set()

    await nc.subscribe("bench.anchor", cb=on_msg)
    await nc.flush()
    start = time.perf_counter()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        await nc.publish("bench.anchor", str(time.perf_counter()).encode())
    await asyncio.wait_for(done.wait(), 30)
    await nc.close()
    return latencies


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def start_profilers(stack: Stack, out: Path | None) -> list[subprocess.Popen]:
    """py-spy on every chat replica until stopped (SIGINT makes it write its collapsed stacks)."""
    if out is None:
        return []
    out.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen(["py-spy", "record", "--pid", str(c.proc.pid), "--format", "raw", "--rate", "200",
                              "--nonblocking", "--output", str(out / f"{name}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, c in stack.services.items() if name.startswith("chat") and c.proc]


def stop_profilers(profilers: list[subprocess.Popen]) -> None:
    for proc in profilers:
        proc.send_signal(2)
    for proc in profilers:
        proc.wait(timeout=60)


def profile_summary(out: Path, top: int = 40) -> str:
    """The functions on most sampled stacks (inclusive) and at the top of them (self), over all replicas;
    idle samples (the event loop waiting in select/epoll) are left out."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for path in out.glob("*.txt"):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():  # py-spy now and then spills a docstring over several lines
                continue
            frames = stack.split(";")
            if any(f.startswith(("select (", "poll (", "epoll")) or "(selectors.py)" in f for f in frames[-1:]):
                continue
            n = int(count)
            total += n
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    lines = [f"busy samples: {total}", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines += ["self:"] + [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


async def load(stack: Stack, tokens: Tokens, sockets: int, rate: float, seconds: float,
               profile: Path | None = None) -> dict:
    pairs = sockets // 2
    base = int(time.time()) * 1000
    matches = [(base + n, base * 10 + 2 * n, base * 10 + 2 * n + 1) for n in range(pairs)]
    await publish(stack.nats.url, [Envelope.wrap("matching", MatchCreatedV1(match_id=m, user_ids=(a, b),
                                                                            created_at=dt.datetime.now(dt.UTC)))
                                   for m, a, b in matches])
    ws_base = stack.gateway_url.replace("http://", "ws://")
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    delivered = 0
    closed = 0

    async def reader(ws, me: int) -> None:
        nonlocal delivered, closed
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message" and frame["message"]["sender_id"] != me:
                    started = sent_at.get(frame["message"]["client_message_id"])
                    if started is not None:
                        latencies.append((time.perf_counter() - started) * 1000)
                        delivered += 1
        except websockets.ConnectionClosed:
            closed += 1

    # Chat learns of the matches from the events; the first socket waits until its match is there.
    async def open_socket(match_id: int, user: int):
        for _ in range(100):
            try:
                ws = await websockets.connect(f"{ws_base}/ws/chat/{match_id}/", open_timeout=60, ping_interval=None,
                                              additional_headers={"Authorization": f"Bearer {tokens(user)}"})
                hello = json.loads(await ws.recv())
            except (OSError, TimeoutError, websockets.WebSocketException):
                await asyncio.sleep(0.5)
                continue
            if hello.get("type") == "connected":
                return ws
            await ws.close()
        raise RuntimeError(f"match {match_id} never reached chat")

    opened: list[tuple[object, int, int]] = []
    readers = []
    t0 = time.perf_counter()
    for chunk in range(0, len(matches), 50):
        batch = matches[chunk:chunk + 50]
        results = await asyncio.gather(*(open_socket(m, u) for m, a, b in batch for u in (a, b)),
                                       return_exceptions=True)
        for (m, a, b), pair in zip(batch, [results[i:i + 2] for i in range(0, len(results), 2)]):
            for ws, user in zip(pair, (a, b)):
                if not isinstance(ws, BaseException):
                    opened.append((ws, m, user))
                    readers.append(asyncio.create_task(reader(ws, user)))
    open_seconds = time.perf_counter() - t0
    per_replica = {}
    for name, port in (("chat", stack.ports.chat), *stack.replica_ports.items()):
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        per_replica[name] = sum(
            float(line.split()[-1]) for line in text.splitlines() if line.startswith("numeros_websockets_open ")
        )

    chat_pids = [c.proc.pid for n, c in stack.services.items() if n.startswith("chat") and c.proc]
    all_pids = [c.proc.pid for c in stack.services.values() if c.proc] + \
        [c.child.proc.pid for c in (stack.postgres, stack.redis, stack.nats, stack.traefik)
         if c and c.child and c.child.proc]
    # Idle: the sockets open, nothing sent (keep-alives, presence refreshes, consumers' and relays' polls).
    idle0, idle_t0 = cpu_seconds(chat_pids), time.perf_counter()
    await asyncio.sleep(5)
    idle_chat = (cpu_seconds(chat_pids) - idle0) / (time.perf_counter() - idle_t0)
    cpu_chat0, cpu_all0 = cpu_seconds(chat_pids), cpu_seconds(all_pids)
    cpu_t0 = time.perf_counter()
    load_before = os.getloadavg()
    profilers = start_profilers(stack, profile)
    total = int(rate * seconds)
    start = time.perf_counter()
    sent = 0
    for n in range(total):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        ws, match_id, user = opened[n % len(opened)]
        cid = f"b{n}"
        sent_at[cid] = time.perf_counter()
        try:
            await ws.send(json.dumps({"type": "message", "content": f"bench {n}", "client_message_id": cid}))
            sent += 1
        except websockets.ConnectionClosed:
            pass
    send_seconds = time.perf_counter() - start
    deadline = time.perf_counter() + 30
    while delivered < sent and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    cpu_chat, cpu_all = cpu_seconds(chat_pids) - cpu_chat0, cpu_seconds(all_pids) - cpu_all0
    cpu_window = time.perf_counter() - cpu_t0
    stop_profilers(profilers)
    load_after = os.getloadavg()
    for ws, _, _ in opened:
        await ws.close()
    for task in readers:
        task.cancel()
    return {"sockets_asked": sockets, "sockets_open": len(opened), "per_replica": per_replica,
            "open_seconds": round(open_seconds, 1), "sent": sent, "send_seconds": round(send_seconds, 1),
            "send_rate": round(sent / send_seconds, 1), "delivered": delivered, "closed_during_load": closed,
            "p50_ms": round(pct(latencies, 50), 2), "p99_ms": round(pct(latencies, 99), 2),
            "max_ms": round(max(latencies), 1) if latencies else None,
            "cpu_ms_per_message_chat": round(cpu_chat / max(delivered, 1) * 1000, 3),
            "cpu_ms_per_message_system": round(cpu_all / max(delivered, 1) * 1000, 3),
            "chat_idle_cpu_percent": round(100 * idle_chat, 1),
            "cpu_ms_per_message_chat_above_idle":
                round((cpu_chat - idle_chat * cpu_window) / max(delivered, 1) * 1000, 3),
            "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in load_after]}


async def not_found_timing(stack: Stack, tokens: Tokens, samples: int) -> dict:
    base = int(time.time()) * 1000 + 900_000
    (ours, a, b), (removed, c, d) = (base, base * 10, base * 10 + 1), (base + 1, base * 10 + 2, base * 10 + 3)
    await publish(stack.nats.url, [Envelope.wrap("matching", MatchCreatedV1(match_id=m, user_ids=(x, y),
                                                                            created_at=dt.datetime.now(dt.UTC)))
                                   for m, x, y in ((ours, a, b), (removed, c, d))])
    await publish(stack.nats.url, [Envelope.wrap("matching", MatchRemovedV1(match_id=removed, user_ids=(c, d),
                                                                            reason="unmatch"))])
    cases = {"someone else's": (ours, 777), "unknown": (base + 5, a), "removed": (removed, c)}
    headers = {name: {"Authorization": f"Bearer {tokens(user)}"} for name, (_, user) in cases.items()}
    times: dict[str, list[float]] = {name: [] for name in cases}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        await asyncio.sleep(2)  # the events reach chat's read model
        for n in range(samples + 20):
            for name, (match_id, _) in cases.items():
                start = time.perf_counter()
                reply = await client.get(f"/api/v1/matches/{match_id}/messages", headers=headers[name])
                elapsed = (time.perf_counter() - start) * 1000
                assert reply.status_code == 404, (name, reply.text)
                if n >= 20:  # warm-up
                    times[name].append(elapsed)
    return {"samples": samples,
            "median_ms": {k: round(statistics.median(v), 3) for k, v in times.items()},
            "p90_ms": {k: round(pct(v, 90), 3) for k, v in times.items()},
            "ks_vs_unknown": {k: round(ks_distance(v, times["unknown"]), 3)
                              for k, v in times.items() if k != "unknown"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--timing-samples", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="100 sockets, 100 msg/s for 5 s")
    parser.add_argument("--profile", type=Path, help="py-spy the chat replicas during the load into this folder")
    parser.add_argument("--skip-timing", action="store_true", help="leave out the 404 timing")
    args = parser.parse_args()
    if args.quick:
        args.sockets, args.rate, args.seconds, args.timing_samples = 100, 100, 5, 50
    env = {"NUMEROS_RATE_LIMITS": "off", "NUMEROS_LOG_LEVEL": "WARNING", "NUMEROS_MATCH_WAIT_SECONDS": "0"}
    stack = Stack(root=Path(tempfile.mkdtemp(prefix="numeros-bench-chat-")), ports=Ports.free(), chart_workers=1,
                  env=env, chat_replicas=2)
    os.environ.update(env)
    stack.start()
    try:
        tokens = Tokens(stack)
        anchor = asyncio.run(nats_anchor(stack.nats.url))
        print(f"anchor  NATS core pub->sub at 1000/s: p50 {pct(anchor, 50):.2f} ms  p99 {pct(anchor, 99):.2f} ms")
        result = asyncio.run(load(stack, tokens, args.sockets, args.rate, args.seconds, args.profile))
        print("load    " + json.dumps(result))
        verdict = "PASS" if result["p99_ms"] <= 20 else "MISS"
        print(f"target  delivery p99 <= 20 ms: {verdict} ({result['p99_ms']} ms; "
              f"{result['p99_ms'] / max(pct(anchor, 99), 1e-9):.1f} x the NATS anchor's p99)")
        if args.profile is not None:
            print(profile_summary(args.profile))
        if not args.skip_timing:
            timing = asyncio.run(not_found_timing(stack, tokens, args.timing_samples))
            print("404s    " + json.dumps(timing))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
