"""Error dialects: each sister product's clients read errors in the shape their seed defines, so the API
family that owns a path decides how every error under it is written (DESIGN.md §3).

Every failure is first described once as a :class:`Problem` (``errors.py`` builds it from AppError,
validation errors, HTTPException, the rate limiter and unhandled exceptions); a :class:`Dialect` only
writes a Problem as its family's body. The request id always travels in ``X-Request-ID`` and, where a
dialect's body has a field for it, in the body too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse


@dataclass(frozen=True)
class Problem:
    """One failure, independent of how it is written. ``code`` is the project's machine code."""

    status: int
    code: str
    message: str
    fields: list[dict[str, str]] = field(default_factory=list)  # [{"field", "message"}]
    headers: dict[str, str] | None = None
    errors: list[dict[str, Any]] | None = None  # pydantic's validation errors, when there are any
    retry_after: int | None = None
    body: dict[str, Any] | None = None  # a body a product spec prescribes (passed through by its dialect)

    @property
    def json_invalid(self) -> bool:
        return any(e.get("type") == "json_invalid" for e in self.errors or ())


class Dialect:
    """How one API family writes errors. Subclasses override :meth:`body` (and the status if theirs differs)."""

    name = "envelope"

    def render(self, problem: Problem, request_id: str | None) -> JSONResponse:
        status, body = self.body(problem, request_id)
        headers = dict(problem.headers or {})
        if problem.retry_after is not None:
            headers.setdefault("Retry-After", str(problem.retry_after))
        return JSONResponse(body, status_code=status, headers=headers or None)

    def body(self, problem: Problem, request_id: str | None) -> tuple[int, dict[str, Any]]:
        error: dict[str, Any] = {"code": problem.code, "message": problem.message, "request_id": request_id}
        if problem.fields:
            error["fields"] = problem.fields
        return problem.status, {"error": error}


class Envelope(Dialect):
    """The project's own ``{"error": {code, message, request_id, fields}}`` (the dating app)."""


def _loc(name: str) -> list[str]:
    return ["body", *name.split(".")] if name != "body" else ["body"]


class JioAstro(Dialect):
    """jioastro-numerology-api: FastAPI's ``{"detail": ...}``; 422 is the list of ``{loc, msg, type}``
    (malformed JSON too, as FastAPI answers it); 429 adds ``retry_after``. No request id in the body."""

    name = "jioastro"

    def body(self, problem: Problem, request_id: str | None) -> tuple[int, dict[str, Any]]:
        if problem.errors:
            return 422, {"detail": [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid"),
                                     "type": e.get("type", "value_error")} for e in problem.errors]}
        if problem.status == 422 and problem.fields:
            return 422, {"detail": [{"loc": _loc(f["field"]), "msg": f["message"], "type": "value_error"}
                                    for f in problem.fields]}
        if problem.status == 429:
            seconds = problem.retry_after or 1
            return 429, {"detail": f"Rate limit exceeded. Try again in {seconds} seconds.", "retry_after": seconds}
        if problem.status == 500:
            return 500, {"detail": "Internal server error"}
        if problem.code == "UNAUTHENTICATED":
            return 401, {"detail": "Not authenticated"}
        if problem.code == "FORBIDDEN":
            return 403, {"detail": "Not enough permissions"}
        return problem.status, {"detail": problem.message}


