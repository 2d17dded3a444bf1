"""Cases in admin are read-only: lifecycle moves and assignment go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.cases.models import Case, CaseAssignment, CaseStatusChange
from casework.core.admin import ReadOnlyClientDataAdmin


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by", "reason", "closure_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


class CaseAssignmentInline(admin.TabularInline):
    model = CaseAssignment
    fk_name = "case"
    fields = ("assigned_at", "case_manager", "previous_case_manager", "assigned_by", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(ReadOnlyClientDataAdmin):
    list_display = ("client", "program", "status", "case_manager", "team", "status_changed_at")
    list_filter = ("status", "program", "team")
    search_fields = ("client__search_name",)
    list_select_related = ("client", "program", "case_manager", "team")
    inlines = [CaseStatusChangeInline, CaseAssignmentInline]
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id
