"""BodyGraph rules on synthetic gate sets: channels, centres, definition, type, authority, cross."""
from __future__ import annotations

from collections import Counter

import pytest

from services.chart.domain.human_design import bodygraph as bg
from services.chart.domain.human_design.mandala import GATE_ORDER, opposite_gate


# --- the tables ----------------------------------------------------------------------------------
def test_every_gate_is_in_exactly_one_centre():
    gates = [gate for gates in bg.CENTER_GATES.values() for gate in gates]
    assert sorted(gates) == list(range(1, 65))
    sizes = {center: len(gates) for center, gates in bg.CENTER_GATES.items()}
    assert sizes == {"Head": 3, "Ajna": 6, "Throat": 11, "G": 8, "Heart": 4, "Sacral": 9, "Solar Plexus": 7,
                     "Spleen": 7, "Root": 9}  # fmt: skip


def test_spot_checks_of_gate_centres_against_ihds_daily_view():
    # "Channel of Recognition ... linking the Root Center (Gate 41) with the Solar Plexus (Gate 30)"
    # "Channel of Synthesis ... linking the Solar Plexus Center (Gate 49) with the Root Center (Gate 19)"
    assert (bg.GATE_CENTER[41], bg.GATE_CENTER[30]) == ("Root", "Solar Plexus")
    assert (bg.GATE_CENTER[49], bg.GATE_CENTER[19]) == ("Solar Plexus", "Root")
    assert bg.GATE_CENTER[28] == "Spleen"  # 28-38 Struggle: Spleen to Root


def test_the_36_channels():
    assert len(bg.CHANNELS) == 36
    assert len({channel.gates for channel in bg.CHANNELS}) == 36
    assert len({channel.name for channel in bg.CHANNELS}) == 36
    for channel in bg.CHANNELS:
        a, b = channel.centers
        assert a != b, channel
    uses = Counter(gate for channel in bg.CHANNELS for gate in channel.gates)
    assert {gate for gate, count in uses.items() if count == 3} == {10, 20, 34, 57}  # the Integration gates
    assert set(uses) == set(range(1, 65))
    assert all(count == 1 for gate, count in uses.items() if gate not in {10, 20, 34, 57})


def test_channel_names_and_centres():
    by_key = {channel.key: channel for channel in bg.CHANNELS}
    assert by_key["20-34"].name == "Charisma" and by_key["20-34"].centers == ("Throat", "Sacral")
    assert by_key["21-45"].name == "The Money Line" and by_key["21-45"].centers == ("Heart", "Throat")
    assert by_key["10-57"].name == "Perfected Form" and by_key["10-57"].centers == ("G", "Spleen")
    assert by_key["25-51"].centers == ("G", "Heart")
    assert by_key["30-41"].name == "Recognition" and by_key["30-41"].centers == ("Solar Plexus", "Root")
    assert by_key["1-8"].to_dict() == {"channel": "1-8", "gates": [1, 8], "name": "Inspiration",
                                       "centers": ["G", "Throat"]}  # fmt: skip


def test_cross_table_covers_every_gate_and_its_earth_is_the_opposite_gate():
    assert set(bg.CROSS_TITLES) == set(range(1, 65))
    assert bg.CROSS_TITLES[51] == ("Penetration 1", "Shock", "The Clarion 1")
    for gate in GATE_ORDER:
        profile = bg.Profile(5, 1)
        cross = bg.incarnation_cross(profile, gate, opposite_gate(gate), 1, 2)
        assert cross.name.startswith("Left Angle Cross of ")


def test_profiles_and_geometry():
    assert len(bg.PROFILE_GEOMETRY) == 12
    profile = bg.Profile(6, 2)
    assert (profile.key, profile.name, profile.geometry) == ("6/2", "Role Model/Hermit", "Left Angle")
    assert bg.Profile(4, 1).geometry == "Juxtaposition"
    assert bg.Profile(4, 6).geometry == "Right Angle"
    cross = bg.incarnation_cross(bg.Profile(1, 3), 12, 11, 36, 6)
    assert cross.to_dict() == {
        "name": "Right Angle Cross of Eden 2",
        "angle": "Right Angle",
        "gates": "12/11 | 36/6",
        "personality_sun": 12,
        "personality_earth": 11,
        "design_sun": 36,
        "design_earth": 6,
    }


# --- the rules -----------------------------------------------------------------------------------
def channels(*keys: str) -> list[int]:
    """The gates of the named channels, e.g. channels("20-34", "6-59")."""
    return [int(gate) for key in keys for gate in key.split("-")]


