"""Public API documentation: the gateway's merged OpenAPI document and Swagger UI, served offline."""
