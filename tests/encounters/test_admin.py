"""Program admins set billing rules in admin: their organization only, versioned, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.encounters.models import BillingRule
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(world):
    return factories.staff("pat", org=world.org, role="program_admin")


def rule_form(world, **changes):
    data = {
        "organization": str(world.org.pk),
        "program": str(world.program.pk),
        "unit_minutes": "15",
        "first_unit_minutes": "8",
        "bill_collateral": "on",
    }
    data.update(changes)
    return data


def test_program_admin_adds_and_edits_a_rule_with_version_and_audit(client, world, pat):
    client.force_login(pat)
    add = reverse("admin:encounters_billingrule_add")
    assert client.get(add).status_code == 200
    response = client.post(add, rule_form(world, bill_attempted="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = BillingRule.objects.get()
    assert rule.program == world.program and rule.bill_attempted
    assert AuditEvent.objects.filter(object_id=str(rule.pk), action="create").exists()
    change = reverse("admin:encounters_billingrule_change", args=[rule.pk])
    ok = client.post(change, rule_form(world, unit_minutes="30", expected_version="1"))
    assert ok.status_code == 302
    rule.refresh_from_db()
    assert rule.unit_minutes == 30 and rule.version == 2
    stale = client.post(change, rule_form(world, unit_minutes="20", expected_version="1"))
    assert stale.status_code == 200 and "changed by someone else" in stale.content.decode()
    rule.refresh_from_db()
    assert rule.unit_minutes == 30


def test_rules_are_checked_and_scoped(client, world, pat):
    client.force_login(pat)
    add = reverse("admin:encounters_billingrule_add")
    bad = client.post(add, rule_form(world, unit_minutes="10", first_unit_minutes="12"))
    assert bad.status_code == 200 and "at most a whole unit" in bad.content.decode()
    foreign = client.post(add, rule_form(world, program=str(world.other_program.pk)))
    assert foreign.status_code == 200 and not BillingRule.objects.exists()
    assert client.post(add, rule_form(world, program="")).status_code == 302
    twice = client.post(add, rule_form(world, program=""))
    assert "already has a rule" in twice.content.decode()
    BillingRule.objects.create(organization=world.other_org, unit_minutes=60)
    listing = client.get(reverse("admin:encounters_billingrule_changelist")).content.decode()
    assert "Other Agency" not in listing


def test_case_managers_have_no_billing_rule_admin(client, world):
    client.force_login(world.casey)
    response = client.get(reverse("admin:encounters_billingrule_changelist"))
    assert response.status_code == 302
