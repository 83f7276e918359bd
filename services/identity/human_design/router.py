"""human-design-chart-api ``POST /api/calculate-chart`` as ``POST /api/v1/human-design/calculate-chart``.

The seed has no authentication, so neither has this route (the shared per-IP rate limit applies). Every
error on this route, including request validation, comes in the seed's body
``{"detail": {code, message, message_de, field, retry_after}}`` instead of our usual envelope:

* 400 ``INVALID_DATE`` / ``INVALID_TIMEZONE`` / ``INVALID_LOCATION`` / ``INVALID_NAME`` for a missing or
  wrongly typed field (by the field: birth_datetime, birth_timezone, birth_latitude/birth_longitude, name)
  and for out-of-range values (worded by the engine);
* 400 ``INVALID_REQUEST`` (ours) when the body is not a JSON object (malformed JSON included);
* 500 ``EPHEMERIS_UNAVAILABLE`` (with ``retry_after`` and ``Retry-After``) / ``CALCULATION_FAILED``, as the seed;
* 503 ``SERVICE_UNAVAILABLE`` (ours, with ``retry_after``) when the calculation service cannot be reached.
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from numeros_common.chart_client import ChartSpecError
from numeros_common.deps import runtime_of
from numeros_common.errors import AppError
from numeros_common.responses import RATE_LIMITED

from . import service
from .schemas import HumanDesignError, HumanDesignRequest, HumanDesignResponse

FIELDS = ("birth_datetime", "birth_timezone", "birth_latitude", "birth_longitude", "name")
FIELD_CODES = {"birth_datetime": "INVALID_DATE", "birth_timezone": "INVALID_TIMEZONE",
               "birth_latitude": "INVALID_LOCATION", "birth_longitude": "INVALID_LOCATION", "name": "INVALID_NAME"}
_WRONG_TYPE = {
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
    "name": ("name must be a string", "Der Name muss eine Zeichenkette sein"),
}
SERVICE_RETRY_AFTER_SECONDS = 5
EPHEMERIS_RETRY_AFTER_SECONDS = 60


def seed_error(status: int, code: str, message: str, message_de: str, field: str | None = None,
               retry_after: int | None = None) -> JSONResponse:
    body = {"detail": {"code": code, "message": message, "message_de": message_de, "field": field,
                       "retry_after": retry_after}}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(body, status_code=status, headers=headers)


def _invalid_request(json_invalid: bool) -> JSONResponse:
    if json_invalid:
        return seed_error(400, "INVALID_REQUEST", "The request body is not valid JSON",
                          "Der Anfragetext ist kein gültiges JSON")
    return seed_error(400, "INVALID_REQUEST", "The request body must be a JSON object with birth_datetime, "
                                              "birth_timezone, birth_latitude and birth_longitude",
                      "Der Anfragetext muss ein JSON-Objekt mit birth_datetime, birth_timezone, birth_latitude "
                      "und birth_longitude sein")


def validation_response(errors: list[dict[str, Any]]) -> JSONResponse:
    """The first failing field, in the seed's field order, as the seed's error."""
    by_field: dict[str, dict[str, Any]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            return _invalid_request(json_invalid=True)
        if len(loc) >= 2 and loc[0] == "body" and loc[1] in FIELD_CODES:
            by_field.setdefault(str(loc[1]), error)
    field = next((f for f in FIELDS if f in by_field), None)
    if field is None:
        return _invalid_request(json_invalid=False)
    if by_field[field].get("type") == "missing":
        message, message_de = f"{field} is required", f"{field} ist erforderlich"
    else:
        message, message_de = _WRONG_TYPE[field]
    return seed_error(400, FIELD_CODES[field], message, message_de, field)


def chart_failure(error: AppError) -> JSONResponse:
    """A chart failure without the seed's body (chart unreachable, or not the Human Design engine's own)."""
    if isinstance(error, ChartSpecError):
        return JSONResponse(error.body, status_code=error.status, headers=error.headers)
    if error.status == 422 and error.field in FIELD_CODES:
        return seed_error(400, FIELD_CODES[error.field], error.message, error.message, error.field)
    if error.code == "EPHEMERIS_UNAVAILABLE":
        return seed_error(500, "EPHEMERIS_UNAVAILABLE", "Swiss Ephemeris data files are not available",
                          "Die Swiss-Ephemeris-Datendateien sind nicht verfügbar",
                          retry_after=EPHEMERIS_RETRY_AFTER_SECONDS)
    if error.status == 503:
        return seed_error(503, "SERVICE_UNAVAILABLE", "The calculation service is unavailable; try again shortly",
                          "Der Berechnungsdienst ist nicht erreichbar; bitte versuchen Sie es in Kürze erneut",
                          retry_after=SERVICE_RETRY_AFTER_SECONDS)
    return seed_error(500, "CALCULATION_FAILED", "The chart could not be calculated",
                      "Das Chart konnte nicht berechnet werden")


class SeedErrorRoute(APIRoute):
    """A route whose every error, validation included, is the Human Design seed's error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return validation_response(list(error.errors()))
            except AppError as error:
                return chart_failure(error)
            except HTTPException as error:
                if error.status_code == 400:  # FastAPI: "There was an error parsing the body"
                    return _invalid_request(json_invalid=True)
                raise

        return route


router = APIRouter(prefix="/api/v1/human-design", tags=["human design"], route_class=SeedErrorRoute)


@router.post("/calculate-chart", response_model=HumanDesignResponse, summary="Calculate a Human Design chart",
             description=__doc__, operation_id="human_design_calculate_chart",
             responses={400: {"model": HumanDesignError, "description": "Invalid input (the seed's error body)"},
                        500: {"model": HumanDesignError, "description": "EPHEMERIS_UNAVAILABLE / CALCULATION_FAILED"},
                        503: {"model": HumanDesignError, "description": "SERVICE_UNAVAILABLE"},
                        # Also keeps FastAPI from advertising a 422 this route never sends.
                        **RATE_LIMITED,
                        "4XX": {"description": "429 from the shared per-IP rate limit (common error envelope)"}})
async def calculate_chart(body: HumanDesignRequest, request: Request) -> Response:
    chart = await service.calculate_chart(runtime_of(request).chart, body.birth_datetime, body.birth_timezone,
                                          body.birth_latitude, body.birth_longitude, body.name)
    return Response(chart, media_type="application/json")
