"""``python -m devstack chaos``: the mobile flows through the gateway at a steady rate while every process in turn
gets SIGKILL and the supervisor restarts it; then the client's own log of acknowledged writes is checked
against the databases: each acknowledged write exists exactly once and each event was applied exactly once.

The load runs with every rate limit off (NUMEROS_RATE_LIMITS=off, the gateway's edge limit included): every
virtual user shares one IP, and what a client sees must be the outage, not a 429."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import websockets

from .processes import poll
from .stack import Ports, Stack

VICTIMS = ("chart", "identity", "matching", "chat", "postgres", "redis", "nats", "traefik")
WARM_UP = "warm-up"
RATE_LIMIT_ENV = {"NUMEROS_RATE_LIMITS": "off"}
PASSWORD = "chaos-password-1"
GRACE_SECONDS = 2.0  # after the supervisor reports a victim back, for pools and clients to reconnect


@dataclass
class Request:
    """One request as the client saw it. outcome: ok, pending (eventual consistency: not visible yet, which
    a client retries), or error; error: 5xx-coded, 5xx-uncoded, 4xx, connect, timeout, ws-closed."""
    op: str
    started: float
    ended: float = 0.0
    status: int | None = None
    code: str | None = None
    outcome: str = "ok"
    error: str | None = None
    detail: str = ""


@dataclass
class Account:
    email: str
    user_id: int
    token: str
    registered_at: float


@dataclass
class Outage:
    victim: str
    killed_at: float
    pid: int
    back_at: float | None = None  # the supervisor's "is back"


@dataclass
class Ledger:
    """What the server acknowledged (2xx, or the message frame back on the socket), and what was attempted."""
    accounts: list[Account] = field(default_factory=list)
    resonances: list[tuple[int, int, float]] = field(default_factory=list)
    matches: dict[int, tuple[int, int, float]] = field(default_factory=dict)
    messages: dict[str, tuple[int, float]] = field(default_factory=dict)  # content -> (message id, when)
    attempted_messages: dict[str, float] = field(default_factory=dict)  # content -> when sent
    chat_ready: list[int] = field(default_factory=list)  # matches chat's read model answered 200 for


class Load:
    def __init__(self, base_url: str, rate: float, deadline: float, register_rate: float = 1.0,
                 seed: int = 7) -> None:
        self.base_url = base_url
        # Registration is the heaviest call (password hash + a chart); its own budget keeps it from
        # dominating the mix on a small machine.
        self.register_interval = 1.0 / register_rate
        self._last_register = -self.register_interval
        self.ws_url = base_url.replace("http://", "ws://")
        self.rate = rate
        self.deadline = deadline
        self.random = random.Random(seed)
        self.log: list[Request] = []
        self.ledger = Ledger()
        self._pending_reverse: list[tuple[Account, Account]] = []
        self._tried_pairs: set[tuple[int, int]] = set()
        self._unconfirmed: list[int] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self.client = httpx.AsyncClient(base_url=base_url, timeout=deadline,
                                        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))

    async def run(self, stop: asyncio.Event) -> None:
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not stop.is_set():
            op = self._choose()
            task = asyncio.create_task(self._run_op(op))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            next_at += interval
            try:
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))
            except TimeoutError:
                pass
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))
        await self.client.aclose()

    def _choose(self) -> str:
        now = time.monotonic()
        if now - self._last_register >= self.register_interval:
            self._last_register = now
            return "register"
        weights: dict[str, float] = {"health": 1}
        if len(self.ledger.accounts) >= 2:
            weights.update(resonate=4, scan=1, login=1)
        if self._unconfirmed:
            weights["confirm_match"] = 2
        if self.ledger.chat_ready:
            weights.update(rest_message=3, ws_message=2, read=2)
        names = list(weights)
        return self.random.choices(names, [weights[n] for n in names])[0]

    async def _run_op(self, op: str) -> None:
        try:
            await getattr(self, f"_{op}")()
        except Exception as err:  # noqa: BLE001 - a bug in the generator must show, not stop the run
            self.log.append(Request(op, time.monotonic(), time.monotonic(), outcome="error", error="client-bug",
                                    detail=repr(err)))

    async def _call(self, op: str, method: str, path: str, token: str | None = None, json_body: Any = None,
                    pending_on: tuple[int, ...] = ()) -> tuple[Request, Any]:
        record = Request(op, time.monotonic())
        self.log.append(record)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: Any = None
        try:
            reply = await self.client.request(method, path, json=json_body, headers=headers)
            record.status = reply.status_code
            try:
                body = reply.json()
            except ValueError:
                body = None
        except httpx.TimeoutException as err:
            record.outcome, record.error, record.detail = "error", "timeout", repr(err)
        except httpx.TransportError as err:
            record.outcome, record.error, record.detail = "error", "connect", repr(err)
        record.ended = time.monotonic()
        if record.status is not None:
            record.code = _error_code(body)
            if record.status in pending_on and record.code:  # the service's coded answer, not the gateway's 404
                record.outcome = "pending"
            elif record.status >= 500:
                record.outcome = "error"
                record.error = "5xx-coded" if record.code else "5xx-uncoded"
                record.detail = "" if record.code else str(body)[:200]
            elif record.status >= 400:
                record.outcome, record.error, record.detail = "error", "4xx", str(body)[:200]
        return record, body

    async def _register(self) -> None:
        email = f"chaos-{uuid.uuid4().hex[:12]}@example.com"
        birth = f"{self.random.randint(1960, 2004)}-{self.random.randint(1, 12):02d}-{self.random.randint(1, 28):02d}"
        record, body = await self._call("register", "POST", "/api/v1/auth/register/", json_body={
            "email": email, "password": PASSWORD, "display_name": "Chaos", "birth_date": birth})
        if record.status == 201:
            self.ledger.accounts.append(Account(email, body["user"]["id"], body["token"], record.started))

    async def _health(self) -> None:
        await self._call("health", "GET", "/healthz")

    def _account(self) -> Account:
        return self.random.choice(self.ledger.accounts)

    async def _login(self) -> None:
        await self._call("login", "POST", "/api/v1/auth/login/",
                         json_body={"email": self._account().email, "password": PASSWORD})

    async def _scan(self) -> None:
        await self._call("scan", "POST", "/api/v1/scan/", self._account().token, {"limit": 10})

    async def _resonate(self) -> None:
        if self._pending_reverse:
            me, target = self._pending_reverse.pop(0)
        else:
            me, target = self.random.sample(self.ledger.accounts, 2)
            if (me.user_id, target.user_id) in self._tried_pairs or (target.user_id, me.user_id) in self._tried_pairs:
                return await self._scan()
            self._tried_pairs.add((me.user_id, target.user_id))
        # 404 (the target) or 409 PROFILE_PENDING (me): matching has not applied a registration event yet;
        # the pair is tried again later.
        record, body = await self._call("resonate", "POST", "/api/v1/resonance/", me.token,
                                        {"target_user_id": target.user_id, "action": "resonate"},
                                        pending_on=(404, 409))
        if record.status != 200:
            if record.outcome == "pending":
                self._pending_reverse.append((me, target))
            return
        self.ledger.resonances.append((me.user_id, target.user_id, record.started))
        if body.get("is_match"):
            self.ledger.matches[body["match"]["id"]] = (me.user_id, target.user_id, record.started)
            self._unconfirmed.append(body["match"]["id"])
        else:
            self._pending_reverse.append((target, me))

    def _participant(self, match_id: int) -> Account:
        a, _, _ = self.ledger.matches[match_id]
        return next(acc for acc in self.ledger.accounts if acc.user_id == a)

    async def _confirm_match(self) -> None:
        """The match reached chat's read model (matching.match.created applied): its messages answer 200."""
        match_id = self._unconfirmed.pop(0)
        record, _ = await self._call("read", "GET", f"/api/v1/matches/{match_id}/messages",
                                     self._participant(match_id).token, pending_on=(404,))
        if record.status == 200:
            self.ledger.chat_ready.append(match_id)
        else:
            self._unconfirmed.append(match_id)

    async def _read(self) -> None:
        match_id = self.random.choice(self.ledger.chat_ready)
        token = self._participant(match_id).token
        if self.random.random() < 0.5:
            await self._call("read", "GET", "/api/v1/matches/", token)
        else:
            await self._call("read", "GET", f"/api/v1/matches/{match_id}/messages", token)

    async def _rest_message(self) -> None:
        match_id = self.random.choice(self.ledger.chat_ready)
        content = f"rest {uuid.uuid4().hex}"
        self.ledger.attempted_messages[content] = time.monotonic()
        record, body = await self._call("rest_message", "POST", f"/api/v1/matches/{match_id}/messages/",
                                        self._participant(match_id).token, {"content": content})
        if record.status == 201:
            self.ledger.messages[content] = (body["id"], record.started)

    async def _ws_message(self) -> None:
        match_id = self.random.choice(self.ledger.chat_ready)
        content = f"ws {uuid.uuid4().hex}"
        record = Request("ws_message", time.monotonic())
        self.log.append(record)
        url = f"{self.ws_url}/ws/chat/{match_id}/"
        headers = {"Authorization": f"Bearer {self._participant(match_id).token}"}
        try:
            async with asyncio.timeout(self.deadline):
                async with websockets.connect(url, additional_headers=headers, open_timeout=self.deadline,
                                              close_timeout=1) as ws:
                    hello = json.loads(await ws.recv())
                    if hello.get("type") != "connected":
                        raise _WsRefused(hello.get("code") or "UNEXPECTED_FRAME")
                    self.ledger.attempted_messages[content] = time.monotonic()
                    await ws.send(json.dumps({"type": "message", "content": content}))
                    while True:
                        frame = json.loads(await ws.recv())
                        if frame.get("type") == "error":
                            raise _WsRefused(frame.get("code") or "ERROR_FRAME")
                        if frame.get("type") == "message" and frame["message"]["content"] == content:
                            self.ledger.messages[content] = (frame["message"]["id"], record.started)
                            record.status = 200
                            break
        except TimeoutError as err:
            record.outcome, record.error, record.detail = "error", "timeout", repr(err)
        except _WsRefused as err:
            record.outcome, record.error, record.code = "error", "5xx-coded", str(err)
        except websockets.ConnectionClosed as err:
            code = err.rcvd.code if err.rcvd else None
            record.outcome, record.error, record.code = "error", "ws-closed", str(code)
            record.detail = err.rcvd.reason if err.rcvd else ""
        except websockets.InvalidStatus as err:  # the upgrade refused: the gateway's body says why
            record.status = err.response.status_code
            try:
                record.code = _error_code(json.loads(err.response.body or b"null"))
            except ValueError:
                record.code = None
            coded = "5xx-coded" if record.code else "5xx-uncoded"
            record.outcome, record.error = "error", coded if record.status >= 500 else "4xx"
        except (OSError, websockets.WebSocketException) as err:
            record.outcome, record.error, record.detail = "error", "connect", repr(err)
        record.ended = time.monotonic()


