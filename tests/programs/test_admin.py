"""Program admins configure programs and case management models in Django admin."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.programs.models import CaseManagementModel, Program
from tests import factories


@pytest.fixture
def pat(world):
    return factories.staff("pat", org=world.org, role="program_admin")


def model_form(model, **changes):
    data = {
        "organization": str(model.organization_id),
        "kind": model.kind,
        "name": model.name,
        "description": model.description,
        "expected_version": str(model.version),
        "caseload_size": str(model.caseload_size),
        "reassessment_interval_days": str(model.reassessment_interval_days),
        "plan_review_interval_days": str(model.plan_review_interval_days),
        "expected_episode_days": str(model.expected_episode_days),
        "referral_followup_days": str(model.referral_followup_days),
        "overdue_escalation_days": str(model.overdue_escalation_days),
        "sources": model.sources,
    }
    for name in (
        "tier_weights",
        "contact_frequency_days",
        "face_to_face_tiers",
        "contact_modes",
        "intake_instruments",
        "reassessment_instruments",
        "discharge_criteria",
        "required_credentials",
        "approvals_required",
    ):
        data[name] = json.dumps(getattr(model, name))
        # Admin renders the value it read as a hidden "initial-" input (callable defaults).
        data[f"initial-{name}"] = data[name]
    data.update(changes)
    return data


def test_program_admin_sees_only_their_organization(client, world, pat):
    client.force_login(pat)
    response = client.get(reverse("admin:programs_program_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Care Coordination" in html and "Other Coordination" not in html
    other = reverse("admin:programs_program_change", args=[world.other_program.id])
    assert client.get(other).status_code == 302  # admin redirects a missing object to the index
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 403


def test_program_admin_edits_a_model_with_version_and_audit(client, world, pat):
    model = CaseManagementModel.objects.get(organization=world.org, kind="brokerage")
    client.force_login(pat)
    url = reverse("admin:programs_casemanagementmodel_change", args=[model.id])
    assert client.get(url).status_code == 200
    response = client.post(url, model_form(model, caseload_size="40"))
    assert response.status_code == 302, response.content.decode()[:3000]
    model.refresh_from_db()
    assert model.caseload_size == 40 and model.version == 2
    event = AuditEvent.objects.filter(object_id=str(model.id), action="update").last()
    assert event is not None and event.changes == {"caseload_size": "40"}


def test_stale_model_edit_is_refused(client, world, pat):
    model = CaseManagementModel.objects.get(organization=world.org, kind="brokerage")
    stale = model_form(model, caseload_size="40")
    CaseManagementModel.objects.filter(pk=model.pk).update(version=5)
    client.force_login(pat)
    url = reverse("admin:programs_casemanagementmodel_change", args=[model.id])
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    model.refresh_from_db()
    assert model.caseload_size != 40


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tier_weights", '{"extreme": 2}', "unknown risk tier"),
        ("tier_weights", '["low"]', "Must be a JSON object"),
        ("contact_frequency_days", '{"low": "often"}', "Each value must be a number"),
        ("approvals_required", '["everything"]', "unknown step"),
    ],
)
def test_invalid_model_parameters_are_form_errors(client, world, pat, field, value, message):
    model = CaseManagementModel.objects.get(organization=world.org, kind="brokerage")
    client.force_login(pat)
    url = reverse("admin:programs_casemanagementmodel_change", args=[model.id])
    response = client.post(url, model_form(model, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    model.refresh_from_db()
    assert model.version == 1


def test_program_admin_creates_a_program_with_teams(client, world, pat):
    model = CaseManagementModel.objects.get(organization=world.org, kind="intensive")
    client.force_login(pat)
    response = client.post(
        reverse("admin:programs_program_add"),
        {
            "organization": str(world.org.id),
            "name": "ACT Team",
            "model": str(model.id),
            "required_conditions": "[]",
            "teams": [str(world.north.id)],
            "accepting_referrals": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(name="ACT Team")
    assert list(program.teams.all()) == [world.north]
    assert AuditEvent.objects.filter(object_id=str(program.id), action="create").exists()


def test_program_admin_cannot_pick_another_organizations_model(client, world, pat):
    foreign = CaseManagementModel.objects.get(organization=world.other_org, kind="intensive")
    client.force_login(pat)
    response = client.post(
        reverse("admin:programs_program_add"),
        {
            "organization": str(world.org.id),
            "name": "Sneaky",
            "model": str(foreign.id),
            "required_conditions": "[]",
        },
    )
    assert response.status_code == 200
    assert not Program.objects.filter(name="Sneaky").exists()
