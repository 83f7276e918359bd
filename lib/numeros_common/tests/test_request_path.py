"""The request path's shortcuts answer as the long way did: one write per response, routes matched by prefix,
trace ids without recorded spans, the same JSON log text."""
import datetime as dt
import io
import logging
import sys

import httpx
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pythonjsonlogger.json import JsonFormatter

from numeros_common import tracing
from numeros_common.http import match_by_prefix
from numeros_common.logging import _FORMAT, _RENAMED, JsonLines, _ContextFilter, request_id_var
from numeros_common.serve import _HeadersWithBody

HEADERS = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"


class Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_headers_and_body_leave_in_one_write():
    recorder = Recorder()
    transport = _HeadersWithBody(recorder)
    transport.write(HEADERS)
    assert recorder.writes == []
    transport.write(b"{}")
    assert recorder.writes == [HEADERS + b"{}"]
    assert transport.get_extra_info("peername") == "info:peername"


def test_interim_answers_and_chunked_responses_are_written_at_once():
    recorder = Recorder()
    transport = _HeadersWithBody(recorder)
    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    transport.write(chunked)
    assert recorder.writes == [b"HTTP/1.1 100 Continue\r\n\r\n", chunked]


def test_held_headers_go_out_before_a_close():
    recorder = Recorder()
    transport = _HeadersWithBody(recorder)
    transport.write(HEADERS)
    transport.close()
    assert recorder.writes == [HEADERS] and recorder.closed


def _app() -> FastAPI:
    app = FastAPI()
    first, second = APIRouter(prefix="/api/v1/first"), APIRouter(prefix="/api/v1/second")

    @first.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict:
        return {"first": thing_id}

    @second.post("/things")
    async def make() -> dict:
        return {"second": True}

    app.include_router(first)
    app.include_router(second)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"ok": True}

    return app


async def test_routes_matched_by_prefix_answer_as_before():
    app = _app()
    match_by_prefix(app)
    assert sum("matches" in vars(route) for route in app.router.routes) == 2
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        assert (await client.get("/api/v1/first/things/7")).json() == {"first": 7}
        assert (await client.post("/api/v1/second/things")).json() == {"second": True}
        assert (await client.get("/healthz")).json() == {"ok": True}
        assert (await client.get("/api/v1/second/things")).status_code == 405
        assert (await client.get("/api/v1/first/things/x")).status_code == 422
        assert (await client.get("/api/v1/third/things")).status_code == 404


def test_an_unexported_span_continues_the_callers_trace(monkeypatch):
    monkeypatch.setattr(tracing, "_exporting", False)
    caller = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    with tracing.continued_span("GET /x", caller, kind=SpanKind.SERVER) as span:
        assert not span.is_recording()
        assert request_id_var.get() == "4bf92f3577b34da6a3ce929d0e0e4736"
        with tracing.client_span("chart/Call"):
            sent = tracing.current_carrier()["traceparent"]
    assert request_id_var.get() is None
    version, trace_id, parent_id, flags = sent.split("-")
    assert (version, trace_id, flags) == ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01")
    assert parent_id not in ("00f067aa0ba902b7", format(span.get_span_context().span_id, "016x"))
    assert not trace.get_current_span().get_span_context().is_valid


def test_an_unexported_span_without_a_caller_starts_a_sampled_trace(monkeypatch):
    monkeypatch.setattr(tracing, "_exporting", False)
    with tracing.continued_span("GET /x", None, kind=SpanKind.SERVER) as span:
        request_id = request_id_var.get()
        sent = tracing.current_carrier()["traceparent"]
    assert request_id is not None and len(request_id) == 32 and request_id != "0" * 32
    assert sent == f"00-{request_id}-{format(span.get_span_context().span_id, '016x')}-01"


def _record(**extra) -> logging.LogRecord:
    record = logging.getLogger("numeros.http").makeRecord("numeros.http", logging.INFO, __file__, 1, "request %s",
                                                          ("a",), None, extra=extra)
    _ContextFilter("identity").filter(record)
    return record


def test_json_lines_are_the_librarys_text():
    library, ours = JsonFormatter(_FORMAT, rename_fields=_RENAMED), JsonLines(_FORMAT, rename_fields=_RENAMED)
    records = [_record(method="POST", status=200, duration_ms=1.5, client_request_id=None, path="/é\u2028"),
               _record(when=dt.date(2020, 1, 2), error=ValueError("bad")),
               _record(ratio=float("nan"))]
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    _ContextFilter("identity").filter(failed)
    for record in [*records, failed]:
        assert ours.format(record) == library.format(record)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ours)
    handler.handle(records[0])
    assert '"message": "request a"' in stream.getvalue() and '"status": 200' in stream.getvalue()
