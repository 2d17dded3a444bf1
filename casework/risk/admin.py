"""Admin for risk: per-organization thresholds (editable, checked), trained models and
assessments (read-only; assessments are client data, so every look is audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from casework.core.admin import (
    AuditedAdmin,
    OrganizationScopedAdmin,
    ReadOnlyClientDataAdmin,
    VersionedAdminForm,
)
from casework.risk.models import RiskAssessment, RiskModelVersion, RiskSettings
from casework.risk.stratification import ThresholdError, resolve_thresholds


class RiskSettingsForm(VersionedAdminForm):
    class Meta:
        model = RiskSettings
        fields = "__all__"
        help_texts = {
            "thresholds": (
                "Only what differs from the defaults, e.g. "
                '{"lace": {"high": 11}, "probability": {"high": 0.3}}. '
                "Defaults and their sources: docs/stratification.md."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        thresholds = cleaned.get("thresholds")
        if thresholds is not None:
            try:
                resolve_thresholds(thresholds)
            except ThresholdError as exc:
                self.add_error("thresholds", str(exc))
        return cleaned


@admin.register(RiskSettings)
class RiskSettingsAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = RiskSettingsForm
    list_display = ("organization", "version", "updated_at")
    readonly_fields = ("version", "updated_at")
    fields = ("organization", "thresholds", "expected_version", "version", "updated_at")


@admin.register(RiskModelVersion)
class RiskModelVersionAdmin(OrganizationScopedAdmin):
    """Trained models are made by ``casework risk train``; admin only shows them."""

    list_display = ("organization", "version", "algorithm", "trained_at", "is_active")
    list_filter = ("is_active",)
    exclude = ("artifact",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyClientDataAdmin):
    list_display = ("client", "tier", "recommended_model", "decision", "computed_at", "is_current")
    list_filter = ("tier", "is_current", "decision", "recommended_model")
    list_select_related = ("client",)
    raw_id_fields = ("client", "model_version", "decided_by")

    def client_id_of(self, obj: Model) -> Any:
        return getattr(obj, "client_id", None)
