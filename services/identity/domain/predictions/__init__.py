"""Answers to astrology questions from a Vedic snapshot. Pure: no I/O.

``PredictionEngine`` is the seam: the deterministic rules engine (``RulesEngine``) is the default, chosen
by ``NUMEROS_PREDICTION_ENGINE=rules``; an LLM-backed engine can implement the same protocol later."""
from .engine import ENGINES, PredictionEngine, PredictionRequest, engine_named
from .paths import resolve_path
from .rules import RulesEngine, classify_topic

__all__ = ["ENGINES", "PredictionEngine", "PredictionRequest", "RulesEngine", "classify_topic", "engine_named",
           "resolve_path"]
