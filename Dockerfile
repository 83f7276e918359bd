# syntax=docker/dockerfile:1
# check=skip=InvalidDefaultArgInFrom
# One image recipe for every Numeros service; SERVICE picks which one.
# Build from the repository root (the build context must be the repo root):
#   docker build --build-arg SERVICE=identity -t numeros/identity:local .
#   (SERVICE: identity, matching, chat or chart; compose passes it per service)
# Runs:    python -m services.$SERVICE           (HTTP on 8000; chart: gRPC on 50051)
# Migrate: python -m services.$SERVICE migrate   (HTTP services: compose one-shot / k8s initContainer)

# Global, so that the last FROM can name the service's stage. No default on
# purpose (hence the check skipped above): a build without SERVICE must fail.
ARG SERVICE

############################ builder ############################
FROM python:3.11-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# Runtime dependencies go into a self-contained venv that is copied as a whole
# into the runtime stage (same base image, so the interpreter path matches).
COPY requirements.txt ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

# grpcio-tools is a build-time tool only: it lives in its own venv that never
# reaches the runtime image. Its protobuf/grpcio are held to the runtime pins
# (constraints cannot carry extras, hence the sed).
RUN sed -E 's/\[[^]]*\]//' requirements.txt > /tmp/constraints.txt \
 && python -m venv /opt/tools \
 && /opt/tools/bin/pip install --no-cache-dir -c /tmp/constraints.txt grpcio-tools==1.85.1

# Generated gRPC code is never committed: produce it here into /src/gen.
COPY protos/ ./protos/
COPY scripts/gen-protos ./scripts/gen-protos
RUN mkdir -p gen \
 && PYTHON=/opt/tools/bin/python bash scripts/gen-protos gen

############################ runtime: shared by all services ############################
FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    PYTHONPATH=/app:/app/lib:/app/gen

# /var/lib/numeros/jwt and /app/var/media: mount points of docker-compose's jwt-keys and media volumes, owned
# by the service user so that a fresh named volume inherits that ownership.
RUN groupadd --system --gid 10001 numeros \
 && useradd --system --uid 10001 --gid numeros --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin numeros \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/numeros/jwt /app/var/media

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /src/gen /app/gen
COPY lib/ /app/lib/
COPY services/__init__.py /app/services/__init__.py

############################ kinds: HTTP (FastAPI) and gRPC ############################
FROM runtime AS http

# pydantic-settings defaults to 127.0.0.1, unreachable from other containers.
ENV NUMEROS_HTTP_HOST=0.0.0.0 \
    NUMEROS_HTTP_PORT=8000
EXPOSE 8000

# Liveness only (/healthz); readiness (/readyz) is probed by compose and k8s.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NUMEROS_HTTP_PORT', '8000'), timeout=2)"]

FROM runtime AS grpc

# Swiss Ephemeris data files come from Debian's swe-standard-data package (sepl/semo/seas, 5400 BC-5400 AD;
# it depends on swe-basic-data, which holds the 1800-2399 files), never from a download at run time.
# The checks name every file the chart service needs for years 1-3000 (services/chart/domain/constants.py).
# The Debian version is not pinned on purpose: bookworm only ships one.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends swe-standard-data \
 && rm -rf /var/lib/apt/lists/* \
 && test -s /usr/share/libswe/ephe/seplm06.se1 \
 && test -s /usr/share/libswe/ephe/sepl_00.se1 \
 && test -s /usr/share/libswe/ephe/sepl_06.se1 \
 && test -s /usr/share/libswe/ephe/sepl_12.se1 \
 && test -s /usr/share/libswe/ephe/sepl_18.se1 \
 && test -s /usr/share/libswe/ephe/sepl_24.se1 \
 && test -s /usr/share/libswe/ephe/sepl_30.se1 \
 && test -s /usr/share/libswe/ephe/semom06.se1 \
 && test -s /usr/share/libswe/ephe/semo_00.se1 \
 && test -s /usr/share/libswe/ephe/semo_06.se1 \
 && test -s /usr/share/libswe/ephe/semo_12.se1 \
 && test -s /usr/share/libswe/ephe/semo_18.se1 \
 && test -s /usr/share/libswe/ephe/semo_24.se1 \
 && test -s /usr/share/libswe/ephe/semo_30.se1 \
 && test -s /usr/share/libswe/ephe/seasm06.se1 \
 && test -s /usr/share/libswe/ephe/seas_00.se1 \
 && test -s /usr/share/libswe/ephe/seas_06.se1 \
 && test -s /usr/share/libswe/ephe/seas_12.se1 \
 && test -s /usr/share/libswe/ephe/seas_18.se1 \
 && test -s /usr/share/libswe/ephe/seas_24.se1 \
 && test -s /usr/share/libswe/ephe/seas_30.se1

ENV NUMEROS_GRPC_HOST=0.0.0.0 \
    NUMEROS_GRPC_PORT=50051 \
    NUMEROS_EPHE_PATH=/usr/share/libswe/ephe \
    NUMEROS_METRICS_HOST=0.0.0.0 \
    NUMEROS_METRICS_PORT=9464
# 9464: Prometheus /metrics (internal; scraped, never routed by the gateway).
EXPOSE 50051 9464

# Standard gRPC health check (grpc.health.v1.Health/Check, overall server "").
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, grpc; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; ch = grpc.insecure_channel('127.0.0.1:%s' % os.environ.get('NUMEROS_GRPC_PORT', '50051')); r = g.HealthStub(ch).Check(h.HealthCheckRequest(service=''), timeout=3); sys.exit(0 if r.status == h.HealthCheckResponse.SERVING else 1)"]

############################ services: which kind each one is ############################
FROM http AS identity
FROM http AS matching
FROM http AS chat
FROM grpc AS chart

############################ the image ############################
# A missing SERVICE fails at this FROM, an unknown one at the COPY below.
FROM ${SERVICE} AS service
ARG SERVICE
ENV NUMEROS_SERVICE_NAME=${SERVICE}

# Only this service's code (never the others', never its tests: .dockerignore).
COPY services/${SERVICE}/ /app/services/${SERVICE}/

USER 10001:10001

# exec: python becomes PID 1 and receives the stop signal itself.
CMD ["sh", "-c", "exec python -m \"services.${NUMEROS_SERVICE_NAME}\""]
