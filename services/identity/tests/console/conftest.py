import re
import uuid

import httpx
import pytest
from sqlalchemy import update

from services.identity.accounts.tables import users

PASSWORD = "console-password-1"


async def register(client: httpx.AsyncClient, *, admin: bool = False, name: str = "Console") -> dict:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    reply = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    user = reply.json()["user"]
    if admin:
        async with client.app.state.runtime.sessions() as session:
            await session.execute(update(users).where(users.c.id == user["id"]).values(is_admin=True))
            await session.commit()
    return {"id": user["id"], "email": email, "token": reply.json()["access_token"]}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/admin/login")
    return await client.post("/admin/login", data={"email": email, "password": password,
                                                   "csrf_token": csrf_of(form.text), "next": "/admin/"})


@pytest.fixture
async def console(make_identity_client):
    """identity in-process; the console's cookie without Secure, as httpx keeps Secure cookies off plain http."""
    async with make_identity_client(NUMEROS_CONSOLE_COOKIE_SECURE="false") as client:
        yield client
