"""The ruleset version and the calculation hash that keys caches and stored snapshots."""
from __future__ import annotations

import hashlib
import json

# Change whenever a rule, a meaning text or what the hash covers changes, so stored results and
# responses cached under a hash are recomputed rather than served stale.
#   pythagorean-v1: core four numbers, Y always a consonant.
#   numerology-v2:  Y rule option (default "auto"), birth-day karmic debts, maturity, birth day,
#                   cycles, pinnacles, challenges, Chaldean and Vedic numbers.
RULESET_VERSION = "numerology-v2"
# json.dumps(..., sort_keys=True, separators=(",", ":")) builds this encoder on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def calculation_hash(kind: str, **inputs: str | int | list[str]) -> str:
    """sha256 of the canonical JSON of what was calculated (``kind``), its normalised inputs and the ruleset.

    Callers pass inputs already normalised (name words in A-Z, ISO dates), so spellings the rules
    cannot tell apart ("José" and "jose") share a hash, while any input that can change a number
    (name, birth date, Y rule, the as-of date of cycles) changes it.
    """
    canonical = _CANONICAL.encode({"inputs": inputs, "kind": kind, "ruleset": RULESET_VERSION})
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
