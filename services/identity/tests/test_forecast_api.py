"""The daily forecast under /api/v1/forecast on real Postgres, Redis and chart."""
import datetime as dt

import pytest
from sqlalchemy import select

from services.identity.forecast.tables import daily_forecasts

from .test_vedic_api import error_fields

pytestmark = pytest.mark.asyncio


async def test_universal_forecast_is_stored_per_date(client):
    reply = await client.get("/api/v1/forecast/2023-06-12")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    # By hand: year 2023 -> 2+0+2+3 = 7; month 7 + 6 = 13 -> 4; day 4 + 1+2 = 7 (all digits: 16 -> 7).
    assert body["date"] == "2023-06-12" and body["universal_day_number"] == 7
    assert body["personalized"] is False and "personal" not in body
    assert body["colors"] and body["moon"] and body["transits"]
    async with client.app.state.runtime.sessions() as session:
        row = (await session.execute(select(daily_forecasts).where(
            daily_forecasts.c.date == dt.date(2023, 6, 12)))).mappings().one()
    assert row["universal_day_number"] == 7 and row["forecast_data"] == body
    assert (await client.get("/api/v1/forecast/2023-06-12/")).json() == body
    today = (await client.get("/api/v1/forecast/today")).json()
    assert today["date"] == dt.datetime.now(dt.UTC).date().isoformat()


@pytest.mark.parametrize("value", ["2023-13-01", "2023-02-30", "20230612", "today-ish", "3001-01-01"])
async def test_forecast_bad_date_is_422_naming_date(client, value):
    reply = await client.get(f"/api/v1/forecast/{value}")
    assert reply.status_code == 422, reply.text
    assert error_fields(reply) == {"date"}


async def test_personal_forecast_for_a_signed_in_user(client):
    from .test_profile_api import new_user

    registered = await client.post("/api/v1/auth/register", json=new_user(latitude=40.7128, longitude=-74.006,
                                                                          timezone="America/New_York"))
    assert registered.status_code == 201, registered.text
    headers = {"Authorization": f"Bearer {registered.json()['token']}"}
    reply = await client.get("/api/v1/forecast/2023-06-12", headers=headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["personalized"] is True and body["universal_day_number"] == 7
    # Personal day for a 1990-05-15 birth on 2023-06-12: personal year 5 + 6 + 7 = 18 -> 9;
    # month 9 + 6 = 15 -> 6; day 6 + 3 = 9.
    assert body["personal"]["personal_day_number"] == 9
    assert (await client.get("/api/v1/forecast/2023-06-12", headers=headers)).json() == body  # Redis copy
