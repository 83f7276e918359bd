"""CalculateNatalCharts: many natal charts per call, as columns (see ``NatalChartsResponse``).

The worker that receives a batch splits it into one contiguous chunk per worker and hands each
peer the serialized request with its chunk's bounds (``peers``): one round trip per chunk, never
per chart. Each worker decodes its charts, computes them with the domain's lean batch
(``compute_natal_positions``: the same validation, instants, positions and houses as
CalculateProfile, in time order) and answers a serialized ``NatalChartsResponse`` holding just its
chunk's columns.

Protobuf merges concatenated messages by appending their repeated fields, so the receiving worker
joins the chunks' bytes in chunk order and parses them once: every column comes out in request
order without a Python object per chart.

No grpc here: only the generated messages and the domain.
"""
from __future__ import annotations

import gc
from datetime import date
from typing import Any

import numpy as np

from numeros.chart.v1 import chart_pb2
from services.chart.domain.western import ChartRequest, NatalPositions, compute_natal_positions
from services.chart.api.payloads import parse_birth_time
from services.chart.domain.errors import InvalidInput

MAX_NATAL_CHARTS = 5000
# Below this many charts per worker, one worker does the batch: a round trip to a peer would
# cost more than it saves.
MIN_CHUNK = 16


def date_field(message: Any, field: str) -> date:
    """A required ``Date`` field as a ``date``; InvalidInput naming ``field`` when absent or invalid."""
    if not message.HasField(field):
        raise InvalidInput(field, "is required")
    parts = getattr(message, field)
    try:
        return date(parts.year, parts.month, parts.day)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def chart_request(data: chart_pb2.BirthData) -> ChartRequest:
    """``BirthData`` read exactly as CalculateProfile reads it (``name`` is not needed)."""
    return ChartRequest(
        date_field(data, "birth_date"), parse_birth_time(data.birth_time),
        data.latitude if data.HasField("latitude") else None,
        data.longitude if data.HasField("longitude") else None,
        data.timezone or None, data.birth_place or None, data.house_system or None)


def chunk_bounds(count: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous [start, stop) ranges, at most one per worker, sizes differing by at most one."""
    chunks = max(1, min(workers, count // MIN_CHUNK))
    size, extra = divmod(count, chunks)
    bounds, start = [], 0
    for k in range(chunks):
        stop = start + size + (k < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def compute_chunk(serialized_request: bytes, start: int, stop: int) -> bytes:
    """In a worker: charts [start, stop) of a serialized NatalChartsRequest -> their columns, as a
    serialized NatalChartsResponse fragment (no ``bodies`` or ephemeris fields: the caller sets those)."""
    charts = chart_pb2.NatalChartsRequest.FromString(serialized_request).charts
    requests: list[ChartRequest | InvalidInput] = []
    for i in range(start, stop):
        try:
            requests.append(chart_request(charts[i]))
        except InvalidInput as error:
            requests.append(error)
    # A chunk allocates ~40 short-lived, acyclic objects per chart, which reference counting frees;
    # the cyclic collector would only rescan them (~4% of the chunk). Workers run one call at a
    # time on one thread, so pausing it here affects nothing else.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return encode_columns(compute_natal_positions(requests))
    finally:
        if collecting:
            gc.enable()


def encode_columns(positions: NatalPositions) -> bytes:
    """The columns as a serialized NatalChartsResponse fragment. The double columns (most of the
    bytes) are written straight from their arrays in protobuf's packed wire format (tag, length,
    little-endian doubles), with no Python float per value; the rest go through the message."""
    response = chart_pb2.NatalChartsResponse()
    response.error_field.extend([e.field if e is not None else "" for e in positions.errors])
    response.error_message.extend([e.reason if e is not None else "" for e in positions.errors])
    response.chart_level.extend(positions.chart_level.tolist())
    response.timezone.extend(positions.timezone)
    response.utc_offset_seconds.extend(positions.utc_offset_seconds.tolist())
    response.nonexistent_time.extend(positions.nonexistent_time.tolist())
    response.ambiguous_time.extend(positions.ambiguous_time.tolist())
    response.house_system_used.extend(positions.house_system_used)
    doubles = [_packed_doubles(name, getattr(positions, name))
               for name in ("julian_day_ut", "longitudes", "speeds", "cusps", "ascendant", "midheaven")]
    return response.SerializeToString() + b"".join(doubles)


_FIELD_NUMBERS = {field.name: field.number for field in chart_pb2.NatalChartsResponse.DESCRIPTOR.fields}


def _packed_doubles(name: str, values: np.ndarray) -> bytes:
    """A packed ``repeated double`` field: concatenated fields merge, so this appends to the message."""
    if not values.size:
        return b""
    data = np.ascontiguousarray(values, dtype="<f8").tobytes()
    return _varint(_FIELD_NUMBERS[name] << 3 | 2) + _varint(len(data)) + data


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
