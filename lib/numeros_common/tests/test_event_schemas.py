import json
from pathlib import Path

from numeros_common.events.schemas import EVENT_TYPES, Envelope, UserRegisteredV1, json_schema_documents

CONTRACTS = Path(__file__).resolve().parents[3] / "protos" / "events"


def test_published_event_schemas_match_the_models():
    documents = json_schema_documents()
    assert sorted(p.name for p in CONTRACTS.glob("*.schema.json")) == sorted(documents)
    for name, document in documents.items():
        assert json.loads((CONTRACTS / name).read_text()) == document, f"run scripts/render-event-schemas ({name})"


def test_every_design_event_has_a_contract():
    """The nine subjects DESIGN.md §1 lists, no more, no fewer."""
    assert set(EVENT_TYPES) == {"identity.user.registered", "identity.user.updated", "identity.user.deleted",
                                "identity.session.revoked", "matching.match.created", "matching.match.removed",
                                "matching.block.created", "chat.message.created", "chat.message.read"}


def test_envelope_round_trip():
    data = UserRegisteredV1(user_id=1, display_name="Ada", birth_date="1990-05-15",
                            numerology={"life_path": 3, "expression": 1, "soul_urge": 1, "personality": 4})
    envelope = Envelope.wrap("identity", data)
    again = Envelope.model_validate_json(envelope.model_dump_json())
    assert again.parse(UserRegisteredV1) == data
    assert (again.subject, again.schema_version) == ("identity.user.registered", 1)
