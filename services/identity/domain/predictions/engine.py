"""The prediction-engine seam."""
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
