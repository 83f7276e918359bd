"""Small helpers shared by the end-to-end tests."""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from numeros_common.testing import eventually


def register(client: httpx.Client, name: str, birth_date: str) -> dict:
    reply = client.post("/api/v1/auth/register/", json={
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw",
        "display_name": name, "birth_date": birth_date})
    assert reply.status_code == 201, reply.text
    return reply.json()


def logged_codes(log: Path, number: str) -> list[str]:
    """The codes the console SMS provider wrote to a service log (JSON lines), oldest first: its line is
    exactly ``OTP for <number>: <code>``, which is where a person running the stack reads a code."""
    pattern = re.compile(rf"^OTP for {re.escape(number)}: (\d+)$")
    matches = (pattern.match(str(record.get("message", ""))) for record in log_records(log))
    return [match.group(1) for match in matches if match]


def log_records(log: Path) -> Iterator[dict[str, Any]]:
    """The JSON records of a service log (other lines skipped)."""
    for line in log.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def mailed_reset_token(stack: Any, email: str) -> str | None:
    """The newest reset token the console mail provider wrote to identity's log for ``email``."""
    found = None
    for record in log_records(stack.root / "logs" / "identity.log"):
        if record.get("mail_to") == email:
            found = record["mail_body"].split("Reset token: ", 1)[1].split()[0]
    return found


def sent_code(log: Path, number: str, nth: int = 1) -> str:
    """The ``nth`` code sent to ``number``, waiting for its log line (the log is written by another process)."""
    async def probe() -> list[str]:
        codes = logged_codes(log, number)
        return codes if len(codes) >= nth else []

    return asyncio.run(eventually(probe, what=f"code {nth} for {number} in {log.name}"))[nth - 1]
