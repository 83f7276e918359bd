"""WebSocket authentication and close codes, the same for every service that serves sockets.

Mobile WebSocket clients often cannot set headers, so a token is accepted from the
``Authorization: Bearer|Token <jwt>`` header or from a ``?token=<jwt>`` query parameter. Failures
become close codes 4000 + the HTTP status a REST call would get (4401, 4403, 4404, 4409, 4429), so
clients can handle both the same way; a dependency outage becomes 1013 (try again later)."""
from __future__ import annotations

from starlette.websockets import WebSocket

from .auth import Principal, TokenVerifier, token_from_header
from .errors import AppError

CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_INTERNAL_ERROR = 1011


def websocket_token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization")
    if header:
        return token_from_header(header)
    token = (websocket.query_params.get("token") or "").strip()
    return token or None


async def websocket_principal(websocket: WebSocket, verifier: TokenVerifier) -> Principal:
    """The caller, or AppError (401 when no or a bad token was sent)."""
    token = websocket_token(websocket)
    if token is None:
        raise AppError(401, "UNAUTHENTICATED", "Authentication required: send a Bearer token or ?token=.")
    return await verifier.verify(token)


def close_code_for(error: AppError) -> int:
    if 400 <= error.status < 500:
        return 4000 + error.status
    if error.status in (502, 503, 504):
        return CLOSE_TRY_AGAIN_LATER
    return CLOSE_INTERNAL_ERROR


def close_reason(message: str) -> str:
    """A close reason must fit in 123 UTF-8 bytes."""
    encoded = message.encode("utf-8")[:123]
    return encoded.decode("utf-8", errors="ignore")
