"""Building blocks for Django admin across apps: organization scoping, audit, versions.

Admin is where program admins configure programs and case management models (DESIGN.md), so it
keeps the same rules as the services: people see only their own organization, every change is
audited, a stale edit is refused, and client records are read-only with every read audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from casework.audit.models import Action
from casework.audit.services import audit_read, audit_read_many, audit_record

STALE_MESSAGE = (
    "This record was changed by someone else while you were editing it. Reload the page to see "
    "the current version, then make your change again. Nothing was saved."
)


def _organization_id(request: HttpRequest) -> Any:
    return getattr(request.user, "organization_id", None)


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Non-superusers see and pick only records of their own organization."""

    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return queryset
        return queryset.filter(**{self.organization_path: _organization_id(request)})

    def _limit(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        if getattr(request.user, "is_superuser", False):
            return
        related = db_field.related_model
        organization_id = _organization_id(request)
        if related._meta.label_lower == "accounts.organization":
            kwargs["queryset"] = related._default_manager.filter(pk=organization_id)
        elif any(f.name == "organization" for f in related._meta.get_fields()):
            kwargs["queryset"] = related._default_manager.filter(organization_id=organization_id)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class VersionedAdminForm(forms.ModelForm):
    """Carries the ``version`` the editor read; saving over a newer version is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            model = type(self.instance)
            current = (
                model._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != expected:
                raise forms.ValidationError(STALE_MESSAGE, code="stale_version")
        return cleaned


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete through admin writes an audit event naming the changed fields."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and hasattr(obj, "version"):
            obj.version = (obj.version or 0) + 1
        super().save_model(request, obj, form, change)
        changes = {
            name: str(form.cleaned_data.get(name))
            for name in form.changed_data
            if "password" not in name and name != "expected_version"
        }
        audit_record(
            actor=request.user,
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
            changes=changes,
            detail={"via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=Action.DELETE, obj=obj, detail={"via": "admin"})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=Action.DELETE, obj=obj, detail={"via": "admin"})
        super().delete_queryset(request, queryset)


class ReadOnlyClientDataAdmin(OrganizationScopedAdmin):
    """Client records in admin: look, never touch (changes go through the services), and every
    look is audited like any other read of client data."""

    def client_id_of(self, obj: Model) -> Any:
        return obj.pk

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if obj is not None:
            audit_read(
                actor=request.user, obj=obj, client_id=self.client_id_of(obj), purpose="admin"
            )
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit_read_many(
                actor=request.user,
                object_type=self.model._meta.label_lower,
                ids=[obj.pk for obj in changelist.result_list],
                query={"admin": request.GET.urlencode()} if request.GET else None,
            )
        return response
