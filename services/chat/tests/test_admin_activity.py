"""chat's ``/system/activity`` for the admin console: messages per UTC day (zero-filled), admins only."""
from __future__ import annotations

import datetime as dt
import random

from numeros_common.activity import per_day
from services.chat.messages.tables import messages


async def test_messages_are_counted_per_utc_day_with_empty_days_as_zero(client) -> None:
    # A year of its own (other tests share the table): 2 on the 1st (one just before UTC midnight of a
    # +02:00 clock), none on the 2nd, 1 on the 3rd, 1 the day before the window.
    year = random.randint(1900, 1999)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    at = [dt.datetime(year, 3, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(year, 3, 2, 1, 59, tzinfo=plus_two),
          dt.datetime(year, 3, 3, 23, 59, tzinfo=dt.UTC), dt.datetime(year, 2, 28, 23, 59, tzinfo=dt.UTC)]
    async with client.app.state.runtime.sessions() as session:
        await session.execute(messages.insert(), [{"match_id": 1, "sender_id": 1, "content": "hi", "created_at": when}
                                                  for when in at])
        await session.commit()
        days = await per_day(session, messages.c.created_at, 3, dt.date(year, 3, 3))
    assert days == [{"date": f"{year}-03-01", "count": 2}, {"date": f"{year}-03-02", "count": 0},
                    {"date": f"{year}-03-03", "count": 1}]


async def test_the_activity_endpoint_answers_admins_only(client, mint_token) -> None:
    admin = {"Authorization": f"Bearer {mint_token(random.randint(1, 10**9), is_admin=True)}"}
    reply = await client.get("/system/activity", params={"days": 3}, headers=admin)
    assert reply.status_code == 200, reply.text
    today = dt.datetime.now(dt.UTC).date()
    assert [d["date"] for d in reply.json()["messages_per_day"]] == [
        (today - dt.timedelta(days=back)).isoformat() for back in (2, 1, 0)]
    assert set(reply.json()["dead_letters"]) == {
        "chat-matches", "chat-push", "chat-messages-erasure", "chat-push-erasure"}
    person = {"Authorization": f"Bearer {mint_token(random.randint(1, 10**9))}"}
    assert (await client.get("/system/activity", headers=person)).status_code == 403
    assert (await client.get("/system/activity")).status_code == 401
    assert (await client.get("/system/activity", params={"days": 0}, headers=admin)).status_code == 422
