"""Admin for care plan templates: program admins edit their organization's template library.

Care plans themselves are client records and change only through the services (the plan editor
and the API), so they are not registered here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.careplans.models import OwnerType, PlanTemplate
from casework.core.admin import AuditedAdmin, OrganizationScopedAdmin, VersionedAdminForm
from casework.programs.models import ModelKind

NEED_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://snomed.info/sct"}


class PlanTemplateForm(VersionedAdminForm):
    class Meta:
        model = PlanTemplate
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("model_kind") or ""
        if kind and kind not in ModelKind.values:
            self.add_error("model_kind", f"Use one of {', '.join(ModelKind.values)}, or blank.")
        need = cleaned.get("need")
        if need is not None:
            if not isinstance(need, dict) or not str(need.get("code", "")).strip():
                self.add_error("need", 'Must be an object with at least a "code".')
            elif need.get("system", "http://hl7.org/fhir/sid/icd-10-cm") not in NEED_SYSTEMS:
                self.add_error("need", "The system must be ICD-10-CM or SNOMED CT.")
        goals = cleaned.get("goals")
        if goals is not None:
            for problem in _goal_problems(goals):
                self.add_error("goals", problem)
        return cleaned


def _goal_problems(goals: Any) -> list[str]:
    if not isinstance(goals, list):
        return ["Must be a JSON list of goals."]
    problems = []
    for number, goal in enumerate(goals, start=1):
        if not isinstance(goal, dict) or not str(goal.get("client_words", "")).strip():
            problems.append(f'Goal {number} needs "client_words".')
            continue
        days = goal.get("target_days")
        if days is not None and (not isinstance(days, int) or days < 0):
            problems.append(f"Goal {number}: target_days must be a whole number of days.")
        for action in goal.get("interventions") or []:
            if not isinstance(action, dict) or not str(action.get("description", "")).strip():
                problems.append(f'Goal {number}: each intervention needs a "description".')
            elif action.get("owner_type", OwnerType.CASE_MANAGER) not in OwnerType.values:
                problems.append(
                    f"Goal {number}: owner_type must be one of {', '.join(OwnerType.values)}."
                )
    return problems


@admin.register(PlanTemplate)
class PlanTemplateAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = PlanTemplateForm
    list_display = ("name", "model_kind", "is_active", "organization")
    list_filter = ("model_kind", "is_active")
    search_fields = ("name",)
    fields = (
        "organization",
        "name",
        "model_kind",
        "need",
        "goals",
        "is_active",
        "expected_version",
    )
