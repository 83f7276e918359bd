"""How chart's gRPC failures become public errors naming the request's own fields (no server needed)."""
import datetime as dt
import json

import grpc
from grpc.aio import AioRpcError, Metadata

import pytest
from pydantic import TypeAdapter, ValidationError

from numeros_common.chart_client import ChartSpecError, to_app_error
from numeros_common.errors import AppError
from numeros_common.fields import CalendarDate
from services.identity.calculations import check_birth_date, renamed, today_utc


def rpc_error(code: grpc.StatusCode, details: str, **trailing: str) -> AioRpcError:
    return AioRpcError(code, Metadata(), Metadata(*trailing.items()), details)


def seed_body(code: str, field: str | None, retry_after: int | None) -> dict:
    return {"detail": {"code": code, "message": "m", "message_de": "d", "field": field, "retry_after": retry_after}}


def test_invalid_argument_is_422_naming_the_field():
    error = to_app_error(rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "birth_place: no such place",
                                   **{"numeros-field": "birth_place"}))
    assert (error.status, error.code, error.field) == (422, "VALIDATION_ERROR", "birth_place")
    assert not isinstance(error, ChartSpecError)


def test_a_spec_error_body_is_carried_unchanged():
    body = seed_body("INVALID_TIMEZONE", "birth_timezone", None)
    error = to_app_error(rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_TIMEZONE: ...",
                                   **{"numeros-error": json.dumps(body), "numeros-field": "birth_timezone"}))
    assert isinstance(error, ChartSpecError)
    assert (error.status, error.code, error.field, error.body, error.headers) == (
        400, "INVALID_TIMEZONE", "birth_timezone", body, None)


def test_a_spec_calculation_failure_is_500_with_retry_after():
    body = seed_body("EPHEMERIS_UNAVAILABLE", None, 60)
    error = to_app_error(rpc_error(grpc.StatusCode.FAILED_PRECONDITION, "EPHEMERIS_UNAVAILABLE: ...",
                                   **{"numeros-error": json.dumps(body)}))
    assert isinstance(error, ChartSpecError)
    assert (error.status, error.body, error.headers) == (500, body, {"Retry-After": "60"})


def test_an_unreadable_spec_body_falls_back_to_the_usual_mapping():
    error = to_app_error(rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "x: bad", **{"numeros-error": "{not json"}))
    assert (type(error).__name__, error.status) == ("AppError", 422)


def test_failed_precondition_keeps_chart_s_code():
    error = to_app_error(rpc_error(grpc.StatusCode.FAILED_PRECONDITION, "EPHEMERIS_UNAVAILABLE: files missing"))
    assert (error.status, error.code) == (503, "EPHEMERIS_UNAVAILABLE")
    error = to_app_error(rpc_error(grpc.StatusCode.FAILED_PRECONDITION, "something odd"))
    assert (error.status, error.code) == (503, "CHART_UNAVAILABLE")


def test_transport_failures_are_503_and_the_rest_502():
    for code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        assert to_app_error(rpc_error(code, "down")).status == 503
    assert to_app_error(rpc_error(grpc.StatusCode.INTERNAL, "boom")).status == 502


def test_renamed_names_our_field_in_the_field_and_the_message():
    error = AppError(422, "VALIDATION_ERROR", "birth_date: before 1800-01-02", field="birth_date")
    ours = renamed(error, {"birth_date": "dob"})
    assert (ours.status, ours.code, ours.field, ours.message) == (422, "VALIDATION_ERROR", "dob",
                                                                 "dob: before 1800-01-02")
    listed = renamed(AppError(422, "VALIDATION_ERROR", "names[1]: no letters", field="names[1]"), {})
    assert (listed.field, listed.message) == ("names.1", "names.1: no letters")
    unnamed = AppError(503, "CHART_UNAVAILABLE", "down")
    assert renamed(unnamed, {"x": "y"}) is unnamed


def test_chart_s_invalid_house_system_becomes_422_naming_our_field():
    error = to_app_error(rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "house_system: unknown house system 'X'",
                                   **{"numeros-field": "house_system"}))
    assert renamed(error, {"house_system": "house_system"}).field == "house_system"
    assert (error.status, error.field) == (422, "house_system")


def test_birth_dates_that_have_happened():
    assert check_birth_date(dt.date(1, 1, 1)) == dt.date(1, 1, 1)
    assert check_birth_date(None) is None
    with pytest.raises(ValueError, match="future"):
        check_birth_date(today_utc() + dt.timedelta(days=1))


def test_chart_dates_are_years_1_to_3000_even_after_today():
    dates = TypeAdapter(CalendarDate)
    for day in (dt.date(1, 1, 1), today_utc() + dt.timedelta(days=1), dt.date(3000, 12, 31)):
        assert dates.validate_python(day.isoformat()) == day
    with pytest.raises(ValidationError, match="years 1 to 3000"):
        dates.validate_python("3001-01-01")
