"""The risk API: the population risk list (filters, access, pagination, query count), a client's
risk, decisions and enrollment, and the 404s that hide what a user may not see."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.cases.models import Case
from casework.risk import services
from casework.risk.models import RiskAssessment
from tests import factories
from tests.risk.population import Population, build_population, condition


@pytest.fixture
def population(world: Any) -> Population:
    built = build_population(world)
    services.population_stratify(organization=world.org)
    return built


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["client"]["name"] for row in response.json()["items"]]


def current(client: Any) -> RiskAssessment:
    return RiskAssessment.objects.get(client=client, is_current=True)


# ----------------------------------------------------------------------------------------------
# The list and who sees what


def test_case_manager_sees_her_clients_highest_tier_first(
    world: Any, api: Any, population: Population
) -> None:
    listed = names(api(world.casey).get("/api/v1/risk/clients"))
    assert listed[:2] == ["Ida Item", "Sam Smi"]  # very high, then high
    assert set(listed) == {"Ida Item", "Sam Smi", "Ned Needs", "Quinn Quiet", "Eve Enrolled"}


def test_row_shape(world: Any, api: Any, population: Population) -> None:
    rows = api(world.casey).get("/api/v1/risk/clients", tier="high").json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert row["client"]["id"] == str(population.smi.pk)
    assert row["tier"] == "high"
    assert row["tier_reasons"][0] == "LACE 16 (≥10: high)"
    assert row["lace"]["score"] == 16
    assert row["lace"]["breakdown"]["points"] == {"L": 5, "A": 3, "C": 5, "E": 3}
    assert row["recommended_model"] == "intensive"
    assert row["recommendation_reasons"][0].startswith("Intensive")
    assert row["decision"]["status"] == "pending"
    assert row["open_cases"] == [] and row["unassigned"] is True
    assert set(row) >= {"probability", "contributions", "flags", "model_version", "computed_at"}


def test_open_cases_and_unassigned(world: Any, api: Any, population: Population) -> None:
    rows = {
        row["client"]["name"]: row
        for row in api(world.casey).get("/api/v1/risk/clients").json()["items"]
    }
    enrolled = rows["Eve Enrolled"]
    assert enrolled["unassigned"] is False
    assert enrolled["open_cases"][0]["program"]["name"] == "Care Coordination"
    assert enrolled["open_cases"][0]["status"] == "assessment"
    assert enrolled["open_cases"][0]["case_manager"]["username"] == "casey"


def test_filters(world: Any, api: Any, population: Population) -> None:
    casey = api(world.casey)
    assert names(casey.get("/api/v1/risk/clients", tier="very_high")) == ["Ida Item"]
    assert set(names(casey.get("/api/v1/risk/clients", tier="high,very_high"))) == {
        "Ida Item",
        "Sam Smi",
    }
    assert names(casey.get("/api/v1/risk/clients", program_id=str(world.program.pk))) == [
        "Eve Enrolled"
    ]
    unassigned = names(casey.get("/api/v1/risk/clients", unassigned="true"))
    assert "Eve Enrolled" not in unassigned and len(unassigned) == 4
    assert names(casey.get("/api/v1/risk/clients", recommended_model="brokerage")) == ["Ned Needs"]
    refused = casey.get("/api/v1/risk/clients", tier="extreme")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "tier"


def test_case_manager_does_not_see_a_colleagues_clients(
    world: Any, api: Any, population: Population
) -> None:
    south_program = factories.program("South Care", org=world.org, teams=[world.south])
    chris_client = factories.client(world.chris, given_name="Cora", family_name="Chris")
    case = factories.case(world.chris, client=chris_client, program=south_program, to="intake")
    assert case.case_manager == world.chris
    services.population_stratify(organization=world.org)
    assert "Cora Chris" not in names(api(world.casey).get("/api/v1/risk/clients"))
    assert names(api(world.chris).get("/api/v1/risk/clients")) == ["Cora Chris"]
    response = api(world.casey).get(f"/api/v1/clients/{chris_client.pk}/risk")
    assert response.status_code == 404


def test_supervisor_sees_clients_without_an_open_case(
    world: Any, api: Any, population: Population
) -> None:
    """Identification from data: the organization's clients nobody looks after yet."""
    stranger = factories.client(world.chris, given_name="Una", family_name="Unknown")
    condition(stranger, "F31.9", "Bipolar disorder, unspecified")
    services.population_stratify(organization=world.org)
    listed = names(api(world.sam).get("/api/v1/risk/clients"))
    assert "Una Unknown" in listed
    assert "Eve Enrolled" in listed  # her case is on Sam's team
    # Once a case in a South program is open, Sam no longer sees the client.
    south_program = factories.program("South Care", org=world.org, teams=[world.south])
    factories.case(world.chris, client=stranger, program=south_program, to="intake")
    assert "Una Unknown" not in names(api(world.sam).get("/api/v1/risk/clients"))
    assert api(world.sam).get(f"/api/v1/clients/{stranger.pk}/risk").status_code == 404


def test_outsider_sees_nothing(world: Any, api: Any, population: Population) -> None:
    olive = api(world.olive)
    assert names(olive.get("/api/v1/risk/clients")) == []
    assert olive.get(f"/api/v1/clients/{population.smi.pk}/risk").status_code == 404
    assessment = current(population.smi)
    decided = olive.post(
        f"/api/v1/risk/assessments/{assessment.pk}/decision", {"decision": "accept"}
    )
    assert decided.status_code == 404
    enrolled = olive.post(
        f"/api/v1/risk/clients/{population.smi.pk}/enroll",
        {"program_id": str(world.other_program.pk)},
    )
    assert enrolled.status_code == 404
    assert not Case.objects.filter(client=population.smi).exists()


