"""The console's own inputs (query strings and path ids it parses itself, and its sign-in form): bad values
are a 400 page naming the field, and password guessing is throttled exactly as at the API's login."""
from __future__ import annotations

from .conftest import register, sign_in


async def test_digits_that_are_not_ascii_or_too_large_are_bad_input_not_a_crash(console) -> None:
    admin = await register(console, admin=True)
    await sign_in(console, admin["email"])
    for path in ("/admin/users?page=%C2%B2", "/admin/users/%C2%B2", "/admin/reports/%C2%B2",
                 "/admin/users?page=1%C2%B2"):
        reply = await console.get(path)
        assert reply.status_code == 400, (path, reply.status_code)
        assert "Bad input" in reply.text
    for query in ("%C2%B2", "99999999999999999999999"):  # a superscript two; past a BIGINT
        reply = await console.get(f"/admin/users?q={query}")
        assert reply.status_code == 200, (query, reply.status_code)


async def test_console_sign_in_shares_the_accounts_failed_password_budget(console, identity_env) -> None:
    admin = await register(console, admin=True)
    limit = 10  # login_failure_limit's default: 10 failures in 15 minutes
    for attempt in range(limit):
        assert (await sign_in(console, admin["email"], f"wrong-{attempt}")).status_code == 401
    refused = await sign_in(console, admin["email"], f"wrong-{limit}")
    assert refused.status_code == 429, refused.status_code
    assert "Too many failed attempts" in refused.text
    # The right password waits as well, here and at the API's login (one budget per account).
    assert (await sign_in(console, admin["email"])).status_code == 429
    api = await console.post("/api/v1/auth/login", json={"email": admin["email"], "password": "console-password-1"})
    assert api.status_code == 429
