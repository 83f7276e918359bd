"""Errors: AppError (an expected failure with a stable code), and the handlers that turn every failure
(AppError, validation, HTTPException, unhandled) into one :class:`~.dialects.Problem` written in the
dialect of the API family that owns the path. Bad input is always a 4xx naming the field, never a 500."""
from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from .dialects import Problem
from .families import FamilyMap
from .logging import request_id_var

log = logging.getLogger(__name__)


class AppError(Exception):
    """An expected failure with a stable machine code, raised anywhere in a service."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_fields(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": _field_path(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in errors]


def _retry_after(headers: dict[str, str] | None) -> int | None:
    value = (headers or {}).get("Retry-After")
    return int(value) if value and value.isdigit() else None


def app_error_problem(exc: AppError) -> Problem:
    return Problem(exc.status, exc.code, exc.message,
                   [{"field": exc.field, "message": exc.message}] if exc.field else [],
                   headers=exc.headers, retry_after=_retry_after(exc.headers), body=getattr(exc, "body", None))


def validation_problem(errors: list[dict[str, Any]]) -> Problem:
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(400, "MALFORMED_JSON", "The request body is not valid JSON.",
                       [{"field": "body", "message": errors[0].get("msg", "invalid JSON")}], errors=errors)
    fields = validation_fields(errors)
    return Problem(422, "VALIDATION_ERROR", "; ".join(f"{f['field']}: {f['message']}" for f in fields), fields,
                   errors=errors)


_HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
               405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 429: "RATE_LIMITED"}


def http_problem(exc: StarletteHTTPException) -> Problem:
    headers = getattr(exc, "headers", None)
    return Problem(exc.status_code, _HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), str(exc.detail),
                   headers=dict(headers) if headers else None, retry_after=_retry_after(headers))


INTERNAL = Problem(500, "INTERNAL_ERROR", "Something went wrong on our side.")
DATABASE_UNAVAILABLE = Problem(503, "DATABASE_UNAVAILABLE", "The database is unavailable; try again shortly.",
                               retry_after=1)
_DATABASE_MODULES = ("asyncpg", "sqlalchemy")


def _database_outage(exc: BaseException) -> bool:
    """A lost or refused database connection (Postgres restarting), as opposed to a failing statement.
    SQLAlchemy wraps the driver's error (``the database system is starting up`` is a plain DBAPIError), and
    asyncpg raises a refused connect as a plain ConnectionRefusedError, so the whole chain is read."""
    seen: set[int] = set()
    chain: list[BaseException | None] = [exc]
    while chain:
        error = chain.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, sa_exc.DBAPIError) and (
                error.connection_invalidated or isinstance(error, sa_exc.InterfaceError | sa_exc.OperationalError)):
            return True
        if isinstance(error, sa_exc.TimeoutError | asyncpg.PostgresConnectionError | asyncpg.InterfaceError
                      | asyncpg.OperatorInterventionError):
            return True  # the pool's wait, a connection lost, the server starting up or shutting down
        if isinstance(error, ConnectionError | TimeoutError) and _raised_in_database_driver(error):
            return True
        chain += [error.__cause__, error.__context__, getattr(error, "orig", None)]
    return False


def _raised_in_database_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(_DATABASE_MODULES):
            return True
        tb = tb.tb_next
    return False


def render(request: Request, problem: Problem) -> JSONResponse:
    families: FamilyMap = getattr(request.app.state, "families", None) or FamilyMap({})
    return families.for_path(request.url.path).dialect.render(problem, request_id_var.get())


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    return render(request, app_error_problem(exc))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return render(request, validation_problem(list(exc.errors())))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return render(request, http_problem(exc))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if not _database_outage(exc):
        log.error("unhandled error", exc_info=exc)
        return render(request, INTERNAL)
    log.warning("database unavailable", extra={"error": repr(exc)})
    return render(request, DATABASE_UNAVAILABLE)


def install_error_handlers(app: FastAPI, families: FamilyMap) -> None:
    """Unhandled exceptions are answered by RequestContextMiddleware (inside it the request id is still set);
    a database outage is a 503 with a code and Retry-After, not a 500."""
    app.state.families = families
    for kind in (sa_exc.DBAPIError, sa_exc.TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                 asyncpg.OperatorInterventionError, ConnectionError, TimeoutError):
        app.add_exception_handler(kind, _database_error)
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
