"""Prompt rules through the API and admin: read per model, retune with version (program admins
only), 409 on a stale version, 422 on bad settings, other organizations get 404; seeding."""

from __future__ import annotations

from casework.audit.models import AuditEvent
from casework.monitoring.defaults import MODEL_RULES, ORGANIZATION_RULES
from casework.monitoring.models import PromptRule
from casework.monitoring.rules import prompt_rules_seed
from tests import factories


def admin(world):
    return factories.staff("pat", org=world.org, role="program_admin")


def test_every_model_is_seeded_with_its_rules(world):
    model = world.program.model
    kinds = set(PromptRule.objects.filter(model=model).values_list("kind", flat=True))
    assert kinds == {spec["kind"] for spec in MODEL_RULES}
    org_wide = PromptRule.objects.filter(organization=world.org, model__isnull=True)
    assert {rule.kind for rule in org_wide} == {spec["kind"] for spec in ORGANIZATION_RULES}
    assert all(rule.source for rule in PromptRule.objects.filter(organization=world.org))
    # Reseeding keeps what is there (an admin's change survives).
    PromptRule.objects.filter(model=model, kind="contact_due").update(lead_days=3)
    assert prompt_rules_seed(model=model) == []
    assert PromptRule.objects.get(model=model, kind="contact_due").lead_days == 3


def test_list_the_rules_of_a_model(api, world):
    model = world.program.model
    body = api(world.casey).get("/api/v1/prompt-rules", model_id=str(model.pk)).json()
    assert body["next"] is None
    by_kind = {item["kind"]: item for item in body["items"]}
    assert by_kind["referral_follow_up"]["effective_days"] == model.referral_followup_days
    assert by_kind["contact_due"]["effective_escalate_after_days"] == 5
    staff_rules = api(world.casey).get("/api/v1/prompt-rules", organization_wide="true").json()
    assert {item["kind"] for item in staff_rules["items"]} == {
        "credential_expiring",
        "over_capacity",
    }


def test_program_admin_retunes_a_rule_with_its_version(api, world):
    pat = admin(world)
    rule = PromptRule.objects.get(model=world.program.model, kind="goal_target_near")
    response = api(pat).patch(
        f"/api/v1/prompt-rules/{rule.pk}", {"version": rule.version, "days": 21, "enabled": False}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["days"], response.json()["enabled"]) == (21, False)
    rule.refresh_from_db()
    assert (rule.days, rule.enabled, rule.version) == (21, False, 2)
    event = AuditEvent.objects.filter(object_id=str(rule.pk), action="update").get()
    assert event.changes["days"] == [14, 21]
    stale = api(pat).patch(f"/api/v1/prompt-rules/{rule.pk}", {"version": 1, "days": 7})
    assert stale.status_code == 409
    cleared = api(pat).patch(f"/api/v1/prompt-rules/{rule.pk}", {"version": 2, "clear_days": True})
    assert cleared.json()["days"] is None


def test_bad_settings_are_422_and_nothing_changes(api, world):
    pat = admin(world)
    rule = PromptRule.objects.get(model=world.program.model, kind="appointment_follow_up")
    for body in (
        {"version": rule.version, "priority": "whenever"},
        {"version": rule.version, "parameters": {"hours": 0}},
        {"version": rule.version, "parameters": {"colour": 3}},
        {"version": rule.version, "lead_days": "3"},
        {"version": rule.version, "kind": "contact_due"},
    ):
        response = api(pat).patch(f"/api/v1/prompt-rules/{rule.pk}", body)
        assert response.status_code == 422, body
        assert response.json()["errors"]
    rule.refresh_from_db()
    assert rule.version == 1


def test_case_managers_may_not_change_rules_and_others_get_404(api, world):
    rule = PromptRule.objects.get(model=world.program.model, kind="contact_due")
    refused = api(world.casey).patch(f"/api/v1/prompt-rules/{rule.pk}", {"version": 1})
    assert refused.status_code == 403
    assert api(world.olive).get(f"/api/v1/prompt-rules/{rule.pk}").status_code == 404
    assert (
        api(world.olive).patch(f"/api/v1/prompt-rules/{rule.pk}", {"version": 1}).status_code == 404
    )
    theirs = api(world.olive).get("/api/v1/prompt-rules").json()["items"]
    assert rule.pk not in {item["id"] for item in theirs}


def test_program_admins_group_can_change_prompt_rules(world):
    from casework.accounts.services import program_admin_grant_access

    pat = admin(world)
    program_admin_grant_access(user=pat)
    pat = type(pat).objects.get(pk=pat.pk)
    assert pat.has_perm("monitoring.change_promptrule")


def test_admin_edit_is_versioned_and_audited(world, client):
    from casework.accounts.services import program_admin_grant_access

    pat = admin(world)
    program_admin_grant_access(user=pat)
    client.force_login(pat)
    rule = PromptRule.objects.get(model=world.program.model, kind="goal_target_near")
    url = f"/admin/monitoring/promptrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "enabled": "on",
        "priority": "urgent",
        "lead_days": "0",
        "days": "10",
        "assignee_role": "case_manager",
        "escalate_after_days": "",
        "parameters": "{}",
        "source": rule.source,
        "expected_version": str(rule.version),
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    rule.refresh_from_db()
    assert (rule.days, rule.priority, rule.version) == (10, "urgent", 2)
    stale = client.post(url, {**form, "days": "12", "expected_version": "1"})
    assert stale.status_code == 200 and b"changed by someone else" in stale.content
    other = PromptRule.objects.filter(organization=world.other_org).first()
    assert client.get(f"/admin/monitoring/promptrule/{other.pk}/change/").status_code in (302, 404)
