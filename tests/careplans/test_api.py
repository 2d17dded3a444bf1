"""Care plan API: a full plan built through the API, versions and their diff, bad input refused
with nothing stored, who sees what, and a constant number of queries for the plan."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.careplans.models import CarePlan, Goal, Intervention, PlanVersion
from casework.cases.models import Case
from tests import factories

SIGNATURE = (
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0L9 9'/></svg>"
)


def planning_case(world, program=None):
    return factories.case(
        world.casey,
        client=factories.client(world.casey, given_name="Rosa", family_name="Delgado"),
        program=program or world.program,
        to="planning",
    )


def start(casey, case):
    response = casey.post(f"/api/v1/cases/{case.pk}/care-plans", {"title": "Rosa's plan"})
    assert response.status_code == 201, response.content
    return response.json()


def test_full_plan_through_the_api_then_activate(world, api):
    casey = api(world.casey)
    case = planning_case(world)
    plan = start(casey, case)
    base = f"/api/v1/care-plans/{plan['id']}"
    assert plan["status"] == "draft" and plan["version"] == 1

    need = casey.post(
        f"{base}/needs",
        {"version": 1, "code": "Z59.41", "display": "Food insecurity", "priority": 1},
    )
    assert need.status_code == 201, need.content
    assert need.json()["version"] == 2
    need_id = need.json()["item"]["id"]
    strength = casey.post(
        f"{base}/strengths",
        {"version": 2, "domain": "social supports", "description": "Sister lives nearby"},
    ).json()
    goal = casey.post(
        f"{base}/goals",
        {
            "version": 3,
            "client_words": "Quiero tener suficiente comida para mi familia",
            "statement": "Household food secure within 60 days",
            "priority": 1,
            "measure": "Days without enough food",
            "baseline": "8 a month",
            "target": "0",
            "start_date": "2026-01-05",
            "target_date": "2026-03-05",
            "lifecycle_status": "active",
            "need_ids": [need_id],
            "strength_ids": [strength["item"]["id"]],
        },
    )
    assert goal.status_code == 201, goal.content
    goal_id = goal.json()["item"]["id"]
    assert goal.json()["item"]["need_ids"] == [need_id]
    barrier = casey.post(
        f"{base}/barriers",
        {"version": 4, "goal_id": goal_id, "description": "No car", "plan_to_address": "Bus pass"},
    )
    assert barrier.status_code == 201, barrier.content
    intervention = casey.post(
        f"{base}/interventions",
        {
            "version": 5,
            "goal_id": goal_id,
            "description": "Apply for SNAP",
            "owner_type": "case_manager",
            "owner_user_id": str(world.casey.pk),
            "due_date": "2026-01-20",
        },
    )
    assert intervention.status_code == 201, intervention.content
    sister = casey.post(
        f"{base}/interventions",
        {
            "version": 6,
            "description": "Drive Rosa to the pantry",
            "owner_type": "family",
            "owner_name": "Ana (sister)",
        },
    )
    assert sister.status_code == 201, sister.content
    education = casey.post(
        f"{base}/education",
        {"version": 7, "topic": "resources", "method": "verbal", "teach_back": "understood"},
    )
    assert education.status_code == 201, education.content
    patched = casey.patch(
        base, {"version": 8, "self_management": "Plan meals each Sunday", "crisis_plan": "Call 988"}
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["version"] == 9
    agreed = casey.post(
        f"{base}/agree",
        {
            "version": 9,
            "method": "signature",
            "agreed_by_name": "Rosa Delgado",
            "signature": SIGNATURE,
        },
    )
    assert agreed.status_code == 200, agreed.content
    body = agreed.json()
    assert body["version"] == 10 and body["status"] == "active"
    assert body["agreement"]["signed"] and body["agreement"]["agreed_version"] == 10
    assert not body["agreement"]["changed_since_agreement"]
    assert [len(body[s]) for s in ("needs", "goals", "strengths", "barriers")] == [1, 1, 1, 1]
    assert len(body["interventions"]) == 2 and len(body["education"]) == 1

    moved = casey.post(f"/api/v1/cases/{case.pk}/transition", {"to": "active"})
    assert moved.status_code == 200, moved.content

    review = casey.post(
        f"{base}/reviews",
        {
            "version": 10,
            "reviewed_on": "2026-02-01",
            "notes": "Enrolled in SNAP",
            "scores": [{"goal_id": goal_id, "attainment": 1, "achievement_status": "improving"}],
        },
    )
    assert review.status_code == 201, review.content
    assert review.json()["review"]["gas_t_score"] == 60.0
    assert review.json()["version"] == 11
    reviews = casey.get(f"{base}/reviews").json()
    assert [r["gas_t_score"] for r in reviews["items"]] == [60.0] and reviews["next"] is None

    versions = casey.get(f"{base}/versions").json()["items"]
    assert [v["number"] for v in versions] == list(range(1, 12))
    assert versions[2]["summary"] == "Strength added: Sister lives nearby"

    listed = casey.get(f"/api/v1/cases/{case.pk}/care-plans").json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]


def test_update_delete_and_diff(world, api):
    casey = api(world.casey)
    plan = start(casey, planning_case(world))
    base = f"/api/v1/care-plans/{plan['id']}"
    goal = casey.post(f"{base}/goals", {"version": 1, "client_words": "Find work"}).json()
    goal_id = goal["item"]["id"]
    barrier = casey.post(f"{base}/barriers", {"version": 2, "description": "No bus"}).json()
    changed = casey.patch(
        f"{base}/goals/{goal_id}", {"version": 3, "priority": 1, "target": "20 hours a week"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["item"]["priority"] == 1 and changed.json()["version"] == 4
    stale = casey.http.delete(
        f"{base}/barriers/{barrier['item']['id']}?version=3", **casey._headers()
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    removed = casey.http.delete(
        f"{base}/barriers/{barrier['item']['id']}?version=4", **casey._headers()
    )
    assert removed.status_code == 200, removed.content
    assert removed.json() == {"plan_id": plan["id"], "version": 5, "item": None}

    diff = casey.get(f"{base}/versions/diff", **{"from": 2, "to": 5})
    assert diff.status_code == 200, diff.content
    changes = diff.json()["changes"]
    assert [(c["section"], c["change"]) for c in changes] == [("goals", "changed")]
    fields = {f["field"]: [f["old"], f["new"]] for f in changes[0]["fields"]}
    assert fields == {"priority": [2, 1], "target": ["", "20 hours a week"]}
    assert casey.get(f"{base}/versions/diff", **{"from": 1, "to": 99}).status_code == 404
    assert casey.get(f"{base}/unknown/{goal_id}").status_code in (404, 405)


def test_bad_input_is_refused_with_nothing_stored(world, api):
    casey = api(world.casey)
    plan = start(casey, planning_case(world))
    base = f"/api/v1/care-plans/{plan['id']}"

    backwards = casey.post(
        f"{base}/goals",
        {
            "version": 1,
            "client_words": "Get my license back",
            "start_date": "2026-05-01",
            "target_date": "2026-04-01",
        },
    )
    assert backwards.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["target_date"]

    foreign_owner = casey.post(
        f"{base}/interventions",
        {
            "version": 1,
            "description": "Apply for SNAP",
            "owner_type": "case_manager",
            "owner_user_id": str(world.olive.pk),
        },
    )
    assert foreign_owner.status_code == 422
    assert [e["field"] for e in foreign_owner.json()["errors"]] == ["owner_user_id"]

    unknown = casey.post(f"{base}/goals", {"version": 1, "client_words": "x", "colour": "red"})
    assert unknown.status_code == 422

    goal = casey.post(
        f"{base}/goals", {"version": 1, "client_words": "x", "lifecycle_status": "active"}
    )
    assert goal.status_code == 201
    not_a_url = casey.post(
        f"{base}/agree",
        {"version": 2, "method": "signature", "agreed_by_name": "Rosa", "signature": "Rosa"},
    )
    assert not_a_url.status_code == 422
    assert [e["field"] for e in not_a_url.json()["errors"]] == ["signature"]

    stale = casey.post(f"{base}/goals", {"version": 1, "client_words": "Another goal"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    stored = CarePlan.objects.get(pk=plan["id"])
    assert stored.version == 2 and stored.agreed_at is None
    assert Goal.objects.filter(plan=stored).count() == 1
    assert not Intervention.objects.filter(plan=stored).exists()
    assert PlanVersion.objects.filter(plan=stored).count() == 2

    second = casey.post(f"/api/v1/cases/{stored.case_id}/care-plans", {})
    assert second.status_code == 409 and second.json()["code"] == "plan_exists"


def test_access_by_persona(world, api):
    casey = api(world.casey)
    case = planning_case(world)
    plan = start(casey, case)
    base = f"/api/v1/care-plans/{plan['id']}"
    assert api(world.sam).get(base).status_code == 200
    for outsider in (world.olive, world.chris):
        client = api(outsider)
        assert client.get(base).status_code == 404
        assert client.post(f"{base}/goals", {"version": 1, "client_words": "x"}).status_code == 404
        assert client.get(f"/api/v1/cases/{case.pk}/care-plans").status_code == 404
    intake = api(world.ian)
    assert intake.post(f"{base}/goals", {"version": 1, "client_words": "x"}).status_code in (
        403,
        404,
    )
    assert not Goal.objects.filter(plan_id=plan["id"]).exists()
    # The supervisor may work the plan too.
    added = api(world.sam).post(f"{base}/goals", {"version": 1, "client_words": "From Sam"})
    assert added.status_code == 201


def test_approval_through_the_api(world, api):
    program = factories.program(
        "Integrated Care", org=world.org, kind="integrated", teams=[world.north]
    )
    casey = api(world.casey)
    case = planning_case(world, program)
    plan = start(casey, case)
    base = f"/api/v1/care-plans/{plan['id']}"
    assert plan["approval_required"] is True
    casey.post(f"{base}/goals", {"version": 1, "client_words": "x", "lifecycle_status": "active"})
    assert casey.post(f"{base}/approve", {"version": 2}).status_code == 403
    approved = api(world.sam).post(f"{base}/approve", {"version": 2})
    assert approved.status_code == 200, approved.content
    assert approved.json()["approved_by"]["username"] == "sam"


def test_templates_list_and_apply(world, api):
    casey = api(world.casey)
    templates = casey.get("/api/v1/care-plan-templates", model_kind="brokerage").json()["items"]
    names = {t["name"] for t in templates}
    assert {"Food insecurity", "Housing instability", "Transportation"} <= names
    assert "Depression" not in names
    assert api(world.olive).get("/api/v1/care-plan-templates").json()["items"]
    food = next(t for t in templates if t["name"] == "Food insecurity")
    plan = start(casey, planning_case(world))
    applied = casey.post(
        f"/api/v1/care-plans/{plan['id']}/apply-template",
        {"version": 1, "template_id": food["id"]},
    )
    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert body["version"] == 2 and body["needs"][0]["code"] == "Z59.41"
    assert body["goals"][0]["client_words"] == "I want to have enough food for my family"
    assert len(body["interventions"]) == 3
    foreign = api(world.olive).get("/api/v1/care-plan-templates").json()["items"][0]
    refused = casey.post(
        f"/api/v1/care-plans/{plan['id']}/apply-template",
        {"version": 2, "template_id": foreign["id"]},
    )
    assert refused.status_code == 422


def _plan_with(casey, world, goals):
    plan = start(casey, planning_case(world))
    base = f"/api/v1/care-plans/{plan['id']}"
    version = 1
    for number in range(goals):
        need = casey.post(f"{base}/needs", {"version": version, "code": f"Z59.{number}"}).json()
        strength = casey.post(
            f"{base}/strengths", {"version": version + 1, "description": f"s{number}"}
        ).json()
        casey.post(
            f"{base}/goals",
            {
                "version": version + 2,
                "client_words": f"goal {number}",
                "need_ids": [need["item"]["id"]],
                "strength_ids": [strength["item"]["id"]],
            },
        )
        casey.post(
            f"{base}/interventions",
            {
                "version": version + 3,
                "description": f"act {number}",
                "owner_type": "case_manager",
                "owner_user_id": str(world.casey.pk),
            },
        )
        casey.post(
            f"{base}/education",
            {
                "version": version + 4,
                "topic": "condition",
                "method": "verbal",
                "teach_back": "partial",
            },
        )
        version += 5
    goal_ids = [g.pk for g in Goal.objects.filter(plan_id=plan["id"])]
    casey.post(
        f"{base}/reviews",
        {
            "version": version,
            "reviewed_on": "2026-01-01",
            "scores": [{"goal_id": str(g), "attainment": 0} for g in goal_ids],
        },
    )
    return base


def test_plan_detail_query_count_is_constant(world, api):
    casey = api(world.casey)
    small = _plan_with(casey, world, 1)
    large = _plan_with(casey, world, 4)
    counts = []
    for base in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = casey.get(base)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert len(Case.objects.all()) >= 2
