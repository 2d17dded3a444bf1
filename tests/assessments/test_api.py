"""The assessment and work-item endpoints: shapes, published examples through the API, refusals
with nothing stored, 404 for people who may not see the client, drafts, trends, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.assessments.models import AssessmentResponse, Observation, ProposedNeed
from casework.audit.models import AuditEvent
from casework.monitoring.models import WorkItem
from tests import factories
from tests.assessments.test_scoring import PHQ9_ITEMS, SHARED, needs_shared


def _phq9(values: list[int]) -> dict[str, int]:
    return dict(zip(PHQ9_ITEMS, values, strict=True))


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(world.casey, sex="male")
    case = factories.case(world.casey, client=client, program=world.program, to="assessment")
    return client, case


def _url(client: Any) -> str:
    return f"/api/v1/clients/{client.id}/assessments"


def _counts() -> tuple[int, ...]:
    return (
        AssessmentResponse.objects.count(),
        Observation.objects.count(),
        ProposedNeed.objects.count(),
        WorkItem.objects.count(),
    )


def test_post_phq9_returns_the_stored_scored_response(world: Any, api: Any, enrolled: Any) -> None:
    client, case = enrolled
    casey = api(world.casey)
    answers = {**_phq9([3, 3, 3, 3, 2, 2, 2, 2, 0]), "69722-7": "LA6573-5"}
    created = casey.post(
        _url(client), {"instrument": "44249-1", "answers": answers, "case_id": str(case.id)}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["instrument"] == {
        "code": "44249-1",
        "system": "http://loinc.org",
        "name": "PHQ-9 quick depression assessment panel",
        "short_name": "PHQ-9",
    }
    assert body["status"] == "completed" and body["version"] == 1
    assert body["score"] == 20 and body["band"] == "severe"
    assert body["flags"] == [
        {
            "code": "phq9_moderate_or_more",
            "label": "PHQ-9 total 10 or more: evaluate for major depression",
            "severity": "routine",
        }
    ]
    assert body["subscores"]["phq2"]["value"] == 6
    assert body["answers"]["44250-9"] == "LA6571-9"
    assert body["answers"]["69722-7"] == "LA6573-5"
    assert body["items"][0] == {
        "code": "44250-9",
        "text": "Little interest or pleasure in doing things?",
        "answer": "LA6571-9",
        "display": "Nearly every day",
        "value": 3,
    }
    assert body["case_id"] == str(case.id)
    assert body["completed_at"] and body["proposed_needs"] == []
    fetched = casey.get(f"/api/v1/assessments/{body['id']}").json()
    assert fetched == body
    assert AuditEvent.objects.filter(object_id=body["id"], action="read").count() == 1


@needs_shared
def test_published_examples_through_the_api(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    casey = api(world.casey)
    example = json.loads(
        (
            SHARED / "instruments/hl7-sdc/questionnaireresponse-sdc-profile-example-PHQ9.json"
        ).read_text()
    )
    answers = {
        PHQ9_ITEMS[int(item["linkId"].rsplit("Q", 1)[1]) - 1]: item["answer"][0]["valueCoding"]
        for item in example["item"][0]["item"]
        if item["linkId"].startswith("H1/T1/Q")
    }
    phq9 = casey.post(_url(client), {"instrument": "44249-1", "answers": answers}).json()
    assert (phq9["score"], phq9["band"]) == (10, "moderate")
    assert "phq9_item9_positive" in [flag["code"] for flag in phq9["flags"]]

    source = json.loads((SHARED / "instruments/mycareplanner/AHC-questionnaire.json").read_text())
    code_of = {
        item["linkId"]: item["code"][0]["code"]
        for group in source["item"]
        for item in group["item"]
    }
    response = json.loads(
        (SHARED / "instruments/mycareplanner/QuestionnaireResponse-AHC.json").read_text()
    )
    ahc_answers = {
        code_of[item["linkId"]]: item["answer"][0]["valueCoding"]["code"]
        for group in response["item"]
        for item in group["item"]
    }
    ahc = casey.post(_url(client), {"instrument": "96777-8", "answers": ahc_answers})
    assert ahc.status_code == 201, ahc.content
    body = ahc.json()
    assert body["band"] == "positive" and body["score"] is None
    assert body["domains"]["living_situation"]["positive"] is True
    assert body["domains"]["food"]["positive"] is True
    assert body["domains"]["interpersonal_safety"]["positive"] is False
    assert [(n["code"], n["snomed_code"]) for n in body["proposed_needs"]] == [
        ("Z59.00", "32911000"),
        ("Z59.41", "733423003"),
    ]
    listed = casey.get(f"/api/v1/clients/{client.id}/proposed-needs").json()["items"]
    assert sorted(n["code"] for n in listed) == ["Z59.00", "Z59.41"]
    assert {n["instrument"] for n in listed} == {"96777-8"}


def test_auditc_uses_the_clients_sex(world: Any, api: Any) -> None:
    casey = api(world.casey)
    man = factories.client(world.casey, sex="male")
    woman = factories.client(world.casey, sex="female")
    answers = {"68518-0": "LA18927-6", "68519-8": 0, "68520-6": "LA18933-4"}  # 2 + 0 + 1 = 3
    for person, band in ((man, "negative"), (woman, "positive")):
        body = casey.post(_url(person), {"instrument": "72109-2", "answers": answers}).json()
        assert (body["score"], body["band"]) == (3, band)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "12345-6", "answers": {}}, "instrument"),
        ({"instrument": "", "answers": {}}, "instrument"),
        ({"instrument": "44249-1", "answers": _phq9([1] * 8 + [7])}, "44260-8"),
        ({"instrument": "44249-1", "answers": {**_phq9([1] * 9), "1234-5": 1}}, "1234-5"),
        ({"instrument": "44249-1", "answers": _phq9([1] * 8 + [0]) | {"44260-8": None}}, "44260-8"),
        ({"instrument": "44249-1", "answers": [1, 2]}, "answers"),
        ({"instrument": "44249-1", "answers": {}, "status": "final"}, "status"),
        ({"instrument": "44249-1", "answers": {}, "colour": "red"}, "colour"),
        ({"instrument": "44249-1", "answers": _phq9([0] * 9), "case_id": "nope"}, "case_id"),
    ],
)
def test_refusals_are_422_naming_the_field_and_store_nothing(
    world: Any, api: Any, enrolled: Any, body: dict[str, Any], field: str
) -> None:
    client, _ = enrolled
    before = _counts()
    refused = api(world.casey).post(_url(client), body)
    assert refused.status_code == 422, refused.content
    error = refused.json()
    assert error["code"] == "validation_error" and error["detail"]
    assert field in [e["field"] for e in error["errors"]]
    assert _counts() == before


def test_case_of_another_client_or_invisible_case_is_422(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    other = factories.client(world.chris)
    hidden_case = factories.case(world.chris, client=other, program=world.program)
    refused = api(world.casey).post(
        _url(client),
        {"instrument": "44249-1", "answers": _phq9([0] * 9), "case_id": str(hidden_case.id)},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "case_id"


def test_people_who_may_not_see_the_client_get_404(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    created = api(world.casey).post(
        _url(client), {"instrument": "44249-1", "answers": _phq9([1] * 9)}
    )
    assessment_id = created.json()["id"]
    before = _counts()
    for person in (world.olive, world.chris):
        outsider = api(person)
        assert (
            outsider.post(_url(client), {"instrument": "44249-1", "answers": _phq9([1] * 9)})
        ).status_code == 404
        assert outsider.get(_url(client)).status_code == 404
        assert outsider.get(f"/api/v1/assessments/{assessment_id}").status_code == 404
        assert (
            outsider.patch(f"/api/v1/assessments/{assessment_id}", {"version": 1, "answers": {}})
        ).status_code == 404
        assert outsider.post(f"/api/v1/assessments/{assessment_id}/complete").status_code == 404
        assert outsider.get(f"/api/v1/clients/{client.id}/observations").status_code == 404
        assert outsider.get(f"/api/v1/clients/{client.id}/proposed-needs").status_code == 404
    assert _counts() == before
    assert api(world.casey).get("/api/v1/assessments/not-a-uuid").status_code == 404


def test_draft_patch_complete_through_the_api(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    casey = api(world.casey)
    draft = casey.post(
        _url(client),
        {"instrument": "44249-1", "answers": {"44250-9": 1}, "status": "draft"},
    )
    assert draft.status_code == 201
    body = draft.json()
    assert body["status"] == "draft" and body["score"] is None and body["band"] is None
    assert body["completeness"]["missing_required"][0] == "44255-8"
    url = f"/api/v1/assessments/{body['id']}"
    patched = casey.patch(url, {"version": 1, "answers": _phq9([1, 1, 1, 1, 1, 1, 1, 1, 0])})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = casey.patch(url, {"version": 1, "answers": {}})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad = casey.patch(url, {"version": 2, "answers": {"44250-9": "LA0000-0"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "44250-9"
    done = casey.post(f"{url}/complete", {"version": 2})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["score"] == 8
    again = casey.post(f"{url}/complete")
    assert again.status_code == 409
    assert casey.patch(url, {"version": 3, "answers": {}}).status_code == 409


def test_complete_with_missing_items_is_422_and_the_draft_stays(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    casey = api(world.casey)
    body = casey.post(
        _url(client), {"instrument": "55757-9", "answers": {"44250-9": 3}, "status": "draft"}
    ).json()
    refused = casey.post(f"/api/v1/assessments/{body['id']}/complete", {})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "44255-8", "message": "required"}]
    assert casey.get(f"/api/v1/assessments/{body['id']}").json()["status"] == "draft"
    done = casey.post(f"/api/v1/assessments/{body['id']}/complete", {"answers": {"44255-8": 0}})
    assert done.json()["band"] == "positive"


def test_instruments_list_and_questionnaire(world: Any, api: Any) -> None:
    casey = api(world.casey)
    listed = casey.get("/api/v1/instruments")
    assert listed.status_code == 200
    by_code = {item["code"]: item for item in listed.json()["items"]}
    assert by_code["44249-1"]["score_code"] == "44261-6"
    assert by_code["44249-1"]["items"] == 10
    assert by_code["casework-strengths"]["scored"] is False
    questionnaire = casey.get("/api/v1/instruments/69737-5")
    assert questionnaire.status_code == 200
    q = questionnaire.json()
    assert q["resourceType"] == "Questionnaire"
    assert q["code"][0] == {
        "system": "http://loinc.org",
        "code": "69737-5",
        "display": "Generalized anxiety disorder 7 item (GAD-7)",
    }
    assert casey.get("/api/v1/instruments/00000-0").status_code == 404


def test_observation_trend_is_first_vs_latest_in_constant_queries(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    casey = api(world.casey)
    url = f"/api/v1/clients/{client.id}/observations"

    def record(values: list[int]) -> None:
        posted = casey.post(_url(client), {"instrument": "44249-1", "answers": _phq9(values)})
        assert posted.status_code == 201

    record([3, 3, 2, 2, 2, 2, 2, 2, 0])  # 18
    record([2, 2, 1, 1, 1, 1, 1, 1, 0])  # 10
    casey.get(url, code="44261-6")  # warm up (token lookup caches)
    with CaptureQueriesContext(connection) as few:
        first = casey.get(url, code="44261-6")
    for _ in range(4):
        record([1, 1, 1, 1, 0, 0, 0, 0, 0])  # 4
    with CaptureQueriesContext(connection) as many:
        response = casey.get(url, code="44261-6")
    assert first.status_code == response.status_code == 200
    assert len(many) == len(few)
    body = response.json()
    assert [o["value"] for o in body["items"]] == [18, 10, 4, 4, 4, 4]
    [trend] = body["trends"]
    assert trend["code"] == "44261-6" and trend["count"] == 6
    assert (trend["first"]["value"], trend["latest"]["value"], trend["change"]) == (18, 4, -14)
    observation_queries = [q["sql"] for q in many.captured_queries if "observation" in q["sql"]]
    assert len([sql for sql in observation_queries if sql.lstrip().startswith("SELECT")]) == 1
    every_code = casey.get(url).json()
    assert {t["code"] for t in every_code["trends"]} == {"44261-6", "55758-7"}


def test_list_assessments_paginates_in_constant_queries(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    casey = api(world.casey)
    for n in range(3):
        casey.post(_url(client), {"instrument": "44249-1", "answers": _phq9([n] * 9)})
    casey.get(_url(client))
    with CaptureQueriesContext(connection) as few:
        casey.get(_url(client))
    for n in range(4):
        casey.post(
            _url(client), {"instrument": "55757-9", "answers": {"44250-9": n % 4, "44255-8": 0}}
        )
    with CaptureQueriesContext(connection) as many:
        page = casey.get(_url(client), limit=5).json()
    assert len(many) == len(few)
    assert len(page["items"]) == 5 and page["next"]
    rest = casey.get(_url(client), limit=5, cursor=page["next"]).json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    only = casey.get(_url(client), instrument="55757-9").json()["items"]
    assert {item["instrument"]["code"] for item in only} == {"55757-9"}


def test_work_items_endpoints(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    casey, sam = api(world.casey), api(world.sam)
    created = casey.post(
        _url(client), {"instrument": "44249-1", "answers": _phq9([0] * 8 + [1])}
    ).json()
    assert created["flags"][0] == {
        "code": "phq9_item9_positive",
        "label": "PHQ-9 item 9: thoughts of being better off dead or of self-harm",
        "severity": "urgent",
    }
    mine = sam.get("/api/v1/work-items", status="open")
    assert mine.status_code == 200
    [item] = mine.json()["items"]
    assert item["priority"] == "asap" and item["status"] == "open"
    assert item["client_id"] == str(client.id) and item["source_id"] == created["id"]
    assert item["due_at"] and item["overdue"] is False
    assert len(casey.get("/api/v1/work-items").json()["items"]) == 1
    assert api(world.chris).get("/api/v1/work-items").json()["items"] == []
    # Someone else's item is not found; one's own completes once.
    assert casey.post(f"/api/v1/work-items/{item['id']}/complete").status_code == 404
    done = sam.post(f"/api/v1/work-items/{item['id']}/complete", {"note": "Called, safe plan"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done.json()["closed_by"]["username"] == "sam"
    assert sam.post(f"/api/v1/work-items/{item['id']}/complete").status_code == 409
    assert sam.get("/api/v1/work-items").json()["items"] == []
    assert len(sam.get("/api/v1/work-items", status="done").json()["items"]) == 1
    assert sam.get("/api/v1/work-items", status="later").status_code == 422
