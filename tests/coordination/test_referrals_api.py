"""Referral endpoints: shapes, permissions, errors, pagination and query counts."""

from __future__ import annotations

import pytest

from casework.audit.models import AuditEvent
from tests.coordination import referral_helpers as h


@pytest.fixture
def setup(world):
    case = h.active_case(world)
    service = h.provider(world.org)
    return case, service


def test_create_send_and_read_with_timeline(world, api, setup):
    case, service = setup
    h.consent(world, case.client, [service.provider])
    response = api(world.casey).post(
        f"/api/v1/cases/{case.pk}/referrals",
        {"service_id": str(service.pk), "reason": "Groceries", "send": True},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["consent_id"]
    assert body["provider"] == {
        "id": str(service.provider.pk),
        "name": "Harbor Food Bank",
        "is_internal": False,
    }
    assert [e["to_status"] for e in body["events"]] == ["draft", "requested"]
    assert body["loop_closed"] is False and body["days_since_update"] == 0
    got = api(world.sam).get(f"/api/v1/referrals/{body['id']}")
    assert got.status_code == 200
    assert AuditEvent.objects.filter(action="read", object_id=body["id"]).exists()


def test_send_without_consent_is_409_naming_the_recipient(world, api, setup):
    case, service = setup
    response = api(world.casey).post(
        f"/api/v1/cases/{case.pk}/referrals",
        {"service_id": str(service.pk), "reason": "Groceries", "send": True},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "consent_required"
    assert "Harbor Food Bank" in response.json()["detail"]


def test_422_shapes(world, api, setup):
    case, service = setup
    client = api(world.casey)
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals", {"service_id": str(service.pk), "reason": " "}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals",
        {"service_id": str(service.pk), "reason": "x", "colour": "red"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "colour",
        "message": "unknown field",
        "type": "extra_forbidden",
    }
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals",
        {"service_id": str(h.provider(world.other_org).pk), "reason": "x"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "service_id"


def test_transition_refused_and_stale(world, api, setup):
    case, service = setup
    referral = h.referral(world, case, service)
    client = api(world.casey)
    path = f"/api/v1/referrals/{referral.pk}/transition"
    response = client.post(path, {"to": "completed", "version": referral.version})
    assert response.status_code == 409 and response.json()["code"] == "transition_refused"
    response = client.post(path, {"to": "cancelled", "version": referral.version})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = client.post(path, {"to": "cancelled", "version": 0, "reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "stale_version"
    response = client.post(path, {"to": "cancelled", "version": referral.version, "reason": "x"})
    assert response.status_code == 200 and response.json()["closed_without_service"] is True


def test_patch_and_partner_link(world, api, setup):
    case, service = setup
    referral = h.referral(world, case, service, send=True)
    client = api(world.casey)
    response = client.patch(
        f"/api/v1/referrals/{referral.pk}", {"version": referral.version, "priority": "urgent"}
    )
    assert response.status_code == 200 and response.json()["priority"] == "urgent"
    response = client.post(f"/api/v1/referrals/{referral.pk}/partner-links", {"sent_to": "x@y"})
    assert response.status_code == 201
    body = response.json()
    assert body["purpose"] == "respond" and "/partner/" in body["url"]


@pytest.mark.parametrize("persona", ["chris", "olive", "ian"])
def test_no_access_is_404(world, api, setup, persona):
    case, service = setup
    referral = h.referral(world, case, service)
    client = api(getattr(world, persona))
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/referrals").status_code == 404
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals", {"service_id": str(service.pk), "reason": "x"}
    )
    assert response.status_code == 404
    assert client.get("/api/v1/referrals").json()["items"] == []


def test_lists_paginate_filter_and_keep_their_query_count(
    world, api, setup, django_assert_max_num_queries
):
    case, _service = setup
    internal = h.provider(world.org, "County Unit", internal=True)
    for _ in range(3):
        h.referral(world, case, internal, send=True)
    client = api(world.casey)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/api/v1/cases/{case.pk}/referrals")
    for _ in range(9):
        h.referral(world, case, internal)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/api/v1/cases/{case.pk}/referrals", limit=5)
    assert len(response.json()["items"]) == 5 and response.json()["next"]
    nxt = client.get(f"/api/v1/cases/{case.pk}/referrals", limit=5, cursor=response.json()["next"])
    assert len(nxt.json()["items"]) == 5
    assert len(client.get("/api/v1/referrals", open="true").json()["items"]) == 3
    assert len(client.get("/api/v1/referrals", status="draft", mine="true").json()["items"]) == 9
    assert client.get("/api/v1/referrals", status="nope").status_code == 422
