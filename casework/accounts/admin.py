"""Admin for staff: organizations, teams with their members, users, credentials, API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from casework.accounts.models import (
    ApiToken,
    Credential,
    Organization,
    Role,
    Team,
    TeamMembership,
    User,
)
from casework.accounts.services import program_admin_grant_access, token_revoke
from casework.core.admin import AuditedAdmin, OrganizationScopedAdmin


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return queryset
        return queryset.filter(pk=getattr(request.user, "organization_id", None))


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    fields = ("user", "is_supervisor")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not getattr(request.user, "is_superuser", False):
            user = cast(User, request.user)
            kwargs["queryset"] = User.objects.filter(organization=user.organization)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Team)
class TeamAdmin(AuditedAdmin, OrganizationScopedAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)
    inlines = [TeamMembershipInline]


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 0
    fields = ("kind", "number", "issued_on", "expires_on")


@admin.register(User)
class CaseworkUserAdmin(AuditedAdmin, UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Casework",
            {
                "fields": (
                    "role",
                    "organization",
                    "title",
                    "phone",
                    "languages",
                    "caseload_capacity",
                )
            },
        ),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Casework", {"fields": ("role", "organization", "languages", "caseload_capacity")}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "organization",
        "caseload_capacity",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "organization", "is_active", "is_staff")
    inlines = [CredentialInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role == Role.PROGRAM_ADMIN and not obj.groups.filter(name="Program admins").exists():
            program_admin_grant_access(user=obj, acting_user=cast(User, request.user))


@admin.register(Credential)
class CredentialAdmin(AuditedAdmin):
    list_display = ("user", "kind", "number", "issued_on", "expires_on")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__last_name", "kind", "number")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``casework token create``; here they can be seen and revoked."""

    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, acting_user=cast(User, request.user))
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
