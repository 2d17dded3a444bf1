"""Writes for programs and case management models."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from casework.accounts.models import Organization, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.core.errors import ValidationFailed, field_error
from casework.programs.models import CaseManagementModel, Program
from casework.programs.standard_models import DEFAULT_TIER_WEIGHTS, STANDARD_MODELS


@transaction.atomic
def models_seed(*, organization: Organization) -> list[CaseManagementModel]:
    """Give an organization its own copy of the five standard models (idempotent by name), and
    the starter care plan templates and default remote-monitoring thresholds that go with them."""
    from casework.careplans.templates_seed import templates_seed
    from casework.monitoring.rules import prompt_rules_seed
    from casework.monitoring.thresholds import thresholds_seed

    templates_seed(organization=organization)
    thresholds_seed(organization=organization)
    seeded = []
    for spec in STANDARD_MODELS:
        defaults = {**spec, "tier_weights": dict(DEFAULT_TIER_WEIGHTS)}
        model, _ = CaseManagementModel.objects.get_or_create(
            organization=organization, name=spec["name"], defaults=defaults
        )
        prompt_rules_seed(model=model)
        seeded.append(model)
    return seeded


def _check_ages(min_age: int | None, max_age: int | None) -> None:
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValidationFailed(
            "The minimum age is above the maximum age.",
            errors=[field_error("min_age", "must not exceed max_age")],
        )


@transaction.atomic
def program_create(
    *,
    organization: Organization,
    name: str,
    model: CaseManagementModel,
    acting_user: User | None,
    description: str = "",
    population_served: str = "",
    min_age: int | None = None,
    max_age: int | None = None,
    required_conditions: list[dict[str, Any]] | None = None,
) -> Program:
    if model.organization_id != organization.id:
        raise ValidationFailed(
            "The case management model belongs to another organization.",
            errors=[field_error("model_id", "not found")],
        )
    _check_ages(min_age, max_age)
    program = Program.objects.create(
        organization=organization,
        name=name,
        model=model,
        description=description,
        population_served=population_served,
        min_age=min_age,
        max_age=max_age,
        required_conditions=required_conditions or [],
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=program,
        organization_id=organization.id,
        changes={"name": name, "model": model.name},
    )
    return program


MODEL_EDITORS = {"program_admin", "system_admin"}
VALID_TIERS = {"low", "moderate", "high", "very_high"}
VALID_APPROVALS = {"care_plan", "closure", "transfer"}


def _check_model_changes(changes: dict[str, Any]) -> None:
    errors = []
    for name in ("tier_weights", "contact_frequency_days"):
        value = changes.get(name)
        if value is None:
            continue
        for tier, number in value.items():
            if tier not in VALID_TIERS:
                errors.append(field_error(f"{name}.{tier}", "unknown risk tier"))
            elif number <= 0:
                errors.append(field_error(f"{name}.{tier}", "must be positive"))
    for tier in changes.get("face_to_face_tiers") or []:
        if tier not in VALID_TIERS:
            errors.append(field_error("face_to_face_tiers", f"unknown risk tier {tier!r}"))
    for step in changes.get("approvals_required") or []:
        if step not in VALID_APPROVALS:
            errors.append(field_error("approvals_required", f"unknown step {step!r}"))
    if errors:
        raise ValidationFailed("Some model parameters are not valid.", errors=errors)


def model_parameters_check(changes: dict[str, Any]) -> None:
    """Raise ``ValidationFailed`` naming each invalid model parameter in ``changes`` (the rule
    ``model_update`` applies; Django admin's model form calls it before saving)."""
    _check_model_changes(changes)


def model_update(
    *, acting_user: User, model: CaseManagementModel, expected_version: int, changes: dict[str, Any]
) -> CaseManagementModel:
    """Change a model's parameters (program and system admins), version-checked and audited."""
    from casework.core.errors import PermissionDenied
    from casework.core.versioning import update_versioned

    if acting_user.role not in MODEL_EDITORS:
        raise PermissionDenied("Only program admins may change case management models.")
    _check_model_changes(changes)
    with transaction.atomic():
        diff = update_versioned(model, expected_version=expected_version, **changes)
        audit_record(actor=acting_user, action=Action.UPDATE, obj=model, changes=diff)
    return model
