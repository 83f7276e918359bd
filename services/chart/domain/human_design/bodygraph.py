"""The BodyGraph: centres, channels, type, strategy, authority, definition, profile and cross.

Everything here works on the set of activated gates alone, so each rule is testable without an
ephemeris. Tables were checked against:

- ppo/pyhd ``src/pyhd/constants/__init__.py`` (centre of each gate; the 36 channels with their
  names and centres; types, strategies, signatures, not-self themes; profiles and their
  geometry; the 192 incarnation crosses), itself referenced page by page to "The Definitive Book
  of Human Design" (Ra Uru Hu & Lynda Bunnell, 2011): gates p163-251, channels p158-251,
  types p114-142, authorities p106-111, profiles p254-285, crosses p288-309.
- life-chart-engine 1.1.0 (PyPI) ``chart_engine.py``: the same 36 channels.
- IHDS "The Daily View" (ihdschool.com): e.g. "Channel of Recognition ... linking the Root Center
  (Gate 41) with the Solar Plexus (Gate 30)", "Channel of Synthesis ... Solar Plexus (Gate 49)
  with the Root Center (Gate 19)".
Two peers disagree with these references and were not followed: renlei-tu 0.1.0 puts gate 28 in
both the Spleen and the Root and omits channels 10-34 and 10-57; life-chart-engine puts gate 19 in
the Solar Plexus. Gate 19 is a Root gate and gate 28 a Spleen gate (Definitive Book p247, p185).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# --- centres -------------------------------------------------------------------------------------
HEAD = "Head"
AJNA = "Ajna"
THROAT = "Throat"
G = "G"
HEART = "Heart"  # also called the Ego or Will centre
SACRAL = "Sacral"
SOLAR_PLEXUS = "Solar Plexus"
SPLEEN = "Spleen"
ROOT = "Root"

CENTERS: tuple[str, ...] = (HEAD, AJNA, THROAT, G, HEART, SACRAL, SOLAR_PLEXUS, SPLEEN, ROOT)  # top to bottom
MOTOR_CENTERS = frozenset({HEART, SACRAL, SOLAR_PLEXUS, ROOT})
MANIFESTOR_MOTORS = frozenset({HEART, SOLAR_PLEXUS, ROOT})  # the motors other than the Sacral

CENTER_GATES: dict[str, tuple[int, ...]] = {
    HEAD: (64, 61, 63),
    AJNA: (47, 24, 4, 17, 43, 11),
    THROAT: (62, 23, 56, 35, 12, 45, 33, 8, 31, 20, 16),
    G: (7, 1, 13, 10, 25, 15, 46, 2),
    HEART: (21, 40, 26, 51),
    SACRAL: (34, 5, 14, 29, 59, 9, 3, 42, 27),
    SOLAR_PLEXUS: (6, 37, 22, 36, 30, 55, 49),
    SPLEEN: (48, 57, 44, 50, 32, 28, 18),
    ROOT: (58, 38, 54, 53, 60, 52, 19, 39, 41),
}
GATE_CENTER: dict[int, str] = {gate: center for center, gates in CENTER_GATES.items() for gate in gates}

# --- channels ------------------------------------------------------------------------------------
CHANNEL_TABLE: tuple[tuple[int, int, str], ...] = (
    (1, 8, "Inspiration"),
    (2, 14, "The Beat"),
    (3, 60, "Mutation"),
    (4, 63, "Logic"),
    (5, 15, "Rhythm"),
    (6, 59, "Intimacy"),
    (7, 31, "The Alpha"),
    (9, 52, "Concentration"),
    (10, 20, "Awakening"),
    (10, 34, "Exploration"),
    (10, 57, "Perfected Form"),
    (11, 56, "Curiosity"),
    (12, 22, "Openness"),
    (13, 33, "The Prodigal"),
    (16, 48, "The Wavelength"),
    (17, 62, "Acceptance"),
    (18, 58, "Judgment"),
    (19, 49, "Synthesis"),
    (20, 34, "Charisma"),
    (20, 57, "The Brainwave"),
    (21, 45, "The Money Line"),
    (23, 43, "Structuring"),
    (24, 61, "Awareness"),
    (25, 51, "Initiation"),
    (26, 44, "Surrender"),
    (27, 50, "Preservation"),
    (28, 38, "Struggle"),
    (29, 46, "Discovery"),
    (30, 41, "Recognition"),
    (32, 54, "Transformation"),
    (34, 57, "Power"),
    (35, 36, "Transitoriness"),
    (37, 40, "Community"),
    (39, 55, "Emoting"),
    (42, 53, "Maturation"),
    (47, 64, "Abstraction"),
)


@dataclass(frozen=True, slots=True)
class Channel:
    gates: tuple[int, int]
    name: str
    centers: tuple[str, str]

    @property
    def key(self) -> str:
        return f"{self.gates[0]}-{self.gates[1]}"

    def to_dict(self) -> dict[str, object]:
        return {"channel": self.key, "gates": list(self.gates), "name": self.name, "centers": list(self.centers)}


CHANNELS: tuple[Channel, ...] = tuple(
    Channel((a, b), name, (GATE_CENTER[a], GATE_CENTER[b])) for a, b, name in CHANNEL_TABLE
)

# --- types, strategies, authorities --------------------------------------------------------------
MANIFESTOR = "Manifestor"
GENERATOR = "Generator"
MANIFESTING_GENERATOR = "Manifesting Generator"
PROJECTOR = "Projector"
REFLECTOR = "Reflector"


@dataclass(frozen=True, slots=True)
class TypeTraits:
    strategy: str
    signature: str
    not_self_theme: str


TYPE_TRAITS: dict[str, TypeTraits] = {
    MANIFESTOR: TypeTraits("To Inform", "Peace", "Anger"),
    GENERATOR: TypeTraits("To Respond", "Satisfaction", "Frustration"),
    MANIFESTING_GENERATOR: TypeTraits("To Respond", "Satisfaction", "Frustration"),
    PROJECTOR: TypeTraits("Wait for the Invitation", "Success", "Bitterness"),
    REFLECTOR: TypeTraits("Wait a Lunar Cycle", "Surprise", "Disappointment"),
}

EMOTIONAL = "Emotional"  # Solar Plexus
SACRAL_AUTHORITY = "Sacral"
SPLENIC = "Splenic"
EGO_MANIFESTED = "Ego Manifested"
EGO_PROJECTED = "Ego Projected"
SELF_PROJECTED = "Self-Projected"
MENTAL = "Mental"  # "no inner authority" / outer or environmental authority of Mental Projectors
LUNAR = "Lunar"

DEFINITION_NAMES = {0: "None", 1: "Single", 2: "Split", 3: "Triple Split", 4: "Quadruple Split"}

# --- profiles and crosses ------------------------------------------------------------------------
LINE_NAMES = {1: "Investigator", 2: "Hermit", 3: "Martyr", 4: "Opportunist", 5: "Heretic", 6: "Role Model"}
RIGHT_ANGLE = "Right Angle"
JUXTAPOSITION = "Juxtaposition"
LEFT_ANGLE = "Left Angle"
PROFILE_GEOMETRY: dict[tuple[int, int], str] = {
    (1, 3): RIGHT_ANGLE, (1, 4): RIGHT_ANGLE, (2, 4): RIGHT_ANGLE, (2, 5): RIGHT_ANGLE,
    (3, 5): RIGHT_ANGLE, (3, 6): RIGHT_ANGLE, (4, 6): RIGHT_ANGLE,
    (4, 1): JUXTAPOSITION,
    (5, 1): LEFT_ANGLE, (5, 2): LEFT_ANGLE, (6, 2): LEFT_ANGLE, (6, 3): LEFT_ANGLE,
}  # fmt: skip

# Personality Sun gate → (Right Angle, Juxtaposition, Left Angle) cross titles.
CROSS_TITLES: dict[int, tuple[str, str, str]] = {
    1: ("The Sphinx 4", "Self Expression", "Defiance 2"),
    2: ("The Sphinx 2", "The Driver", "Defiance 1"),
    3: ("Laws 1", "Mutation", "Wishes 1"),
    4: ("Explanation 3", "Formulization", "Revolution 2"),
    5: ("Consciousness 4", "Habits", "Separation 2"),
    6: ("Eden 3", "Conflict", "The Plane 2"),
    7: ("The Sphinx 3", "Interaction", "Masks 2"),
    8: ("Contagion 2", "Contribution", "Uncertainty 1"),
    9: ("Planning 4", "Focus", "Identification 2"),
    10: ("The Vessel of Love 4", "Behavior", "Prevention 2"),
    11: ("Eden 4", "Ideas", "Education 2"),
    12: ("Eden 2", "Articulation", "Education 1"),
    13: ("The Sphinx 1", "Listening", "Masks 1"),
    14: ("Contagion 4", "Empowering", "Uncertainty 2"),
    15: ("The Vessel of Love 2", "Extremes", "Prevention 1"),
    16: ("Planning 2", "Experimentation", "Identification 1"),
    17: ("Service 1", "Opinions", "Upheaval 1"),
    18: ("Service 3", "Correction", "Upheaval 2"),
    19: ("The Four Ways 4", "Need", "Refinement 2"),
    20: ("The Sleeping Phoenix 2", "The Now", "Duality 1"),
    21: ("Tension 1", "Control", "Endeavor 1"),
    22: ("Rulership 1", "Grace", "Informing 1"),
    23: ("Explanation 2", "Assimilation", "Dedication 1"),
    24: ("The Four Ways 1", "Rationalization", "Incarnation 1"),
    25: ("The Vessel of Love 1", "Innocence", "Healing 1"),
    26: ("Rulership 4", "The Trickster", "Confrontation 2"),
    27: ("The Unexpected 1", "Caring", "Alignment 1"),
    28: ("The Unexpected 3", "Risks", "Alignment 2"),
    29: ("Contagion 3", "Commitment", "Industry 2"),
    30: ("Contagion 1", "Fates", "Industry 1"),
    31: ("The Unexpected 2", "Influence", "The Alpha 1"),
    32: ("Maya 3", "Conservation", "Limitation 2"),
    33: ("The Four Ways 2", "Retreat", "Refinement 1"),
    34: ("The Sleeping Phoenix 4", "Power", "Duality 2"),
    35: ("Consciousness 2", "Experience", "Separation 1"),
    36: ("Eden 1", "Crisis", "The Plane 1"),
    37: ("Planning 1", "Bargains", "Migration 1"),
    38: ("Tension 4", "Opposition", "Individualism 2"),
    39: ("Tension 2", "Provocation", "Individualism 1"),
    40: ("Planning 3", "Denial", "Migration 2"),
    41: ("The Unexpected 4", "Fantasy", "The Alpha 2"),
    42: ("Maya 1", "Completion", "Limitation 1"),
    43: ("Explanation 4", "Insight", "Dedication 2"),
    44: ("The Four Ways 3", "Alertness", "Incarnation 2"),
    45: ("Rulership 2", "Possession", "Confrontation 1"),
    46: ("The Vessel of Love 3", "Serendipity", "Healing 2"),
    47: ("Rulership 3", "Oppression", "Informing 2"),
    48: ("Tension 3", "Depth", "Endeavor 2"),
    49: ("Explanation 1", "Principles", "Revolution 1"),
    50: ("Laws 3", "Values", "Wishes 2"),
    51: ("Penetration 1", "Shock", "The Clarion 1"),
    52: ("Service 2", "Stillness", "Demands 1"),
    53: ("Penetration 2", "Beginnings", "Cycles 1"),
    54: ("Penetration 4", "Ambition", "Cycles 2"),
    55: ("The Sleeping Phoenix 1", "Moods", "Spirit 1"),
    56: ("Laws 2", "Stimulation", "Distraction 1"),
    57: ("Penetration 3", "Intuition", "The Clarion 2"),
    58: ("Service 4", "Vitality", "Demands 2"),
    59: ("The Sleeping Phoenix 3", "Strategy", "Spirit 2"),
    60: ("Laws 4", "Limitation", "Distraction 2"),
    61: ("Maya 4", "Thinking", "Obscuration 2"),
    62: ("Maya 2", "Detail", "Obscuration 1"),
    63: ("Consciousness 1", "Doubts", "Dominion 1"),
    64: ("Consciousness 3", "Confusion", "Dominion 2"),
}
_GEOMETRY_COLUMN = {RIGHT_ANGLE: 0, JUXTAPOSITION: 1, LEFT_ANGLE: 2}


# --- results -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BodyGraph:
    """What the activated gates define."""

    active_gates: tuple[int, ...]
    channels: tuple[Channel, ...]
    defined_centers: tuple[str, ...]  # in CENTERS order
    definition_groups: tuple[tuple[str, ...], ...]  # connected groups of defined centres
    type: str
    authority: str

    @property
    def undefined_centers(self) -> tuple[str, ...]:
        return tuple(center for center in CENTERS if center not in self.defined_centers)

    @property
    def definition(self) -> str:
        return DEFINITION_NAMES[len(self.definition_groups)]

    @property
    def traits(self) -> TypeTraits:
        return TYPE_TRAITS[self.type]


@dataclass(frozen=True, slots=True)
class Profile:
    personality_line: int
    design_line: int

    @property
    def key(self) -> str:
        return f"{self.personality_line}/{self.design_line}"

    @property
    def name(self) -> str:
        return f"{LINE_NAMES[self.personality_line]}/{LINE_NAMES[self.design_line]}"

    @property
    def geometry(self) -> str:
        return PROFILE_GEOMETRY[(self.personality_line, self.design_line)]


@dataclass(frozen=True, slots=True)
class IncarnationCross:
    geometry: str
    title: str
    personality_sun: int
    personality_earth: int
    design_sun: int
    design_earth: int

    @property
    def name(self) -> str:
        return f"{self.geometry} Cross of {self.title}"

    @property
    def gates_label(self) -> str:
        return f"{self.personality_sun}/{self.personality_earth} | {self.design_sun}/{self.design_earth}"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "angle": self.geometry,
            "gates": self.gates_label,
            "personality_sun": self.personality_sun,
            "personality_earth": self.personality_earth,
            "design_sun": self.design_sun,
            "design_earth": self.design_earth,
        }


# --- rules ---------------------------------------------------------------------------------------
def defined_channels(active_gates: Iterable[int]) -> tuple[Channel, ...]:
    """Channels whose two gates are both activated."""
    gates = set(active_gates)
    return tuple(channel for channel in CHANNELS if channel.gates[0] in gates and channel.gates[1] in gates)


def _connected_groups(channels: tuple[Channel, ...]) -> tuple[tuple[str, ...], ...]:
    neighbours: dict[str, set[str]] = {}
    for channel in channels:
        a, b = channel.centers
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    groups: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for center in CENTERS:
        if center not in neighbours or center in seen:
            continue
        group, stack = set(), [center]
        while stack:
            current = stack.pop()
            if current not in group:
                group.add(current)
                stack.extend(neighbours[current] - group)
        seen |= group
        groups.append(tuple(c for c in CENTERS if c in group))
    return tuple(groups)


def _group_of(center: str, groups: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return next((group for group in groups if center in group), ())


def classify_type(defined: frozenset[str], groups: tuple[tuple[str, ...], ...]) -> str:
    """Reflector: nothing defined. Sacral defined: Manifesting Generator when a motor (the Sacral
    included) reaches the Throat through defined channels, else Generator. Sacral undefined:
    Manifestor when the Heart, Solar Plexus or Root reaches the Throat, else Projector."""
    if not defined:
        return REFLECTOR
    throat_group = set(_group_of(THROAT, groups))
    if SACRAL in defined:
        return MANIFESTING_GENERATOR if throat_group & MOTOR_CENTERS else GENERATOR
    return MANIFESTOR if throat_group & MANIFESTOR_MOTORS else PROJECTOR


def classify_authority(defined: frozenset[str], groups: tuple[tuple[str, ...], ...]) -> str:
    """The first that applies: Solar Plexus → Emotional; Sacral; Spleen → Splenic; Heart → Ego
    Manifested when it reaches the Throat (a Manifestor), else Ego Projected (a Projector); G →
    Self-Projected (the G then reaches only the Throat); Head/Ajna/Throat only → Mental; nothing
    defined → Lunar (Reflector)."""
    if not defined:
        return LUNAR
    if SOLAR_PLEXUS in defined:
        return EMOTIONAL
    if SACRAL in defined:
        return SACRAL_AUTHORITY
    if SPLEEN in defined:
        return SPLENIC
    if HEART in defined:
        return EGO_MANIFESTED if THROAT in _group_of(HEART, groups) else EGO_PROJECTED
    if G in defined:
        return SELF_PROJECTED
    return MENTAL


def analyse(active_gates: Iterable[int]) -> BodyGraph:
    """Channels, centres, definition, type and authority of a set of activated gates."""
    gates = tuple(sorted(set(active_gates)))
    unknown = [gate for gate in gates if gate not in GATE_CENTER]
    if unknown:
        raise ValueError(f"not Human Design gates: {unknown}")
    channels = defined_channels(gates)
    groups = _connected_groups(channels)
    defined = frozenset(center for group in groups for center in group)
    return BodyGraph(
        active_gates=gates,
        channels=channels,
        defined_centers=tuple(center for center in CENTERS if center in defined),
        definition_groups=groups,
        type=classify_type(defined, groups),
        authority=classify_authority(defined, groups),
    )


def incarnation_cross(
    profile: Profile, personality_sun: int, personality_earth: int, design_sun: int, design_earth: int
) -> IncarnationCross:
    geometry = profile.geometry
    title = CROSS_TITLES[personality_sun][_GEOMETRY_COLUMN[geometry]]
    return IncarnationCross(geometry, title, personality_sun, personality_earth, design_sun, design_earth)