class AstroMvp(Dialect):
    """astro-mvp-vedic-api: ``{"error": CODE, "message", "details", "request_id"}`` with the seed's codes.
    ``details`` is the list of ``{field, message}`` on validation errors, else the project's finer code.
    The seed's status list has no 422: invalid input is its 400 VALIDATION_ERROR."""

    name = "astro-mvp"
    CODES = {400: "VALIDATION_ERROR", 401: "AUTHENTICATION_ERROR", 403: "AUTHORIZATION_ERROR",
             404: "NOT_FOUND_ERROR", 405: "METHOD_NOT_ALLOWED_ERROR", 409: "CONFLICT_ERROR", 413: "VALIDATION_ERROR",
             422: "VALIDATION_ERROR", 429: "RATE_LIMIT_ERROR", 500: "INTERNAL_SERVER_ERROR",
             502: "CALCULATION_ERROR", 503: "CALCULATION_ERROR"}

    def body(self, problem: Problem, request_id: str | None) -> tuple[int, dict[str, Any]]:
        code = self.CODES.get(problem.status, "INTERNAL_SERVER_ERROR" if problem.status >= 500 else "VALIDATION_ERROR")
        if problem.status == 503 and problem.code in ("AUTH_UNAVAILABLE", "DATABASE_UNAVAILABLE"):
            code = "INTERNAL_SERVER_ERROR"
        details: Any = problem.fields or (problem.code if problem.code not in (code, "INTERNAL_ERROR") else None)
        message = "Rate limit exceeded" if problem.status == 429 else problem.message
        status = 400 if problem.status == 422 else problem.status
        return status, {"error": code, "message": message, "details": details, "request_id": request_id}


# --- human-design-chart-api -------------------------------------------------------------------------

HD_FIELDS = ("birth_datetime", "birth_timezone", "birth_latitude", "birth_longitude", "name")
HD_FIELD_CODES = {"birth_datetime": "INVALID_DATE", "birth_timezone": "INVALID_TIMEZONE",
                  "birth_latitude": "INVALID_LOCATION", "birth_longitude": "INVALID_LOCATION", "name": "INVALID_NAME"}
