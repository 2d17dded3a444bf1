"""Resource directory pages: search (results by HTMX) and, for program admins, CSV import that
shows the dry-run report before anything is written, and forms for one organization or
service at a time."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.coordination import selectors, services
from casework.coordination.forms.directory import (
    ImportForm,
    OrganizationForm,
    SearchForm,
    ServiceForm,
    service_initial,
)
from casework.coordination.selectors import directory as directory_selectors
from casework.coordination.services import directory as directory_services
from casework.coordination.services.directory import ORGANIZATION_FIELDS
from casework.core.errors import PermissionDenied
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, is_htmx, web_errors


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@web_errors
def directory(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    matches: list[selectors.ServiceMatch] = []
    searched = form.is_bound and form.is_valid()
    if searched:
        data = form.cleaned_data
        matches = selectors.resource_search(
            user=_user(request),
            need=data["need"] or None,
            language=data["language"] or None,
            q=data["q"] or None,
            latitude=data["lat"],
            longitude=data["lon"],
            within_km=data["within_km"],
            open_now=data["open_now"],
        )
    elif not form.is_bound:
        matches = selectors.resource_search(user=_user(request))
    context = {
        "form": form,
        "matches": matches,
        "can_curate": services.can_curate(_user(request)),
        "import_form": ImportForm(),
    }
    template = "coordination/_results.html" if is_htmx(request) else "coordination/directory.html"
    return render(
        request, template, context, status=200 if form.is_valid() or not form.is_bound else 422
    )


@login_required
@require_POST
@web_errors
def directory_import(request: HttpRequest) -> HttpResponse:
    """First post: the dry-run report; "Import" posts the same text back for the real run."""
    form = ImportForm(request.POST, request.FILES)
    report = None
    text = ""
    if form.is_valid():
        text = form.csv_text()
    if text:
        dry_run = request.POST.get("action") != "import"
        report = services.resource_import(text=text, acting_user=_user(request), dry_run=dry_run)
    return render(
        request,
        "coordination/import.html",
        {"form": form, "report": report, "text": text},
        status=200 if report is not None else 422,
    )


def _require_curator(request: HttpRequest) -> User:
    user = _user(request)
    if not services.can_curate(user):
        raise PermissionDenied("Only a program admin may change the resource directory.")
    return user


def _entry_page(
    request: HttpRequest, *, title: str, action: str, form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "coordination/resource_form.html",
        {"title": title, "action": action, "form": form},
        status=status,
    )


@login_required
@web_errors
def organization_new(request: HttpRequest) -> HttpResponse:
    user = _require_curator(request)
    action = reverse("coordination:organization_new")
    if request.method != "POST":
        return _entry_page(
            request, title="Add an organization", action=action, form=OrganizationForm()
        )
    form = OrganizationForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            directory_services.resource_organization_create(
                acting_user=user, data=form.service_data()
            )
        if not form.errors:
            return redirect("coordination:directory")
    return _entry_page(
        request, title="Add an organization", action=action, form=form, status=form_status(form)
    )


@login_required
@web_errors
def organization_edit(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    user = _require_curator(request)
    provider = directory_selectors.provider_get(user=user, provider_id=provider_id)
    action = reverse("coordination:organization_edit", args=[provider.pk])
    title = f"Edit {provider.name}"
    if request.method != "POST":
        initial = {name: getattr(provider, name) for name in ORGANIZATION_FIELDS}
        form = OrganizationForm(
            initial={**initial, "is_active": provider.is_active, "version": provider.version},
            editing=True,
        )
        return _entry_page(request, title=title, action=action, form=form)
    form = OrganizationForm(request.POST, editing=True)
    if form.is_valid():
        with form_errors(form):
            directory_services.resource_organization_update(
                acting_user=user,
                provider=provider,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
            )
        if not form.errors:
            return redirect("coordination:directory")
    return _entry_page(request, title=title, action=action, form=form, status=form_status(form))


SERVICE_FIELD_MAP = {"provider_id": "provider"}


@login_required
@web_errors
def service_new(request: HttpRequest) -> HttpResponse:
    user = _require_curator(request)
    providers = directory_selectors.providers_visible_to(user).filter(is_active=True)
    action = reverse("coordination:service_new")
    title = "Add a service"
    if request.method != "POST":
        form = ServiceForm(providers=providers, initial=request.GET.dict())
        return _entry_page(request, title=title, action=action, form=form)
    form = ServiceForm(request.POST, providers=providers)
    if form.is_valid():
        with form_errors(form, field_map=SERVICE_FIELD_MAP):
            directory_services.resource_service_create(
                acting_user=user, provider=form.cleaned_data["provider"], data=form.service_data()
            )
        if not form.errors:
            return redirect("coordination:directory")
    return _entry_page(request, title=title, action=action, form=form, status=form_status(form))


@login_required
@web_errors
def service_edit(request: HttpRequest, service_id: UUID) -> HttpResponse:
    user = _require_curator(request)
    service = selectors.service_get(user=user, service_id=service_id)
    providers = directory_selectors.providers_visible_to(user)
    action = reverse("coordination:service_edit", args=[service.pk])
    title = f"Edit {service.name}"
    if request.method != "POST":
        form = ServiceForm(providers=providers, initial=service_initial(service), editing=True)
        return _entry_page(request, title=title, action=action, form=form)
    form = ServiceForm(request.POST, providers=providers, editing=True)
    if form.is_valid():
        with form_errors(form, field_map=SERVICE_FIELD_MAP):
            directory_services.resource_service_update(
                acting_user=user,
                service=service,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
                provider=form.cleaned_data["provider"],
            )
        if not form.errors:
            return redirect("coordination:directory")
    return _entry_page(request, title=title, action=action, form=form, status=form_status(form))
