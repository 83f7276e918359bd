"""405 answers name every method of the path, whichever route Starlette tried first."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from numeros_common.methods import install_allow_header


def app_with_a_resource() -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    def read(thing_id: int) -> dict:
        return {}

    @app.patch("/things/{thing_id}")
    def change(thing_id: int) -> dict:
        return {}

    @app.delete("/things/{thing_id}")
    def remove(thing_id: int) -> dict:
        return {}

    @app.post("/things")
    def create() -> dict:
        return {}

    install_allow_header(app)
    return app


def test_an_undeclared_method_is_405_naming_every_method_of_the_path() -> None:
    client = TestClient(app_with_a_resource())
    reply = client.put("/things/1")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "DELETE, GET, PATCH"
    assert client.get("/things").headers["allow"] == "POST"


def test_starlette_alone_names_only_the_first_route() -> None:
    """Why the middleware exists: without it the answer above names GET only."""
    app = app_with_a_resource()
    app.user_middleware.clear()
    reply = TestClient(app).put("/things/1")
    assert reply.status_code == 405 and reply.headers["allow"] == "GET"
