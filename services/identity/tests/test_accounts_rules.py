import datetime as dt

import jwt
import pytest

from numeros_common.auth import TokenVerifier
from numeros_common.errors import AppError
from services.identity.accounts.passwords import hash_password, verify_password
from services.identity.accounts.tokens import generate_keypair, issue_access_token, secret_token_hash


def test_password_hash_is_argon2id_and_verifies():
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything")


def test_access_token_round_trip_and_tamper_detection():
    private, public = generate_keypair()
    now = dt.datetime.now(dt.UTC)
    token = issue_access_token(private, user_id=42, session_id="s1", is_admin=False, now=now, ttl_seconds=60,
                               issuer="numeros-identity", audience="numeros")
    verifier = TokenVerifier(public, "numeros-identity", "numeros", redis=None)
    principal = verifier.decode(token)
    assert (principal.user_id, principal.session_id, principal.is_admin) == (42, "s1", False)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"

    _, other_public = generate_keypair()
    with pytest.raises(AppError) as err:
        TokenVerifier(other_public, "numeros-identity", "numeros", redis=None).decode(token)
    assert err.value.code == "INVALID_TOKEN"

    expired = issue_access_token(private, user_id=42, session_id="s1", is_admin=False,
                                 now=now - dt.timedelta(hours=1), ttl_seconds=60, issuer="numeros-identity",
                                 audience="numeros")
    with pytest.raises(AppError) as err:
        verifier.decode(expired)
    assert err.value.code == "TOKEN_EXPIRED"


def test_secret_tokens_are_stored_as_their_sha256():
    # FIPS 180-2's example digest of "abc".
    assert secret_token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
