"""Coverage in Django admin: client data, so read-only and every look audited; changes go
through the services (the coverage pages and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.core.admin import ReadOnlyClientDataAdmin
from casework.coverage.models import Authorization, Coverage


@admin.register(Coverage)
class CoverageAdmin(ReadOnlyClientDataAdmin):
    list_display = ("payer_name", "member_id", "coverage_type", "status", "period_start")
    list_filter = ("coverage_type", "status")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnlyClientDataAdmin):
    list_display = ("service", "service_code", "units_approved", "status", "period_start")
    list_filter = ("status", "unit_type")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id
