"""Errors the domain raises for bad input; the API turns them into INVALID_ARGUMENT."""
from __future__ import annotations


class InvalidInput(ValueError):
    """Input the rules cannot work with, naming the offending request field.

    ``args`` is ``(field, reason)`` so the error survives pickling back from a worker process.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"