class _WsRefused(Exception):
    pass


def _error_code(body: Any) -> str | None:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error.get("code")
        if isinstance(error, str):
            return error
    return None


# --- the run ---------------------------------------------------------------------------------------------------

async def _kill_in_turn(stack: Stack, victims: list[str], seconds: float, warm_up: float, out: IO[str],
                        outages: list[Outage]) -> None:
    supervisor = stack.supervisor
    assert supervisor is not None
    await asyncio.sleep(warm_up)
    for victim in victims:
        unit = supervisor.units[victim]
        child = unit.child()
        assert child is not None and child.proc is not None
        before = len(supervisor.events_of(victim, "restarted"))
        outage = Outage(victim, time.monotonic(), child.proc.pid)
        outages.append(outage)
        os.kill(child.proc.pid, signal.SIGKILL)
        out.write(f"chaos: SIGKILL {victim} (pid {outage.pid})\n")
        out.flush()
        await asyncio.sleep(seconds)  # the schedule: load runs on meanwhile
        await asyncio.to_thread(poll, lambda: supervisor.events_of(victim, "restarted")[before:],
                                bool, 120, f"{victim} to be restarted")
        outage.back_at = supervisor.events_of(victim, "restarted")[before].at
        await asyncio.to_thread(poll, stack.ready, bool, 60, "the system to be ready again", 0.2)
    await asyncio.sleep(min(seconds, 5.0))  # load on a healthy system after the last victim


