"""Answers to astrology questions from a Vedic snapshot. Pure: no I/O.

``PredictionEngine`` is the seam: the deterministic rules engine (``rules.RulesEngine``) is the default,
chosen by ``NUMEROS_PREDICTION_ENGINE=rules``; an LLM-backed engine can implement the same protocol and
register itself in ``ENGINES``.

Evidence cites ``calc_field`` paths into a snapshot document, e.g. ``d1.planets.Sun.house`` or
``d1.houses.10.lord``. A segment on a dict is a key. On a list it picks the element whose ``name`` equals
the segment (planets, yogas), else the element whose ``house`` equals it (``d1.houses.10`` is house 10),
else the 0-based index (``bhava_bala.9`` is the tenth entry)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class PredictionRequest:
    question: str
    time_horizon_months: int
    snapshot: dict[str, Any]  # the snapshot's ``data`` document
    as_of: dt.date  # the day the snapshot's dasha and transits were read for


class PredictionEngine(Protocol):
    """Answers a question from a snapshot: ``{topic, answer{summary, time_windows, actions, risks,
    evidence[{calc_field, value, interpretation}], confidence_topic}, confidence_overall,
    sensitivity_notice}``. ``model`` names the engine in ``llm_model``."""

    model: str

    def predict(self, request: PredictionRequest) -> dict[str, Any]: ...


def _rules() -> PredictionEngine:
    from .rules import RulesEngine

    return RulesEngine()


ENGINES = {"rules": _rules}


def engine_named(name: str) -> PredictionEngine:
    try:
        return ENGINES[name.strip().lower()]()
    except KeyError:
        raise ValueError(f"unknown prediction engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None


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