def test_unknown_and_malformed_ids_are_404(world: Any, api: Any, population: Population) -> None:
    casey = api(world.casey)
    assert casey.get(f"/api/v1/clients/{uuid.uuid4()}/risk").status_code == 404
    assert casey.get("/api/v1/clients/not-a-uuid/risk").status_code == 404
    response = casey.post("/api/v1/risk/assessments/999999/decision", {"decision": "accept"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    malformed = casey.post("/api/v1/risk/assessments/abc/decision", {"decision": "accept"})
    assert malformed.status_code == 404


def test_pagination_with_a_cursor(world: Any, api: Any, population: Population) -> None:
    casey = api(world.casey)
    first = casey.get("/api/v1/risk/clients", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    second = casey.get("/api/v1/risk/clients", limit=2, cursor=first["next"]).json()
    third = casey.get("/api/v1/risk/clients", limit=2, cursor=second["next"]).json()
    assert third["next"] is None
    seen = [row["id"] for page in (first, second, third) for row in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert casey.get("/api/v1/risk/clients", cursor="garbage").status_code == 422


def _list_queries(api_client: Any) -> int:
    api_client.get("/api/v1/me")  # the token's first use of the day is recorded once
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get("/api/v1/risk/clients", limit=100)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_query_count_does_not_grow_with_rows(world: Any, api: Any) -> None:
    sam = api(world.sam)
    for _ in range(2):
        client = factories.client(world.casey)
        factories.case(world.casey, client=client, program=world.program, to="intake")
        factories.client(world.chris)
    services.population_stratify(organization=world.org)
    few = _list_queries(sam)
    for _ in range(6):
        client = factories.client(world.casey)
        factories.case(world.casey, client=client, program=world.program, to="intake")
        factories.client(world.chris)
    services.population_stratify(organization=world.org)
    assert len(sam.get("/api/v1/risk/clients", limit=100).json()["items"]) == 16
    assert _list_queries(sam) == few


# ----------------------------------------------------------------------------------------------
# A client's risk


def test_client_risk_current_and_history(world: Any, api: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    body = api(world.casey).get(f"/api/v1/clients/{population.smi.pk}/risk").json()
    assert body["current"]["tier"] == "high" and body["current"]["is_current"] is True
    assert len(body["history"]) == 2
    assert body["history"][0]["id"] == body["current"]["id"]
    assert body["history"][1]["is_current"] is False


def test_recompute_a_client(world: Any, api: Any, population: Population) -> None:
    response = api(world.casey).post(f"/api/v1/clients/{population.quiet.pk}/risk")
    assert response.status_code == 201
    assert response.json()["tier"] == "low"
    assert RiskAssessment.objects.filter(client=population.quiet).count() == 2


# ----------------------------------------------------------------------------------------------
# Decisions


def test_supervisor_decides_through_the_api(world: Any, api: Any, population: Population) -> None:
    assessment = current(population.smi)
    url = f"/api/v1/risk/assessments/{assessment.pk}/decision"
    sam = api(world.sam)
    incomplete = sam.post(url, {"decision": "override"})
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {"model_kind", "reason"}
    assert sam.post(url, {"decision": "maybe"}).status_code == 422
    assert sam.post(url, {"decision": "accept", "extra": 1}).status_code == 422
    accepted = sam.post(url, {"decision": "accept"})
    assert accepted.status_code == 200
    assert accepted.json()["decision"]["status"] == "accepted"
    assert accepted.json()["decision"]["model_kind"] == "intensive"
    assert accepted.json()["decision"]["decided_by"]["username"] == "sam"
    overridden = sam.post(
        url, {"decision": "override", "model_kind": "clinical", "reason": "No ACT capacity"}
    )
    assert overridden.status_code == 200
    assert overridden.json()["decision"]["model_kind"] == "clinical"


def test_case_manager_may_not_decide(world: Any, api: Any, population: Population) -> None:
    assessment = current(population.smi)
    response = api(world.casey).post(
        f"/api/v1/risk/assessments/{assessment.pk}/decision", {"decision": "accept"}
    )
    assert response.status_code == 403
    assert current(population.smi).decision == "pending"


def test_superseded_assessment_is_409(world: Any, api: Any, population: Population) -> None:
    old = current(population.smi)
    services.population_stratify(organization=world.org)
    response = api(world.sam).post(
        f"/api/v1/risk/assessments/{old.pk}/decision", {"decision": "accept"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "assessment_superseded"


# ----------------------------------------------------------------------------------------------
# Enrollment


def test_enroll_opens_a_referred_case(world: Any, api: Any, population: Population) -> None:
    response = api(world.sam).post(
        f"/api/v1/risk/clients/{population.smi.pk}/enroll",
        {"program_id": str(world.program.pk)},
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "referred"
    assert case["client_id"] == str(population.smi.pk)
    assert case["risk_tier"] == "high"
    assert case["referral_source"] == "Population risk list"
    # The same enrollment again is refused: the case is open.
    again = api(world.sam).post(
        f"/api/v1/risk/clients/{population.smi.pk}/enroll",
        {"program_id": str(world.program.pk)},
    )
    assert again.status_code == 409
    assert Case.objects.filter(client=population.smi).count() == 1


def test_enroll_into_an_unknown_program_is_422(
    world: Any, api: Any, population: Population
) -> None:
    for program_id in (str(world.other_program.pk), str(uuid.uuid4())):
        response = api(world.sam).post(
            f"/api/v1/risk/clients/{population.smi.pk}/enroll", {"program_id": program_id}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "program_id"
    assert not Case.objects.filter(client=population.smi).exists()
