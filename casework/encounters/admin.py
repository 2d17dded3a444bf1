"""Billing rules in Django admin: program admins set how contacts bill for their organization
(one rule per program, or one for the whole organization). Organization-scoped, versioned
(stale edits refused) and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.core.admin import AuditedAdmin, OrganizationScopedAdmin, VersionedAdminForm
from casework.encounters.models import BillingRule

MAX_UNIT_MINUTES = 60  # the longest time-based unit in common use is one hour (per-hour codes)


class BillingRuleForm(VersionedAdminForm):
    class Meta:
        model = BillingRule
        fields = [
            "organization",
            "program",
            "unit_minutes",
            "first_unit_minutes",
            "bill_attempted",
            "bill_collateral",
        ]
        help_texts = {
            "program": "Empty: the organization's rule, for programs without their own.",
            "unit_minutes": "Minutes per unit (CMS: 15).",
            "first_unit_minutes": "Minutes the first unit needs (CMS 8-minute rule: 8).",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit = cleaned.get("unit_minutes")
        first = cleaned.get("first_unit_minutes")
        if unit is not None and not 1 <= unit <= MAX_UNIT_MINUTES:
            self.add_error("unit_minutes", f"Must be 1 to {MAX_UNIT_MINUTES} minutes.")
        if first is not None and unit is not None and not 1 <= first <= unit:
            self.add_error("first_unit_minutes", "Must be at least 1 and at most a whole unit.")
        organization = cleaned.get("organization")
        program = cleaned.get("program")
        if (
            program is not None
            and organization is not None
            and program.organization_id != organization.pk
        ):
            self.add_error("program", "The program must belong to the organization.")
        if program is None and organization is not None:
            clash = BillingRule.objects.filter(organization=organization, program__isnull=True)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("program", "The organization already has a rule; choose a program.")
        return cleaned


@admin.register(BillingRule)
class BillingRuleAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = BillingRuleForm
    list_display = ("__str__", "unit_minutes", "first_unit_minutes", "bill_attempted")
    list_select_related = ("program", "organization")
