"""Human Design engine: pure and deterministic ("now" is passed in), on the Swiss Ephemeris files.

Public API::

    chart = calculate_chart("1990-05-15T14:30:00", "Europe/Berlin", 52.52, 13.405, "John Doe", now=now)
    chart.to_dict()        # the seed's response body, then our extra fields
    HumanDesignError       # .to_dict() is the seed's error body, .http_status 400/500

The worker process must have pointed Swiss Ephemeris at its data files first
(``services.chart.adapters.ephemeris``); this package never sets the path.
"""
from services.chart.domain.human_design.inputs import FIRST_BIRTH_DATE, LAST_BIRTH_DATE, resolve_birth_time
from services.chart.domain.human_design.bodygraph import BodyGraph, Channel, IncarnationCross, Profile, analyse
from services.chart.domain.human_design.chart import Activation, HumanDesignChart, calculate_chart, chart_for_instant
from services.chart.domain.human_design.errors import HumanDesignError
from services.chart.domain.human_design.mandala import GATE_ORDER, MandalaPosition, mandala_position
from services.chart.domain.human_design.positions import DesignMoment, solve_design_moment

__all__ = [
    "FIRST_BIRTH_DATE",
    "GATE_ORDER",
    "LAST_BIRTH_DATE",
    "Activation",
    "BodyGraph",
    "Channel",
    "DesignMoment",
    "HumanDesignChart",
    "HumanDesignError",
    "IncarnationCross",
    "MandalaPosition",
    "Profile",
    "analyse",
    "calculate_chart",
    "chart_for_instant",
    "mandala_position",
    "resolve_birth_time",
    "solve_design_moment",
]
