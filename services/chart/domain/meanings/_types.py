"""The shape every interpretation text takes, whatever kind of number it explains."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Meaning:
    """Our own short reading of one number in one context (core number, cycle, pinnacle, ...)."""

    number: int
    title: str
    keywords: tuple[str, ...]
    description: str
    strengths: tuple[str, ...]
    challenges: tuple[str, ...]

    @property
    def headline(self) -> str:
        """One line for compact responses: ``"The Builder - structure, diligence, reliability"``."""
        return f"{self.title} - {', '.join(self.keywords)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "keywords": list(self.keywords),
            "description": self.description,
            "strengths": list(self.strengths),
            "challenges": list(self.challenges),
        }


def lowercase_first(text: str) -> str:
    """``"New beginnings"`` → ``"new beginnings"``, for titles used inside a sentence."""
    return text[:1].lower() + text[1:]


def readings(meanings: dict[int, Meaning]) -> dict[int, dict[str, Any]]:
    """``to_dict()`` of every meaning of a table, built once per process: documents embed these shared
    dicts (read-only; a document is encoded, never edited) instead of building ~14 of them per profile."""
    return {number: meaning.to_dict() for number, meaning in meanings.items()}


def table(*meanings: Meaning) -> dict[int, Meaning]:
    """Index meanings by number, refusing duplicates (a typo in a table must not hide a text)."""
    indexed = {meaning.number: meaning for meaning in meanings}
    if len(indexed) != len(meanings):
        raise ValueError("duplicate number in a meaning table")
    return indexed
