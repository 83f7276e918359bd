"""``calc_field`` paths into a snapshot document, e.g. ``d1.planets.Sun.house`` or ``d1.houses.10.lord``.

A segment on a dict is a key. On a list it picks the element whose ``name`` equals the segment (planets,
yogas), else the element whose ``house`` equals it (``d1.houses.10`` is house 10), else the 0-based index
(``bhava_bala.9`` is the tenth entry)."""
from __future__ import annotations

from typing import Any

MISSING = object()


def resolve_path(document: Any, path: str) -> Any:
    """The value at ``path``; raises ``KeyError`` naming the path when it does not exist."""
    node = document
    for segment in path.split("."):
        node = _step(node, segment)
        if node is MISSING:
            raise KeyError(path)
    return node


def _step(node: Any, segment: str) -> Any:
    if isinstance(node, dict):
        return node.get(segment, MISSING)
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item.get("name") == segment:
                return item
        if segment.isdigit():
            number = int(segment)
            for item in node:
                if isinstance(item, dict) and item.get("house") == number:
                    return item
            if number < len(node):
                return node[number]
    return MISSING
