"""The chart service's gRPC servicer, as each worker process serves it (see ``workers``).

Every worker process runs its own grpc.aio server and computes its calls inline: no hop to another
process per call. A client spreads its calls over the workers by listing every worker's address
(round_robin on one channel); a large batch is split over the workers by the worker that receives it
(``peers``).
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import grpc
import numpy as np
from opentelemetry.trace import SpanKind

from numeros.chart.v1 import chart_pb2, chart_pb2_grpc
from numeros_common.grpc_metadata import ERROR_METADATA_KEY, FIELD_METADATA_KEY, REQUEST_ID_METADATA_KEY
from numeros_common.metrics import CHART_BUSY_WORKERS, GRPC_SERVER_CALLS, GRPC_SERVER_LATENCY
from numeros_common.tracing import continued_span
from services.chart.adapters.ephemeris import EphemerisStatus
from services.chart.api import natal_batch
from services.chart.api import payloads
from services.chart.api.natal_batch import MAX_NATAL_CHARTS, date_field
from services.chart.domain import numerology
from services.chart.domain.aliases import (AYANAMSAS, HOUSE_SYSTEMS, VEDIC_HOUSE_SYSTEMS, ayanamsa_key,
                                          house_system_key, vedic_house_system_key)
from services.chart.domain.errors import InvalidInput
from services.chart.domain.forecast import FORECAST_RULESET_VERSION
from services.chart.domain.human_design import HumanDesignError
from services.chart.domain.swiss import BODIES, EphemerisUnavailable, ephemeris_info
from services.chart.domain.vedic import RULESET_VERSION as VEDIC_RULESET_VERSION
from services.chart.api.peers import WORKER_PID_METADATA_KEY, Peers

CHART_SERVICE_NAME = chart_pb2.DESCRIPTOR.services_by_name["ChartService"].full_name
MAX_CANDIDATES = 5000

T = TypeVar("T")
R = TypeVar("R")  # a response message with a ``document`` field
Handler = Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[Any]]

logger = logging.getLogger(__name__)


def rpc_method(handler: Handler) -> Handler:
    """Turn domain errors into gRPC statuses and log one line per call.

    The log line and the call's metrics are written just after the answer leaves (``call_soon``: the
    handler returns, gRPC sends, then the loop runs them), not in the caller's wait: ~0.03 ms a call."""
    method = handler.__name__

    @functools.wraps(handler)
    async def observed(servicer: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        started = time.perf_counter()
        metadata = {name: value for name, value in context.invocation_metadata() or () if isinstance(value, str)}
        # The caller's trace continues here; its trace id is the request id of chart's log lines.
        with continued_span(f"ChartService/{method}", metadata, kind=SpanKind.SERVER,
                            attributes={"rpc.system": "grpc", "rpc.method": method}) as span:
            CHART_BUSY_WORKERS.set(1)  # read by /metrics while this worker computes
            try:
                return await _answer(handler, servicer, request, context)
            finally:
                CHART_BUSY_WORKERS.set(0)
                status = "CANCELLED" if context.cancelled() else (context.code() or grpc.StatusCode.OK).name
                elapsed = time.perf_counter() - started
                span.set_attribute("rpc.grpc.status", status)
                # In this context: the line carries the span's request id.
                asyncio.get_running_loop().call_soon(
                    _record_call, method, status, elapsed, metadata.get(REQUEST_ID_METADATA_KEY),
                    context=contextvars.copy_context())

    return observed


def _record_call(method: str, status: str, elapsed: float, caller_request_id: str | None) -> None:
    """A served call's metrics (first: a log line read means they are counted) and its log line."""
    GRPC_SERVER_CALLS.labels(method, status).inc()
    GRPC_SERVER_LATENCY.labels(method).observe(elapsed)
    logger.info("rpc", extra={"method": method, "duration_ms": round(elapsed * 1000, 3), "status": status,
                              "caller_request_id": caller_request_id})


async def _answer(handler: Handler, servicer: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
    try:
        return await handler(servicer, request, context)
    except InvalidInput as error:
        await context.abort(
            grpc.StatusCode.INVALID_ARGUMENT, str(error), trailing_metadata=((FIELD_METADATA_KEY, error.field),)
        )
    except HumanDesignError as error:
        status = grpc.StatusCode.INVALID_ARGUMENT if error.is_client_error else grpc.StatusCode.FAILED_PRECONDITION
        metadata = [(ERROR_METADATA_KEY, json.dumps(error.to_dict()))]
        if error.field:
            metadata.append((FIELD_METADATA_KEY, error.field))
        await context.abort(status, f"{error.code}: {error.message}", trailing_metadata=tuple(metadata))
    except EphemerisUnavailable as error:
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"EPHEMERIS_UNAVAILABLE: {error}")
    except grpc.aio.AioRpcError as error:  # a peer worker's chunk failed, e.g. past the deadline (see peers)
        await context.abort(error.code(), error.details() or "")
    except grpc.aio.AbortError:
        raise
    except Exception:
        logger.exception("unexpected error in %s", handler.__name__)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")


class ChartServicer(chart_pb2_grpc.ChartServiceServicer):
    def __init__(self, ephemeris: EphemerisStatus, peers: Peers | None = None, expose_worker_pid: bool = False
                 ) -> None:
        # Astrology RPCs answer FAILED_PRECONDITION "EPHEMERIS_UNAVAILABLE" unless this is available.
        self.ephemeris = ephemeris
        self._peers = peers or Peers([])
        self._expose_worker_pid = expose_worker_pid
        self._pid = str(os.getpid())

    @rpc_method
    async def CalculateNumerology(
        self, request: chart_pb2.CalculateNumerologyRequest, context: grpc.aio.ServicerContext
    ) -> chart_pb2.CalculateNumerologyResponse:
        birth_date = _birth_date(request)
        result = await self._compute(context, functools.partial(
            numerology.calculate_numerology, request.full_name, birth_date, y_as_vowel=request.y_as_vowel or "auto"))
        # The result's field names are the proto's, by design.
        return chart_pb2.CalculateNumerologyResponse(**asdict(result))

    @rpc_method
    async def CalculateProfile(self, request: chart_pb2.BirthData, context: grpc.aio.ServicerContext
                               ) -> chart_pb2.CalculateProfileResponse:
        self._require_ephemeris()
        birth_date = _date_field(request, "birth_date")
        result = await self._compute(
            context, functools.partial(
                payloads.profile_encoded, request.name, birth_date, birth_time=request.birth_time,
                birth_place=request.birth_place,
                latitude=request.latitude if request.HasField("latitude") else None,
                longitude=request.longitude if request.HasField("longitude") else None,
                timezone=request.timezone, house_system=request.house_system))
        core = result["core"]
        return _with_document(chart_pb2.CalculateProfileResponse(
            life_path=core.life_path, expression=core.expression, soul_urge=core.soul_urge,
            personality=core.personality, chart_level=result["chart_level"], sun_sign=result["sun_sign"],
            moon_sign=result["moon_sign"], rising_sign=result["rising_sign"],
            key_longitudes=chart_pb2.KeyLongitudes(**dict(zip(payloads.KEY_PLANETS, result["key_longitudes"],
                                                              strict=True)))),
            result["document"], result["ruleset_version"])

    @rpc_method
    async def CalculateNatalCharts(self, request: chart_pb2.NatalChartsRequest, context: grpc.aio.ServicerContext
                                   ) -> chart_pb2.NatalChartsResponse:
        count = _at_most(len(request.charts), MAX_NATAL_CHARTS, "charts", "charts")
        self._require_ephemeris()
        info = ephemeris_info()
        response = chart_pb2.NatalChartsResponse(bodies=BODIES, ephemeris_source=info.source,
                                                 ephemeris_version=info.version)
        if count:
            # One worker-sized chunk here, the others on the peer workers (see natal_batch and peers).
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the work started")
            parts, pids = await self._peers.compute_chunks(
                request.SerializeToString(), natal_batch.chunk_bounds(count, self._peers.workers), remaining)
            if self._expose_worker_pid:
                context.set_trailing_metadata(((WORKER_PID_METADATA_KEY, ",".join(pids)),))
            response.MergeFromString(b"".join(parts))
        return response

    @rpc_method
    async def NumerologyReport(self, request: chart_pb2.NumerologyReportRequest, context: grpc.aio.ServicerContext
                               ) -> chart_pb2.JsonDocument:
        body = await self._compute(context, functools.partial(
            payloads.encoded, payloads.numerology_report, request.full_name, _date_field(request, "birth_date"),
            as_of=_date_field(request, "as_of"), calculated_at=datetime.now(UTC), system=request.system,
            y_as_vowel=request.y_as_vowel))
        return _document(body, numerology.RULESET_VERSION)

    @rpc_method
    async def CompareNames(self, request: chart_pb2.CompareNamesRequest, context: grpc.aio.ServicerContext
                           ) -> chart_pb2.JsonDocument:
        body = await self._compute(context, functools.partial(
            payloads.encoded, payloads.compare_names, list(request.names), _date_field(request, "birth_date"),
            system=request.system, y_as_vowel=request.y_as_vowel))
        return _document(body, numerology.RULESET_VERSION)

    @rpc_method
    async def NameTrialValues(self, request: chart_pb2.NameTrialRequest, context: grpc.aio.ServicerContext
                              ) -> chart_pb2.JsonDocument:
        body = await self._compute(context, functools.partial(
            payloads.encoded, payloads.name_trial, request.trial_name, system=request.system,
            y_as_vowel=request.y_as_vowel))
        return _document(body, numerology.RULESET_VERSION)

    @rpc_method
    async def CalculateHumanDesign(self, request: chart_pb2.HumanDesignRequest, context: grpc.aio.ServicerContext
                                   ) -> chart_pb2.JsonDocument:
        body = await self._compute(context, functools.partial(
            payloads.encoded, payloads.human_design, request.birth_datetime, request.birth_timezone,
            request.birth_latitude, request.birth_longitude, request.name or None, now=datetime.now(UTC)))
        return _document(body, "human-design-v1")

    @rpc_method
    async def ScoreCandidates(self, request: chart_pb2.ScoreCandidatesRequest, context: grpc.aio.ServicerContext
                              ) -> chart_pb2.ScoreCandidatesResponse:
        count = _at_most(len(request.candidate_ids), MAX_CANDIDATES, "candidate_ids", "candidates")
        columns = [request.life_path, request.soul_urge, request.expression, request.personality]
        if any(len(column) != count for column in (*columns, request.chart_level)):
            raise InvalidInput("candidate_ids", "every candidate column must have one value per candidate")
        longitudes = None
        if len(request.key_longitudes):
            if len(request.key_longitudes) != 5 * count:
                raise InvalidInput("key_longitudes", "five longitudes per candidate")
            longitudes = np.asarray(request.key_longitudes, dtype=np.float64).reshape(count, 5)
            if not np.isfinite(longitudes).all():
                raise InvalidInput("key_longitudes", "longitudes must be finite numbers")
            levels = np.asarray(request.chart_level, dtype=np.int64)
            if ((levels < 1) | (levels > 4)).any():
                raise InvalidInput("chart_level", "must be 1-4 for every candidate")
        subject, level, subject_longitudes = _person(request.subject, "subject")
        # Scoring is vectorised: a few milliseconds for 5,000 candidates, not worth splitting over workers.
        overall, numerology_scores, astrology, highlights = payloads.score_candidates(
            subject, level, subject_longitudes, np.column_stack([np.asarray(c, dtype=np.intp) for c in columns])
            if count else np.zeros((0, 4), dtype=np.intp), np.asarray(request.chart_level, dtype=np.int64),
            longitudes)
        return chart_pb2.ScoreCandidatesResponse(
            candidate_ids=request.candidate_ids, overall_score=overall.tolist(),
            numerology_score=numerology_scores.tolist(), astrology_score=astrology.tolist(), highlight=highlights)

    @rpc_method
    async def EvaluateCompatibility(self, request: chart_pb2.EvaluateCompatibilityRequest,
                                    context: grpc.aio.ServicerContext) -> chart_pb2.JsonDocument:
        a = _person(request.a, "a")
        b = _person(request.b, "b")
        body = await self._compute(context, payloads.encoded, payloads.evaluate_pair, *a, *b)
        return _document(body, numerology.RULESET_VERSION)

    @rpc_method
    async def VedicSnapshot(self, request: chart_pb2.VedicRequest, context: grpc.aio.ServicerContext
                            ) -> chart_pb2.VedicSnapshotResponse:
        if not request.HasField("birth"):
            raise InvalidInput("birth", "is required")
        birth = request.birth
        birth_date = _prefixed("birth.", _date_field, birth, "birth_date")
        as_of = _date_field(request, "as_of")
        self._require_ephemeris()
        result = await self._compute(context, functools.partial(
            payloads.vedic_snapshot_encoded, birth_date, birth.birth_time,
            latitude=birth.latitude if birth.HasField("latitude") else None,
            longitude=birth.longitude if birth.HasField("longitude") else None,
            timezone=birth.timezone, birth_place=birth.birth_place, as_of=as_of, ayanamsa=request.ayanamsa,
            house_system=request.house_system, uncertainty_minutes=request.uncertainty_minutes,
            now=datetime.now(UTC)))
        return _with_document(chart_pb2.VedicSnapshotResponse(
            input_hash=result["input_hash"], ephemeris_version=result["ephemeris_version"]),
            result["document"], VEDIC_RULESET_VERSION)

    @rpc_method
    async def DailyForecast(self, request: chart_pb2.DailyForecastRequest, context: grpc.aio.ServicerContext
                            ) -> chart_pb2.JsonDocument:
        day = _date_field(request, "date")
        natal = _prefixed("natal.", natal_batch.chart_request, request.natal) if request.HasField("natal") else None
        self._require_ephemeris()
        body = await self._compute(context, functools.partial(payloads.daily_forecast_encoded, day, natal))
        return _document(body, FORECAST_RULESET_VERSION)

    @rpc_method
    async def ResolveOptions(self, request: chart_pb2.ResolveOptionsRequest, context: grpc.aio.ServicerContext
                             ) -> chart_pb2.ResolveOptionsResponse:
        # Two dictionary lookups: answered without the per-call bookkeeping of ``_compute``.
        house_system, ayanamsa = resolve_options(request.family, request.house_system, request.ayanamsa)
        return chart_pb2.ResolveOptionsResponse(house_system=house_system, ayanamsa=ayanamsa)

    def _require_ephemeris(self) -> None:
        if not self.ephemeris.available:
            raise EphemerisUnavailable(f"Swiss Ephemeris files unavailable at {self.ephemeris.path}")

    async def _compute(self, context: grpc.aio.ServicerContext, function: Callable[..., T], *args: Any) -> T:
        """Run one calculation here, inline, unless the caller's deadline passed while the call waited."""
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the work started")
        value = function(*args)
        if self._expose_worker_pid:
            context.set_trailing_metadata(((WORKER_PID_METADATA_KEY, self._pid),))
        return value


# Per chart family: a house-system name's key (``domain.aliases``) and the names the family shows.
_HOUSE_SYSTEM_NAMES: dict[int, tuple[Callable[[str | None], str], dict[str, str]]] = {
    chart_pb2.CHART_FAMILY_VEDIC: (vedic_house_system_key, VEDIC_HOUSE_SYSTEMS),
    chart_pb2.CHART_FAMILY_WESTERN: (house_system_key, HOUSE_SYSTEMS),
}


def resolve_options(family: int, house_system: str, ayanamsa: str) -> tuple[str, str]:
    """The canonical house-system and ayanamsa names of ``family`` (a ``ChartFamily``) for names in any
    accepted spelling; an empty (or blank) name stays empty (not asked). InvalidInput names the field at fault."""
    if family not in _HOUSE_SYSTEM_NAMES:
        raise InvalidInput("family", "must be CHART_FAMILY_VEDIC or CHART_FAMILY_WESTERN")
    house_key, house_names = _HOUSE_SYSTEM_NAMES[family]
    return (house_names[house_key(house_system)] if house_system.strip() else "",
            AYANAMSAS[ayanamsa_key(ayanamsa)] if ayanamsa.strip() else "")


def _at_most(count: int, limit: int, field: str, noun: str) -> int:
    """``count``, or INVALID_ARGUMENT naming ``field`` past a call's ``limit``."""
    if count > limit:
        raise InvalidInput(field, f"at most {limit} {noun} per call")
    return count


def _birth_date(request: chart_pb2.CalculateNumerologyRequest) -> date:
    return _date_field(request, "birth_date")


_date_field = date_field


def _prefixed(prefix: str, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` with an InvalidInput's field named from the request root (``birth.birth_date``)."""
    try:
        return function(*args)
    except InvalidInput as error:
        raise InvalidInput(prefix + error.field, error.reason) from None


def _document(body: str, ruleset_version: str) -> chart_pb2.JsonDocument:
    """``body`` is JSON text, encoded in the worker (``payloads.encoded``)."""
    return chart_pb2.JsonDocument(json=body, ruleset_version=ruleset_version)


def _with_document(response: R, body: str, ruleset_version: str) -> R:
    """``response`` with its ``document`` field set to ``_document(body, ruleset_version)``, in place: a
    JsonDocument given to a constructor is copied (~10 KB of text again for a profile)."""
    document = response.document  # type: ignore[attr-defined]
    document.json, document.ruleset_version = body, ruleset_version
    return response


_HARMONY_VALUES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 22, 33}


def _person(person: chart_pb2.CompatibilityPerson, field: str) -> tuple[payloads.Core, int, tuple[float, ...] | None]:
    core = payloads.Core(person.life_path, person.expression, person.soul_urge, person.personality)
    for name in ("life_path", "expression", "soul_urge", "personality"):
        if getattr(core, name) not in _HARMONY_VALUES:
            raise InvalidInput(f"{field}.{name}", "must be 0-9, 11, 22 or 33")
    if not 1 <= person.chart_level <= 4:
        raise InvalidInput(f"{field}.chart_level", "must be 1-4")
    longitudes = None
    if person.HasField("key_longitudes"):
        k = person.key_longitudes
        longitudes = (k.sun, k.moon, k.mercury, k.venus, k.mars)
    return core, person.chart_level, longitudes