_HD_WRONG_TYPE = {
    "birth_datetime": ("birth_datetime must be a string with the local date and time in ISO 8601 "
                       "(e.g. 1990-05-15T14:30:00)",
                       "birth_datetime muss eine Zeichenkette mit dem lokalen Datum und der Uhrzeit im "
                       "ISO-8601-Format sein (z. B. 1990-05-15T14:30:00)"),
    "birth_timezone": ("birth_timezone must be a string naming an IANA time zone (e.g. Europe/Berlin)",
                       "birth_timezone muss eine Zeichenkette mit einem IANA-Zeitzonenbezeichner sein "
                       "(z. B. Europe/Berlin)"),
    "birth_latitude": ("birth_latitude must be a number between -90 and 90",
                       "birth_latitude muss eine Zahl zwischen -90 und 90 sein"),
    "birth_longitude": ("birth_longitude must be a number between -180 and 180",
                        "birth_longitude muss eine Zahl zwischen -180 und 180 sein"),
    "name": ("name must be a string of at most 100 characters",
             "Der Name muss eine Zeichenkette mit höchstens 100 Zeichen sein"),
}
# German wording of the failures that are not the seed's own (the English is the Problem's message).
_HD_GENERIC = {
    401: ("UNAUTHENTICATED", "Authentication required", "Anmeldung erforderlich"),
    403: ("FORBIDDEN", "Not allowed", "Nicht erlaubt"),
    404: ("NOT_FOUND", "Not found", "Nicht gefunden"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed", "Methode nicht erlaubt"),
    413: ("PAYLOAD_TOO_LARGE", "The request body is too large", "Der Anfragetext ist zu groß"),
    500: ("INTERNAL_ERROR", "Internal server error", "Interner Serverfehler"),
}
HD_SERVICE_RETRY_AFTER_SECONDS = 5
HD_EPHEMERIS_RETRY_AFTER_SECONDS = 60


class HumanDesign(Dialect):
    """human-design-chart-api: ``{"detail": {code, message, message_de, field, retry_after}}``.

    400 ``INVALID_DATE`` / ``INVALID_TIMEZONE`` / ``INVALID_LOCATION`` / ``INVALID_NAME`` for a missing or
    wrongly typed field (the first in the seed's field order) and for out-of-range values (chart's own
    wording, passed through); 400 ``INVALID_REQUEST`` when the body is not a JSON object; 500
    ``EPHEMERIS_UNAVAILABLE`` (``retry_after`` 60) / ``CALCULATION_FAILED``; 503 ``SERVICE_UNAVAILABLE``
    (``retry_after`` 5); 429 ``RATE_LIMITED`` with ``retry_after``."""

    name = "human-design"

    def render(self, problem: Problem, request_id: str | None) -> JSONResponse:
        status, body = self.body(problem, request_id)
        headers = dict(problem.headers or {})
        retry = body.get("detail", {}).get("retry_after") if isinstance(body.get("detail"), dict) else None
        if retry is not None:
            headers["Retry-After"] = str(retry)
        return JSONResponse(body, status_code=status, headers=headers or None)

    @staticmethod
    def detail(status: int, code: str, message: str, message_de: str, field: str | None = None,
               retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
        return status, {"detail": {"code": code, "message": message, "message_de": message_de, "field": field,
                                   "retry_after": retry_after}}

    def _invalid_request(self, json_invalid: bool) -> tuple[int, dict[str, Any]]:
        if json_invalid:
            return self.detail(400, "INVALID_REQUEST", "The request body is not valid JSON",
                               "Der Anfragetext ist kein gültiges JSON")
        return self.detail(400, "INVALID_REQUEST", "The request body must be a JSON object with birth_datetime, "
                                                   "birth_timezone, birth_latitude and birth_longitude",
                           "Der Anfragetext muss ein JSON-Objekt mit birth_datetime, birth_timezone, "
                           "birth_latitude und birth_longitude sein")

    def _validation(self, errors: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        by_field: dict[str, dict[str, Any]] = {}
        for error in errors:
            loc = tuple(error.get("loc", ()))
            if len(loc) >= 2 and loc[0] == "body" and loc[1] in HD_FIELD_CODES:
                by_field.setdefault(str(loc[1]), error)
        name = next((f for f in HD_FIELDS if f in by_field), None)
        if name is None:
            return self._invalid_request(json_invalid=False)
        if by_field[name].get("type") == "missing":
            message, message_de = f"{name} is required", f"{name} ist erforderlich"
        else:
            message, message_de = _HD_WRONG_TYPE[name]
        return self.detail(400, HD_FIELD_CODES[name], message, message_de, name)

    def body(self, problem: Problem, request_id: str | None) -> tuple[int, dict[str, Any]]:
        if problem.body is not None:  # chart wrote the seed's body itself
            return problem.status, problem.body
        if problem.json_invalid or (problem.status == 400 and problem.code in ("BAD_REQUEST", "MALFORMED_JSON")):
            return self._invalid_request(json_invalid=True)
        if problem.errors:
            return self._validation(problem.errors)
        field_name = problem.fields[0]["field"] if problem.fields else None
        if problem.status == 422 and field_name in HD_FIELD_CODES:
            return self.detail(400, HD_FIELD_CODES[field_name], problem.message, problem.message, field_name)
        if problem.status == 429:
            seconds = problem.retry_after or 1
            return self.detail(429, "RATE_LIMITED", f"Too many requests; try again in {seconds} seconds",
                               f"Zu viele Anfragen; bitte in {seconds} Sekunden erneut versuchen",
                               retry_after=seconds)
        if problem.code == "EPHEMERIS_UNAVAILABLE":
            return self.detail(500, "EPHEMERIS_UNAVAILABLE", "Swiss Ephemeris data files are not available",
                               "Die Swiss-Ephemeris-Datendateien sind nicht verfügbar",
                               retry_after=HD_EPHEMERIS_RETRY_AFTER_SECONDS)
        if problem.status == 503:
            return self.detail(503, "SERVICE_UNAVAILABLE", "The calculation service is unavailable; try again shortly",
                               "Der Berechnungsdienst ist nicht erreichbar; bitte versuchen Sie es in Kürze erneut",
                               retry_after=HD_SERVICE_RETRY_AFTER_SECONDS)
        if problem.status in _HD_GENERIC:
            code, message, message_de = _HD_GENERIC[problem.status]
            return self.detail(problem.status, code, message, message_de)
        return self.detail(500, "CALCULATION_FAILED", "The chart could not be calculated",
                           "Das Chart konnte nicht berechnet werden")


ENVELOPE, JIOASTRO, ASTRO_MVP, HUMAN_DESIGN = Envelope(), JioAstro(), AstroMvp(), HumanDesign()

