"""Work item API: My work filters and order, Team work, create by hand, and the actions with
their 404/409/422 edges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.monitoring import services
from casework.monitoring.models import Priority, WorkItem
from tests import factories


@pytest.fixture
def case(world: Any) -> Any:
    client = factories.client(world.casey)
    return factories.case(world.casey, client=client, program=world.program, to="active")


def make_item(world: Any, case: Any, **kwargs: Any) -> WorkItem:
    values = {
        "acting_user": None,
        "assignee": world.casey,
        "kind": "contact_due",
        "title": "Contact due",
        "due_at": timezone.now() + timedelta(days=2),
        "client": case.client,
        "case": case,
        "source_type": "cases.case",
        "source_id": f"{case.pk}:{WorkItem.objects.count()}",
    }
    values.update(kwargs)
    return services.work_item_create(**values)[0]


def test_my_work_order_and_filters(world, case, api):
    now = timezone.now()
    later = make_item(world, case, due_at=now + timedelta(days=5))
    undated = make_item(world, case, due_at=None, kind="task")
    overdue = make_item(world, case, due_at=now - timedelta(days=1), priority=Priority.URGENT)
    today = make_item(world, case, due_at=now + timedelta(minutes=30), priority=Priority.ASAP)
    snoozed = make_item(world, case, due_at=now - timedelta(days=2))
    services.work_item_snooze(
        acting_user=world.casey, work_item=snoozed, until=now + timedelta(days=2), reason="x"
    )
    casey = api(world.casey)
    body = casey.get("/api/v1/work-items").json()
    assert [i["id"] for i in body["items"]] == [
        str(overdue.pk),
        str(today.pk),
        str(later.pk),
        str(undated.pk),
    ]
    first = body["items"][0]
    assert first["overdue"] is True and first["kind_label"] == "Contact due"
    assert first["source_url"] == f"/cases/{case.pk}/"
    ids = lambda **q: [i["id"] for i in casey.get("/api/v1/work-items", **q).json()["items"]]  # noqa: E731
    assert ids(overdue="true") == [str(overdue.pk)]
    assert ids(priority="asap") == [str(today.pk)]
    assert ids(kind="task") == [str(undated.pk)]
    assert str(snoozed.pk) in ids(snoozed="true")
    assert ids(case_id=str(case.pk), limit=2) == [str(overdue.pk), str(today.pk)]
    page = casey.get("/api/v1/work-items", limit=2).json()
    rest = casey.get("/api/v1/work-items", limit=2, cursor=page["next"]).json()
    assert [i["id"] for i in rest["items"]] == [str(later.pk), str(undated.pk)]
    assert casey.get("/api/v1/work-items", priority="whenever").status_code == 422
    assert api(world.chris).get("/api/v1/work-items").json()["items"] == []


def test_my_work_query_count_is_constant(world, case, api, django_assert_max_num_queries):
    casey = api(world.casey)
    for _ in range(3):
        make_item(world, case)
    with django_assert_max_num_queries(12) as few:
        casey.get("/api/v1/work-items")
    for _ in range(12):
        make_item(world, case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(casey.get("/api/v1/work-items").json()["items"]) == 15


def test_actions_round_trip_with_versions(world, case, api):
    casey = api(world.casey)
    item = make_item(world, case)
    until = (timezone.localdate() + timedelta(days=3)).isoformat()
    snoozed = casey.post(
        f"/api/v1/work-items/{item.pk}/snooze",
        {"version": 1, "until": until, "reason": "Client away"},
    )
    assert snoozed.status_code == 200, snoozed.json()
    assert snoozed.json()["snoozed"] is True and snoozed.json()["version"] == 2
    stale = casey.post(f"/api/v1/work-items/{item.pk}/unsnooze", {"version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    woke = casey.post(f"/api/v1/work-items/{item.pk}/unsnooze", {"version": 2})
    assert woke.status_code == 200 and woke.json()["snoozed"] is False
    done = casey.post(f"/api/v1/work-items/{item.pk}/complete", {"version": 3, "note": "Seen"})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["close_reason"] == "completed"
    again = casey.post(f"/api/v1/work-items/{item.pk}/cancel", {"version": 4, "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "not_open"


@pytest.mark.parametrize(
    "body",
    [
        {"until": "2020-01-01", "reason": "x"},
        {"until": "not a date", "reason": "x"},
        {"reason": "x"},
        {"until": "2999-01-01", "reason": "x"},
        {"until": "__tomorrow__", "reason": ""},
        {"until": "__tomorrow__", "reason": "x", "extra": 1},
    ],
)
def test_snooze_bad_input_is_422(world, case, api, body):
    item = make_item(world, case)
    if body.get("until") == "__tomorrow__":
        body["until"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api(world.casey).post(f"/api/v1/work-items/{item.pk}/snooze", body)
    assert response.status_code == 422
    assert set(response.json()) == {"detail", "code", "errors"}
    item.refresh_from_db()
    assert item.version == 1


def test_someone_elses_item_is_404_but_the_supervisor_sees_it(world, case, api):
    item = make_item(world, case)
    for persona in (world.chris, world.olive, world.ian):
        client = api(persona)
        assert client.get(f"/api/v1/work-items/{item.pk}").status_code == 404
        for action in ("complete", "unsnooze"):
            assert client.post(f"/api/v1/work-items/{item.pk}/{action}", {}).status_code == 404
        reassign = client.post(
            f"/api/v1/work-items/{item.pk}/reassign", {"to": str(persona.pk), "reason": "x"}
        )
        assert reassign.status_code == 404
    assert api(world.sam).get(f"/api/v1/work-items/{item.pk}").status_code == 200


def test_reassign_via_api(world, case, api):
    item = make_item(world, case)
    sam = api(world.sam)
    to_chris = sam.post(
        f"/api/v1/work-items/{item.pk}/reassign",
        {"to": str(world.chris.pk), "reason": "South has room", "version": 1},
    )
    assert to_chris.status_code == 422 and to_chris.json()["errors"][0]["field"] == "to"
    to_olive = sam.post(
        f"/api/v1/work-items/{item.pk}/reassign", {"to": str(world.olive.pk), "reason": "x"}
    )
    assert to_olive.status_code == 422
    no_reason = sam.post(f"/api/v1/work-items/{item.pk}/reassign", {"to": str(world.sam.pk)})
    assert no_reason.status_code == 422
    to_me = sam.post(
        f"/api/v1/work-items/{item.pk}/reassign",
        {"to": str(world.sam.pk), "reason": "I will call", "version": 1},
    )
    assert to_me.status_code == 200
    assert to_me.json()["assignee"]["username"] == "sam" and to_me.json()["status"] == "open"
    item.refresh_from_db()
    assert item.close_reason == "reassigned"


def test_team_work_endpoint(world, case, api):
    now = timezone.now()
    overdue = make_item(world, case, due_at=now - timedelta(days=2))
    WorkItem.objects.filter(pk=overdue.pk).update(escalated_at=now)
    body = api(world.sam).get("/api/v1/work-items/team").json()
    assert [i["id"] for i in body["items"]] == [str(overdue.pk)]
    assert [e["id"] for e in body["escalations"]] == [str(overdue.pk)]
    assert body["escalations"][0]["escalated_at"] is not None
    assert body["escalations"][0]["assignee"]["username"] == "casey"
    people = {p["user"]["username"]: (p["open"], p["overdue"]) for p in body["people"]}
    assert people["casey"] == (1, 1)
    only = api(world.sam).get("/api/v1/work-items/team", escalated="true").json()
    assert [i["id"] for i in only["items"]] == [str(overdue.pk)]
    empty = api(world.chris).get("/api/v1/work-items/team").json()
    assert empty["items"] == [] and empty["people"] == [] and empty["escalations"] == []
    assert api(world.casey).get("/api/v1/work-items/team").json()["escalations"] == []


def test_create_by_hand(world, case, api):
    casey = api(world.casey)
    mine = casey.post(
        "/api/v1/work-items",
        {
            "title": "Bring forms",
            "due_at": timezone.localdate().isoformat(),
            "case_id": str(case.pk),
        },
    )
    assert mine.status_code == 201, mine.json()
    assert mine.json()["kind"] == "task" and mine.json()["assignee"]["username"] == "casey"
    assert (
        timezone.localtime(WorkItem.objects.get(pk=mine.json()["id"]).due_at).date()
        == timezone.localdate()
    )
    sam = api(world.sam)
    given = sam.post(
        "/api/v1/work-items",
        {"title": "Review plan", "assignee_id": str(world.casey.pk), "priority": "urgent"},
    )
    assert given.status_code == 201
    assert (
        sam.post(
            "/api/v1/work-items", {"title": "x", "assignee_id": str(world.chris.pk)}
        ).status_code
        == 422
    )
    assert (
        sam.post(
            "/api/v1/work-items", {"title": "x", "assignee_id": str(world.olive.pk)}
        ).status_code
        == 422
    )
    assert (
        api(world.chris)
        .post("/api/v1/work-items", {"title": "x", "case_id": str(case.pk)})
        .status_code
        == 404
    )
    assert casey.post("/api/v1/work-items", {"title": ""}).status_code == 422
    assert casey.post("/api/v1/work-items", {"title": "x", "priority": "soon"}).status_code == 422
