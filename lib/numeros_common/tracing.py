"""OpenTelemetry traces across HTTP → gRPC → NATS, and the request id every log line carries.

Every process installs the SDK's tracer provider, so each request has a real trace whose 32-hex id is
the request id in logs and in ``X-Request-ID``; spans leave the process only when an OTLP endpoint is
configured (``NUMEROS_OTLP_ENDPOINT``, a base URL such as ``http://collector:4318``, or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``). Context crosses processes as W3C ``traceparent``: in HTTP headers, in
gRPC metadata, and in NATS message headers (stored with the outbox row, since the relay publishes later)."""
from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, format_trace_id

from .logging import request_id_var

TRACER_NAME = "numeros"


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

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    return provider


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


@contextlib.contextmanager
def continued_span(name: str, carrier: Mapping[str, str] | None, *, kind: SpanKind,
                   attributes: dict[str, Any] | None = None) -> Iterator[Span]:
    """A span continuing the trace in ``carrier`` (a fresh trace without one), with its trace id as the
    request id of every log line written inside it."""
    parent = propagate.extract(dict(carrier or {}))
    with tracer().start_as_current_span(name, context=parent, kind=kind, attributes=attributes) as span:
        token = request_id_var.set(trace_id_of(span))
        try:
            yield span
        finally:
            request_id_var.reset(token)
