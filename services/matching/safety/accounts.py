"""identity's admin API as matching uses it: a ban deactivates the account there (identity then
publishes identity.user.updated with active=false and revokes the sessions)."""
from __future__ import annotations

import logging

import httpx

from numeros_common.errors import AppError

log = logging.getLogger(__name__)


class IdentityAdmin:
    """``PATCH /api/v1/admin/users/{id}`` on identity, with the admin's own bearer token: identity
    decides whether the caller may do it, as it does for any admin request."""

    def __init__(self, base_url: str, timeout_seconds: float = 5.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def deactivate(self, user_id: int, authorization: str, request_id: str | None = None) -> None:
        headers = {"Authorization": authorization, **({"X-Request-ID": request_id} if request_id else {})}
        try:
            reply = await self.client.patch(f"/api/v1/admin/users/{user_id}", json={"is_active": False},
                                            headers=headers)
        except httpx.HTTPError as exc:
            log.warning("identity unreachable", extra={"error": repr(exc)})
            raise AppError(503, "IDENTITY_UNAVAILABLE",
                           "The account service is unavailable; try again shortly.") from exc
        if reply.status_code == 404:
            raise AppError(404, "USER_NOT_FOUND", "The reported account no longer exists.")
        if reply.status_code in (401, 403):
            raise AppError(403, "FORBIDDEN", "The account service refused the ban for this admin.")
        if reply.status_code >= 300:
            log.error("identity refused a ban", extra={"status": reply.status_code, "body": reply.text[:500]})
            raise AppError(502, "IDENTITY_ERROR", "The account service failed to deactivate the account.")

    async def close(self) -> None:
        await self.client.aclose()
