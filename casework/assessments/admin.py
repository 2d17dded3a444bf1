"""Instruments come from the definition files (loaded after every migrate) and responses from
the services, so admin shows both read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casework.assessments.models import AssessmentResponse, Instrument, ProposedNeed
from casework.core.admin import ReadOnlyClientDataAdmin


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("short_name", "code", "system", "version", "is_active")
    search_fields = ("short_name", "code", "name")
    readonly_fields = ("code", "system", "name", "short_name", "version", "source", "is_active")
    exclude = ("definition", "scoring")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssessmentResponse)
class AssessmentResponseAdmin(ReadOnlyClientDataAdmin):
    list_display = ("instrument", "client", "status", "score", "band", "completed_at")
    list_filter = ("status", "instrument")
    search_fields = ("client__search_name",)
    list_select_related = ("instrument", "client")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


@admin.register(ProposedNeed)
class ProposedNeedAdmin(ReadOnlyClientDataAdmin):
    organization_path = "client__organization"
    list_display = ("code", "display", "domain", "client", "status", "created_at")
    list_filter = ("status", "domain")
    list_select_related = ("client",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id
