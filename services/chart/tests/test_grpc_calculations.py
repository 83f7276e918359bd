"""The calculation RPCs through a real grpc.aio channel to the real server, started in-process.

Profile (chart levels 1-4), the numerology documents, Human Design, the batch and pair
compatibility scores, the missing-ephemeris answer and deadlines. What each RPC computes is
checked in the domain tests; here the typed fields must agree with the JSON document beside them,
validation must name the request field, and the batch score must agree with an independent path.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date

import grpc
import numpy as np
import pytest
import pytest_asyncio

from numeros.chart.v1 import chart_pb2
from services.chart.api.grpc_server import (
    ERROR_METADATA_KEY,
    FIELD_METADATA_KEY,
    MAX_CANDIDATES,
)
from services.chart.domain.numerology import HARMONY_NUMBERS, numerology_score
from services.chart.tests.grpc_support import assert_invalid, call, pb_date, rejected

pytestmark = pytest.mark.asyncio(loop_scope="module")
module_fixture = pytest_asyncio.fixture(loop_scope="module", scope="module")

KEY_PLANETS = ("sun", "moon", "mercury", "venus", "mars")
SIGNS = ("Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius", "Capricorn",
         "Aquarius", "Pisces")


# ---------------------------------------------------------------------------------------------
# CalculateProfile

MADRID = {"latitude": 40.4168, "longitude": -3.7038}


def birth_data(**fields) -> chart_pb2.BirthData:
    values = {"name": "Ana María López", "birth_date": pb_date(date(1990, 5, 15)), **fields}
    return chart_pb2.BirthData(**values)


PROFILE_LEVELS = {
    # date only: noon on the explicit zone
    1: birth_data(timezone="Europe/Madrid"),
    # date + place (coordinates): local noon at the place
    2: birth_data(**MADRID),
    # date + time, no place: the time on the explicit zone
    3: birth_data(birth_time="14:30", timezone="Europe/Madrid"),
    # everything: houses, angles, rising sign
    4: birth_data(birth_time="14:30", timezone="Europe/Madrid", house_system="koch", **MADRID),
}


@pytest.mark.parametrize("level", sorted(PROFILE_LEVELS))
async def test_profile_typed_fields_agree_with_the_document(stub, level):
    response = await call(stub.CalculateProfile, PROFILE_LEVELS[level])
    document = json.loads(response.document.json)
    assert set(document) == {"numerology", "astrology", "chart_level"}
    numerology, astrology = document["numerology"], document["astrology"]

    assert response.chart_level == document["chart_level"] == astrology["chart_level"] == level
    assert (response.life_path, response.expression, response.soul_urge, response.personality) == (
        numerology["life_path"], numerology["expression"], numerology["soul_urge"], numerology["personality"])
    assert numerology["normalized_name"] == "ANAMARIALOPEZ"
    assert response.document.ruleset_version == numerology["ruleset_version"]

    planets = astrology["planets"]
    assert list(planets) == ["sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune",
                             "pluto", "north_node", "chiron"]
    assert response.sun_sign == planets["sun"]["sign"] == "Taurus"  # 15 May
    assert response.moon_sign == planets["moon"]["sign"]
    for planet in KEY_PLANETS:
        typed = getattr(response.key_longitudes, planet)
        assert typed == pytest.approx(planets[planet]["longitude"], abs=5e-5)  # the document rounds to 4 places
        assert SIGNS[int(typed // 30)] == planets[planet]["sign"]
    assert astrology["ephemeris"]["source"] == "Swiss Ephemeris"
    assert astrology["ephemeris"]["files"]

    if level == 4:
        assert len(astrology["houses"]) == 12
        assert astrology["house_system"] == astrology["house_system_used"] == "koch"
        assert response.rising_sign == astrology["angles"]["ascendant"]["sign"] != ""
        assert SIGNS[int(astrology["houses"][0] // 30)] == response.rising_sign  # cusp 1 is the Ascendant
        assert all(1 <= planet["house"] <= 12 for planet in planets.values())
    else:
        assert response.rising_sign == ""
        assert "houses" not in astrology and "angles" not in astrology
        assert all(planet["house"] is None for planet in planets.values())
    if level <= 2:  # noon chart: says whether the Moon changes sign that day
        assert astrology["birth"]["time_known"] is False
        assert isinstance(astrology["moon_sign_changes"], bool)
    else:
        assert astrology["birth"]["time_known"] is True


async def test_profile_place_from_the_gazetteer_is_level_2(stub):
    response = await call(stub.CalculateProfile, birth_data(birth_place="Madrid, Spain"))
    astrology = json.loads(response.document.json)["astrology"]
    assert response.chart_level == 2
    assert astrology["birth"]["timezone"] == "Europe/Madrid"


async def test_profile_placidus_is_the_default_house_system(stub):
    response = await call(stub.CalculateProfile, birth_data(birth_time="06:00", timezone="Europe/Madrid", **MADRID))
    astrology = json.loads(response.document.json)["astrology"]
    assert astrology["house_system"] == astrology["house_system_used"] == "placidus"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (birth_data(birth_time="25:99", timezone="Europe/Madrid"), "birth_time"),
        (birth_data(birth_time="noon", timezone="Europe/Madrid"), "birth_time"),
        (chart_pb2.BirthData(name="Ana", timezone="Europe/Madrid"), "birth_date"),
        (birth_data(birth_date=chart_pb2.Date(year=1990, month=2, day=30)), "birth_date"),
        (birth_data(birth_date=pb_date(date(3001, 1, 1))), "birth_date"),
        (birth_data(latitude=95.0, longitude=0.0), "latitude"),
        (birth_data(latitude=40.0), "longitude"),  # one coordinate without the other
        (birth_data(birth_place="Xyzzyville Nowhere"), "birth_place"),
        (birth_data(birth_time="10:00", house_system="tarot", **MADRID), "house_system"),
        (birth_data(timezone="Mars/Olympus_Mons"), "timezone"),
        (birth_data(name=" - "), "name"),  # BirthData's field, not the numerology engine's full_name
    ],
)
async def test_profile_bad_input_names_the_field(stub, request_, field):
    assert_invalid(await rejected(stub.CalculateProfile, request_), field)


async def test_profile_ambiguous_place_lists_the_candidates(stub):
    error = await rejected(stub.CalculateProfile, birth_data(birth_place="Madrid"))
    assert_invalid(error, "birth_place")
    assert "several places" in error.details()


# ---------------------------------------------------------------------------------------------
# NumerologyReport and CompareNames (jioastro shapes)

async def test_numerology_report_shape(stub):
    request = chart_pb2.NumerologyReportRequest(full_name="Ana López", birth_date=pb_date(date(1990, 5, 15)),
                                                as_of=pb_date(date(2024, 3, 1)))
    response = await call(stub.NumerologyReport, request)
    body = json.loads(response.json)
    assert set(body) >= {"system", "western", "vedic", "calculation_hash", "calculated_at"}
    assert body["system"] == "both"
    assert body["western"]["core_numbers"]["life_path"]["number"] == 3  # 5 + 6 + 1 (1990 -> 19 -> 10 -> 1)
    assert response.ruleset_version


async def test_numerology_report_western_only(stub):
    request = chart_pb2.NumerologyReportRequest(full_name="Ana López", birth_date=pb_date(date(1990, 5, 15)),
                                                as_of=pb_date(date(2024, 3, 1)), system="western")
    body = json.loads((await call(stub.NumerologyReport, request)).json)
    assert body["system"] == "western"
    assert "western" in body and "vedic" not in body


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (chart_pb2.NumerologyReportRequest(full_name="Ana", birth_date=pb_date(date(1990, 5, 15))), "as_of"),
        (chart_pb2.NumerologyReportRequest(full_name="Ana", as_of=pb_date(date(2024, 1, 1))), "birth_date"),
        (chart_pb2.NumerologyReportRequest(full_name="Ana", birth_date=pb_date(date(1990, 5, 15)),
                                           as_of=chart_pb2.Date(year=2024, month=13, day=1)), "as_of"),
        (chart_pb2.NumerologyReportRequest(full_name="J0hn", birth_date=pb_date(date(1990, 5, 15)),
                                           as_of=pb_date(date(2024, 1, 1))), "full_name"),
        (chart_pb2.NumerologyReportRequest(full_name="Ana", birth_date=pb_date(date(1990, 5, 15)),
                                           as_of=pb_date(date(2024, 1, 1)), system="klingon"), "system"),
    ],
)
async def test_numerology_report_bad_input_names_the_field(stub, request_, field):
    assert_invalid(await rejected(stub.NumerologyReport, request_), field)


async def test_compare_names_shape(stub):
    request = chart_pb2.CompareNamesRequest(names=["Ana López", "Anna Lopez"], birth_date=pb_date(date(1990, 5, 15)))
    body = json.loads((await call(stub.CompareNames, request)).json)
    assert set(body) >= {"system", "birth_date", "comparisons", "recommendation"}
    assert body["birth_date"] == "1990-05-15"
    assert [comparison["name"] for comparison in body["comparisons"]] == ["Ana López", "Anna Lopez"]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (chart_pb2.CompareNamesRequest(names=["Ana"], birth_date=pb_date(date(1990, 5, 15))), "names"),
        (chart_pb2.CompareNamesRequest(names=["Ana", "J0hn"], birth_date=pb_date(date(1990, 5, 15))), "names[1]"),
        (chart_pb2.CompareNamesRequest(names=["Ana", "Anna"]), "birth_date"),
    ],
)
async def test_compare_names_bad_input_names_the_field(stub, request_, field):
    assert_invalid(await rejected(stub.CompareNames, request_), field)


async def test_name_trial_values(stub):
    request = chart_pb2.NameTrialRequest(trial_name="Jon Doe", system="western")
    response = await call(stub.NameTrialValues, request)
    body = json.loads(response.json)
    # JON DOE: J1 O6 N5 D4 O6 E5 = 27 -> 9; vowels O6 O6 E5 = 17 -> 8; consonants J1 N5 D4 = 10 -> 1.
    assert {role: value["number"] for role, value in body.items()} == {"expression": 9, "soul_urge": 8,
                                                                       "personality": 1}
    assert response.ruleset_version
    # Chaldean: J1 O7 N5 D4 O7 E5 = 29 -> 11 -> 2.
    request = chart_pb2.NameTrialRequest(trial_name="Jon Doe", system="vedic")
    assert json.loads((await call(stub.NameTrialValues, request)).json)["name_number"]["number"] == 2


@pytest.mark.parametrize(("request_", "field"), [
    (chart_pb2.NameTrialRequest(trial_name="J0n", system="western"), "trial_name"),
    (chart_pb2.NameTrialRequest(trial_name="Jon", system="both"), "system"),
    (chart_pb2.NameTrialRequest(trial_name="Jon", system="western", y_as_vowel="sometimes"), "y_as_vowel"),
])
async def test_name_trial_bad_input_names_the_field(stub, request_, field):
    assert_invalid(await rejected(stub.NameTrialValues, request_), field)


# ---------------------------------------------------------------------------------------------
# CalculateHumanDesign

def human_design_request(**fields) -> chart_pb2.HumanDesignRequest:
    values = {"birth_datetime": "1990-05-15T14:30:00", "birth_timezone": "Europe/Berlin",
              "birth_latitude": 52.52, "birth_longitude": 13.405, "name": "Ana", **fields}
    return chart_pb2.HumanDesignRequest(**values)


async def test_human_design_has_13_personality_and_13_design_activations(stub):
    response = await call(stub.CalculateHumanDesign, human_design_request())
    body = json.loads(response.json)
    for side in ("personality_activations", "design_activations"):
        activations = body[side]
        assert len(activations) == 13
        assert activations[0]["body"] == "Sun"
        for activation in activations:
            assert 1 <= activation["gate"] <= 64 and 1 <= activation["line"] <= 6
            assert activation["gate_line"] == f"{activation['gate']}.{activation['line']}"
    assert body["name"] == "Ana"
    assert body["type"] and body["authority"] and body["profile"]
    assert response.ruleset_version


async def test_human_design_invalid_zone_carries_the_seed_error_body(stub):
    error = await rejected(stub.CalculateHumanDesign, human_design_request(birth_timezone="Mars/Olympus_Mons"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("INVALID_TIMEZONE: ")
    metadata = error.trailing_metadata()
    assert metadata[FIELD_METADATA_KEY] == "birth_timezone"
    detail = json.loads(metadata[ERROR_METADATA_KEY])["detail"]
    assert detail["code"] == "INVALID_TIMEZONE"
    assert detail["field"] == "birth_timezone"
    assert detail["message"] and detail["message_de"]
    assert detail["message_de"] != detail["message"]


async def test_human_design_bad_datetime_is_invalid_date(stub):
    error = await rejected(stub.CalculateHumanDesign, human_design_request(birth_datetime="15/05/1990"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert json.loads(error.trailing_metadata()[ERROR_METADATA_KEY])["detail"]["code"] == "INVALID_DATE"
    assert error.trailing_metadata()[FIELD_METADATA_KEY] == "birth_datetime"


# ---------------------------------------------------------------------------------------------
# ScoreCandidates

@dataclass(frozen=True)
class Numbers:
    life_path: int
    expression: int
    soul_urge: int
    personality: int


SUBJECT_NUMBERS = Numbers(life_path=7, expression=22, soul_urge=3, personality=9)
SUBJECT_LONGITUDES = (54.4, 297.4, 38.0, 12.8, 348.3)


def subject(with_chart: bool = True) -> chart_pb2.CompatibilityPerson:
    person = chart_pb2.CompatibilityPerson(chart_level=4, **vars(SUBJECT_NUMBERS))
    if with_chart:
        person.key_longitudes.CopyFrom(chart_pb2.KeyLongitudes(**dict(zip(KEY_PLANETS, SUBJECT_LONGITUDES))))
    return person


def candidates(count: int, seed: int = 2024, with_charts: bool = True) -> chart_pb2.ScoreCandidatesRequest:
    rng = np.random.default_rng(seed)
    numbers = np.asarray(HARMONY_NUMBERS)
    request = chart_pb2.ScoreCandidatesRequest(
        subject=subject(),
        candidate_ids=list(range(10_000, 10_000 + count)),
        life_path=rng.choice(numbers, count).tolist(), expression=rng.choice(numbers, count).tolist(),
        soul_urge=rng.choice(numbers, count).tolist(), personality=rng.choice(numbers, count).tolist(),
        chart_level=rng.integers(1, 5, count).tolist(),
    )
    if with_charts:
        request.key_longitudes.extend(rng.uniform(0.0, 360.0, 5 * count).tolist())
    return request


def candidate_numbers(request: chart_pb2.ScoreCandidatesRequest, i: int) -> Numbers:
    return Numbers(request.life_path[i], request.expression[i], request.soul_urge[i], request.personality[i])


async def test_score_2000_candidates(stub):
    request = candidates(2000)
    response = await call(stub.ScoreCandidates, request)
    assert list(response.candidate_ids) == list(request.candidate_ids)
    for column in (response.overall_score, response.numerology_score, response.astrology_score, response.highlight):
        assert len(column) == 2000
    for column in (response.overall_score, response.numerology_score, response.astrology_score):
        assert all(0 <= score <= 100 for score in column)
    # the RPC's vectorised score against the domain's scalar one, pair by pair
    assert list(response.numerology_score) == [
        numerology_score(SUBJECT_NUMBERS, candidate_numbers(request, i)) for i in range(2000)]
    assert any(response.highlight) and len(set(response.astrology_score)) > 10


async def test_batch_scores_agree_with_the_pair_evaluation(stub):
    request = candidates(12, seed=7)
    response = await call(stub.ScoreCandidates, request)
    for i in range(12):
        longitudes = request.key_longitudes[5 * i: 5 * i + 5]
        other = chart_pb2.CompatibilityPerson(chart_level=request.chart_level[i],
                                              key_longitudes=chart_pb2.KeyLongitudes(**dict(zip(KEY_PLANETS,
                                                                                                longitudes))),
                                              **vars(candidate_numbers(request, i)))
        pair = json.loads((await call(stub.EvaluateCompatibility,
                                      chart_pb2.EvaluateCompatibilityRequest(a=subject(), b=other))).json)
        assert pair["overall_score"] == response.overall_score[i]
        assert pair["numerology"]["numerology_score"] == response.numerology_score[i]
        assert pair["astrology"]["astrology_score"] == response.astrology_score[i]


async def test_candidates_without_charts_are_scored_on_numerology_alone(stub):
    request = candidates(300, with_charts=False)
    response = await call(stub.ScoreCandidates, request)
    assert list(response.overall_score) == list(response.numerology_score)
    assert set(response.astrology_score) == {0}
    assert set(response.highlight) == {""}


async def test_a_subject_without_a_chart_is_scored_on_numerology_alone(stub):
    request = candidates(50)
    request.subject.ClearField("key_longitudes")
    response = await call(stub.ScoreCandidates, request)
    assert list(response.overall_score) == list(response.numerology_score)
    assert set(response.astrology_score) == {0}


async def test_no_candidates_is_an_empty_answer(stub):
    response = await call(stub.ScoreCandidates, chart_pb2.ScoreCandidatesRequest(subject=subject()))
    assert len(response.candidate_ids) == len(response.overall_score) == 0


async def test_5000_candidates_is_the_limit(stub):
    response = await call(stub.ScoreCandidates, candidates(MAX_CANDIDATES))
    assert len(response.overall_score) == MAX_CANDIDATES
    assert_invalid(await rejected(stub.ScoreCandidates, candidates(MAX_CANDIDATES + 1)), "candidate_ids")


def _drop_one_life_path(request):
    del request.life_path[-1]


def _bad_expression(request):
    request.expression[3] = 10  # reduces to 1: never a final number


def _negative_soul_urge(request):
    request.soul_urge[0] = -1  # must not wrap around to the table's last entry


def _huge_personality(request):
    request.personality[5] = 1000


def _short_longitudes(request):
    del request.key_longitudes[-1]


def _nan_longitude(request):
    request.key_longitudes[7] = float("nan")


def _bad_candidate_level(request):
    request.chart_level[2] = 5


def _bad_subject(request):
    request.subject.life_path = 12


def _subject_without_level(request):
    request.subject.chart_level = 0


@pytest.mark.parametrize(
    ("spoil", "field"),
    [
        (_drop_one_life_path, "candidate_ids"),
        (_bad_expression, "expression"),
        (_negative_soul_urge, "soul_urge"),
        (_huge_personality, "personality"),
        (_short_longitudes, "key_longitudes"),
        (_nan_longitude, "key_longitudes"),
        (_bad_candidate_level, "chart_level"),
        (_bad_subject, "subject.life_path"),
        (_subject_without_level, "subject.chart_level"),
    ],
)
async def test_score_candidates_bad_input_names_the_field(stub, spoil, field):
    request = candidates(20)
    spoil(request)
    assert_invalid(await rejected(stub.ScoreCandidates, request), field)


# ---------------------------------------------------------------------------------------------
# EvaluateCompatibility

def person(numbers: Numbers, longitudes=None, level: int = 4) -> chart_pb2.CompatibilityPerson:
    message = chart_pb2.CompatibilityPerson(chart_level=level, **vars(numbers))
    if longitudes is not None:
        message.key_longitudes.CopyFrom(chart_pb2.KeyLongitudes(**dict(zip(KEY_PLANETS, longitudes))))
    return message


async def test_evaluate_compatibility_has_the_seed_shape(stub):
    a = person(SUBJECT_NUMBERS, SUBJECT_LONGITUDES)
    b = person(Numbers(1, 2, 3, 4), (174.4, 57.4, 40.0, 102.8, 350.0), level=3)
    response = await call(stub.EvaluateCompatibility, chart_pb2.EvaluateCompatibilityRequest(a=a, b=b))
    body = json.loads(response.json)
    assert 0 <= body["overall_score"] <= 100
    numerology = body["numerology"]
    assert {"life_path_harmony", "soul_connection", "expression_sync", "personality_match", "challenges",
            "strengths"} <= set(numerology)
    for key in ("life_path_harmony", "soul_connection", "expression_sync", "personality_match"):
        assert 0 <= numerology[key] <= 100
    assert all(isinstance(text, str) for text in numerology["challenges"] + numerology["strengths"])
    astrology = body["astrology"]
    assert {"aspects", "harmony_score", "tension_score", "interpretation"} <= set(astrology)
    assert astrology["aspects"]  # the Suns (54.4 / 174.4) are in trine, at least
    for aspect in astrology["aspects"]:
        assert set(aspect) == {"planet1", "planet2", "aspect", "orb"}
        assert aspect["planet1"] in KEY_PLANETS and aspect["planet2"] in KEY_PLANETS
        assert aspect["orb"] >= 0
    assert {"planet1": "sun", "planet2": "sun", "aspect": "trine", "orb": 0.0} in astrology["aspects"]
    assert 0 <= astrology["harmony_score"] <= 100 and 0 <= astrology["tension_score"] <= 100
    assert isinstance(astrology["interpretation"], str) and astrology["interpretation"]


async def test_evaluate_compatibility_without_charts_is_numerology_only(stub):
    request = chart_pb2.EvaluateCompatibilityRequest(a=person(SUBJECT_NUMBERS), b=person(Numbers(1, 2, 3, 4)))
    body = json.loads((await call(stub.EvaluateCompatibility, request)).json)
    assert "astrology" not in body
    assert body["overall_score"] == body["numerology"]["numerology_score"] == numerology_score(
        SUBJECT_NUMBERS, Numbers(1, 2, 3, 4))


async def test_evaluate_compatibility_bad_person_names_the_field(stub):
    request = chart_pb2.EvaluateCompatibilityRequest(a=person(SUBJECT_NUMBERS), b=person(Numbers(1, 2, 3, 44)))
    assert_invalid(await rejected(stub.EvaluateCompatibility, request), "b.personality")


# ---------------------------------------------------------------------------------------------
# Without ephemeris files; deadlines

async def test_without_ephemeris_astrology_is_unavailable_but_numerology_works(stub_without_ephemeris):
    error = await rejected(stub_without_ephemeris.CalculateProfile, PROFILE_LEVELS[4])
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "EPHEMERIS_UNAVAILABLE" in error.details()

    error = await rejected(stub_without_ephemeris.CalculateHumanDesign, human_design_request())
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "EPHEMERIS_UNAVAILABLE" in error.details()
    assert json.loads(error.trailing_metadata()[ERROR_METADATA_KEY])["detail"]["code"] == "EPHEMERIS_UNAVAILABLE"

    response = await call(stub_without_ephemeris.CalculateNumerology, chart_pb2.CalculateNumerologyRequest(
        full_name="Ana López", birth_date=pb_date(date(1990, 5, 15))))
    assert response.life_path == 3


async def test_a_tiny_deadline_is_deadline_exceeded_not_a_hang(stub):
    # Behind a backlog of hundreds of charts on two workers, a call with a 5 ms deadline cannot
    # be answered in time however fast the machine: it must fail promptly, not wait its turn.
    backlog = [asyncio.ensure_future(call(stub.CalculateHumanDesign, human_design_request())) for _ in range(400)]
    await asyncio.sleep(0)
    error = await rejected(stub.CalculateProfile, PROFILE_LEVELS[4], timeout=0.005)
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert all(len(json.loads(done.json)["design_activations"]) == 13 for done in await asyncio.gather(*backlog))


async def test_calls_whose_deadline_passes_in_the_queue_do_not_block_later_calls(stub):
    # Ten times more short-deadline calls than workers: those that expire (in the queue or in a
    # worker) answer DEADLINE_EXCEEDED, none hangs, and the server answers normally afterwards.
    calls = [call(stub.CalculateHumanDesign, human_design_request(), timeout=0.01) for _ in range(20)]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, grpc.aio.AioRpcError), repr(outcome)
            assert outcome.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        else:
            assert len(json.loads(outcome.json)["personality_activations"]) == 13
    response = await call(stub.CalculateProfile, PROFILE_LEVELS[4])
    assert response.chart_level == 4
