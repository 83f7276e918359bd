"""VedicSnapshot through a real grpc.aio channel to the real server (started in-process).

What the snapshot computes is checked in test_vedic_snapshot / test_vedic_pyjhora; here: the
seed's document keys arrive, the input hash is stable and follows the options, validation names the
request field, and a server without ephemeris files answers FAILED_PRECONDITION.
"""
from __future__ import annotations

import json
from datetime import date

import grpc
import pytest
import pytest_asyncio

from numeros.chart.v1 import chart_pb2
from services.chart.domain.vedic import RULESET_VERSION, ephemeris_version
from services.chart.tests.grpc_support import assert_invalid, call, pb_date, rejected

pytestmark = pytest.mark.asyncio(loop_scope="module")


module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")



CHENNAI = {"latitude": 13.0827, "longitude": 80.2707, "timezone": "Asia/Kolkata"}
SEED_KEYS = {"meta", "panchanga", "d1", "dignities", "aspects", "dasha", "transits", "d9", "sav", "yogas",
             "bhava_bala", "sensitivity"}


def vedic_request(birth: dict | None = None, **options) -> chart_pb2.VedicRequest:
    fields = {"birth_date": pb_date(date(1990, 5, 15)), "birth_time": "14:30", **CHENNAI, **(birth or {})}
    fields = {k: v for k, v in fields.items() if v is not None}
    values = {"birth": chart_pb2.BirthData(**fields), "as_of": pb_date(date(2024, 1, 1)), **options}
    return chart_pb2.VedicRequest(**{k: v for k, v in values.items() if v is not None})


async def test_snapshot_has_the_seed_document(stub):
    response = await call(stub.VedicSnapshot, vedic_request(uncertainty_minutes=10))
    document = json.loads(response.document.json)
    assert SEED_KEYS <= set(document)
    assert response.document.ruleset_version == RULESET_VERSION == document["meta"]["ruleset_version"]
    assert response.ephemeris_version == ephemeris_version() == document["meta"]["ephemeris_version"]
    assert len(response.input_hash) == 64 and response.input_hash == document["meta"]["input_hash"]
    assert document["meta"]["ayanamsa"] == "Lahiri" and document["meta"]["house_system"] == "WholeSign"
    assert [p["name"] for p in document["d1"]["planets"]][:2] == ["Sun", "Moon"]
    assert sum(document["sav"]) == 337
    assert document["sensitivity"]["window_minutes"] == 10
    assert {"current_md", "current_ad", "next_12m_ads"} <= set(document["dasha"])


async def test_input_hash_is_stable_and_follows_the_options(stub):
    first = await call(stub.VedicSnapshot, vedic_request())
    again = await call(stub.VedicSnapshot, vedic_request())
    # "Lahiri" and "" (the default) are the same input.
    named = await call(stub.VedicSnapshot, vedic_request(ayanamsa="Lahiri"))
    raman = await call(stub.VedicSnapshot, vedic_request(ayanamsa="raman"))
    placidus = await call(stub.VedicSnapshot, vedic_request(house_system="placidus"))
    assert first.input_hash == again.input_hash == named.input_hash
    assert len({first.input_hash, raman.input_hash, placidus.input_hash}) == 3
    assert json.loads(raman.document.json)["meta"]["ayanamsa"] == "Raman"


@pytest.mark.parametrize(("request_", "field"), [
    (chart_pb2.VedicRequest(as_of=pb_date(date(2024, 1, 1))), "birth"),
    (vedic_request(birth={"birth_date": None}), "birth.birth_date"),
    (vedic_request(birth={"birth_date": chart_pb2.Date(year=1990, month=2, day=30)}), "birth.birth_date"),
    (vedic_request(birth={"birth_date": pb_date(date(3001, 1, 1))}), "birth.birth_date"),
    (vedic_request(birth={"birth_time": ""}), "birth.birth_time"),
    (vedic_request(birth={"birth_time": "25:61"}), "birth.birth_time"),
    (vedic_request(birth={"timezone": "Mars/Olympus"}), "birth.timezone"),
    (vedic_request(birth={"latitude": 95.0}), "birth.latitude"),
    (vedic_request(birth={"latitude": None, "longitude": None, "timezone": "Asia/Kolkata"}), "birth.latitude"),
    (vedic_request(as_of=None), "as_of"),
    (vedic_request(as_of=pb_date(date(1980, 1, 1))), "birth.birth_date"),  # a birth after as_of
    (vedic_request(ayanamsa="galactic"), "ayanamsa"),
    (vedic_request(house_system="koch"), "house_system"),
    (vedic_request(uncertainty_minutes=121), "uncertainty_minutes"),
    (vedic_request(uncertainty_minutes=-1), "uncertainty_minutes"),
])
async def test_invalid_input_names_the_request_field(stub, request_, field):
    assert_invalid(await rejected(stub.VedicSnapshot, request_), field)


async def test_without_ephemeris_files_failed_precondition(stub_without_ephemeris):
    error = await rejected(stub_without_ephemeris.VedicSnapshot, vedic_request())
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details().startswith("EPHEMERIS_UNAVAILABLE")
