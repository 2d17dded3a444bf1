"""Work items in admin are read-only: they are made and completed through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.core.admin import ReadOnlyClientDataAdmin
from casework.monitoring.models import WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyClientDataAdmin):
    list_display = ("title", "assignee", "priority", "status", "due_at", "created_at")
    list_filter = ("status", "priority", "kind")
    search_fields = ("title", "assignee__username")
    list_select_related = ("assignee",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id
