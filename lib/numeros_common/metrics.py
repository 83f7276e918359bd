"""Every Prometheus metric the services export, declared once so each has one name and one set of labels.

Each process exports its own registry at ``/metrics`` (HTTP services on their port, chart on
``NUMEROS_METRICS_PORT``); the gateway routes only public prefixes, so none of these is public."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("numeros_http_requests_total", "HTTP requests answered",
                        ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("numeros_http_request_duration_seconds", "HTTP request latency",
                         ["service", "method", "route"])

GRPC_CLIENT_CALLS = Counter("numeros_grpc_client_calls_total", "gRPC calls made, by method and status code",
                            ["method", "code"])
GRPC_CLIENT_LATENCY = Histogram("numeros_grpc_client_call_duration_seconds", "gRPC call latency seen by the caller",
                                ["method"])
GRPC_SERVER_CALLS = Counter("numeros_grpc_server_calls_total", "gRPC calls served, by method and status code",
                            ["method", "code"])
GRPC_SERVER_LATENCY = Histogram("numeros_grpc_server_call_duration_seconds", "gRPC call latency in the server",
                                ["method"])

# Set by each chart worker process; chart's /metrics sums the live workers' values (multiprocess mode).
CHART_BUSY_WORKERS = Gauge("numeros_chart_workers_busy", "Chart worker processes running a call",
                           multiprocess_mode="livesum")
CHART_WORKERS = Gauge("numeros_chart_workers", "Chart worker processes alive", multiprocess_mode="livesum")

OUTBOX_BACKLOG = Gauge("numeros_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("numeros_outbox_oldest_age_seconds",
                          "Age of the oldest unpublished outbox row (0 when none)", ["service"])
OUTBOX_PUBLISHED = Counter("numeros_outbox_published_total", "Outbox rows published to JetStream", ["service"])

CONSUMER_LAG = Gauge("numeros_consumer_pending_messages",
                     "Messages in the stream the durable consumer has not yet been delivered (num_pending)",
                     ["consumer"])
CONSUMER_ACK_PENDING = Gauge("numeros_consumer_ack_pending_messages",
                             "Messages delivered to the durable consumer and not yet acknowledged", ["consumer"])
# Incremented by the consumer when an event exhausts its deliveries and goes to the dead-letter stream.
DEAD_LETTERS = Counter("numeros_dead_letters_total", "Events that exhausted their deliveries", ["consumer"])

WEBSOCKETS_OPEN = Gauge("numeros_websockets_open", "Open chat WebSocket connections")
PUSH_SENT = Counter("numeros_push_sent_total", "Push notifications handed to the provider", ["kind"])
PUSH_FAILED = Counter("numeros_push_failed_total", "Push notifications the provider refused or that failed",
                      ["kind"])
