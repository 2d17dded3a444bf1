"""Resource directory pages: search (results by HTMX) and, for program admins, CSV import that
shows the dry-run report before anything is written."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.coordination import selectors, services
from casework.coordination.forms.directory import ImportForm, SearchForm
from casework.web.access import login_required
from casework.web.errors import is_htmx, web_errors


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
