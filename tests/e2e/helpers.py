"""Small helpers shared by the end-to-end tests."""
from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


def register(client: httpx.Client, name: str, birth_date: str) -> dict:
    reply = client.post("/api/v1/auth/register/", json={
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw",
        "display_name": name, "birth_date": birth_date})
    assert reply.status_code == 201, reply.text
    return reply.json()


def mailed_reset_token(stack: Any, email: str) -> str | None:
    """The newest reset token the console mail provider wrote to identity's log for ``email``."""
    found = None
    for line in (stack.root / "logs" / "identity.log").read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("mail_to") == email:
            found = record["mail_body"].split("Reset token: ", 1)[1].split()[0]
    return found
