"""The account use-cases called directly (no HTTP), on real Postgres, Redis and chart."""
import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from numeros_common.auth import revoked_session_key
from numeros_common.errors import AppError
from services.identity.accounts import service
from services.identity.accounts.tables import sessions
from services.identity.database import outbox

pytestmark = pytest.mark.asyncio


@dataclass(frozen=True)
class Birth:
    birth_date: dt.date = dt.date(1990, 5, 15)
    birth_time: dt.time | None = dt.time(14, 30)
    birth_place: str | None = None
    latitude: float | None = 40.7128
    longitude: float | None = -74.006
    timezone: str | None = "America/New_York"
    house_system: str | None = None


@pytest.fixture
def runtime(client):
    return client.app.state.runtime


def new_email() -> str:
    return f"s{uuid.uuid4().hex[:12]}@example.com"


async def test_register_stores_user_event_and_session_together(runtime):
    email = new_email()
    async with runtime.sessions() as session:
        signed_in = await service.register(runtime, session, email=email, password="s3cret-pass",
                                           display_name="Sarah", birth=Birth())
    user = signed_in.user
    # 1990-05-15: 5 + (1+5) + (1+9+9+0 -> 19 -> 10 -> 1) = 12 -> 3; SARAH: 1+1+9+1+8 = 20 -> 2.
    assert (user["email"], user["life_path"], user["expression"], user["chart_level"]) == (email, 3, 2, 4)
    assert user["timezone"] == "America/New_York" and user["sun_sign"] == "Taurus"
    async with runtime.sessions() as session:
        events = await session.scalar(select(func.count()).select_from(outbox).where(
            outbox.c.subject == "identity.user.registered",
            outbox.c.envelope["data"]["user_id"].as_integer() == user["id"]))
        session_row = (await session.execute(select(sessions).where(
            sessions.c.id == uuid.UUID(signed_in.tokens.session_id)))).mappings().one()
    assert events == 1 and session_row["user_id"] == user["id"] and session_row["revoked_at"] is None

    async with runtime.sessions() as session:
        with pytest.raises(AppError) as taken:
            await service.register(runtime, session, email=email.upper(), password="s3cret-pass",
                                   display_name="Sarah", birth=Birth())
    assert (taken.value.status, taken.value.code, taken.value.field) == (409, "EMAIL_TAKEN", "email")


async def test_chart_s_refusal_names_the_request_field(runtime):
    async with runtime.sessions() as session:
        with pytest.raises(AppError) as refused:
            await service.register(runtime, session, email=new_email(), password="s3cret-pass",
                                   display_name="R2D2", birth=Birth())
        assert (refused.value.status, refused.value.field) == (422, "display_name")
        with pytest.raises(AppError) as refused:
            await service.register(runtime, session, email=new_email(), password="s3cret-pass",
                                   display_name="Sarah", birth=Birth(house_system="astral"))
        assert (refused.value.status, refused.value.field) == (422, "house_system")


async def test_login_refresh_rotation_and_logout(runtime):
    email = new_email()
    async with runtime.sessions() as session:
        await service.register(runtime, session, email=email, password="s3cret-pass", display_name="Sarah",
                               birth=Birth())
        with pytest.raises(AppError) as wrong:
            await service.login(runtime, session, email=email, password="not-it")
        assert (wrong.value.status, wrong.value.code) == (401, "INVALID_CREDENTIALS")
        login = await service.login(runtime, session, email=email.upper(), password="s3cret-pass")
        once = await service.refresh(runtime, session, login.tokens.refresh_token)
        refreshed = await service.refresh(runtime, session, once.tokens.refresh_token)
        assert refreshed.tokens.session_id == once.tokens.session_id == login.tokens.session_id
        assert len({login.tokens.refresh_token, once.tokens.refresh_token, refreshed.tokens.refresh_token}) == 3
        with pytest.raises(AppError) as replay:  # not the last token rotated away: reuse, not a retry
            await service.refresh(runtime, session, login.tokens.refresh_token)
        assert replay.value.code == "INVALID_REFRESH_TOKEN"

        await service.logout(runtime, session, refreshed.tokens.session_id)
        with pytest.raises(AppError):
            await service.refresh(runtime, session, refreshed.tokens.refresh_token)
    assert await runtime.redis.get(revoked_session_key(refreshed.tokens.session_id)) == b"1"
