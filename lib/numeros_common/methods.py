"""405 answers that name every method of the path. Starlette answers an undeclared method with the
``Allow`` of the first route whose path matched, so a path served by several routes (GET and PATCH
and DELETE of one resource) advertised only one of them."""
from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AllowEveryMethod:
    def __init__(self, app: ASGIApp, routes: list) -> None:
        self.app = app
        self.routes = routes

    def allowed(self, path: str) -> str:
        methods: set[str] = set()
        for route in self.routes:
            if isinstance(route, Route) and route.methods and route.path_regex.match(path):
                methods |= route.methods
        return ", ".join(sorted(methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": headers + [(b"allow", self.allowed(scope["path"]).encode())]}
            await send(message)

        await self.app(scope, receive, send_allow)


def install_allow_header(app: FastAPI) -> None:
    """Innermost of the app's middleware, so it sees the path as the router does (after the
    trailing-slash rewrite). Call once the routes are included."""
    app.user_middleware.append(Middleware(AllowEveryMethod, routes=app.router.routes))
