"""Coverage pages: the client's plans and authorizations with their usage, and the forms to add
and change them. The client chart loads the same section by HTMX."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.clients.models import Client
from casework.clients.selectors import client_get
from casework.coverage import services
from casework.coverage.codes import SERVICE_CODES
from casework.coverage.forms import (
    AuthorizationForm,
    AuthorizationStatusForm,
    CoverageEndForm,
    CoverageForm,
    ReasonForm,
)
from casework.coverage.models import Authorization, Coverage
from casework.coverage.selectors import (
    authorization_get,
    authorizations_for_client,
    cases_of_client,
    coverage_get,
    coverages_for_client,
    usage_of,
)
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, is_htmx, web_errors

AUTH_FIELD_MAP = {"case_id": "case"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _section_context(user: User, client: Client) -> dict[str, Any]:
    coverages = list(coverages_for_client(client=client))
    authorizations = list(authorizations_for_client(client=client).order_by("-period_start", "id"))
    audit_read_many(actor=user, object_type="coverage.coverage", ids=[c.pk for c in coverages])
    audit_read_many(
        actor=user, object_type="coverage.authorization", ids=[a.pk for a in authorizations]
    )
    by_coverage: dict[Any, list[dict[str, Any]]] = {}
    for authorization in authorizations:
        usage = usage_of(authorization)
        by_coverage.setdefault(authorization.coverage_id, []).append(
            {
                "authorization": authorization,
                "usage": usage,
                "taken": usage.used + usage.committed_by_referrals,
            }
        )
    return {
        "client": client,
        "plans": [{"coverage": c, "authorizations": by_coverage.get(c.pk, [])} for c in coverages],
        "can_record": services.can_record_coverage(user),
    }


@login_required
@web_errors
def client_coverage(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The Coverage page; an HTMX request (the client chart) gets the section alone."""
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    context = _section_context(user, client)
    template = "coverage/_section.html" if is_htmx(request) else "coverage/client.html"
    return render(request, template, context)


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"service_codes": SERVICE_CODES.values(), **context}
    return render(request, template, context, status=status)


@login_required
@web_errors
def coverage_new(request: HttpRequest, client_id: UUID) -> HttpResponse:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    status = 200
    if request.method == "POST":
        form = CoverageForm(request.POST)
        if form.is_valid():
            with form_errors(form):
                services.coverage_add(acting_user=user, client=client, data=form.service_data())
            if not form.errors:
                return redirect("coverage:client_coverage", client_id=client.pk)
        status = form_status(form)
    else:
        form = CoverageForm()
    return _form_page(
        request, "coverage/coverage_form.html", {"client": client, "form": form}, status
    )


def _coverage_edit_context(coverage: Coverage, **forms: Any) -> dict[str, Any]:
    version = {"version": coverage.version}
    return {
        "client": coverage.client,
        "coverage": coverage,
        "form": forms.get("form") or _coverage_form(coverage),
        "end_form": forms.get("end_form") or CoverageEndForm(initial=version),
        "error_form": forms.get("error_form") or ReasonForm(initial=version),
    }


def _coverage_form(coverage: Coverage) -> CoverageForm:
    initial = {name: getattr(coverage, name) for name in services.COVERAGE_FIELDS}
    return CoverageForm(initial={**initial, "version": coverage.version})


@login_required
@web_errors
def coverage_edit(request: HttpRequest, coverage_id: UUID) -> HttpResponse:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    audit_read(actor=user, obj=coverage, client_id=coverage.client_id)
    if request.method != "POST":
        return _form_page(request, "coverage/coverage_edit.html", _coverage_edit_context(coverage))
    form = CoverageForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.coverage_update(
                acting_user=user,
                coverage=coverage,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
            )
        if not form.errors:
            return redirect("coverage:client_coverage", client_id=coverage.client_id)
    return _form_page(
        request,
        "coverage/coverage_edit.html",
        _coverage_edit_context(coverage, form=form),
        form_status(form),
    )


