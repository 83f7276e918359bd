import datetime as dt

from services.identity.forecast.rules import universal_day_number


def test_universal_day_number():
    # 2023-06-12: 2+0+2+3+0+6+1+2 = 16 -> 1+6 = 7
    assert universal_day_number(dt.date(2023, 6, 12)) == 7
    # 1999-12-29: 1+9+9+9+1+2+2+9 = 42 -> 6
    assert universal_day_number(dt.date(1999, 12, 29)) == 6
