"""Directory entry forms: program admins add and edit organizations and services from the
directory page; everyone else is refused; stale edits say so; errors land on the fields."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.coordination.models import ResourceOrganization, ResourceService
from casework.coordination.services import resource_import

pytestmark = pytest.mark.django_db


def service_post(provider, **overrides):
    data = {
        "provider": str(provider.pk),
        "name": "Rent help",
        "needs": ["housing", "benefits"],
        "languages": "en; es",
        "hours": "mon 09:00-17:00; tue 09:00-12:00,13:00-17:00",
        "min_age": "18",
        "capacity_status": "open",
        "latitude": "40.7",
        "longitude": "-74.0",
    }
    data.update(overrides)
    return data


def test_curator_adds_an_organization_and_a_service(client, world, pat):
    client.force_login(pat)
    page = client.get(reverse("coordination:directory")).content.decode()
    assert reverse("coordination:organization_new") in page
    assert reverse("coordination:service_new") in page
    response = client.post(
        reverse("coordination:organization_new"),
        {"name": "Harbor Housing", "kind": "community", "email": "a@b.example.org"},
    )
    assert response.status_code == 302
    provider = ResourceOrganization.objects.get()
    assert provider.email == "a@b.example.org" and not provider.is_internal
    bad = client.post(reverse("coordination:service_new"), service_post(provider, hours="often"))
    assert bad.status_code == 422
    assert "is not" in bad.content.decode() and not ResourceService.objects.exists()
    ok = client.post(reverse("coordination:service_new"), service_post(provider))
    assert ok.status_code == 302
    service = ResourceService.objects.get()
    assert service.needs == ["housing", "benefits"] and service.languages == ["en", "es"]
    assert service.hours["tue"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert service.min_age == 18


def test_curator_edits_a_service_and_a_stale_edit_is_refused(client, world, pat, example_csv):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    service = ResourceService.objects.get(name="Weekly food pantry")
    client.force_login(pat)
    listing = client.get(reverse("coordination:directory")).content.decode()
    url = reverse("coordination:service_edit", args=[service.pk])
    assert url in listing
    form = client.get(url).content.decode()
    assert "mon 09:00-17:00; wed 09:00-17:00; fri 09:00-12:00" in form
    assert 'name="version" value="1"' in form
    post = service_post(
        service.provider,
        name="Weekly food pantry",
        needs=["food"],
        languages="en; es",
        address=service.address,
        phone=service.phone,
        capacity_status="waitlist",
        is_active="on",
        version="1",
    )
    assert client.post(url, post).status_code == 302
    service.refresh_from_db()
    assert service.capacity_status == "waitlist" and service.version == 2
    stale = client.post(url, {**post, "capacity_status": "full"})
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()
    provider_url = reverse("coordination:organization_edit", args=[service.provider_id])
    org_form = client.get(provider_url)
    assert org_form.status_code == 200
    changed = client.post(
        provider_url,
        {
            "name": service.provider.name,
            "kind": "community",
            "is_internal": "on",
            "is_active": "on",
            "version": "1",
        },
    )
    assert changed.status_code == 302
    service.provider.refresh_from_db()
    assert service.provider.is_internal


def test_case_manager_may_not_open_the_forms(client, world, pat, example_csv):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    service = ResourceService.objects.first()
    client.force_login(world.casey)
    page = client.get(reverse("coordination:directory")).content.decode()
    assert reverse("coordination:service_new") not in page
    assert reverse("coordination:service_edit", args=[service.pk]) not in page
    assert client.get(reverse("coordination:organization_new")).status_code == 403
    assert client.post(reverse("coordination:organization_new"), {"name": "X"}).status_code in (
        302,
        403,
    )
    assert not ResourceOrganization.objects.filter(name="X").exists()
    assert client.get(reverse("coordination:service_edit", args=[service.pk])).status_code == 403


def test_other_organizations_curator_gets_404(client, world, pat, example_csv):
    from tests import factories

    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    service = ResourceService.objects.first()
    other_admin = factories.staff("opal", org=world.other_org, role="program_admin")
    client.force_login(other_admin)
    assert client.get(reverse("coordination:service_edit", args=[service.pk])).status_code == 404
    url = reverse("coordination:organization_edit", args=[service.provider_id])
    assert client.get(url).status_code == 404
