"""The Rave Mandala: tropical ecliptic longitude → gate, line, color, tone and base.

The 64 gates run counter-clockwise (in the direction of increasing longitude) around the tropical
zodiac, starting with gate 41 at 2°00'00" Aquarius = 302° ecliptic longitude. Each gate spans
360/64 = 5.625° (5°37'30"), each line 5.625/6 = 0.9375° (56'15"), each color 0.15625°, each tone
0.15625/6° and each base 0.15625/30°.

Sources checked (the order below was compared entry by entry):
- jdempcy/hdkit ``constants.js`` (``gateOrder``) and ``gate-locations-on-zodiac.js`` (gate 41
  begins Aquarius 2°00'00" and ends Aquarius 7°37'30").
- ppo/pyhd ``src/pyhd/constants/__init__.py``: ``GATE_WHEEL_START_DEGREES = 302.0`` and the
  per-gate ``wheel_index`` column, referenced to "The Definitive Book of Human Design"
  (Ra Uru Hu & Lynda Bunnell, ISBN 978-0615552149), index table p416-419.
- renlei-tu 0.1.0 (PyPI) lists the same wheel starting at gate 25 = 358.25° (28°15' Pisces), which
  is the same circle rotated by ten gates (302 + 10 × 5.625 = 358.25); the test suite compares the
  two mappings over the whole circle.
- IHDS "The Daily View" shows gate 41's neighbours as "Gate 60 < Gate 41 > Gate 19".
"""
from __future__ import annotations

from dataclasses import dataclass

GATE_ORDER: tuple[int, ...] = (
    41, 19, 13, 49, 30, 55, 37, 63, 22, 36, 25, 17, 21, 51, 42, 3,
    27, 24, 2, 23, 8, 20, 16, 35, 45, 12, 15, 52, 39, 53, 62, 56,
    31, 33, 7, 4, 29, 59, 40, 64, 47, 6, 46, 18, 48, 57, 32, 50,
    28, 44, 1, 43, 14, 34, 9, 5, 26, 11, 10, 58, 38, 54, 61, 60,
)  # fmt: skip
MANDALA_START_DEGREES = 302.0  # gate 41, line 1 begins at 2°00'00" Aquarius
GATE_DEGREES = 360.0 / 64  # 5.625
LINE_DEGREES = GATE_DEGREES / 6  # 0.9375
COLOR_DEGREES = LINE_DEGREES / 6  # 0.15625
TONE_DEGREES = COLOR_DEGREES / 6
BASE_DEGREES = TONE_DEGREES / 5

_WHEEL_INDEX = {gate: index for index, gate in enumerate(GATE_ORDER)}


@dataclass(frozen=True, slots=True)
class MandalaPosition:
    """Where a longitude falls on the mandala: gate 1-64, line 1-6, color 1-6, tone 1-6, base 1-5."""

    gate: int
    line: int
    color: int
    tone: int
    base: int

    @property
    def gate_line(self) -> str:
        return f"{self.gate}.{self.line}"


def normalize_degrees(longitude: float) -> float:
    """``longitude`` folded into [0, 360)."""
    folded = longitude % 360.0
    return 0.0 if folded >= 360.0 else folded  # (-1e-20) % 360.0 == 360.0 in floating point


def mandala_position(longitude: float) -> MandalaPosition:
    """Gate, line, color, tone and base of a tropical ecliptic longitude (degrees, any range)."""
    offset = normalize_degrees(longitude - MANDALA_START_DEGREES)
    gate_index = min(int(offset / GATE_DEGREES), 63)
    in_gate = offset - gate_index * GATE_DEGREES
    line_index = min(int(in_gate / LINE_DEGREES), 5)
    in_line = in_gate - line_index * LINE_DEGREES
    color_index = min(int(in_line / COLOR_DEGREES), 5)
    in_color = in_line - color_index * COLOR_DEGREES
    tone_index = min(int(in_color / TONE_DEGREES), 5)
    in_tone = in_color - tone_index * TONE_DEGREES
    base_index = min(int(in_tone / BASE_DEGREES), 4)
    return MandalaPosition(GATE_ORDER[gate_index], line_index + 1, color_index + 1, tone_index + 1, base_index + 1)


def gate_start_longitude(gate: int) -> float:
    """The tropical longitude where line 1 of ``gate`` begins."""
    return normalize_degrees(MANDALA_START_DEGREES + _WHEEL_INDEX[gate] * GATE_DEGREES)


def opposite_gate(gate: int) -> int:
    """The gate 180° across the wheel (the Earth's gate when the Sun is in ``gate``)."""
    return GATE_ORDER[(_WHEEL_INDEX[gate] + 32) % 64]
