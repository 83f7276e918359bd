"""``/api/v1/openapi.json`` and ``/api/docs``. The document is the merged one of every service, built by
``python -m services.gateway openapi`` into ``openapi.json`` beside this file (identity's image carries
no other service's code). Swagger UI's assets come from the pinned ``fastapi-swagger`` wheel, never a CDN."""
from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from numeros_common.errors import AppError

OPENAPI_FILE = Path(__file__).with_name("openapi.json")
OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/docs"
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon-32x32.png": "image/png"}

router = APIRouter(include_in_schema=False)


@functools.cache
def _asset(name: str) -> bytes:
    return importlib.resources.files("fastapi_swagger.resources").joinpath(name).read_bytes()


@router.get(OPENAPI_URL)
async def openapi_document() -> Response:
    return Response(OPENAPI_FILE.read_bytes(), media_type="application/json")


@router.get(DOCS_URL)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="Numeros API",
                               swagger_js_url=f"{DOCS_URL}/assets/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS_URL}/assets/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS_URL}/assets/favicon-32x32.png")


@router.get(DOCS_URL + "/assets/{name}")
async def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        raise AppError(404, "NOT_FOUND", "No such asset.")
    return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
