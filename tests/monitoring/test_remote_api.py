"""Remote monitoring API: observations in and out, thresholds, alerts and acknowledge, check-in
links; 422 shapes, 409s, and who gets 404 (ian the intake worker, chris on another team, olive
from another organization)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.services import condition_add
from casework.monitoring.models import WorkItem, WorkItemStatus
from tests import factories


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(world.casey, given_name="Rosa", family_name="Remote")
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    return client, case


def _when(minutes: int = 5) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def _post(api: Any, user: Any, client: Any, *readings: dict[str, Any]) -> Any:
    return api(user).post(
        f"/api/v1/clients/{client.pk}/observations",
        {"readings": [{"effective_at": _when(), **r} for r in readings]},
    )


def test_record_and_list_readings(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    response = _post(
        api,
        world.casey,
        client,
        {"code": "85354-9", "systolic": 130, "diastolic": 80, "unit": "mmHg"},
        {"code": "29463-7", "value": 70.5},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(o["code"], o["value"], o["unit"]) for o in body["observations"]] == [
        ("8480-6", 130.0, "mm[Hg]"),
        ("8462-4", 80.0, "mm[Hg]"),
        ("29463-7", 70.5, "kg"),
    ]
    assert body["created"] == [True, True, True]
    assert body["alerts"] == []
    listed = api(world.sam).get(f"/api/v1/clients/{client.pk}/observations", code="8480-6")
    assert listed.status_code == 200
    assert [o["value"] for o in listed.json()["items"]] == [130.0]
    assert listed.json()["items"][0]["recorded_by"]["username"] == "casey"
    assert AuditEvent.objects.filter(
        actor_id=world.sam.pk, object_type="assessments.observation", action="read"
    ).exists()


def test_observation_list_pages_with_a_cursor_at_a_constant_query_count(
    world: Any, api: Any, enrolled: Any, django_assert_max_num_queries: Any
) -> None:
    client, _ = enrolled
    readings = [
        {"code": "2339-0", "value": 100 + n, "effective_at": _when(minutes=60 - n)}
        for n in range(12)
    ]
    assert (
        api(world.casey)
        .post(f"/api/v1/clients/{client.pk}/observations", {"readings": readings})
        .status_code
        == 201
    )
    http = api(world.casey)
    with django_assert_max_num_queries(12):
        first = http.get(f"/api/v1/clients/{client.pk}/observations", limit=5)
    page = first.json()
    assert [o["value"] for o in page["items"]] == [100.0, 101.0, 102.0, 103.0, 104.0]
    second = http.get(f"/api/v1/clients/{client.pk}/observations", limit=5, cursor=page["next"])
    assert [o["value"] for o in second.json()["items"]] == [105.0, 106.0, 107.0, 108.0, 109.0]
    since = (timezone.now() - timedelta(minutes=50, seconds=30)).isoformat()
    recent = http.get(f"/api/v1/clients/{client.pk}/observations", since=since, limit=50)
    assert [o["value"] for o in recent.json()["items"]] == [110, 111]  # 50 and 49 minutes ago
    assert recent.json()["trends"][0]["count"] == 2
    with django_assert_max_num_queries(12):
        http.get(f"/api/v1/clients/{client.pk}/observations", limit=12)


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        ({"code": "85354-9", "systolic": 350, "diastolic": 80}, "readings.0.systolic"),
        ({"code": "9999-9", "value": 3}, "readings.0.code"),
        ({"code": "59408-5", "value": 40}, "readings.0.value"),
    ],
)
def test_bad_readings_are_422_naming_the_reading(
    world: Any, api: Any, enrolled: Any, reading: dict[str, Any], field: str
) -> None:
    client, _ = enrolled
    response = _post(api, world.casey, client, reading)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in [e["field"] for e in body["errors"]]


def test_future_readings_and_unknown_fields_are_422(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    response = api(world.casey).post(
        f"/api/v1/clients/{client.pk}/observations",
        {"readings": [{"code": "2339-0", "value": 99, "effective_at": future}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "readings.0.effective_at"
    unknown = _post(api, world.casey, client, {"code": "2339-0", "value": 99, "colour": "red"})
    assert unknown.status_code == 422


@pytest.mark.parametrize("persona", ["ian", "chris", "olive"])
def test_staff_who_may_not_see_the_client_get_404(
    world: Any, api: Any, enrolled: Any, persona: str
) -> None:
    client, _ = enrolled
    user = getattr(world, persona)
    assert _post(api, user, client, {"code": "2339-0", "value": 99}).status_code == 404
    http = api(user)
    assert http.get(f"/api/v1/clients/{client.pk}/observations").status_code == 404
    assert http.get(f"/api/v1/clients/{client.pk}/thresholds").status_code == 404
    assert http.post(f"/api/v1/clients/{client.pk}/check-in-links", {}).status_code == 404


def test_a_critical_reading_through_the_api_and_acknowledge(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "I10"})
    response = _post(
        api, world.casey, client, {"code": "85354-9", "systolic": 185, "diastolic": 90}
    )
    alerts = response.json()["alerts"]
    assert [(a["severity"], a["message"]) for a in alerts] == [
        ("critical", "Systolic 185 mm[Hg] ≥ 180 (critical)")
    ]
    listed = api(world.sam).get("/api/v1/alerts")
    assert [a["id"] for a in listed.json()["items"]] == [alerts[0]["id"]]
    assert api(world.chris).get("/api/v1/alerts").json()["items"] == []
    assert api(world.olive).post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge").status_code == 404
    stale = api(world.casey).post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", {"version": 99})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    done = api(world.casey).post(
        f"/api/v1/alerts/{alerts[0]['id']}/acknowledge",
        {"version": alerts[0]["version"], "note": "Called; GP today"},
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["acknowledged_by"]["username"]) == (
        "acknowledged",
        "casey",
    )
    assert set(WorkItem.objects.values_list("status", flat=True)) == {WorkItemStatus.DONE}
    again = api(world.casey).post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", {})
    assert again.status_code == 409 and again.json()["code"] == "not_open"
    assert api(world.sam).get("/api/v1/alerts").json()["items"] == []
    assert len(api(world.sam).get("/api/v1/alerts", status="all").json()["items"]) == 1
    assert api(world.sam).get("/api/v1/alerts", status="nope").status_code == 422


def test_thresholds_list_create_and_patch(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "E11.65"})
    http = api(world.casey)
    listed = http.get(f"/api/v1/clients/{client.pk}/thresholds").json()
    effective = {e["code"]: e for e in listed["effective"]}
    assert (effective["2339-0"]["low"], effective["2339-0"]["origin"]) == (70.0, "condition E11")
    created = http.post(
        f"/api/v1/clients/{client.pk}/thresholds",
        {"code": "2339-0", "low": 80, "critical_low": 60, "source": "Endocrinologist"},
    )
    assert created.status_code == 201
    threshold = created.json()
    effective = {
        e["code"]: e
        for e in http.get(f"/api/v1/clients/{client.pk}/thresholds").json()["effective"]
    }
    assert (effective["2339-0"]["low"], effective["2339-0"]["origin"]) == (80.0, "client")
    duplicate = http.post(f"/api/v1/clients/{client.pk}/thresholds", {"code": "2339-0", "low": 1})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "threshold_exists"
    bad = http.post(f"/api/v1/clients/{client.pk}/thresholds", {"code": "8480-6"})
    assert bad.status_code == 422
    patched = http.patch(
        f"/api/v1/thresholds/{threshold['id']}", {"version": threshold["version"], "low": 75}
    )
    assert patched.status_code == 200 and patched.json()["low"] == 75.0
    stale = http.patch(f"/api/v1/thresholds/{threshold['id']}", {"version": 1, "low": 72})
    assert stale.status_code == 409
    assert (
        api(world.chris)
        .patch(f"/api/v1/thresholds/{threshold['id']}", {"version": 2, "low": 72})
        .status_code
        == 404
    )


def test_a_rise_over_days_through_the_api(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "I50.9"})
    http = api(world.casey)
    url = f"/api/v1/clients/{client.pk}/thresholds"
    weight = {e["code"]: e for e in http.get(url).json()["effective"]}["29463-7"]
    assert [(r["rise"], r["days"]) for r in weight["rises"]] == [(0.907, 1), (2.268, 7)]
    assert weight["origin"] == "condition I50" and weight["high"] is None
    half = http.post(url, {"code": "29463-7", "rise": 2})
    assert half.status_code == 422 and half.json()["errors"][0]["field"] == "rise_days"
    created = http.post(url, {"code": "29463-7", "rise": 2, "rise_days": 2})
    assert created.status_code == 201, created.json()
    assert (created.json()["rise"], created.json()["rise_days"]) == (2.0, 2)
    weight = {e["code"]: e for e in http.get(url).json()["effective"]}["29463-7"]
    assert weight["origin"] == "client"
    assert weight["rises"] == [{"rise": 2.0, "days": 2, "threshold_id": created.json()["id"]}]


def test_organization_defaults_are_changed_by_supervisors_only(
    world: Any, api: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    rows = api(world.sam).get(f"/api/v1/clients/{client.pk}/thresholds").json()["items"]
    default = next(r for r in rows if r["code"] == "59408-5" and not r["condition_code"])
    assert (
        api(world.casey)
        .patch(f"/api/v1/thresholds/{default['id']}", {"version": default["version"], "low": 91})
        .status_code
        == 404
    )
    response = api(world.sam).patch(
        f"/api/v1/thresholds/{default['id']}", {"version": default["version"], "low": 91}
    )
    assert response.status_code == 200 and response.json()["low"] == 91.0


def test_check_in_link_is_shown_once_and_revoked(world: Any, api: Any, enrolled: Any) -> None:
    client, _ = enrolled
    response = api(world.casey).post(
        f"/api/v1/clients/{client.pk}/check-in-links", {"readings": ["85354-9"], "days": 7}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith("http://testserver/check-in/")
    assert body["readings"] == ["85354-9"]
    revoked = api(world.casey).post(f"/api/v1/check-in-links/{body['id']}/revoke", {})
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None and revoked.json()["url"] is None
    assert (
        api(world.casey).post(f"/api/v1/check-in-links/{body['id']}/revoke", {}).status_code == 409
    )
    bad = api(world.casey).post(
        f"/api/v1/clients/{client.pk}/check-in-links", {"readings": ["weight"]}
    )
    assert bad.status_code == 422
