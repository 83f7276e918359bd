"""The admin bootstrap: ``python -m services.identity admin create --email E [--password P]`` creates an
admin account in the database NUMEROS_DATABASE_URL names, or promotes the existing account with that email
(its password stays). ``make admin`` runs it against the local run's database."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable

from pydantic import EmailStr, TypeAdapter, ValidationError

from numeros_common.db import make_engine, make_session_factory

from ..accounts import repository
from ..accounts.passwords import hash_password
from ..settings import IdentitySettings

MIN_PASSWORD = 8  # as registration asks


async def create_or_promote(database_url: str, email: str, password: Callable[[], str]) -> tuple[int, bool]:
    """(user id, True if created). ``password`` is asked for only when the account is new."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            user = await repository.find_by_email(session, email)
            created = user is None
            if user is not None:
                await repository.update_user(session, user["id"], {"is_admin": True, "is_active": True})
            else:
                user = await repository.insert_user(session, {"email": email,
                                                              "password_hash": hash_password(password()),
                                                              "is_admin": True, "chart_level": 0})
            await session.commit()
            return user["id"], created
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.identity admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an admin account, or promote the account with this email")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="for a new account (asked for when omitted); an existing account "
                                           "keeps its password")
    args = parser.parse_args(argv)
    try:
        email = str(TypeAdapter(EmailStr).validate_python(args.email.strip()))
    except ValidationError:
        parser.error(f"not an email address: {args.email!r}")

    def password() -> str:
        given = args.password if args.password is not None else getpass.getpass(f"Password for {email}: ")
        if len(given) < MIN_PASSWORD:
            parser.error(f"the password needs at least {MIN_PASSWORD} characters")
        return given

    try:
        user_id, created = asyncio.run(create_or_promote(IdentitySettings().database_url, email, password))
    except OSError as exc:
        sys.stderr.write(f"cannot reach the database ({exc}); is the system running (`make run`)?\n")
        return 1
    print(f"{'created admin' if created else 'promoted to admin'} {email} (id {user_id})"
          f"{'' if created else '; its password is unchanged'}. Sign in to get an admin token.")
    return 0
