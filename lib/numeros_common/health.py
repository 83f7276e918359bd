"""Readiness checks for each dependency, run concurrently with a timeout each."""
from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any

Check = Callable[[], Awaitable[Any]]


async def run_checks(checks: dict[str, Check], timeout: float = 2.0,
                     optional: frozenset[str] = frozenset()) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check; the overall answer ignores the ``optional`` ones (reported, marked degraded)."""
    async def one(check: Check) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(check(), timeout)
            result: dict[str, Any] = {"ok": True}
            if isinstance(detail, dict):
                if detail.pop("ok", True) is False:
                    result["ok"] = False
                result.update(detail)
        except Exception as exc:  # noqa: BLE001 - a failed check is data, not an error
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__}
        result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    report = dict(zip(names, results, strict=True))
    for name in optional & report.keys():
        report[name]["critical"] = False
    return all(r["ok"] for n, r in report.items() if n not in optional), report


def _timestamp(iso: bool) -> float | str:
    now = time.time()
    return dt.datetime.fromtimestamp(now, dt.UTC).isoformat().replace("+00:00", "Z") if iso else now


def liveness_body(*, iso_timestamp: bool = False) -> dict[str, Any]:
    """astro-mvp's liveness body (its /healthz has an epoch timestamp, its /admin/healthz an ISO one)."""
    return {"status": "healthy", "timestamp": _timestamp(iso_timestamp)}


def readiness_body(ok: bool, report: dict[str, dict[str, Any]], *, iso_timestamp: bool = False) -> dict[str, Any]:
    """astro-mvp's readiness body (``ready``/``not_ready``, ``database``, ``redis``, ``timestamp``) with the
    per-dependency report under ``checks``."""
    body: dict[str, Any] = {"status": "ready" if ok else "not_ready"}
    for name, check in (("database", "postgres"), ("redis", "redis")):
        if check in report:
            body[name] = "healthy" if report[check]["ok"] else "unhealthy"
    return {**body, "timestamp": _timestamp(iso_timestamp), "checks": report}
