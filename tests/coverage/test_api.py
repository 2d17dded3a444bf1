"""Coverage API: status codes, the error shape, permissions by persona, usage, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.audit.models import AuditEvent
from casework.coverage import services
from tests.coverage.conftest import END, START, authorization_data, contact, referral

pytestmark = pytest.mark.django_db


def iso(value):
    return value.isoformat()


def body(**overrides):
    data = {
        "service_code": "T1017",
        "units_approved": 20,
        "period_start": iso(START),
        "period_end": iso(END),
        "counts_contacts": True,
    }
    data.update(overrides)
    return data


def test_coverage_create_list_get_patch(api, world, chart):
    casey = api(world.casey)
    created = casey.post(
        f"/api/v1/clients/{chart.client.pk}/coverages",
        {
            "coverage_type": "commercial",
            "payer_name": "Blue Plan",
            "member_id": "B-77",
            "order": 2,
            "period_start": iso(START),
        },
    )
    assert created.status_code == 201, created.json()
    coverage = created.json()
    assert coverage["version"] == 1 and coverage["status"] == "active"
    listing = api(world.sam).get(f"/api/v1/clients/{chart.client.pk}/coverages")
    assert listing.status_code == 200
    assert [c["order"] for c in listing.json()["items"]] == [1, 2]
    assert listing.json()["next"] is None
    got = casey.get(f"/api/v1/coverages/{coverage['id']}")
    assert got.json()["member_id"] == "B-77"
    patched = casey.patch(f"/api/v1/coverages/{coverage['id']}", {"version": 1, "plan_name": "PPO"})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = casey.patch(f"/api/v1/coverages/{coverage['id']}", {"version": 1, "plan_name": "x"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert AuditEvent.objects.filter(object_type="coverage.coverage", action="read").exists()


def test_coverage_errors_have_the_one_shape(api, world, chart):
    casey = api(world.casey)
    bad = casey.post(
        f"/api/v1/clients/{chart.client.pk}/coverages",
        {"coverage_type": "gold", "payer_name": "X", "member_id": "1", "period_start": "2026-1"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"period_start"}
    bad = casey.post(
        f"/api/v1/clients/{chart.client.pk}/coverages",
        {
            "coverage_type": "gold",
            "payer_name": "X",
            "member_id": "1",
            "period_start": "2026-01-01",
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "coverage_type"
    unknown = casey.patch(f"/api/v1/coverages/{chart.coverage.pk}", {"version": 1, "colour": "x"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"


@pytest.mark.parametrize("persona", ["chris", "olive"])
def test_without_access_everything_is_404(api, world, chart, persona):
    auth = services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    outsider = api(getattr(world, persona))
    assert outsider.get(f"/api/v1/clients/{chart.client.pk}/coverages").status_code == 404
    assert outsider.get(f"/api/v1/coverages/{chart.coverage.pk}").status_code == 404
    assert outsider.get(f"/api/v1/coverages/{chart.coverage.pk}/authorizations").status_code == 404
    assert outsider.get(f"/api/v1/authorizations/{auth.pk}").status_code == 404
    assert (
        outsider.patch(f"/api/v1/authorizations/{auth.pk}", {"version": 1, "note": "x"}).status_code
        == 404
    )
    assert (
        outsider.post(f"/api/v1/coverages/{chart.coverage.pk}/authorizations", body()).status_code
        == 404
    )


def test_authorization_create_get_usage_and_patch(api, world, chart):
    casey = api(world.casey)
    created = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/authorizations",
        body(case_id=str(chart.case.pk), number="PA-1"),
    )
    assert created.status_code == 201, created.json()
    auth = created.json()
    assert auth["service"] == "Targeted case management, each 15 minutes"
    assert auth["usage"] == {
        "approved": 20,
        "used_by_contacts": 0,
        "used_by_referrals": 0,
        "committed_by_referrals": 0,
        "used": 0,
        "remaining": 20,
        "over": False,
    }
    contact(world, chart.case, minutes=60)  # 4 units
    got = api(world.sam).get(f"/api/v1/authorizations/{auth['id']}").json()
    assert got["usage"]["used_by_contacts"] == 4 and got["usage"]["remaining"] == 16
    too_few = casey.patch(
        f"/api/v1/authorizations/{auth['id']}", {"version": 1, "units_approved": 3}
    )
    assert too_few.status_code == 422
    assert too_few.json()["errors"][0]["field"] == "units_approved"
    ok = casey.patch(f"/api/v1/authorizations/{auth['id']}", {"version": 1, "units_approved": 4})
    assert ok.status_code == 200 and ok.json()["usage"]["remaining"] == 0
    stale = casey.patch(f"/api/v1/authorizations/{auth['id']}", {"version": 1, "note": "x"})
    assert stale.status_code == 409


def test_authorization_validation_422(api, world, chart):
    casey = api(world.casey)
    response = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/authorizations",
        body(service_code="T10177", units_approved=0, period_end=iso(START - timedelta(days=1))),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"service_code", "service", "units_approved", "period_end"}
    as_text = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/authorizations", body(units_approved="20")
    )
    assert as_text.status_code == 422 and as_text.json()["errors"][0]["field"] == "units_approved"


def test_status_endpoint(api, world, chart):
    casey = api(world.casey)
    auth = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/authorizations", body(status="requested")
    ).json()
    path = f"/api/v1/authorizations/{auth['id']}/status"
    refused = casey.post(path, {"version": 1, "status": "cancelled", "reason": "x"})
    assert refused.status_code == 409 and refused.json()["code"] == "transition_refused"
    no_reason = casey.post(path, {"version": 1, "status": "denied"})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    denied = casey.post(path, {"version": 1, "status": "denied", "reason": "Not medically needed"})
    assert denied.status_code == 200 and denied.json()["status"] == "denied"


def test_end_and_entered_in_error(api, world, chart):
    casey = api(world.casey)
    ended = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/end",
        {"version": 1, "period_end": iso(END), "reason": "Moved"},
    )
    assert ended.status_code == 200 and ended.json()["status"] == "cancelled"
    withdrawn = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/entered-in-error", {"version": 2, "reason": ""}
    )
    assert withdrawn.status_code == 422
    withdrawn = casey.post(
        f"/api/v1/coverages/{chart.coverage.pk}/entered-in-error", {"version": 2, "reason": "dup"}
    )
    assert withdrawn.json()["status"] == "entered-in-error"


def test_authorization_list_costs_a_constant_number_of_queries(
    api, world, chart, django_assert_max_num_queries
):
    casey = api(world.casey)
    path = f"/api/v1/coverages/{chart.coverage.pk}/authorizations"

    def add(n):
        for _ in range(n):
            auth = services.authorization_add(
                acting_user=world.casey,
                coverage=chart.coverage,
                data=authorization_data(case_id=chart.case.pk),
            )
            referral(world, chart.case, auth, status="completed", units=1)

    add(2)
    contact(world, chart.case)
    with django_assert_max_num_queries(20) as few:
        first = casey.get(path)
    assert len(first.json()["items"]) == 2
    assert all(item["usage"]["used"] == 3 for item in first.json()["items"])
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = casey.get(path)
    assert len(many.json()["items"]) == 12
    client_list = casey.get(f"/api/v1/clients/{chart.client.pk}/authorizations", limit=5)
    assert len(client_list.json()["items"]) == 5 and client_list.json()["next"]
