"""Whole-system readiness for the public ``/readyz``: identity's own dependencies, the chart service,
and the other HTTP services' own readiness reports."""
from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from numeros_common.deps import runtime_of
from numeros_common.health import run_checks

router = APIRouter(tags=["health"])


def _remote_readiness(client: httpx.AsyncClient, base_url: str):
    async def check() -> dict[str, Any]:
        reply = await client.get(f"{base_url}/readyz")
        body = reply.json()
        return {"ok": reply.status_code == 200, "checks": body.get("checks", {})}

    return check


@router.get("/system/readyz", summary="Readiness of the whole system, dependency by dependency")
async def system_readyz(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    settings = runtime.settings
    async with httpx.AsyncClient(timeout=2.0) as client:
        checks = runtime.readiness_checks()
        checks["matching"] = _remote_readiness(client, settings.matching_url)
        checks["chat"] = _remote_readiness(client, settings.chat_url)
        ok, report = await run_checks(checks, timeout=3.0)
    return JSONResponse({"status": "ready" if ok else "unready", "checks": report}, status_code=200 if ok else 503)
