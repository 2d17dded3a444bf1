"""Clients in admin are read-only: changes go through the client pages and the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casework.clients.models import Client, ClientIdentifier
from casework.core.admin import ReadOnlyClientDataAdmin


class ClientIdentifierInline(admin.TabularInline):
    model = ClientIdentifier
    fields = ("type", "value", "assigner")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(ReadOnlyClientDataAdmin):
    list_display = ("family_name", "given_name", "birth_date", "preferred_language", "organization")
    list_filter = ("organization", "sex", "interpreter_needed")
    search_fields = ("search_name", "identifiers__value")
    date_hierarchy = "created_at"
    inlines = [ClientIdentifierInline]
    show_full_result_count = False
