"""Admin for programs and case management models: where program admins configure them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.core.admin import AuditedAdmin, OrganizationScopedAdmin, VersionedAdminForm
from casework.core.errors import ValidationFailed
from casework.programs.models import CaseManagementModel, Program
from casework.programs.services import model_parameters_check

# Parameters stored as JSON, and the shape each must have before the rules can look at them.
_JSON_SHAPES = {
    "tier_weights": dict,
    "contact_frequency_days": dict,
    "face_to_face_tiers": list,
    "contact_modes": list,
    "intake_instruments": list,
    "reassessment_instruments": list,
    "discharge_criteria": list,
    "required_credentials": list,
    "approvals_required": list,
}


class CaseManagementModelForm(VersionedAdminForm):
    class Meta:
        model = CaseManagementModel
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        shape_ok = True
        for name, kind in _JSON_SHAPES.items():
            value = cleaned.get(name)
            if value is None:
                continue
            if not isinstance(value, kind):
                self.add_error(name, f"Must be a JSON {'object' if kind is dict else 'list'}.")
                shape_ok = False
            elif kind is dict and not all(
                isinstance(number, int | float) and not isinstance(number, bool)
                for number in value.values()
            ):
                self.add_error(name, "Each value must be a number.")
                shape_ok = False
        if shape_ok:
            try:
                model_parameters_check({name: cleaned.get(name) for name in _JSON_SHAPES})
            except ValidationFailed as exc:
                for item in exc.errors:
                    field = str(item.get("field", "")).split(".")[0]
                    message = f"{item.get('field')}: {item.get('message')}"
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(CaseManagementModel)
class CaseManagementModelAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = CaseManagementModelForm
    list_display = (
        "name",
        "kind",
        "organization",
        "caseload_size",
        "expected_episode_days",
        "version",
    )
    list_filter = ("kind", "organization")
    search_fields = ("name",)
    readonly_fields = ("version", "updated_at")
    fieldsets = (
        (None, {"fields": ("organization", "kind", "name", "description", "expected_version")}),
        (
            "Caseload and contacts",
            {
                "fields": (
                    "caseload_size",
                    "tier_weights",
                    "contact_frequency_days",
                    "face_to_face_tiers",
                    "contact_modes",
                )
            },
        ),
        (
            "Assessment and review",
            {
                "fields": (
                    "intake_instruments",
                    "reassessment_instruments",
                    "reassessment_interval_days",
                    "plan_review_interval_days",
                    "requires_strengths",
                )
            },
        ),
        (
            "Episode, follow-up and discharge",
            {
                "fields": (
                    "expected_episode_days",
                    "referral_followup_days",
                    "overdue_escalation_days",
                    "discharge_criteria",
                )
            },
        ),
        ("Staffing and approvals", {"fields": ("required_credentials", "approvals_required")}),
        ("Sources", {"fields": ("sources", "version", "updated_at")}),
    )


class ProgramForm(VersionedAdminForm):
    class Meta:
        model = Program
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        min_age, max_age = cleaned.get("min_age"), cleaned.get("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.add_error("min_age", "The minimum age is above the maximum age.")
        model, organization = cleaned.get("model"), cleaned.get("organization")
        if (
            model is not None
            and organization is not None
            and model.organization_id != organization.pk
        ):
            self.add_error("model", "This model belongs to another organization.")
        conditions = cleaned.get("required_conditions")
        if conditions is not None and not (
            isinstance(conditions, list)
            and all(isinstance(c, dict) and c.get("code") for c in conditions)
        ):
            self.add_error(
                "required_conditions",
                'A JSON list of {"system", "code", "display"} objects, each with a code.',
            )
        return cleaned


@admin.register(Program)
class ProgramAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = ProgramForm
    list_display = ("name", "model", "organization", "accepting_referrals", "is_active")
    list_filter = ("is_active", "accepting_referrals", "model__kind", "organization")
    search_fields = ("name",)
    filter_horizontal = ("teams", "managers")
    readonly_fields = ("version", "updated_at")
    fieldsets = (
        (None, {"fields": ("organization", "name", "model", "description", "expected_version")}),
        (
            "Who it serves",
            {"fields": ("population_served", "min_age", "max_age", "required_conditions")},
        ),
        ("Delivery", {"fields": ("teams", "managers", "accepting_referrals", "is_active")}),
        ("Record", {"fields": ("version", "updated_at")}),
    )
