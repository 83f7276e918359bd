"""Small helpers shared by the end-to-end tests."""
from __future__ import annotations

import uuid

import httpx


def register(client: httpx.Client, name: str, birth_date: str) -> dict:
    reply = client.post("/api/v1/auth/register/", json={
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw",
        "display_name": name, "birth_date": birth_date})
    assert reply.status_code == 201, reply.text
    return reply.json()
