"""Inputs that reached the database or a parser unchecked and answered 500, found by review: each is now a
4xx naming the field (or, for a valid number, accepted). In-process app on the real Postgres/Redis/NATS/chart."""
from __future__ import annotations

import random

from sqlalchemy import insert, select

from services.identity.accounts.tables import users
from services.identity.leads.tables import leads

PICTURE = "https://example.com/pic1.jpg"


async def phone_account(client) -> tuple[int, str]:
    """A verified phone account (what verify-otp makes), without the SMS round trip."""
    number = f"+919{random.randint(0, 10**9 - 1):09d}"
    async with client.app.state.runtime.sessions() as session:
        user_id = await session.scalar(insert(users).values(phone_number=number, is_verified=True, chart_level=0)
                                       .returning(users.c.id))
        await session.commit()
    return user_id, number


def fields(reply) -> list[str]:
    return [f["field"] for f in reply.json()["error"].get("fields", [])]


async def test_a_phone_account_changing_a_password_it_never_had_is_told_so(client, mint_token) -> None:
    user_id, _ = await phone_account(client)
    reply = await client.post("/api/v1/auth/password/change",
                              headers={"Authorization": f"Bearer {mint_token(user_id)}"},
                              json={"current_password": "anything", "new_password": "long-enough-1"})
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "PASSWORD_NOT_SET"
    assert fields(reply) == ["current_password"]


async def test_a_valid_non_geographic_number_gets_a_code_and_is_a_lead_without_a_region(client) -> None:
    number = f"+8001{random.randint(0, 10**7 - 1):07d}"  # international freephone: valid, but no country
    reply = await client.post("/api/v1/auth/signup", json={"phone_number": number})
    assert reply.status_code == 200, reply.text
    async with client.app.state.runtime.sessions() as session:
        region = (await session.execute(select(leads.c.region).where(leads.c.phone_number == number))).scalar_one()
    assert region is None


async def test_complete_profile_refuses_a_nul_character_by_field_name(client, mint_token) -> None:
    user_id, number = await phone_account(client)
    headers = {"Authorization": f"Bearer {mint_token(user_id)}"}
    body = {"phone_number": number, "name": "Gaurav Kumar", "birth_date": "1995-01-01", "gender": "male",
            "event_interests": [1], "profile_pictures": [PICTURE]}
    for field, value in (("bio", "a\x00b"), ("location", "Pune\x00"),
                         ("profile_pictures", ["https://example.com/a\x00.jpg"])):
        reply = await client.post("/api/v1/auth/complete-profile", headers=headers, json={**body, field: value})
        assert reply.status_code == 422, (field, reply.text)
        assert [f.split(".")[0] for f in fields(reply)] == [field]


async def test_a_double_submitted_signup_sends_one_code(client, caplog) -> None:
    """Two sign-ups for one number at once (a retry on a weak connection): one code by SMS, the other
    request told a code was just sent; two codes would leave the first SMS's code wrong."""
    import asyncio
    import logging

    number = f"+919{random.randint(0, 10**9 - 1):09d}"
    with caplog.at_level(logging.INFO, logger="services.identity.phone.sms"):
        replies = await asyncio.gather(*(client.post("/api/v1/auth/signup", json={"phone_number": number})
                                         for _ in range(2)))
    assert sorted(r.status_code for r in replies) == [200, 429], [r.text for r in replies]
    assert [r for r in replies if r.status_code == 429][0].json()["error"]["code"] == "OTP_RESEND_COOLDOWN"
    assert len([r for r in caplog.records if r.getMessage().startswith(f"OTP for {number}:")]) == 1