@pytest.mark.parametrize(
    ("gates", "expected_type", "expected_authority"),
    [
        # Reflector: gates without a single complete channel.
        (channels() + [1, 3, 5, 41, 64], "Reflector", "Lunar"),
        # Generators: Sacral defined, no motor reaches the Throat.
        (channels("5-15"), "Generator", "Sacral"),
        (channels("6-59"), "Generator", "Emotional"),
        (channels("3-60", "18-58"), "Generator", "Sacral"),
        # Manifesting Generators: Sacral defined and a motor reaches the Throat.
        (channels("20-34"), "Manifesting Generator", "Sacral"),  # Sacral straight to the Throat
        (channels("2-14", "1-8"), "Manifesting Generator", "Sacral"),  # Sacral → G → Throat
        (channels("5-15", "35-36"), "Manifesting Generator", "Emotional"),  # Solar Plexus → Throat
        (channels("20-34", "6-59"), "Manifesting Generator", "Emotional"),
        (channels("27-50", "16-48"), "Manifesting Generator", "Sacral"),  # Sacral → Spleen → Throat
        # Manifestors: no Sacral, Heart / Solar Plexus / Root reaches the Throat.
        (channels("12-22"), "Manifestor", "Emotional"),
        (channels("20-57", "32-54"), "Manifestor", "Splenic"),  # Root → Spleen → Throat
        (channels("21-45"), "Manifestor", "Ego Manifested"),
        (channels("25-51", "13-33"), "Manifestor", "Ego Manifested"),  # Heart → G → Throat
        (channels("26-44", "20-57"), "Manifestor", "Splenic"),
        # Projectors: no Sacral, no motor to the Throat.
        (channels("30-41"), "Projector", "Emotional"),
        (channels("18-58"), "Projector", "Splenic"),
        (channels("25-51"), "Projector", "Ego Projected"),
        (channels("37-40", "10-20"), "Projector", "Emotional"),  # motors present, none to the Throat
        (channels("1-8"), "Projector", "Self-Projected"),
        (channels("10-20", "7-31"), "Projector", "Self-Projected"),
        (channels("4-63", "17-62"), "Projector", "Mental"),
        (channels("47-64"), "Projector", "Mental"),
        (channels("23-43"), "Projector", "Mental"),
    ],
)
def test_type_and_authority(gates, expected_type, expected_authority):
    graph = bg.analyse(gates)
    assert (graph.type, graph.authority) == (expected_type, expected_authority)


@pytest.mark.parametrize(
    ("gates", "definition", "groups"),
    [
        ([1, 3, 5], "None", ()),
        (channels("20-34", "34-57", "10-20"), "Single", (("Throat", "G", "Sacral", "Spleen"),)),
        (channels("1-8", "30-41"), "Split", (("Throat", "G"), ("Solar Plexus", "Root"))),
        (
            channels("4-63", "1-8", "30-41"),
            "Triple Split",
            (("Head", "Ajna"), ("Throat", "G"), ("Solar Plexus", "Root")),
        ),
        (
            channels("4-63", "1-8", "30-41", "27-50"),
            "Quadruple Split",
            (("Head", "Ajna"), ("Throat", "G"), ("Sacral", "Spleen"), ("Solar Plexus", "Root")),
        ),
    ],
)
def test_definition(gates, definition, groups):
    graph = bg.analyse(gates)
    assert graph.definition == definition
    assert tuple(sorted(graph.definition_groups)) == tuple(sorted(groups))


def test_defined_and_undefined_centres_and_traits():
    graph = bg.analyse(channels("20-34") + [41, 61])
    assert graph.defined_centers == ("Throat", "Sacral")
    assert graph.undefined_centers == ("Head", "Ajna", "G", "Heart", "Solar Plexus", "Spleen", "Root")
    assert [channel.key for channel in graph.channels] == ["20-34"]
    assert graph.active_gates == (20, 34, 41, 61)
    assert graph.traits == bg.TypeTraits("To Respond", "Satisfaction", "Frustration")
    assert bg.TYPE_TRAITS["Manifestor"].strategy == "To Inform"
    assert bg.TYPE_TRAITS["Projector"].strategy == "Wait for the Invitation"
    assert bg.TYPE_TRAITS["Reflector"].strategy == "Wait a Lunar Cycle"


def test_hanging_gates_define_nothing():
    graph = bg.analyse([10, 1, 2, 3, 4, 5])  # no two of them form a channel
    assert graph.channels == () and graph.defined_centers == ()


def test_unknown_gates_are_refused():
    with pytest.raises(ValueError):
        bg.analyse([0, 65])
