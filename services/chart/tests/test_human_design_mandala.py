"""The Rave Mandala mapping: longitude → gate, line, color, tone, base."""
from __future__ import annotations

import pytest

from services.chart.domain.human_design.mandala import (
    BASE_DEGREES,
    COLOR_DEGREES,
    GATE_DEGREES,
    GATE_ORDER,
    LINE_DEGREES,
    TONE_DEGREES,
    gate_start_longitude,
    mandala_position,
    opposite_gate,
)


def test_gate_order_is_a_permutation_of_the_64_gates():
    assert sorted(GATE_ORDER) == list(range(1, 65))


def test_widths():
    assert GATE_DEGREES == 5.625
    assert LINE_DEGREES == 0.9375
    assert COLOR_DEGREES == 0.15625
    assert TONE_DEGREES == pytest.approx(0.15625 / 6)
    assert BASE_DEGREES == pytest.approx(0.15625 / 30)


@pytest.mark.parametrize(
    ("longitude", "gate_line"),
    [
        (302.0, "41.1"),  # 2°00'00" Aquarius: the wheel starts
        (302.0 + 0.9375, "41.2"),  # first line boundary
        (302.0 + 0.9375 - 1e-9, "41.1"),
        (302.0 + 5 * 0.9375, "41.6"),
        (302.0 + 5.625 - 1e-9, "41.6"),  # last instant of gate 41
        (302.0 + 5.625, "19.1"),  # gate boundary
        (302.0 - 1e-9, "60.6"),  # just before the start: the last gate of the wheel
        (301.0625, "60.6"),
        (358.25, "25.1"),  # 28°15' Pisces, where renlei-tu starts its list
        (359.999999999, "25.2"),  # the wrap at 360/0 lies inside gate 25 (358.25° + 1.75°), line 2
        (0.0, "25.2"),
        (360.0, "25.2"),
        (720.0 + 302.0, "41.1"),
        (-58.0, "41.1"),  # negative longitudes fold too
        (358.25 + 0.9375 - 1e-9, "25.1"),
        (358.25 + 0.9375 - 360.0, "25.2"),  # a line boundary right after the wrap: 359.1875°
        (1.875, "25.4"),  # 3.625° into gate 25
        (3.875, "17.1"),  # 358.25 + 5.625 − 360
    ],
)
def test_boundaries(longitude, gate_line):
    assert mandala_position(longitude).gate_line == gate_line


def test_every_gate_and_line_starts_where_the_table_says():
    for index, gate in enumerate(GATE_ORDER):
        start = (302.0 + index * 5.625) % 360.0
        assert gate_start_longitude(gate) == start
        for line in range(1, 7):
            middle = start + (line - 0.5) * 0.9375
            position = mandala_position(middle)
            assert (position.gate, position.line) == (gate, line)


def test_color_tone_base_subdivide_the_line():
    start = 302.0
    first = mandala_position(start + 1e-9)
    assert (first.color, first.tone, first.base) == (1, 1, 1)
    last = mandala_position(start + LINE_DEGREES - 1e-9)
    assert (last.line, last.color, last.tone, last.base) == (1, 6, 6, 5)
    assert mandala_position(start + COLOR_DEGREES).color == 2
    assert mandala_position(start + 2 * COLOR_DEGREES + 3.5 * TONE_DEGREES).tone == 4
    assert mandala_position(start + 4.5 * BASE_DEGREES).base == 5


def test_opposite_gates_are_the_published_sun_earth_pairs():
    # Personality Sun/Earth pairs of incarnation crosses (ppo/pyhd Crosses, Definitive Book p288-309).
    for sun, earth in [(1, 2), (3, 50), (13, 7), (41, 31), (51, 57), (33, 19), (36, 6), (24, 44), (12, 11)]:
        assert opposite_gate(sun) == earth
        assert opposite_gate(earth) == sun


@pytest.fixture
def rlt_engine(ephe_dir):
    import swisseph as swe
    from rlt import engine  # renlei-tu resets the ephemeris path to "" when first imported

    swe.set_ephe_path(str(ephe_dir))
    return engine


def test_matches_renlei_tu_mapping_over_the_whole_circle(rlt_engine):
    """Independent peer: renlei-tu (PyPI) lists the wheel from gate 25 at 358.25° with its own code."""
    steps = 64 * 6 * 7  # several samples inside every line, none on a boundary
    for step in range(steps):
        longitude = (step + 0.37) * 360.0 / steps
        ours = mandala_position(longitude)
        assert (ours.gate, ours.line) == rlt_engine.degree_to_gate_line(longitude), longitude