async def run_chaos(stack: Stack, *, seconds_per_victim: float, rate: float, victims: list[str],
                    deadline: float = 10.0, warm_up: float = 5.0, out: IO[str] = sys.stdout) -> dict[str, Any]:
    """Load + kills on a started, supervised stack; returns the report (also what ``print_report`` prints)."""
    load = Load(stack.gateway_url, rate, deadline)
    outages: list[Outage] = []
    stop = asyncio.Event()
    runner = asyncio.create_task(load.run(stop))
    try:
        await _kill_in_turn(stack, victims, seconds_per_victim, warm_up, out, outages)
    finally:
        stop.set()
        await runner
    out.write("chaos: load stopped; waiting for events to settle, then checking\n")
    out.flush()
    found = await _settled_state(stack, load.ledger)
    return _report(load, outages, found, deadline)


async def _settled_state(stack: Stack, ledger: Ledger, timeout: float = 120.0) -> dict[str, Any]:
    """What the databases hold for the ledger, once every outbox is drained and every durable consumer has
    nothing pending or unacknowledged (an event a killed consumer held comes back after its ack wait)."""
    assert stack.postgres is not None
    conn = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
    started = time.monotonic()
    try:
        await conn.execute("SET default_transaction_read_only = on")
        while True:
            lag = await asyncio.to_thread(consumer_lag, stack.ports.nats_monitor)
            state = await _read_state(conn, ledger)
            if state["unpublished"] == 0 and lag == {} or time.monotonic() - started > timeout:
                state["settle_s"] = round(time.monotonic() - started, 1)
                state["consumer_lag"] = lag
                return state
            await asyncio.sleep(0.5)  # between two looks at the consumers
    finally:
        await conn.close()


