"""Errors of the Human Design engine, shaped like the seed's error bodies.

Every error carries the seed's machine ``code``, an English ``message``, a German ``message_de``,
the request ``field`` at fault (or ``None``) and ``retry_after`` seconds (or ``None``).
``to_dict()`` is the seed's body ``{"detail": {...}}``; ``http_status`` is 400 for bad input and
500 for calculation failures. ``args`` holds every constructor argument, so the error survives
pickling back from a worker process.
"""
from __future__ import annotations

from typing import Any

from services.chart.domain.constants import EPHEMERIS_SET

INVALID_DATE = "INVALID_DATE"
INVALID_TIMEZONE = "INVALID_TIMEZONE"
INVALID_LOCATION = "INVALID_LOCATION"
INVALID_NAME = "INVALID_NAME"  # ours: the seed limits name to 100 characters but names no code
EPHEMERIS_UNAVAILABLE = "EPHEMERIS_UNAVAILABLE"
CALCULATION_FAILED = "CALCULATION_FAILED"

CLIENT_ERROR_CODES = frozenset({INVALID_DATE, INVALID_TIMEZONE, INVALID_LOCATION, INVALID_NAME})
SERVER_ERROR_CODES = frozenset({EPHEMERIS_UNAVAILABLE, CALCULATION_FAILED})
EPHEMERIS_RETRY_AFTER_SECONDS = 60


class HumanDesignError(Exception):
    """A Human Design request that cannot be answered, with the seed's bilingual error body."""

    def __init__(
        self,
        code: str,
        message: str,
        message_de: str,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(code, message, message_de, field, retry_after)
        self.code = code
        self.message = message
        self.message_de = message_de
        self.field = field
        self.retry_after = retry_after

    @property
    def is_client_error(self) -> bool:
        return self.code in CLIENT_ERROR_CODES

    @property
    def http_status(self) -> int:
        return 400 if self.is_client_error else 500

    def to_dict(self) -> dict[str, Any]:
        """The seed's error response body."""
        return {
            "detail": {
                "code": self.code,
                "message": self.message,
                "message_de": self.message_de,
                "field": self.field,
                "retry_after": self.retry_after,
            }
        }

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"{self.code}{where}: {self.message}"


def invalid_datetime_format(value: object) -> HumanDesignError:
    return HumanDesignError(
        INVALID_DATE,
        f"birth_datetime '{value}' is not a valid ISO 8601 date and time (expected e.g. 1990-05-15T14:30:00)",
        f"birth_datetime '{value}' ist kein gültiges Datum mit Uhrzeit im ISO-8601-Format "
        "(erwartet z. B. 1990-05-15T14:30:00)",
        "birth_datetime",
    )


def date_out_of_range(value: str, first: str, last: str) -> HumanDesignError:
    return HumanDesignError(
        INVALID_DATE,
        f"Birth date {value} is outside the supported range {first} to {last} (UTC instants from "
        f"0001-01-01T00:00:00Z; Swiss Ephemeris {EPHEMERIS_SET})",
        f"Das Geburtsdatum {value} liegt außerhalb des unterstützten Bereichs {first} bis {last} (UTC-Zeitpunkte "
        f"ab 0001-01-01T00:00:00Z; Swiss Ephemeris {EPHEMERIS_SET})",
        "birth_datetime",
    )


def invalid_timezone(value: object) -> HumanDesignError:
    return HumanDesignError(
        INVALID_TIMEZONE,
        f"Timezone '{value}' is not a valid IANA timezone identifier",
        f"Zeitzone '{value}' ist kein gültiger IANA-Zeitzonenbezeichner",
        "birth_timezone",
    )


def invalid_coordinate(field: str, value: object, limit: int) -> HumanDesignError:
    english, german = ("Latitude", "Breitengrad") if field == "birth_latitude" else ("Longitude", "Längengrad")
    return HumanDesignError(
        INVALID_LOCATION,
        f"{english} {value} is out of range; it must be a number between -{limit} and {limit}",
        f"{german} {value} liegt außerhalb des gültigen Bereichs; er muss eine Zahl zwischen -{limit} und {limit} sein",
        field,
    )


def name_too_long(length: int, limit: int) -> HumanDesignError:
    return HumanDesignError(
        INVALID_NAME,
        f"name must be at most {limit} characters (got {length})",
        f"Der Name darf höchstens {limit} Zeichen lang sein (erhalten: {length})",
        "name",
    )


def name_not_text() -> HumanDesignError:
    return HumanDesignError(INVALID_NAME, "name must be a string", "Der Name muss eine Zeichenkette sein", "name")


def ephemeris_unavailable(file_name: str | None = None, path: str | None = None) -> HumanDesignError:
    if file_name:
        where = f" at {path}" if path else ""
        where_de = f" am Pfad {path}" if path else ""
        return HumanDesignError(
            EPHEMERIS_UNAVAILABLE,
            f"Ephemeris data file {file_name} not found{where}",
            f"Ephemeris-Datendatei {file_name} wurde{where_de} nicht gefunden",
            None,
            EPHEMERIS_RETRY_AFTER_SECONDS,
        )
    return HumanDesignError(
        EPHEMERIS_UNAVAILABLE,
        "Swiss Ephemeris data files are not loaded: the calculation fell back to the less precise Moshier model",
        "Die Swiss-Ephemeris-Datendateien sind nicht geladen: Die Berechnung ist auf das ungenauere "
        "Moshier-Modell ausgewichen",
        None,
        EPHEMERIS_RETRY_AFTER_SECONDS,
    )


def calculation_failed(reason: str) -> HumanDesignError:
    return HumanDesignError(
        CALCULATION_FAILED,
        f"Swiss Ephemeris calculation error: {reason}",
        f"Fehler bei der Swiss-Ephemeris-Berechnung: {reason}",
    )
