"""Django admin for the resource directory: organization-scoped, audited, versioned."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from casework.coordination.models import (
    Appointment,
    CalendarFeed,
    PartnerLink,
    Referral,
    ReferralEvent,
    ResourceOrganization,
    ResourceService,
)
from casework.core.admin import (
    AuditedAdmin,
    OrganizationScopedAdmin,
    ReadOnlyClientDataAdmin,
    VersionedAdminForm,
)


class ResourceOrganizationForm(VersionedAdminForm):
    class Meta:
        model = ResourceOrganization
        fields = [
            "organization",
            "name",
            "kind",
            "phone",
            "website",
            "email",
            "notes",
            "is_active",
            "is_internal",
        ]


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
    list_display = ("name", "kind", "phone", "is_internal", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(ResourceService)
class ResourceServiceAdmin(AuditedAdmin, OrganizationScopedAdmin):
    form = ResourceServiceForm
    list_display = ("name", "provider", "capacity_status", "is_active")
    list_filter = ("capacity_status", "is_active")
    search_fields = ("name", "provider__name", "address")


# ----------------------------------------------------------------------------------------------
# Appointments and calendar feeds: read-only (changes go through the services), reads audited.


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyClientDataAdmin):
    list_display = ("title", "starts_at", "status", "with_whom", "case")
    list_filter = ("status", "mode")
    list_select_related = ("case", "case__client", "case__program")
    date_hierarchy = "starts_at"

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyClientDataAdmin):
    """Only the token's prefix and digest are stored; the secret URL itself cannot be shown."""

    organization_path = "user__organization"
    list_display = ("user", "prefix", "created_at", "revoked_at", "last_fetched_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    exclude = ("digest",)

    def client_id_of(self, obj: Any) -> Any:
        return None


# Referrals are client data: read-only in admin (every change goes through the services, which
# keep the timeline and the audit log), and every look is audited.


@admin.register(Referral)
class ReferralAdmin(ReadOnlyClientDataAdmin):
    list_display = ("service", "provider", "status", "priority", "last_update_at", "created_at")
    list_filter = ("status", "priority")
    list_select_related = ("service", "provider")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.client_id


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyClientDataAdmin):
    organization_path = "referral__organization"
    list_display = ("referral", "at", "from_status", "to_status", "kind", "by_user", "by_partner")
    list_filter = ("kind", "to_status")
    list_select_related = ("referral", "referral__service", "by_user")
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.referral.client_id


@admin.register(PartnerLink)
class PartnerLinkAdmin(ReadOnlyClientDataAdmin):
    organization_path = "referral__organization"
    list_display = ("referral", "purpose", "expires_at", "used_at", "revoked_at", "sent_to")
    list_filter = ("purpose",)
    list_select_related = ("referral", "referral__service")
    exclude = ("digest",)
    show_full_result_count = False

    def client_id_of(self, obj: Any) -> Any:
        return obj.referral.client_id
