"""Vedic (sidereal) astrology engine: pure and deterministic over Swiss Ephemeris.

Entry points: :func:`vedic_snapshot` (a resolved birth) and :func:`compute_vedic_snapshot` (local
birth time + place, resolved by ``birth_time``). ``VedicSnapshot.to_dict()`` is the astro-mvp
seed's snapshot ``data`` document. ``normalize_input`` + ``input_hash`` identify a snapshot for
caching; ``RULESET_VERSION`` versions the rules.
"""
from services.chart.domain.aliases import AYANAMSAS, DEFAULT_AYANAMSA, ayanamsa_key
from services.chart.domain.aliases import DEFAULT_VEDIC_HOUSE_SYSTEM as DEFAULT_HOUSE_SYSTEM
from services.chart.domain.aliases import VEDIC_HOUSE_SYSTEMS as HOUSE_SYSTEMS
from services.chart.domain.aliases import vedic_house_system_key as house_system_key
from services.chart.domain.vedic.ruleset import RULESET_VERSION, ephemeris_version, input_hash, normalize_input
from services.chart.domain.vedic.snapshot import VedicSnapshot, compute_vedic_snapshot, vedic_snapshot

__all__ = [
    "AYANAMSAS", "DEFAULT_AYANAMSA", "DEFAULT_HOUSE_SYSTEM", "HOUSE_SYSTEMS", "RULESET_VERSION", "VedicSnapshot",
    "ayanamsa_key", "compute_vedic_snapshot", "ephemeris_version", "house_system_key", "input_hash",
    "normalize_input", "vedic_snapshot",
]
