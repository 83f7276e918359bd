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


def readiness_body(ok: bool, report: dict[str, dict[str, Any]], *, iso_timestamp: bool = False,
                   public: bool = False) -> dict[str, Any]:
    """astro-mvp's readiness body (``ready``/``not_ready``, ``database``, ``redis``, ``timestamp``) with the
    per-dependency report under ``checks`` and the failing components' dotted names under ``down``.

    ``public`` (what the gateway serves) keeps only whether each component is up: exception text, latencies
    and versions tell an outsider how the system is built and where it hurts, so they stay on the internal port."""
    body: dict[str, Any] = {"status": "ready" if ok else "not_ready"}
    for name, check in (("database", "postgres"), ("redis", "redis")):
        if check in report:
            body[name] = "healthy" if report[check]["ok"] else "unhealthy"
    return {**body, "timestamp": _timestamp(iso_timestamp), "down": _down(report),
            "checks": _summary(report) if public else report}


_PUBLIC_KEYS = ("ok", "critical")


def _summary(report: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each component's ``ok`` (and ``critical: false`` for an optional one), nested reports likewise."""
    summary = {}
    for name, check in report.items():
        summary[name] = {key: check[key] for key in _PUBLIC_KEYS if key in check}
        if isinstance(check.get("checks"), dict):
            summary[name]["checks"] = _summary(check["checks"])
    return summary


def _down(report: dict[str, dict[str, Any]], prefix: str = "") -> list[str]:
    """Dotted names of the components that are down (``chat``, ``chat.redis``), parents first."""
    names: list[str] = []
    for name, check in report.items():
        if not check.get("ok"):
            names.append(prefix + name)
        if isinstance(check.get("checks"), dict):
            names += _down(check["checks"], f"{prefix}{name}.")
    return names