def consumer_lag(monitor_port: int) -> dict[str, dict[str, int]]:
    """Durable consumers with messages not yet delivered or not yet acknowledged (NATS monitoring, /jsz)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{monitor_port}/jsz?consumers=true", timeout=2) as reply:
            report = json.load(reply)
    except OSError as err:
        return {"nats": {"unreachable": 1, "error": str(err)}}  # type: ignore[dict-item]
    lag = {}
    for account in report.get("account_details", []):
        for stream in account.get("stream_detail", []):
            for consumer in stream.get("consumer_detail", []):
                pending = {"num_pending": consumer.get("num_pending", 0),
                           "num_ack_pending": consumer.get("num_ack_pending", 0)}
                if any(pending.values()):
                    lag[consumer["name"]] = pending
    return lag


async def _read_state(conn: asyncpg.Connection, ledger: Ledger) -> dict[str, Any]:
    emails = [a.email for a in ledger.accounts]
    user_ids = [a.user_id for a in ledger.accounts]
    contents = list(ledger.attempted_messages)
    match_ids = list(ledger.matches)
    pairs = [(min(a, b), max(a, b)) for a, b, _ in ledger.matches.values()]
    rows = await conn.fetch("SELECT email, count(*) AS n, min(id) AS id FROM identity.users "
                            "WHERE email = ANY($1::text[]) GROUP BY email", emails)
    accounts = {r["email"]: (r["n"], r["id"]) for r in rows}
    rows = await conn.fetch("SELECT user_id, count(*) AS n FROM matching.profiles WHERE user_id = ANY($1::bigint[]) "
                            "GROUP BY user_id", user_ids)
    profiles = {r["user_id"]: r["n"] for r in rows}
    rows = await conn.fetch("SELECT from_user_id, to_user_id, count(*) AS n FROM matching.resonances "
                            "WHERE from_user_id = ANY($1::bigint[]) GROUP BY 1, 2", user_ids)
    resonances = {(r["from_user_id"], r["to_user_id"]): r["n"] for r in rows}
    rows = await conn.fetch("SELECT least(user1_id, user2_id) AS a, greatest(user1_id, user2_id) AS b, count(*) AS n "
                            "FROM matching.matches WHERE user1_id = ANY($1::bigint[]) OR user2_id = ANY($1::bigint[]) "
                            "GROUP BY 1, 2", user_ids)
    match_pairs = {(r["a"], r["b"]): r["n"] for r in rows}
    rows = await conn.fetch("SELECT match_id, count(*) AS n FROM chat.matches WHERE match_id = ANY($1::bigint[]) "
                            "GROUP BY match_id", match_ids)
    chat_matches = {r["match_id"]: r["n"] for r in rows}
    rows = await conn.fetch("SELECT content, count(*) AS n FROM chat.messages WHERE content = ANY($1::text[]) "
                            "GROUP BY content", contents)
    messages = {r["content"]: r["n"] for r in rows}
    rows = await conn.fetch("SELECT body, count(*) AS n FROM chat.push_notifications WHERE kind = 'message' "
                            "AND body = ANY($1::text[]) GROUP BY body", contents)
    pushes = {r["body"]: r["n"] for r in rows}
    unpublished = 0
    for schema in ("identity", "matching", "chat"):
        unpublished += await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL")
    return {"accounts": accounts, "profiles": profiles, "resonances": resonances, "match_pairs": match_pairs,
            "pairs": pairs, "chat_matches": chat_matches, "messages": messages, "pushes": pushes,
            "unpublished": unpublished}


def _segment(at: float, outages: list[Outage]) -> str:
    name = WARM_UP
    for outage in outages:
        if at >= outage.killed_at:
            name = outage.victim
    return name


def _report(load: Load, outages: list[Outage], found: dict[str, Any], deadline: float) -> dict[str, Any]:
    ledger = load.ledger
    lost: Counter[str] = Counter()
    duplicated: Counter[str] = Counter()
    problems: list[str] = []

    def check(kind: str, when: float, count: int, what: str, acknowledged: bool = True) -> None:
        segment = _segment(when, outages)
        if acknowledged and count == 0:
            lost[segment] += 1
            problems.append(f"lost {kind}: {what}")
        elif count > 1:
            duplicated[segment] += 1
            problems.append(f"duplicated {kind} ({count}x): {what}")

    for acc in ledger.accounts:
        n, user_id = found["accounts"].get(acc.email, (0, None))
        check("account", acc.registered_at, n, acc.email)
        if n and user_id != acc.user_id:
            problems.append(f"account {acc.email} has id {user_id}, the client was told {acc.user_id}")
        check("profile in matching (identity.user.registered applied)", acc.registered_at,
              found["profiles"].get(acc.user_id, 0), str(acc.user_id))
    for a, b, when in ledger.resonances:
        check("resonance", when, found["resonances"].get((a, b), 0), f"{a}->{b}")
    for match_id, (a, b, when) in ledger.matches.items():
        check("match", when, found["match_pairs"].get((min(a, b), max(a, b)), 0), f"{match_id} ({a},{b})")
        check("match in chat (matching.match.created applied)", when, found["chat_matches"].get(match_id, 0),
              str(match_id))
    acked = ledger.messages
    for content, when in ledger.attempted_messages.items():
        check("message", when, found["messages"].get(content, 0), content, acknowledged=content in acked)
        stored = found["messages"].get(content, 0) > 0
        check("push for message (chat.message.created applied)", when, found["pushes"].get(content, 0), content,
              acknowledged=stored)

    by_segment: dict[str, list[Request]] = defaultdict(list)
    for record in load.log:  # by when its answer came: a request in flight at a kill belongs to that kill
        by_segment[_segment(record.ended, outages)].append(record)
    rows = []
    for name in [WARM_UP] + [o.victim for o in outages]:
        outage = next((o for o in outages if o.victim == name), None)
        records = by_segment.get(name, [])
        errors = [r for r in records if r.outcome == "error"]
        outside = [r for r in errors if outage is None or not _inside(r, outage)]
        hung = [r for r in records if r.error == "timeout" or (r.ended - r.started) > deadline]
        rows.append({
            "segment": name, "requests": len(records), "ok": sum(r.outcome == "ok" for r in records),
            "pending": sum(r.outcome == "pending" for r in records), "errors": len(errors),
            "error_kinds": dict(Counter(f"{r.error}:{r.code or r.status or ''}" for r in errors)),
            "errors_outside_window": len(outside), "hung": len(hung),
            "restart_s": round(outage.back_at - outage.killed_at, 2) if outage and outage.back_at else None,
            "recovered_s": _recovery(records, load.log, outage) if outage else None,
            "lost": lost[name], "duplicated": duplicated[name]})
    totals = {"accounts": len(ledger.accounts), "resonances": len(ledger.resonances), "matches": len(ledger.matches),
              "messages_acknowledged": len(acked), "messages_attempted": len(ledger.attempted_messages),
              "requests": len(load.log), "outbox_unpublished_at_check": found["unpublished"],
              "consumer_lag_at_check": found["consumer_lag"], "events_settled_after_load_s": found["settle_s"]}
    # A 5xx with an error code, or a WebSocket closed with a code; a refused connection only while the
    # gateway itself is down (nothing is there to answer).
    uncoded = sum(r.outcome == "error" and r.error not in ("5xx-coded", "ws-closed")
                  and not (r.error == "connect" and segment == "traefik")
                  for segment, records in by_segment.items() for r in records)
    verdict = {
        "lost": sum(lost.values()), "duplicated": sum(duplicated.values()),
        "hung": sum(row["hung"] for row in rows),
        "errors_outside_window": sum(row["errors_outside_window"] for row in rows),
        "errors_not_5xx_with_code": uncoded,
        "slowest_recovery_s": max((row["recovered_s"] or 0.0 for row in rows), default=0.0)}
    verdict["passed"] = (verdict["lost"] == 0 and verdict["duplicated"] == 0 and verdict["hung"] == 0
                         and verdict["errors_outside_window"] == 0 and verdict["errors_not_5xx_with_code"] == 0
                         and verdict["slowest_recovery_s"] <= 5.0)
    samples = defaultdict(list)
    for r in load.log:
        if r.outcome == "error" and len(samples[r.error or ""]) < 3:
            samples[r.error or ""].append(asdict(r))
    origin = outages[0].killed_at if outages else 0.0
    timeline = {"kills": [{"victim": o.victim, "killed_at": round(o.killed_at - origin, 3),
                           "back_at": round(o.back_at - origin, 3) if o.back_at else None} for o in outages],
                "errors": [{**asdict(r), "started": round(r.started - origin, 3), "ended": round(r.ended - origin, 3)}
                           for r in load.log if r.outcome == "error"]}
    return {"rows": rows, "totals": totals, "verdict": verdict, "problems": problems[:50],
            "error_samples": dict(samples), "timeline": timeline}


def _inside(record: Request, outage: Outage) -> bool:
    """In flight at some moment between the kill and the victim's return (plus a grace to reconnect)."""
    end = (outage.back_at or float("inf")) + GRACE_SECONDS
    return record.ended >= outage.killed_at and record.started <= end


