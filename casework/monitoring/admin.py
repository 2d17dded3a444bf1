"""Work items in admin are read-only: they are made and completed through the services."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import admin

from casework.core.admin import (
    AuditedAdmin,
    OrganizationScopedAdmin,
    ReadOnlyClientDataAdmin,
    VersionedAdminForm,
)
from casework.core.errors import ValidationFailed
from casework.monitoring.models import Alert, CheckInLink, PromptRule, Threshold, WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyClientDataAdmin):
    list_display = ("title", "assignee", "priority", "status", "due_at", "created_at")
    list_filter = ("status", "priority", "kind")
    search_fields = ("title", "assignee__username")
    list_select_related = ("assignee",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


# ----------------------------------------------------------------------------------------------
# Remote monitoring (part D): the organization's default thresholds are editable here (versioned,
# audited, checked by the service's rules); a client's own thresholds, alerts and check-in links
# are client data: read-only, every look audited.


class ThresholdForm(VersionedAdminForm):
    class Meta:
        model = Threshold
        fields = [
            "organization",
            "condition_code",
            "code",
            "low",
            "high",
            "critical_low",
            "critical_high",
            "rise",
            "rise_days",
            "source",
        ]
        help_texts = {
            "condition_code": "ICD-10-CM prefix (I10, E11 ...); empty: everyone.",
            "rise": "Alert on a reading this much above the lowest of the previous rise_days days "
            "(heart failure: weight gained).",
            "source": "Where the numbers come from.",
        }

    def clean(self) -> dict[str, Any]:
        from casework.monitoring.services.remote import threshold_clean

        cleaned = super().clean() or {}
        try:
            threshold_clean(cleaned)
        except ValidationFailed as exc:
            for item in exc.errors:
                name = item.get("field")
                target = name if name in self.fields else None
                self.add_error(target, django_forms.ValidationError(str(item.get("message"))))
        return cleaned


@admin.register(Threshold)
class ThresholdAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = ThresholdForm
    list_display = (
        "code",
        "display",
        "condition_code",
        "low",
        "high",
        "critical_low",
        "critical_high",
        "rise",
        "rise_days",
    )
    list_filter = ("code",)
    search_fields = ("code", "display", "condition_code")

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(client__isnull=True)


@admin.register(Alert)
class AlertAdmin(ReadOnlyClientDataAdmin):
    list_display = ("message", "severity", "status", "created_at")
    list_filter = ("severity", "status")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


@admin.register(CheckInLink)
class CheckInLinkAdmin(ReadOnlyClientDataAdmin):
    list_display = ("__str__", "expires_at", "revoked_at", "last_used_at")
    exclude = ("digest",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


# ----------------------------------------------------------------------------------------------
# Prompt rules (part A): program admins disable and retune their organization's rules here
# (versioned, audited, checked by the same rules as the API); kind, model and organization are
# fixed once seeded.


class PromptRuleForm(VersionedAdminForm):
    class Meta:
        model = PromptRule
        fields = [
            "enabled",
            "priority",
            "lead_days",
            "days",
            "assignee_role",
            "escalate_after_days",
            "parameters",
            "source",
        ]

    def clean(self) -> dict[str, Any]:
        from casework.monitoring.services.rules import prompt_rule_check

        cleaned = super().clean() or {}
        settings = {
            name: cleaned.get(name)
            for name in ("priority", "lead_days", "days", "escalate_after_days", "parameters")
            if name in cleaned
        }
        try:
            prompt_rule_check(settings)
        except ValidationFailed as exc:
            for item in exc.errors:
                name = str(item.get("field") or "").split(".")[0]
                target = name if name in self.fields else None
                self.add_error(target, django_forms.ValidationError(str(item.get("message"))))
        return cleaned


@admin.register(PromptRule)
class PromptRuleAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = PromptRuleForm
    list_display = ("kind", "model", "enabled", "priority", "lead_days", "days")
    list_filter = ("enabled", "kind", "model")
    list_select_related = ("model",)
    readonly_fields = ("organization", "model", "kind")
    ordering = ("model__name", "kind")

    def has_add_permission(self, request: Any) -> bool:
        # Rules are seeded per model (``prompt_rules_seed``); one per kind.
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Disable a rule instead: the sweep reads the row.
        return False
