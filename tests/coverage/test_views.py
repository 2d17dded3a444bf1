"""Coverage pages: the chart section, add and edit forms with versions, personas, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from casework.coverage import services
from casework.coverage.models import Authorization, Coverage
from tests.coverage.conftest import END, START, authorization_data, contact, referral

pytestmark = pytest.mark.django_db


def test_client_chart_loads_the_coverage_section(client, world, chart):
    client.force_login(world.casey)
    chart_page = client.get(reverse("web:client_detail", args=[chart.client.pk])).content.decode()
    section_url = reverse("coverage:client_coverage", args=[chart.client.pk])
    assert f'hx-get="{section_url}"' in chart_page
    fragment = client.get(section_url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and "M123456" in text and "State Medicaid" in text


def test_usage_bar_turns_red_when_over(client, world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(case_id=chart.case.pk, units_approved=3),
    )
    contact(world, chart.case, minutes=60)  # 4 units: over by one
    referral(world, chart.case, auth, status="requested", units=1)
    client.force_login(world.sam)
    page = client.get(reverse("coverage:client_coverage", args=[chart.client.pk]))
    text = page.content.decode()
    assert 'class="over"' in text and "over by 2" in text
    assert 'value="5" max="3"' in text


def test_add_a_plan_and_an_authorization(client, world, chart):
    client.force_login(world.casey)
    response = client.post(
        reverse("coverage:coverage_new", args=[chart.client.pk]),
        {
            "coverage_type": "commercial",
            "payer_name": "Blue Plan",
            "member_id": "B-1",
            "relationship": "self",
            "order": "2",
            "period_start": START.isoformat(),
        },
    )
    assert response.status_code == 302
    plan = Coverage.objects.get(payer_name="Blue Plan")
    new_auth = reverse("coverage:authorization_new", args=[plan.pk])
    form = client.get(new_auth)
    assert str(chart.case.pk) in form.content.decode()
    refused = client.post(
        new_auth,
        {
            "service_code": "XYZ",
            "units_approved": "10",
            "period_start": START.isoformat(),
            "period_end": END.isoformat(),
            "status": "approved",
        },
    )
    assert refused.status_code == 422
    assert "HCPCS" in refused.content.decode()
    ok = client.post(
        new_auth,
        {
            "service_code": "T1016",
            "units_approved": "10",
            "period_start": START.isoformat(),
            "period_end": END.isoformat(),
            "case": str(chart.case.pk),
            "counts_contacts": "on",
            "status": "requested",
        },
    )
    assert ok.status_code == 302
    auth = Authorization.objects.get()
    assert auth.case_id == chart.case.pk and auth.status == "requested"
    assert auth.service == "Case management, each 15 minutes"


def test_edit_an_authorization_stale_shows_changed_by_someone_else(client, world, chart):
    auth = services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    client.force_login(world.casey)
    url = reverse("coverage:authorization_edit", args=[auth.pk])
    page = client.get(url)
    assert 'name="version" value="1"' in page.content.decode()
    post = {
        "service_code": "T1017",
        "units_approved": "25",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "counts_contacts": "on",
        "version": "1",
    }
    assert client.post(url, post).status_code == 302
    auth.refresh_from_db()
    assert auth.units_approved == 25 and auth.version == 2
    stale = client.post(url, {**post, "units_approved": "30"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    assert 'value="30"' in stale.content.decode()
    status = client.post(
        reverse("coverage:authorization_status", args=[auth.pk]),
        {"status": "cancelled", "reason": "", "version": "2"},
    )
    assert status.status_code == 422
    status = client.post(
        reverse("coverage:authorization_status", args=[auth.pk]),
        {"status": "cancelled", "reason": "Plan ended", "version": "2"},
    )
    assert status.status_code == 302
    auth.refresh_from_db()
    assert auth.status == "cancelled"


def test_end_and_withdraw_a_plan(client, world, chart):
    client.force_login(world.casey)
    edit = client.get(reverse("coverage:coverage_edit", args=[chart.coverage.pk]))
    assert edit.status_code == 200
    ended = client.post(
        reverse("coverage:coverage_end", args=[chart.coverage.pk]),
        {"period_end": (START + timedelta(days=1)).isoformat(), "reason": "Moved", "version": "1"},
    )
    assert ended.status_code == 302
    withdrawn = client.post(
        reverse("coverage:coverage_entered_in_error", args=[chart.coverage.pk]),
        {"reason": "Wrong client", "version": "2"},
    )
    assert withdrawn.status_code == 302
    chart.coverage.refresh_from_db()
    assert chart.coverage.status == "entered-in-error"


@pytest.mark.parametrize("persona", ["chris", "olive"])
def test_pages_are_404_without_access(client, world, chart, persona):
    auth = services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    client.force_login(getattr(world, persona))
    for url in (
        reverse("coverage:client_coverage", args=[chart.client.pk]),
        reverse("coverage:coverage_new", args=[chart.client.pk]),
        reverse("coverage:coverage_edit", args=[chart.coverage.pk]),
        reverse("coverage:authorization_new", args=[chart.coverage.pk]),
        reverse("coverage:authorization_edit", args=[auth.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_coverage_page_costs_the_same_with_more_authorizations(
    client, world, chart, django_assert_max_num_queries
):
    client.force_login(world.casey)
    url = reverse("coverage:client_coverage", args=[chart.client.pk])

    def add(n):
        for _ in range(n):
            auth = services.authorization_add(
                acting_user=world.casey,
                coverage=chart.coverage,
                data=authorization_data(case_id=chart.case.pk),
            )
            referral(world, chart.case, auth, status="completed", units=1)

    add(2)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('id="authorization-') == 12
