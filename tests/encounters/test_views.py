"""Contact pages, and the contact columns of "My caseload" at a constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.encounters import services
from casework.encounters.models import Contact
from tests import factories


def active_case(world):
    person = factories.client(world.casey)
    return factories.case(world.casey, client=person, program=world.program, to="active")


def log(world, case, *, when=None, outcome="successful"):
    note = {"data": "d", "assessment": "a", "plan": "p"} if outcome == "successful" else {}
    return services.contact_log(
        acting_user=world.casey,
        case=case,
        data={
            "contact_type": "phone",
            "outcome": outcome,
            "attempt_outcome": "" if outcome == "successful" else "no_answer",
            "started_at": when or timezone.now() - timedelta(minutes=30),
            "duration_minutes": 20,
            "note_format": "dap",
            "note": note,
        },
    )


def form_post(**overrides):
    started = timezone.localtime() - timedelta(hours=1)
    data = {
        "contact_type": "office",
        "outcome": "successful",
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "45",
        "participants": "Ana Ruiz, client\nJo Ruiz, sister",
        "note_format": "soap",
        "subjective": "Feels better",
        "objective": "Calm, on time",
        "assessment": "Improving",
        "plan": "Review in two weeks",
    }
    data.update(overrides)
    return data


def test_log_a_contact_from_the_case_page(client, world):
    case = active_case(world)
    client.force_login(world.casey)
    page = client.get(reverse("web:case_detail", args=[case.pk]))
    assert reverse("encounters:contact_new", args=[case.pk]) in page.content.decode()
    soap_form = client.get(
        reverse("encounters:contact_new", args=[case.pk]), {"note_format": "soap"}
    )
    assert 'name="subjective"' in soap_form.content.decode()
    dap_form = client.get(reverse("encounters:contact_new", args=[case.pk]))
    assert 'name="data"' in dap_form.content.decode()
    assert 'name="subjective"' not in dap_form.content.decode()

    response = client.post(reverse("encounters:contact_new", args=[case.pk]), form_post())
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.note_format == "soap" and contact.note["subjective"] == "Feels better"
    assert contact.billing_units == 3
    assert contact.participants[1] == {"name": "Jo Ruiz", "role": "sister"}
    listing = client.get(reverse("encounters:case_contacts", args=[case.pk]))
    assert "Feels better" in listing.content.decode()


def test_a_refused_form_shows_errors_and_stores_nothing(client, world):
    case = active_case(world)
    client.force_login(world.casey)
    response = client.post(
        reverse("encounters:contact_new", args=[case.pk]),
        form_post(subjective="", contact_type="video"),
    )
    assert response.status_code == 422
    body = response.content.decode().lower()
    assert "required for a successful contact" in body
    assert "video contact needs its https link" in body
    assert not Contact.objects.exists()


@pytest.mark.parametrize("persona", ["ian", "chris", "olive"])
def test_others_get_404_on_contact_pages(client, world, persona):
    case = active_case(world)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("encounters:contact_new", args=[case.pk])).status_code == 404
    assert client.get(reverse("encounters:case_contacts", args=[case.pk])).status_code == 404


def _caseload(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:caseload"))
    assert response.status_code == 200
    return response, len(queries)


def test_caseload_shows_last_contact_and_contacts_this_month(client, world):
    case = active_case(world)
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = max(month_start, timezone.now() - timedelta(minutes=30))
    log(world, case, when=this_month)
    log(world, case, when=this_month, outcome="attempted")
    log(world, case, when=month_start - timedelta(days=2))
    client.force_login(world.casey)
    response, _ = _caseload(client)
    body = response.content.decode()
    assert "Contacts this month" in body
    row = body.split(case.client.full_name, 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td>' in row
    case.refresh_from_db()
    assert case.last_contact_at is not None
    assert timezone.localtime(case.last_contact_at).strftime("%b %-d, %Y") in row


def test_caseload_query_count_stays_constant_with_contacts(client, world):
    client.force_login(world.casey)
    first = active_case(world)
    log(world, first)
    _, with_one = _caseload(client)
    for _ in range(3):
        case = active_case(world)
        log(world, case)
        log(world, case)
    _, with_four = _caseload(client)
    assert with_four == with_one
