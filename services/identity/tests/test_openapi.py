"""The OpenAPI document describes the calculation endpoints as their seeds do."""
import pytest

pytestmark = pytest.mark.asyncio


async def test_openapi_documents_the_calculation_endpoints(client):
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/api/v1/profile/calculate", "/api/v1/profile/me", "/api/v1/numerology/calculate",
                 "/api/v1/numerology/compare", "/api/v1/human-design/calculate-chart"):
        assert path in paths, path
    hd = paths["/api/v1/human-design/calculate-chart"]["post"]
    assert "422" not in hd["responses"] and {"200", "400", "500"} <= set(hd["responses"])
    assert "security" not in hd
    schemas = spec["components"]["schemas"]
    assert {"timezone", "house_system"} <= set(schemas["RegisterRequest"]["properties"])
    assert {"angles", "houses", "planets", "chart_level"} <= set(schemas["AstrologyData"]["properties"])
    assert "as_of" in schemas["NumerologyCalculateRequest"]["properties"]
    assert schemas["HumanDesignErrorDetail"]["required"] == ["code", "message", "message_de", "field", "retry_after"]
