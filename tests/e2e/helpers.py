"""Small helpers shared by the end-to-end tests."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import httpx

T = TypeVar("T")


def register(client: httpx.Client, name: str, birth_date: str) -> dict:
    reply = client.post("/api/v1/auth/register/", json={
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", "password": "long-enough-pw",
        "display_name": name, "birth_date": birth_date})
    assert reply.status_code == 201, reply.text
    return reply.json()


def until(fetch: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    """Call ``fetch`` until ``accept`` likes its value or ``timeout`` seconds pass; the last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)
