"""Birth dates and as-of dates: validation and whole-year ages."""
from __future__ import annotations

from datetime import date

from services.chart.domain.errors import InvalidInput


def birth_date_from_parts(year: int, month: int, day: int) -> date:
    """A real proleptic-Gregorian date (years 1..9999), or InvalidInput naming ``birth_date``."""
    try:
        return date(year, month, day)
    except ValueError as error:
        raise InvalidInput("birth_date", str(error)) from None


def check_as_of(birth_date: date, as_of: date) -> date:
    """``as_of`` if it is not before the birth; readings "as of" a day before birth mean nothing."""
    if as_of < birth_date:
        raise InvalidInput("as_of", "must not be before birth_date")
    return as_of


def age_on(birth_date: date, as_of: date) -> int:
    """Whole years completed on ``as_of`` (a 29 February birthday is reached on 1 March)."""
    before_birthday = (as_of.month, as_of.day) < (birth_date.month, birth_date.day)
    return as_of.year - birth_date.year - before_birthday
