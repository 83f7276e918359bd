"""gRPC client for the chart service with a deadline on every call. Transport failures become a
503 the public API can answer with; the chart's validation failures become a 422 naming the field.

Errors whose public body a product spec prescribes (Human Design: the chart sends the seed's
``{"detail": {...}}`` body in the trailing metadata key ``numeros-error``) become a
``ChartSpecError`` carrying that body, so the HTTP edge can answer with it unchanged.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from numeros.chart.v1 import chart_pb2, chart_pb2_grpc
from opentelemetry.trace import Status, StatusCode

from .chart_channel import CHANNEL_OPTIONS, channel_target
from .errors import AppError
from .grpc_metadata import ERROR_METADATA_KEY, FIELD_METADATA_KEY, REQUEST_ID_METADATA_KEY
from .logging import request_id_var
from .metrics import GRPC_CLIENT_CALLS, GRPC_CLIENT_LATENCY
from .tracing import client_span, current_carrier

log = logging.getLogger(__name__)
_UNAVAILABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED}
_LEADING_CODE = re.compile(r"^([A-Z][A-Z0-9_]{2,}):")
T = TypeVar("T")
class ChartSpecError(AppError):
    """A chart failure whose public error body a product spec prescribes; ``body`` is that body.

    ``status`` is 400 for the client's mistakes (INVALID_ARGUMENT) and 500 for calculation
    failures (FAILED_PRECONDITION, e.g. EPHEMERIS_UNAVAILABLE), as the Human Design seed has it.
    """

    def __init__(self, status: int, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> None:
        detail = body.get("detail") if isinstance(body.get("detail"), dict) else {}
        super().__init__(status, str(detail.get("code") or "CHART_ERROR"), str(detail.get("message") or ""),
                         field=detail.get("field") or None, headers=headers)
        self.body = body


def _metadata(exc: grpc.aio.AioRpcError) -> dict[str, str]:
    return {str(key): value for key, value in (exc.trailing_metadata() or ()) if isinstance(value, str)}


def _spec_error(exc: grpc.aio.AioRpcError, raw: str) -> ChartSpecError | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("detail"), dict):
        return None
    status = 400 if exc.code() == grpc.StatusCode.INVALID_ARGUMENT else 500
    retry_after = body["detail"].get("retry_after")
    headers = {"Retry-After": str(int(retry_after))} if isinstance(retry_after, int | float) else None
    return ChartSpecError(status, body, headers=headers)


def to_app_error(exc: grpc.aio.AioRpcError) -> AppError:
    code = exc.code()
    metadata = _metadata(exc)
    if ERROR_METADATA_KEY in metadata:
        spec = _spec_error(exc, metadata[ERROR_METADATA_KEY])
        if spec is not None:
            return spec
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        field = metadata.get(FIELD_METADATA_KEY)
        message = exc.details() or "invalid input"
        return AppError(422, "VALIDATION_ERROR", message, field=str(field) if field else None)
    if code in _UNAVAILABLE:
        return AppError(503, "CHART_UNAVAILABLE", "The calculation service is unavailable; try again shortly.")
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        # The chart reports "<CODE>: <reason>", e.g. "EPHEMERIS_UNAVAILABLE: files missing at ...".
        match = _LEADING_CODE.match(exc.details() or "")
        return AppError(503, match.group(1) if match else "CHART_UNAVAILABLE",
                        "The calculation service cannot compute this now.")
    log.error("unexpected chart error", extra={"code": code.name, "details": exc.details()})
    return AppError(502, "CHART_ERROR", "The calculation service failed.")


def grpc_date(value: dt.date) -> chart_pb2.Date:
    return chart_pb2.Date(year=value.year, month=value.month, day=value.day)


def birth_data(name: str, birth_date: dt.date, *, birth_time: dt.time | str | None = None,
               birth_place: str | None = None, latitude: float | None = None, longitude: float | None = None,
               timezone: str | None = None, house_system: str | None = None) -> chart_pb2.BirthData:
    """A ``BirthData`` message from plain values (None = unknown)."""
    if isinstance(birth_time, dt.time):
        birth_time = birth_time.isoformat(timespec="seconds")
    message = chart_pb2.BirthData(name=name, birth_date=grpc_date(birth_date), birth_time=birth_time or "",
                                  birth_place=birth_place or "", timezone=timezone or "",
                                  house_system=house_system or "")
    if latitude is not None:
        message.latitude = latitude
    if longitude is not None:
        message.longitude = longitude
    return message


class ChartClient:
    def __init__(self, address: str, deadline_seconds: float = 5.0) -> None:
        # One long-lived channel, balancing its calls over every address ``address`` names (see channel_target):
        # each chart worker's own port, or with dns:/// (k8s headless Service) every chart pod.
        self.channel = grpc.aio.insecure_channel(channel_target(address), options=CHANNEL_OPTIONS)
        self.stub = chart_pb2_grpc.ChartServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.deadline = deadline_seconds

    async def call(self, method: Callable[..., Awaitable[T]], request: Any, *, deadline: float | None = None,
                   errors: Callable[[grpc.aio.AioRpcError], AppError] = to_app_error) -> T:
        """``method`` (a ``self.stub`` RPC) with the deadline and the caller's request id; a gRPC failure
        raises ``errors(exc)`` (by default ``to_app_error``: 503 / 422 naming the field / 502)."""
        name = getattr(method, "_method", b"").decode().rsplit("/", 1)[-1] or "unknown"
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        with client_span(f"chart/{name}", attributes={"rpc.system": "grpc", "rpc.method": name}) as span:
            request_id = request_id_var.get()
            metadata = tuple(current_carrier().items())
            if request_id:
                metadata += ((REQUEST_ID_METADATA_KEY, request_id),)
            try:
                return await method(request, timeout=deadline or self.deadline, metadata=metadata)
            except grpc.aio.AioRpcError as exc:
                code = exc.code()
                span.set_status(Status(StatusCode.ERROR, code.name))
                raise errors(exc) from exc
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED  # the caller gave up (its own deadline, a closed request)
                raise
            finally:
                span.set_attribute("rpc.grpc.status_code", code.value[0])
                GRPC_CLIENT_CALLS.labels(name, code.name).inc()
                GRPC_CLIENT_LATENCY.labels(name).observe(time.perf_counter() - started)

    async def calculate_profile(self, name: str, birth_date: dt.date, *, birth_time: dt.time | str | None = None,
                                birth_place: str | None = None, latitude: float | None = None,
                                longitude: float | None = None, timezone: str | None = None,
                                house_system: str | None = None) -> chart_pb2.CalculateProfileResponse:
        """Numerology + natal chart; ``document.json`` is ``{"numerology", "astrology", "chart_level"}``."""
        request = birth_data(name, birth_date, birth_time=birth_time, birth_place=birth_place, latitude=latitude,
                             longitude=longitude, timezone=timezone, house_system=house_system)
        return await self.call(self.stub.CalculateProfile, request)

    async def numerology_report(self, full_name: str, birth_date: dt.date, *, as_of: dt.date, system: str = "",
                                y_as_vowel: str = "") -> chart_pb2.JsonDocument:
        """The jioastro ``POST /calculate`` body; ``as_of`` is the day personal cycles are read for."""
        request = chart_pb2.NumerologyReportRequest(full_name=full_name, birth_date=grpc_date(birth_date),
                                                    as_of=grpc_date(as_of), system=system, y_as_vowel=y_as_vowel)
        return await self.call(self.stub.NumerologyReport, request)

    async def compare_names(self, names: Sequence[str], birth_date: dt.date, *, system: str = "",
                            y_as_vowel: str = "") -> chart_pb2.JsonDocument:
        """The jioastro ``POST /compare`` body."""
        request = chart_pb2.CompareNamesRequest(names=list(names), birth_date=grpc_date(birth_date), system=system,
                                                y_as_vowel=y_as_vowel)
        return await self.call(self.stub.CompareNames, request)

    async def name_trial_values(self, trial_name: str, *, system: str, y_as_vowel: str = "") -> chart_pb2.JsonDocument:
        """A jioastro name trial's ``calculated_values``."""
        request = chart_pb2.NameTrialRequest(trial_name=trial_name, system=system, y_as_vowel=y_as_vowel)
        return await self.call(self.stub.NameTrialValues, request)

    async def calculate_human_design(self, birth_datetime: str, birth_timezone: str, birth_latitude: float,
                                     birth_longitude: float, name: str | None = None) -> chart_pb2.JsonDocument:
        """The Human Design seed's body; its errors raise ``ChartSpecError`` with the seed's error body."""
        request = chart_pb2.HumanDesignRequest(birth_datetime=birth_datetime, birth_timezone=birth_timezone,
                                               birth_latitude=birth_latitude, birth_longitude=birth_longitude,
                                               name=name or "")
        return await self.call(self.stub.CalculateHumanDesign, request)

    async def vedic_snapshot(self, birth: chart_pb2.BirthData, *, as_of: dt.date, ayanamsa: str = "",
                             house_system: str = "", uncertainty_minutes: int = 0) -> chart_pb2.VedicSnapshotResponse:
        """astro-mvp's snapshot ``data`` document with its cache key (``input_hash``) and ephemeris version;
        ``as_of`` is the day dasha and transits are read for."""
        request = chart_pb2.VedicRequest(birth=birth, ayanamsa=ayanamsa, house_system=house_system,
                                         as_of=grpc_date(as_of), uncertainty_minutes=uncertainty_minutes)
        return await self.call(self.stub.VedicSnapshot, request)

    async def daily_forecast(self, day: dt.date, natal: chart_pb2.BirthData | None = None) -> chart_pb2.JsonDocument:
        """The daily forecast for ``day``: universal, or personalised for ``natal`` when given."""
        request = chart_pb2.DailyForecastRequest(date=grpc_date(day))
        if natal is not None:
            request.natal.CopyFrom(natal)
        return await self.call(self.stub.DailyForecast, request)

    async def resolve_options(self, *, family: int = chart_pb2.CHART_FAMILY_VEDIC, house_system: str = "",
                              ayanamsa: str = "") -> chart_pb2.ResolveOptionsResponse:
        """chart's canonical house-system and ayanamsa names for ``family`` (a ``chart_pb2.ChartFamily``);
        a name not given stays empty; an unknown one is a 422 naming chart's field."""
        request = chart_pb2.ResolveOptionsRequest(family=family, house_system=house_system, ayanamsa=ayanamsa)
        return await self.call(self.stub.ResolveOptions, request)

    async def check_health(self) -> dict[str, str]:
        reply = await self.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return {"ok": reply.status == health_pb2.HealthCheckResponse.SERVING, "status": status}

    async def close(self) -> None:
        await self.channel.close()

