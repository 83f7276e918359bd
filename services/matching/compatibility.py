"""Compatibility scores from the chart service (gRPC), for profiles of our read model; shared by
discovery (scan, evaluate) and matches (the pair's compatibility stored with a new match).

Thin on purpose: rows become ``CompatibilityPerson`` messages, replies become plain values, and any
gRPC failure becomes an ``AppError`` (503 CHART_UNAVAILABLE when the chart cannot be reached or is
too slow). Callers decide whether that failure is fatal (scan/evaluate) or not (scan, match creation).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from numeros.chart.v1 import chart_pb2

from numeros_common.chart_client import ChartClient, to_app_error
from numeros_common.errors import AppError

log = logging.getLogger(__name__)
KEY_PLANETS = ("sun", "moon", "mercury", "venus", "mars")  # the order of ScoreCandidates' flattened column
T = TypeVar("T")
CHART_UNAVAILABLE = "CHART_UNAVAILABLE"
MAX_CANDIDATES = 5000  # chart's ScoreCandidates limit per call


@dataclass(frozen=True)
class CandidateScore:
    overall_score: int
    numerology_score: int
    astrology_score: int
    highlight: str  # "" when none
    astrology_included: bool  # False: both people's charts were not known, the score is numerology only


@dataclass(frozen=True)
class PairDocument:
    """EvaluateCompatibility's JSON document (the seed's CompatibilityResponse) and its ruleset."""

    body: dict[str, Any]
    ruleset_version: str


def chart_error() -> AppError:
    return AppError(502, "CHART_ERROR", "The calculation service failed.")


def require_chart(chart: ChartClient | None) -> ChartClient:
    if chart is None:  # a runtime built without chart (never in the service itself)
        raise AppError(503, CHART_UNAVAILABLE, "The calculation service is unavailable; try again shortly.")
    return chart


def _longitudes(row: Mapping[str, Any]) -> tuple[float, ...] | None:
    stored = row["key_longitudes"]
    if not stored:
        return None
    try:
        return tuple(float(stored[name]) for name in KEY_PLANETS)
    except (KeyError, TypeError, ValueError):
        return None  # an incomplete summary counts as no chart


def person(row: Mapping[str, Any]) -> chart_pb2.CompatibilityPerson:
    """A profile row (user_id, numerology, chart_level, key_longitudes) as the chart wants it."""
    numbers = row["numerology"]
    message = chart_pb2.CompatibilityPerson(
        life_path=numbers["life_path"], expression=numbers["expression"], soul_urge=numbers["soul_urge"],
        personality=numbers["personality"], chart_level=row["chart_level"])
    longitudes = _longitudes(row)
    if longitudes is not None:
        message.key_longitudes.CopyFrom(chart_pb2.KeyLongitudes(**dict(zip(KEY_PLANETS, longitudes, strict=True))))
    return message


def _matching_error(exc: grpc.aio.AioRpcError) -> AppError:
    """503 stays 503 (unreachable, too slow, cannot compute now: the caller may retry). Anything else
    (e.g. the chart rejecting numbers from our read model) is not the API client's doing: never answer
    it with a 422 about fields the client did not send."""
    error = to_app_error(exc)
    if error.status == 503:
        log.warning("chart unavailable", extra={"grpc_code": exc.code().name, "details": exc.details()})
        return error
    log.error("chart call failed", extra={"grpc_code": exc.code().name, "details": exc.details()})
    return chart_error()


async def _call(chart: ChartClient, method: Callable[..., Awaitable[T]], request: Any,
                deadline: float | None = None) -> T:
    return await chart.call(method, request, errors=_matching_error, deadline=deadline)


async def _all(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Run the calls concurrently; wait for every one, then raise the first failure."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)


def _score_request(subject: chart_pb2.CompatibilityPerson, candidates: Sequence[Mapping[str, Any]],
                   with_longitudes: bool) -> chart_pb2.ScoreCandidatesRequest:
    numerology = [row["numerology"] for row in candidates]
    request = chart_pb2.ScoreCandidatesRequest(
        subject=subject, candidate_ids=[row["user_id"] for row in candidates],
        life_path=[n["life_path"] for n in numerology], expression=[n["expression"] for n in numerology],
        soul_urge=[n["soul_urge"] for n in numerology], personality=[n["personality"] for n in numerology],
        chart_level=[row["chart_level"] for row in candidates])
    if with_longitudes:
        request.key_longitudes.extend(x for row in candidates for x in _longitudes(row))
    return request


async def score_candidates(chart: ChartClient, subject_row: Mapping[str, Any],
                           candidate_rows: Sequence[Mapping[str, Any]],
                           deadline: float | None = None) -> dict[int, CandidateScore]:
    """Scores of the subject against each candidate, by candidate user id.

    ScoreCandidates takes the candidates' key longitudes as one column (five per candidate, or none
    at all), so a page mixing people with and without a known chart is sent as two requests, made
    concurrently: those with a chart are scored on numerology and synastry, the others (and every
    candidate, when the subject's own chart is unknown) on numerology alone. ``deadline``: seconds,
    when not the client's usual one.
    """
    if not candidate_rows:
        return {}
    subject = person(subject_row)
    charted = subject.HasField("key_longitudes")
    groups = {True: [r for r in candidate_rows if charted and _longitudes(r) is not None],
              False: [r for r in candidate_rows if not (charted and _longitudes(r) is not None)]}
    batches = [(astro, rows) for astro, rows in groups.items() if rows]
    replies = await _all([_call(chart, chart.stub.ScoreCandidates, _score_request(subject, rows, astro), deadline)
                          for astro, rows in batches])
    scores: dict[int, CandidateScore] = {}
    for (astro, rows), reply in zip(batches, replies, strict=True):
        columns = (reply.candidate_ids, reply.overall_score, reply.numerology_score, reply.astrology_score,
                   reply.highlight)
        if any(len(column) != len(rows) for column in columns):
            raise chart_error()
        for user_id, overall, numerology, astrology, highlight in zip(*columns, strict=True):
            scores[user_id] = CandidateScore(overall, numerology, astrology, highlight, astro)
    if set(scores) != {row["user_id"] for row in candidate_rows}:
        raise chart_error()
    return scores


async def evaluate(chart: ChartClient, a_row: Mapping[str, Any], b_row: Mapping[str, Any]) -> PairDocument:
    """The pair's CompatibilityResponse, read from A's side ("Your Venus and their Mars ...")."""
    request = chart_pb2.EvaluateCompatibilityRequest(a=person(a_row), b=person(b_row))
    reply = await _call(chart, chart.stub.EvaluateCompatibility, request)
    try:
        body = json.loads(reply.json)
    except ValueError as exc:
        raise chart_error() from exc
    if not isinstance(body, dict):
        raise chart_error()
    return PairDocument(body, reply.ruleset_version)


async def evaluate_both_ways(chart: ChartClient, a_row: Mapping[str, Any],
                             b_row: Mapping[str, Any]) -> tuple[PairDocument, PairDocument]:
    """The pair's document from each side (A's, then B's), concurrently."""
    first, second = await _all([evaluate(chart, a_row, b_row), evaluate(chart, b_row, a_row)])
    return first, second


async def match_record(chart: ChartClient, a_row: Mapping[str, Any], b_row: Mapping[str, Any]) -> dict[str, Any]:
    """What a match stores in compatibility_data: the pair's document from each side, so each
    participant reads highlights and aspects as "yours" and "theirs":
    ``{"ruleset_version": ..., "perspectives": {"<user id>": CompatibilityResponse, ...}}``."""
    a_doc, b_doc = await evaluate_both_ways(chart, a_row, b_row)
    return {"ruleset_version": a_doc.ruleset_version,
            "perspectives": {str(a_row["user_id"]): a_doc.body, str(b_row["user_id"]): b_doc.body}}
