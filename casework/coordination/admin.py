"""Django admin for the resource directory: organization-scoped, audited, versioned."""

from __future__ import annotations

from django.contrib import admin

from casework.coordination.models import ResourceOrganization, ResourceService
from casework.core.admin import AuditedAdmin, OrganizationScopedAdmin, VersionedAdminForm


class ResourceOrganizationForm(VersionedAdminForm):
    class Meta:
        model = ResourceOrganization
        fields = ["organization", "name", "kind", "phone", "website", "notes", "is_active"]


class ResourceServiceForm(VersionedAdminForm):
    class Meta:
        model = ResourceService
        fields = [
            "organization",
            "provider",
            "name",
            "description",
            "needs",
            "eligibility",
            "min_age",
            "max_age",
            "languages",
            "hours",
            "address",
            "latitude",
            "longitude",
            "capacity_status",
            "waitlist_note",
            "phone",
            "email",
            "is_active",
        ]


@admin.register(ResourceOrganization)
class ResourceOrganizationAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = ResourceOrganizationForm
    list_display = ("name", "kind", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(ResourceService)
class ResourceServiceAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = ResourceServiceForm
    list_display = ("name", "provider", "capacity_status", "is_active")
    list_filter = ("capacity_status", "is_active")
    search_fields = ("name", "provider__name", "address")
