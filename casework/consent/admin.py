"""Consents in admin are read-only (recorded and revoked through the services) and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.consent.models import Consent
from casework.core.admin import ReadOnlyClientDataAdmin


@admin.register(Consent)
class ConsentAdmin(ReadOnlyClientDataAdmin):
    list_display = ("client", "status", "signed_on", "period_start", "period_end", "method")
    list_filter = ("status", "method")
    list_select_related = ("client",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id
