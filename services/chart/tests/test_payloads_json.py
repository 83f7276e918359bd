"""The documents' JSON text is the standard library's, byte for byte, although orjson writes most of it."""
from __future__ import annotations

import json

import pytest

from services.chart.api.payloads import to_json


def stdlib(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("value", [
    0.0, -0.0, 1e-4, 0.0001234, 359.9999, 123456789012345.6,
    1.5e-05, 9.99e-05, -2.5e-09, 1e16, 1.2345e20,  # orjson alone would write these differently
    5e-324, -1e100, 1e308, 1.2345678901234568e17, 2.2250738585072014e-308,
    "Zoë O'Neil \u2028 \x00 \"quoted\" 3e4f", "3e41", "1e-7,", "one-on-one, e-7]", None, True, 7,
])
def test_same_text_as_json_dumps(value):
    for body in ({"a": [value], "b": {"c": value}}, [value]):
        assert to_json(body) == stdlib(body)


def test_what_orjson_refuses_still_encodes():
    body = {1: "integer key", "t": (1.5, 2)}
    assert to_json(body) == '{"1":"integer key","t":[1.5,2]}'


def test_not_a_number_is_null():
    """The one difference: json.dumps wrote NaN and Infinity, which are not JSON (no document has them)."""
    assert to_json({"a": [float("nan"), float("inf"), -float("inf")]}) == '{"a":[null,null,null]}'