def _recovery(records: list[Request], everything: list[Request], outage: Outage) -> float:
    """Seconds from the kill to the first success of a flow the outage broke (a kind of request that failed
    in it), among the requests sent after the outage's last failure; 0 when clients saw no failure."""
    failures = [r for r in records if r.outcome == "error"]
    if not failures:
        return 0.0
    kinds = {r.op for r in failures}
    last_failure = max(r.started for r in failures)
    firsts = [r.ended for r in everything if r.op in kinds and r.outcome == "ok" and r.started > last_failure]
    return round((min(firsts) if firsts else float("inf")) - outage.killed_at, 2)


def format_report(report: dict[str, Any]) -> str:
    head = ("victim", "requests", "ok", "pending", "errors", "outside", "hung", "restart s", "recovered s",
            "lost", "dup")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["rows"]:
        cells = (row["segment"], row["requests"], row["ok"], row["pending"], row["errors"],
                 row["errors_outside_window"], row["hung"], _dash(row["restart_s"]), _dash(row["recovered_s"]),
                 row["lost"], row["duplicated"])
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines.append("")
    for row in report["rows"]:
        if row["error_kinds"]:
            kinds = ", ".join(f"{k} x{n}" for k, n in sorted(row["error_kinds"].items()))
            lines.append(f"- {row['segment']}: {kinds}")
    lines.append(f"\ntotals: {json.dumps(report['totals'])}")
    lines.append(f"verdict: {json.dumps(report['verdict'])}")
    for problem in report["problems"][:20]:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines)


def _dash(value: object) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-victim", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=10.0, help="requests a second (the edge allows 50 per IP)")
    parser.add_argument("--victims", default=",".join(VICTIMS), help=f"comma-separated, from {', '.join(VICTIMS)}")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    victims = [v for v in args.victims.split(",") if v]
    unknown = set(victims) - set(VICTIMS)
    if unknown:
        parser.error(f"unknown victims: {', '.join(sorted(unknown))}")
    os.environ.update(RATE_LIMIT_ENV)  # the children inherit it, restarted ones too
    root = Path(tempfile.mkdtemp(prefix="numeros-chaos-"))
    stack = Stack(root=root, ports=Ports.free(), chart_workers=2)
    print(f"chaos: starting the system in {root} (logs under it)")
    try:
        stack.start()
        stack.supervise(out=sys.stdout)
        report = asyncio.run(run_chaos(stack, seconds_per_victim=args.seconds_per_victim, rate=args.rate,
                                       victims=victims))
    finally:
        stack.stop()
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if report["verdict"]["passed"] else 1

