"""The gRPC metadata keys chart and its clients agree on: one copy for both sides of the contract."""
FIELD_METADATA_KEY = "numeros-field"  # the request field an INVALID_ARGUMENT is about
ERROR_METADATA_KEY = "numeros-error"  # a JSON error body a product spec prescribes (Human Design)
REQUEST_ID_METADATA_KEY = "x-request-id"  # the HTTP request's id, so chart's logs line up with the edge's
