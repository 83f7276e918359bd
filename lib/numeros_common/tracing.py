"""OpenTelemetry traces across HTTP → gRPC → NATS, and the request id every log line carries.

Every process installs the SDK's tracer provider, so each request has a real trace whose 32-hex id is
the request id in logs and in ``X-Request-ID``; spans leave the process only when an OTLP endpoint is
configured (``NUMEROS_OTLP_ENDPOINT``, a base URL such as ``http://collector:4318``, or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``). Until something exports them (``export_spans``), ``continued_span`` and
``client_span`` build no SDK span: a non-recording one with the same trace id and a fresh span id carries
the request id and the ``traceparent`` sent on, at a fraction of the cost (a recorded span nobody reads
was ~8 % of identity's CPU per request). Context crosses processes as W3C ``traceparent``: in HTTP headers, in
gRPC metadata, and in NATS message headers (stored with the outbox row, since the relay publishes later)."""
from __future__ import annotations

import contextlib
import functools
import os
import random
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, format_trace_id

from .logging import request_id_var

TRACER_NAME = "numeros"
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_exporting = False


def otlp_endpoint(env: Mapping[str, str] = os.environ) -> str | None:
    """Where spans go: NUMEROS_OTLP_ENDPOINT (ours) or OTEL_EXPORTER_OTLP_ENDPOINT (the standard); None = nowhere."""
    return (env.get("NUMEROS_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip() or None


def configure_tracing(service: str, env: Mapping[str, str] = os.environ) -> TracerProvider:
    """Install the process's tracer provider once (later calls return it: tests run several apps in one process)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    endpoint = otlp_endpoint(env)
    if endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        export_spans(provider, BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    return provider


def export_spans(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Hand every span ended from now on to ``processor`` (the OTLP exporter's, a test's in-memory one): from
    then on spans are recorded. Add processors only here, never with ``provider.add_span_processor``."""
    global _exporting
    provider.add_span_processor(processor)
    _exporting = True


@functools.cache
def tracer() -> trace.Tracer:
    """One tracer per process (``get_tracer`` builds a new one per call; before a provider is installed it
    is a proxy that follows the provider once set)."""
    return trace.get_tracer(TRACER_NAME)


def trace_id_of(span: Span) -> str | None:
    """The span's trace id as 32 hex digits, or None for a non-recording span without one."""
    context = span.get_span_context()
    return format_trace_id(context.trace_id) if context.is_valid else None


def current_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``), to send along with a call or an event."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


class _Unexported:
    """``with``: a non-recording span continuing ``parent`` (its trace id and flags, else a new sampled trace)
    is the current span; with ``request_id`` its trace id is the request id meanwhile."""

    __slots__ = ("span", "parent", "request_id", "_tokens")

    def __init__(self, parent: Context | None, request_id: bool) -> None:
        caller = trace.get_current_span(parent).get_span_context()
        span_id = random.getrandbits(64) or 1
        if caller.is_valid:
            context = SpanContext(caller.trace_id, span_id, False, caller.trace_flags, caller.trace_state)
        else:
            context = SpanContext(random.getrandbits(128) or 1, span_id, False, _SAMPLED)
        self.span = NonRecordingSpan(context)
        self.parent = parent
        self.request_id = request_id

    def __enter__(self) -> Span:
        attached = otel_context.attach(trace.set_span_in_context(self.span, self.parent))
        trace_id = self.span.get_span_context().trace_id
        request = request_id_var.set(format_trace_id(trace_id)) if self.request_id else None
        self._tokens = (attached, request)
        return self.span

    def __exit__(self, *exc: object) -> None:
        attached, request = self._tokens
        if request is not None:
            request_id_var.reset(request)
        otel_context.detach(attached)


def continued_span(name: str, carrier: Mapping[str, str] | None, *, kind: SpanKind,
                   attributes: dict[str, Any] | None = None) -> contextlib.AbstractContextManager[Span]:
    """A span continuing the trace in ``carrier`` (a fresh trace without one), with its trace id as the
    request id of every log line written inside it."""
    parent = propagate.extract(carrier if isinstance(carrier, dict) else dict(carrier or {}))
    if not _exporting:
        return _Unexported(parent, request_id=True)
    return _recorded_span(name, parent, kind, attributes)


def client_span(name: str, *, attributes: dict[str, Any] | None = None) -> contextlib.AbstractContextManager[Span]:
    """The current span's child for a call to another service (``current_carrier`` then names it)."""
    if not _exporting:
        return _Unexported(None, request_id=False)
    return tracer().start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes)


@contextlib.contextmanager
def _recorded_span(name: str, parent: Context, kind: SpanKind, attributes: dict[str, Any] | None) -> Iterator[Span]:
    with tracer().start_as_current_span(name, context=parent, kind=kind, attributes=attributes) as span:
        token = request_id_var.set(trace_id_of(span))
        try:
            yield span
        finally:
            request_id_var.reset(token)
