"""Rules about a pair of users and their match that need no I/O."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..discovery.rules import compatibility_body


def ordered_pair(a: int, b: int) -> tuple[int, int]:
    """The pair as stored in ``matches`` (user1_id < user2_id); a user cannot pair with themself."""
    if a == b:
        raise ValueError("a pair needs two different users")
    return (a, b) if a < b else (b, a)


def pair_lock_key(a: int, b: int) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock`` that is the same for (a, b) and (b, a)."""
    low, high = ordered_pair(a, b)
    digest = hashlib.blake2b(f"matching-pair:{low}:{high}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def viewer_compatibility(data: Mapping[str, Any] | None, viewer_id: int) -> dict[str, Any] | None:
    """The viewer's side of a match's stored compatibility_data (see compatibility.match_record)."""
    if not data:
        return None
    document = (data.get("perspectives") or {}).get(str(viewer_id))
    return compatibility_body(document) if isinstance(document, Mapping) else None
