"""Referral pages: the case page section, new referral, detail with actions and partner link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.coordination.models import Referral
from tests import factories
from tests.coordination import referral_helpers as h


def browser(user):
    http = HttpClient()
    http.login(username=user.username, password=factories.PASSWORD)
    return http


def test_case_page_section_at_a_constant_query_count(world):
    case = h.active_case(world)
    internal = h.provider(world.org, "County Unit", internal=True)
    for _ in range(3):
        h.referral(world, case, internal, send=True)
    http = browser(world.casey)
    url = reverse("web:case_detail", args=[case.pk])
    with CaptureQueriesContext(connection) as few:
        body = http.get(url).content.decode()
    assert "Awaiting partner · 0 days" in body and "New referral" in body
    for _ in range(9):
        h.referral(world, case, internal)
    with CaptureQueriesContext(connection) as many:
        http.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_new_referral_page_creates_and_redirects(world):
    case = h.active_case(world)
    need = h.need(world, case, domain="food")
    service = h.provider(world.org, "County Unit", internal=True, needs=["food"])
    h.provider(world.org, "Ride Share", needs=["transportation"])
    http = browser(world.casey)
    url = reverse("coordination:referral_new", args=[case.pk])
    body = http.get(url, {"need": str(need.pk)}).content.decode()
    assert "County Unit" in body and "Ride Share" not in body
    response = http.post(
        url,
        {
            "service": str(service.pk),
            "need": str(need.pk),
            "reason": "Food",
            "priority": "routine",
            "send": "on",
        },
    )
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302 and referral.status == "requested"
    detail = http.get(response["Location"]).content.decode()
    assert "Internal provider: no consent needed" in detail


def test_new_referral_without_reason_is_a_form_error(world):
    case = h.active_case(world)
    service = h.provider(world.org)
    response = browser(world.casey).post(
        reverse("coordination:referral_new", args=[case.pk]),
        {"service": str(service.pk), "reason": "", "priority": "routine"},
    )
    assert response.status_code == 422 and not Referral.objects.filter(case=case).exists()


def test_sending_without_consent_shows_why_and_links_to_consent(world):
    referral = h.referral(world)
    http = browser(world.casey)
    detail = http.get(reverse("coordination:referral_detail", args=[referral.pk])).content.decode()
    assert "Needs consent" in detail
    response = http.post(
        reverse("coordination:referral_transition", args=[referral.pk]),
        {"to": "requested", "version": referral.version},
    )
    assert response.status_code == 409
    assert "No active consent covers sharing with Harbor Food Bank" in response.content.decode()


def test_stale_action_says_changed_by_someone_else(world):
    referral = h.referral(world)
    response = browser(world.casey).post(
        reverse("coordination:referral_transition", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version - 1, "reason": "x"},
    )
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()


def test_partner_link_is_shown_once(world):
    referral = h.referral(world, send=True)
    referral.refresh_from_db()
    http = browser(world.casey)
    response = http.post(
        reverse("coordination:referral_partner_link", args=[referral.pk]),
        {"version": referral.version, "sent_to": "intake@example.org"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "/partner/" in body and "Copy" in body
    again = http.get(reverse("coordination:referral_detail", args=[referral.pk])).content.decode()
    assert "/partner/" not in again


@pytest.mark.parametrize("persona", ["chris", "olive", "ian"])
def test_pages_are_404_without_access(world, persona):
    referral = h.referral(world)
    http = browser(getattr(world, persona))
    assert http.get(reverse("coordination:referral_detail", args=[referral.pk])).status_code == 404
    url = reverse("coordination:referral_new", args=[referral.case_id])
    assert http.get(url).status_code == 404


def test_sam_sees_the_referral(world):
    referral = h.referral(world)
    url = reverse("coordination:referral_detail", args=[referral.pk])
    assert browser(world.sam).get(url).status_code == 200
