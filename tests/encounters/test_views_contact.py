"""One contact on the web: its page, the edit form (version, stale edits), entered in error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.encounters import services
from tests.encounters.test_views import active_case, form_post, log

pytestmark = pytest.mark.django_db


def test_list_links_to_the_contact_page(client, world):
    case = active_case(world)
    contact = log(world, case)
    client.force_login(world.casey)
    listing = client.get(reverse("encounters:case_contacts", args=[case.pk])).content.decode()
    detail_url = reverse("encounters:contact_detail", args=[contact.pk])
    assert detail_url in listing
    page = client.get(detail_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("encounters:contact_edit", args=[contact.pk]) in text
    assert 'name="version" value="1"' in text
    assert AuditEvent.objects.filter(
        object_id=str(contact.pk), action="read", actor_id=world.casey.pk
    ).exists()


def test_edit_a_contact(client, world):
    case = active_case(world)
    contact = log(world, case)
    client.force_login(world.sam)
    url = reverse("encounters:contact_edit", args=[contact.pk])
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form and 'value="20"' in form
    response = client.post(
        url, form_post(duration_minutes="50", note_format="dap", data="Talked", version="1")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert contact.duration_minutes == 50 and contact.version == 2
    assert contact.contact_type == "office" and contact.note["data"] == "Talked"
    assert contact.billing_units == 3


def test_a_stale_edit_keeps_the_input_and_says_who(client, world):
    case = active_case(world)
    contact = log(world, case)
    services.contact_update(
        acting_user=world.sam, contact=contact, expected_version=1, data={"duration_minutes": 25}
    )
    client.force_login(world.casey)
    response = client.post(
        reverse("encounters:contact_edit", args=[contact.pk]),
        form_post(duration_minutes="55", note_format="dap", data="Mine", version="1"),
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "changed by someone else" in text and 'value="55"' in text
    contact.refresh_from_db()
    assert contact.duration_minutes == 25


def test_edit_errors_are_form_errors(client, world):
    case = active_case(world)
    contact = log(world, case)
    client.force_login(world.casey)
    future = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("encounters:contact_edit", args=[contact.pk]),
        form_post(started_at=future, note_format="dap", data="x", version="1"),
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.content.decode().lower()


def test_entered_in_error_needs_a_reason(client, world):
    case = active_case(world)
    contact = log(world, case)
    client.force_login(world.casey)
    url = reverse("encounters:contact_entered_in_error", args=[contact.pk])
    refused = client.post(url, {"reason": "", "version": "1"})
    assert refused.status_code == 422
    done = client.post(url, {"reason": "Logged on the wrong client", "version": "1"})
    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.status == "entered_in_error" and contact.billing_units == 0
    page = client.get(reverse("encounters:contact_detail", args=[contact.pk])).content.decode()
    assert "Logged on the wrong client" in page and 'id="edit-contact-link"' not in page
    again = client.post(url, {"reason": "again", "version": "2"})
    assert again.status_code == 409


@pytest.mark.parametrize("persona", ["ian", "chris", "olive"])
def test_others_get_404_on_a_contact(client, world, persona):
    case = active_case(world)
    contact = log(world, case)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("encounters:contact_detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("encounters:contact_edit", args=[contact.pk])).status_code == 404
    response = client.post(
        reverse("encounters:contact_entered_in_error", args=[contact.pk]),
        {"reason": "x", "version": "1"},
    )
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.status == "final"