@login_required
@require_POST
@web_errors
def coverage_end(request: HttpRequest, coverage_id: UUID) -> HttpResponse:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    form = CoverageEndForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.coverage_end(
                acting_user=user,
                coverage=coverage,
                expected_version=form.cleaned_data["version"],
                period_end=form.cleaned_data["period_end"],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            return redirect("coverage:client_coverage", client_id=coverage.client_id)
    return _form_page(
        request,
        "coverage/coverage_edit.html",
        _coverage_edit_context(coverage, end_form=form),
        form_status(form),
    )


@login_required
@require_POST
@web_errors
def coverage_entered_in_error(request: HttpRequest, coverage_id: UUID) -> HttpResponse:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.coverage_entered_in_error(
                acting_user=user,
                coverage=coverage,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            return redirect("coverage:client_coverage", client_id=coverage.client_id)
    return _form_page(
        request,
        "coverage/coverage_edit.html",
        _coverage_edit_context(coverage, error_form=form),
        form_status(form),
    )


@login_required
@web_errors
def authorization_new(request: HttpRequest, coverage_id: UUID) -> HttpResponse:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    cases = cases_of_client(user=user, client=coverage.client)
    status = 200
    if request.method == "POST":
        form = AuthorizationForm(request.POST, cases=cases)
        if form.is_valid():
            data = {**form.service_data(), "status": form.cleaned_data["status"]}
            with form_errors(form, field_map=AUTH_FIELD_MAP):
                services.authorization_add(acting_user=user, coverage=coverage, data=data)
            if not form.errors:
                return redirect("coverage:client_coverage", client_id=coverage.client_id)
        status = form_status(form)
    else:
        form = AuthorizationForm(
            cases=cases,
            initial={"period_start": coverage.period_start, "period_end": coverage.period_end},
        )
    context = {"client": coverage.client, "coverage": coverage, "form": form}
    return _form_page(request, "coverage/authorization_form.html", context, status)


def _authorization_edit_context(authorization: Authorization, **forms: Any) -> dict[str, Any]:
    form = forms.get("form")
    if form is None:
        initial = {name: getattr(authorization, name) for name in services.AUTHORIZATION_FIELDS}
        initial["case"] = authorization.case_id
        form = AuthorizationForm(
            cases=forms["cases"],
            editing=True,
            initial={**initial, "version": authorization.version},
        )
    return {
        "client": authorization.client,
        "coverage": authorization.coverage,
        "authorization": authorization,
        "usage": usage_of(authorization),
        "form": form,
        "status_form": forms.get("status_form")
        or AuthorizationStatusForm(initial={"version": authorization.version}),
    }


@login_required
@web_errors
def authorization_edit(request: HttpRequest, authorization_id: UUID) -> HttpResponse:
    user = _user(request)
    authorization = authorization_get(user=user, authorization_id=authorization_id)
    audit_read(actor=user, obj=authorization, client_id=authorization.client_id)
    cases = cases_of_client(user=user, client=authorization.client)
    template = "coverage/authorization_edit.html"
    if request.method != "POST":
        return _form_page(
            request, template, _authorization_edit_context(authorization, cases=cases)
        )
    form = AuthorizationForm(request.POST, cases=cases, editing=True)
    if form.is_valid():
        with form_errors(form, field_map=AUTH_FIELD_MAP):
            services.authorization_update(
                acting_user=user,
                authorization=authorization,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
            )
        if not form.errors:
            return redirect("coverage:client_coverage", client_id=authorization.client_id)
    context = _authorization_edit_context(authorization, cases=cases, form=form)
    return _form_page(request, template, context, form_status(form))


@login_required
@require_POST
@web_errors
def authorization_status(request: HttpRequest, authorization_id: UUID) -> HttpResponse:
    user = _user(request)
    authorization = authorization_get(user=user, authorization_id=authorization_id)
    form = AuthorizationStatusForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.authorization_set_status(
                acting_user=user,
                authorization=authorization,
                expected_version=form.cleaned_data["version"],
                to_status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            return redirect("coverage:client_coverage", client_id=authorization.client_id)
    cases = cases_of_client(user=user, client=authorization.client)
    context = _authorization_edit_context(authorization, cases=cases, status_form=form)
    return _form_page(request, "coverage/authorization_edit.html", context, form_status(form))
