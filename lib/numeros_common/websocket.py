"""WebSocket authentication and close codes, the same for every service that serves sockets.

A token travels only in the ``Authorization: Bearer|Token <jwt>`` header, never in the URL (URLs land in
access logs); a browser, which cannot set that header on a socket, redeems a short one-time ticket that the
serving service issues (chat: ``POST /api/v1/ws/tickets``). Failures
become close codes 4000 + the HTTP status a REST call would get (4401, 4403, 4404, 4409, 4429), so
clients can handle both the same way; a dependency outage becomes 1013 (try again later)."""
from __future__ import annotations

from starlette.websockets import WebSocket

from .auth import Principal, TokenVerifier, token_from_header
from .errors import AppError

CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_INTERNAL_ERROR = 1011


async def websocket_principal(websocket: WebSocket, verifier: TokenVerifier) -> Principal | None:
    """The caller from the Authorization header; None when there is none; AppError 401 for a bad one,
    and for a token put in the URL (refused so that nobody learns to send one there)."""
    if "token" in websocket.query_params:
        raise AppError(401, "TOKEN_IN_URL", "Send the token in the Authorization header, or use a one-time "
                                            "ticket (POST /api/v1/ws/tickets) as ?ticket=.")
    token = token_from_header(websocket.headers.get("authorization"))
    return await verifier.verify(token) if token else None


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
