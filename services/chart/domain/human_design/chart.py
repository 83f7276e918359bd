"""The Human Design chart: the seed's response plus type, authority, profile, centres, channels.

``calculate_chart(...)`` validates the request like the seed (raising ``HumanDesignError``),
resolves the birth instant, computes the 13 seed bodies at birth (Personality) and at the design
moment (Design), maps them onto the mandala and analyses the BodyGraph. ``to_dict()`` returns the
seed's body — its six fields first, in its order — followed by our extra fields.

The BodyGraph uses the standard 13 Human Design activations per side: Sun, Earth, North Node,
South Node, Moon, Mercury ... Pluto. Chiron, in the seed's list, is reported but defines nothing
(it is not a Human Design activation); Earth, not in the seed's list, is reported under
``extra_activations`` and counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.chart.domain import swiss
from services.chart.domain.birth_time import ResolvedBirthTime, format_offset
from services.chart.domain.constants import CHIRON_NOTE, EPHEMERIS_SET
from services.chart.domain.human_design import bodygraph, positions
from services.chart.domain.human_design.inputs import (
    LATITUDE_LIMIT,
    LONGITUDE_LIMIT,
    format_utc,
    resolve_birth_time,
    validate_coordinate,
    validate_name,
)
from services.chart.domain.human_design.mandala import MandalaPosition, mandala_position

CALCULATION_SOURCE = "SwissEphemeris"
LONGITUDE_DECIMALS = 6
NODE_CONVENTION = "true"
BODYGRAPH_BODIES: tuple[str, ...] = (
    "Sun", "Earth", "North Node", "South Node", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn",
    "Uranus", "Neptune", "Pluto",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Activation:
    """One body's position on one side (Personality or Design) of the chart."""

    body: str
    ecliptic_longitude: float  # degrees, [0, 360), rounded to LONGITUDE_DECIMALS
    position: MandalaPosition
    julian_day: float

    @property
    def gate(self) -> int:
        return self.position.gate

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def gate_line(self) -> str:
        return self.position.gate_line

    def to_dict(self, calculation_timestamp: str) -> dict[str, Any]:
        """The seed's planetary position object (exactly its eight fields)."""
        return {
            "body": self.body,
            "ecliptic_longitude": self.ecliptic_longitude,
            "gate": self.gate,
            "line": self.line,
            "gate_line": self.gate_line,
            "calculation_timestamp": calculation_timestamp,
            "julian_day": self.julian_day,
            "source": CALCULATION_SOURCE,
        }

    def substructure(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "gate_line": self.gate_line,
            "color": self.position.color,
            "tone": self.position.tone,
            "base": self.position.base,
        }


def make_activation(body: str, longitude: float, jd: float) -> Activation:
    rounded = round(longitude % 360.0, LONGITUDE_DECIMALS) % 360.0
    return Activation(body, rounded, mandala_position(rounded), jd)


@dataclass(frozen=True, slots=True)
class HumanDesignChart:
    name: str | None
    birth: ResolvedBirthTime
    latitude: float
    longitude: float
    birth_julian_day: float
    personality: tuple[Activation, ...]  # the 13 seed bodies, in the seed's order
    design: tuple[Activation, ...]
    personality_earth: Activation
    design_earth: Activation
    design_moment: positions.DesignMoment
    bodygraph: bodygraph.BodyGraph
    profile: bodygraph.Profile
    incarnation_cross: bodygraph.IncarnationCross
    calculated_at: datetime
    ephemeris_version: str

    @property
    def type(self) -> str:
        return self.bodygraph.type

    @property
    def authority(self) -> str:
        return self.bodygraph.authority

    @property
    def design_datetime(self) -> datetime:
        return self.design_moment.datetime_utc

    def activation(self, side: str, body: str) -> Activation:
        """``side`` is "personality" or "design"; ``body`` any seed body or "Earth"."""
        if body == "Earth":
            return self.personality_earth if side == "personality" else self.design_earth
        activations = self.personality if side == "personality" else self.design
        return next(activation for activation in activations if activation.body == body)

    def to_dict(self) -> dict[str, Any]:
        stamp = format_utc(self.calculated_at)
        graph = self.bodygraph
        traits = graph.traits
        active = set(graph.active_gates)
        return {
            # --- the seed's response, in its order ---
            "name": self.name,
            "personality_activations": [activation.to_dict(stamp) for activation in self.personality],
            "design_activations": [activation.to_dict(stamp) for activation in self.design],
            "design_datetime": swiss.iso_moment_ms(self.design_moment.julian_day),
            "calculation_source": CALCULATION_SOURCE,
            "calculated_at": stamp,
            # --- ours ---
            "birth": {
                "local_datetime": self.birth.local.isoformat(),
                "timezone": self.birth.location.zone,
                "utc_offset": format_offset(self.birth.utc_offset_seconds),
                "is_dst": self.birth.is_dst,
                "utc_datetime": format_utc(self.birth.utc),
                "julian_day": self.birth_julian_day,
                # this API's names for the shared nonexistent_time / ambiguous_time flags
                "nonexistent_local_time": self.birth.nonexistent_time,
                "ambiguous_local_time": self.birth.ambiguous_time,
                "note": self.birth.note,
                "latitude": self.latitude,
                "longitude": self.longitude,
            },
            "design": {
                "julian_day": self.design_moment.julian_day,
                "solar_arc_degrees": positions.DESIGN_SOLAR_ARC_DEGREES,
                "sun_longitude": round(self.design_moment.sun_longitude, LONGITUDE_DECIMALS),
                "residual_arcseconds": round(self.design_moment.residual_degrees * 3600.0, 6),
                "solver": self.design_moment.method,
                "iterations": self.design_moment.iterations,
            },
            "extra_activations": {
                "personality": [self.personality_earth.to_dict(stamp)],
                "design": [self.design_earth.to_dict(stamp)],
            },
            "substructure": {
                "personality": [a.substructure() for a in (*self.personality, self.personality_earth)],
                "design": [a.substructure() for a in (*self.design, self.design_earth)],
            },
            "type": graph.type,
            "strategy": traits.strategy,
            "signature": traits.signature,
            "not_self_theme": traits.not_self_theme,
            "authority": graph.authority,
            "profile": self.profile.key,
            "profile_name": self.profile.name,
            "definition": graph.definition,
            "defined_centers": list(graph.defined_centers),
            "undefined_centers": list(graph.undefined_centers),
            "centers": [
                {
                    "name": center,
                    "defined": center in graph.defined_centers,
                    "motor": center in bodygraph.MOTOR_CENTERS,
                    "activated_gates": [gate for gate in bodygraph.CENTER_GATES[center] if gate in active],
                }
                for center in bodygraph.CENTERS
            ],
            "channels": [channel.to_dict() for channel in graph.channels],
            "active_gates": list(graph.active_gates),
            "incarnation_cross": self.incarnation_cross.to_dict(),
            "conventions": {
                "zodiac": "tropical",
                "north_node": NODE_CONVENTION,
                "design": "88 degrees of solar arc before birth",
                "bodygraph_bodies": list(BODYGRAPH_BODIES),
            },
            "ephemeris": {"source": CALCULATION_SOURCE, "version": self.ephemeris_version, "data_set": EPHEMERIS_SET,
                          "flags": "FLG_SWIEPH"},
            **({"notes": [CHIRON_NOTE]} if len(self.design) < len(positions.SEED_BODIES) else {}),
        }


