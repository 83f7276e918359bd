"""Identity serves the gateway's merged OpenAPI document and Swagger UI, with nothing loaded from elsewhere."""
import json
import re

import pytest

from services.identity.docs.router import OPENAPI_FILE

pytestmark = pytest.mark.asyncio


async def test_merged_document_is_served_as_committed(client):
    reply = await client.get("/api/v1/openapi.json")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.json() == json.loads(OPENAPI_FILE.read_text())
    assert "/api/v1/matches/{match_id}/messages" in reply.json()["paths"]  # not only identity's own paths


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/"])
async def test_swagger_ui_loads_the_merged_document_from_local_assets(client, path):
    reply = await client.get(path)
    assert reply.status_code == 200
    page = reply.text
    assert "'/api/v1/openapi.json'" in page or '"/api/v1/openapi.json"' in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(sources) == ["/api/docs/assets/favicon-32x32.png", "/api/docs/assets/swagger-ui-bundle.js",
                               "/api/docs/assets/swagger-ui.css"]
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 500, source


async def test_swagger_ui_bundle_reads_openapi_3_1(client):
    reply = await client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert reply.headers["content-type"].split(";")[0] == "text/javascript"
    # FastAPI writes OpenAPI 3.1, which Swagger UI reads from version 5 on.
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', reply.text)


async def test_unknown_asset_is_404(client):
    assert (await client.get("/api/docs/assets/../../settings.py")).status_code == 404
    assert (await client.get("/api/docs/assets/index.html")).status_code == 404


async def test_docs_routes_stay_out_of_identitys_own_document(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/api/docs") or p == "/api/v1/openapi.json"]

