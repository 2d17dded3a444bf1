"""Writes for prompt rules: seed a model's defaults, and let a program admin retune one rule."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.core.errors import PermissionDenied, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.monitoring.defaults import model_rule_defaults, organization_rule_defaults
from casework.monitoring.models import AssigneeRole, Priority, PromptRule
from casework.programs.models import CaseManagementModel

RULE_EDITORS = {"program_admin", "system_admin"}
EDITABLE = {
    "enabled",
    "priority",
    "lead_days",
    "days",
    "assignee_role",
    "escalate_after_days",
    "parameters",
}
# The numbers of ``parameters`` a rule understands, and their bounds.
PARAMETER_BOUNDS = {"hours": (1, 24 * 14), "lookback_days": (1, 366), "percent": (1, 1000)}


@transaction.atomic
def prompt_rules_seed(*, model: CaseManagementModel) -> list[PromptRule]:
    """Give ``model`` one rule per kind (and its organization the staff rules) with the defaults
    of ``casework/monitoring/defaults.py``. Idempotent: existing rules are left as they are, so
    an admin's changes survive reseeding. Returns the rules created."""
    created = []
    wanted: list[tuple[CaseManagementModel | None, dict[str, Any]]] = [
        (model, spec) for spec in model_rule_defaults(model.kind)
    ]
    wanted += [(None, spec) for spec in organization_rule_defaults()]
    existing = set(
        PromptRule.objects.filter(organization_id=model.organization_id)
        .filter(model__isnull=True)
        .values_list("kind", flat=True)
    )
    existing_for_model = set(
        PromptRule.objects.filter(organization_id=model.organization_id, model=model).values_list(
            "kind", flat=True
        )
    )
    for owner, spec in wanted:
        taken = existing_for_model if owner is not None else existing
        if spec["kind"] in taken:
            continue
        rule = PromptRule.objects.create(organization_id=model.organization_id, model=owner, **spec)
        taken.add(spec["kind"])
        created.append(rule)
    if created:
        audit_record(
            actor=None,
            action=Action.CREATE,
            object_type="monitoring.promptrule",
            object_id=str(model.pk),
            organization_id=model.organization_id,
            changes={"seeded": [rule.kind for rule in created], "model": model.name},
        )
    return created


def _check(changes: dict[str, Any]) -> None:
    errors = []
    unknown = set(changes) - EDITABLE
    for name in sorted(unknown):
        errors.append(field_error(name, "cannot be changed"))
    if "priority" in changes and changes["priority"] not in Priority.values:
        errors.append(field_error("priority", f"one of {Priority.values}"))
    if "assignee_role" in changes and changes["assignee_role"] not in AssigneeRole.values:
        errors.append(field_error("assignee_role", f"one of {AssigneeRole.values}"))
    for name in ("lead_days", "days", "escalate_after_days"):
        value = changes.get(name)
        if value is not None and not 0 <= value <= 3650:
            errors.append(field_error(name, "must be 0 to 3650 days"))
    if changes.get("lead_days", 0) is None:
        errors.append(field_error("lead_days", "required"))
    for name, value in (changes.get("parameters") or {}).items():
        bounds = PARAMETER_BOUNDS.get(name)
        if bounds is None:
            errors.append(field_error(f"parameters.{name}", "unknown parameter"))
        elif (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not (bounds[0] <= value <= bounds[1])
        ):
            errors.append(
                field_error(f"parameters.{name}", f"a whole number {bounds[0]} to {bounds[1]}")
            )
    if errors:
        raise ValidationFailed("Some rule settings are not valid.", errors=errors)


def prompt_rule_check(changes: dict[str, Any]) -> None:
    """Raise ``ValidationFailed`` naming each invalid setting (admin's form calls it too)."""
    _check(changes)


def prompt_rule_update(
    *, acting_user: User, rule: PromptRule, expected_version: int, changes: dict[str, Any]
) -> PromptRule:
    """Disable or retune one rule (program and system admins of its organization); the version
    read must be current (409 otherwise) and the change is audited with old and new values. The
    next sweep uses the new settings."""
    if acting_user.role not in RULE_EDITORS:
        raise PermissionDenied("Only program admins may change prompt rules.")
    _check(changes)
    if "parameters" in changes:
        changes["parameters"] = {**(rule.parameters or {}), **(changes["parameters"] or {})}
    with transaction.atomic():
        diff = update_versioned(rule, expected_version=expected_version, **changes)
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            obj=rule,
            organization_id=rule.organization_id,
            changes=diff,
        )
    return rule