def _activations(jd: float) -> tuple[tuple[Activation, ...], Activation, float]:
    """The seed bodies and Earth at ``jd``, and the unrounded Sun longitude."""
    longitudes = positions.body_longitudes(jd)
    seed = tuple(make_activation(body, longitudes[body], jd) for body in positions.SEED_BODIES if body in longitudes)
    earth = make_activation("Earth", longitudes["Sun"] + 180.0, jd)
    return seed, earth, longitudes["Sun"]


def _bodygraph_gates(seed: tuple[Activation, ...], earth: Activation) -> list[int]:
    return [activation.gate for activation in seed if activation.body in BODYGRAPH_BODIES] + [earth.gate]


def calculate_chart(
    birth_datetime: object,
    birth_timezone: object,
    birth_latitude: object,
    birth_longitude: object,
    name: object = None,
    *,
    now: datetime,
) -> HumanDesignChart:
    """The full chart of one birth. ``now`` is the calculation time reported as ``calculated_at``.

    Raises ``HumanDesignError``: INVALID_DATE / INVALID_TIMEZONE / INVALID_LOCATION / INVALID_NAME
    for bad input (checked in that order of fields), EPHEMERIS_UNAVAILABLE when the Swiss Ephemeris
    files are not loaded, CALCULATION_FAILED for any other ephemeris error.
    """
    birth = resolve_birth_time(birth_datetime, birth_timezone)
    latitude = validate_coordinate("birth_latitude", birth_latitude, LATITUDE_LIMIT)
    longitude = validate_coordinate("birth_longitude", birth_longitude, LONGITUDE_LIMIT)
    clean_name = validate_name(name)
    calculated_at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return chart_for_instant(birth, latitude, longitude, clean_name, calculated_at)


def chart_for_instant(
    birth: ResolvedBirthTime, latitude: float, longitude: float, name: str | None, calculated_at: datetime
) -> HumanDesignChart:
    """The chart of an already resolved birth instant (no input validation)."""
    birth_jd = swiss.julian_day(birth.utc)
    personality, personality_earth, birth_sun = _activations(birth_jd)
    design_moment = positions.solve_design_moment(birth_jd, birth_sun)
    design, design_earth, _ = _activations(design_moment.julian_day)
    graph = bodygraph.analyse(_bodygraph_gates(personality, personality_earth) + _bodygraph_gates(design, design_earth))
    personality_sun, design_sun = personality[0], design[0]
    profile = bodygraph.Profile(personality_sun.line, design_sun.line)
    cross = bodygraph.incarnation_cross(
        profile, personality_sun.gate, personality_earth.gate, design_sun.gate, design_earth.gate
    )
    return HumanDesignChart(
        name=name,
        birth=birth,
        latitude=latitude,
        longitude=longitude,
        birth_julian_day=birth_jd,
        personality=personality,
        design=design,
        personality_earth=personality_earth,
        design_earth=design_earth,
        design_moment=design_moment,
        bodygraph=graph,
        profile=profile,
        incarnation_cross=cross,
        calculated_at=calculated_at,
        ephemeris_version=swiss.VERSION,
    )
