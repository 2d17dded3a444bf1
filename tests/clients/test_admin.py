"""Client records in admin: read-only, scoped to the organization, every look audited."""

from __future__ import annotations

from django.urls import reverse

from casework.audit.models import AuditEvent
from tests import factories


def test_client_admin_is_read_only_and_audited(client, world):
    root = factories.staff("root", org=world.org, role="system_admin")
    person = factories.client(world.casey, given_name="Ana", family_name="Lopez")
    case = factories.case(world.casey, client=person, program=world.program, to="intake")
    client.force_login(root)

    listing = client.get(reverse("admin:clients_client_changelist"))
    assert listing.status_code == 200 and "Lopez" in listing.content.decode()
    assert AuditEvent.objects.filter(action="read", object_type="clients.client").exists()

    detail = client.get(reverse("admin:clients_client_change", args=[person.id]))
    assert detail.status_code == 200
    assert 'name="given_name"' not in detail.content.decode()  # view only
    assert AuditEvent.objects.filter(
        action="read", object_id=str(person.id), detail__purpose="admin"
    ).exists()
    assert client.get(reverse("admin:clients_client_add")).status_code == 403

    case_page = client.get(reverse("admin:cases_case_change", args=[case.id]))
    assert case_page.status_code == 200
    assert AuditEvent.objects.filter(
        action="read", object_id=str(case.id), client_id=person.id
    ).exists()
