"""Client pages: search, register (with duplicate check), chart, edit, refer to a program.

Views parse input with a form, fetch through access-scoped selectors, call one service and
render; every page that shows client data writes an audit event.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.cases import services as case_services
from casework.cases.selectors import case_list
from casework.clients import selectors, services
from casework.clients.forms import (
    FIELD_MAP,
    ClientCreateForm,
    ClientEditForm,
    ClientSearchForm,
    ReferralForm,
)
from casework.clients.models import Client
from casework.clients.services import PossibleDuplicate
from casework.core.codes import COMMON_LANGUAGES
from casework.programs.selectors import programs_visible_to
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, is_htmx, web_errors

SEARCH_LIMIT = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visible_ids(user: User, candidates: list[Any]) -> set[Any]:
    ids = [candidate.client.pk for candidate in candidates]
    if not ids:
        return set()
    visible = selectors.clients_visible_to(user).filter(pk__in=ids)
    return set(visible.values_list("pk", flat=True))


@login_required
@web_errors
def client_search(request: HttpRequest) -> HttpResponse:
    """Live search (HTMX swaps the results as the user types); the results read is audited."""
    user = _user(request)
    form = ClientSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    rows: list[Client] = []
    if not form.is_bound or form.is_valid():
        found = (
            selectors.client_search(user=user, query=query)
            .prefetch_related("identifiers")
            .order_by("search_family", "search_name", "id")
        )
        rows = list(found[: SEARCH_LIMIT + 1])
    more = len(rows) > SEARCH_LIMIT
    rows = rows[:SEARCH_LIMIT]
    audit_read_many(
        actor=user,
        object_type="clients.client",
        ids=[client.pk for client in rows],
        query={"search": query} if query else None,
    )
    context = {
        "form": form,
        "query": query,
        "clients": rows,
        "more": more,
        "limit": SEARCH_LIMIT,
        "can_create": user.role in services.CLIENT_EDITORS,
    }
    template = "clients/_search_results.html" if is_htmx(request) else "clients/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@web_errors
def client_create(request: HttpRequest) -> HttpResponse:
    """Register a client. Likely duplicates are shown first; the user opens one of them or
    confirms this is a different person. Nothing is ever merged automatically."""
    user = _user(request)
    candidates: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        form = ClientCreateForm(request.POST)
        if form.is_valid():
            data = form.client_data()
            identifiers = form.identifiers()
            found = services.client_find_duplicates(
                organization_id=user.organization_id,
                given_name=data["given_name"],
                family_name=data["family_name"],
                birth_date=data["birth_date"],
                identifiers=identifiers,
            )
            visible = _visible_ids(user, found)
            if found and not form.cleaned_data["create_anyway"]:
                candidates = services.describe_candidates(found, visible)
                audit_read_many(
                    actor=user,
                    object_type="clients.client",
                    ids=sorted(visible, key=str),
                    query={"duplicates_of": f"{data['given_name']} {data['family_name']}"},
                )
                status = 409
            else:
                client = None
                with form_errors(form, FIELD_MAP):
                    try:
                        client, _ = services.client_create(
                            acting_user=user,
                            data=data,
                            identifiers=identifiers,
                            visible_ids=visible,
                        )
                    except PossibleDuplicate as exc:
                        # An identifier already in use is never overridden: open that record.
                        candidates = exc.errors
                        form.add_error(
                            "identifier_value", "This identifier belongs to another client."
                        )
                if client is not None:
                    messages.success(request, f"{client.full_name} is registered.")
                    return redirect("web:client_detail", client_id=client.id)
                status = 409 if candidates else form_status(form)
        else:
            status = 422
    else:
        form = ClientCreateForm()
    return render(
        request,
        "clients/create.html",
        {
            "form": form,
            "candidates": candidates,
            "languages": COMMON_LANGUAGES,
            "can_create": user.role in services.CLIENT_EDITORS,
        },
        status=status,
    )


def _referral_programs(user: User) -> Any:
    return programs_visible_to(user).filter(is_active=True, accepting_referrals=True)


def _edit_initial(client: Client) -> dict[str, Any]:
    initial = {name: getattr(client, name) for name in ClientEditForm.DETAIL_FIELDS}
    initial["version"] = client.version
    return initial


def _render_chart(
    request: HttpRequest,
    client: Client,
    *,
    edit_form: ClientEditForm | None = None,
    referral_form: ReferralForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    cases = list(case_list(user=user, client_id=client.id).order_by("-created_at"))
    identifiers = list(client.identifiers.all())
    audit_read(actor=user, obj=client, client_id=client.id)
    context = {
        "client": client,
        "cases": cases,
        "identifiers": identifiers,
        "edit_form": edit_form or ClientEditForm(initial=_edit_initial(client)),
        "edit_open": edit_form is not None,
        "referral_form": referral_form or ReferralForm(programs=_referral_programs(user)),
        "referral_open": referral_form is not None,
        "can_edit": user.role in services.CLIENT_EDITORS,
        "can_refer": user.role in case_services.REFERRERS,
        "languages": COMMON_LANGUAGES,
    }
    return render(request, "clients/detail.html", context, status=status)


@login_required
@web_errors
def client_detail(request: HttpRequest, client_id: UUID) -> HttpResponse:
    client = selectors.client_get(user=request.user, client_id=client_id)
    return _render_chart(request, client)


@login_required
@require_POST
@web_errors
def client_update(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Save the edit form. A stale ``version`` changes nothing and says so."""
    client = selectors.client_get(user=request.user, client_id=client_id)
    form = ClientEditForm(request.POST)
    if form.is_valid():
        with form_errors(form, FIELD_MAP):
            services.client_update(
                acting_user=_user(request),
                client=client,
                expected_version=form.cleaned_data["version"],
                changes=form.client_data(),
            )
        if not form.errors:
            messages.success(request, "The client's details are saved.")
            return redirect("web:client_detail", client_id=client.id)
    return _render_chart(request, client, edit_form=form, status=form_status(form))


@login_required
@require_POST
@web_errors
def client_refer(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Refer the client to a program: opens a case in ``referred``."""
    user = _user(request)
    client = selectors.client_get(user=user, client_id=client_id)
    form = ReferralForm(request.POST, programs=_referral_programs(user))
    if form.is_valid():
        program = form.cleaned_data["program"]
        # No priority chosen: the service's default applies.
        priority = form.cleaned_data["priority"]
        options = {"priority": priority} if priority is not None else {}
        with form_errors(form, {"program_id": "program"}):
            case = case_services.case_create(
                acting_user=user,
                client=client,
                program=program,
                referral_source=form.cleaned_data["referral_source"],
                referral_reason=form.cleaned_data["referral_reason"],
                **options,
            )
        if not form.errors:
            messages.success(request, f"{client.full_name} is referred to {program.name}.")
            return redirect("web:case_detail", case_id=case.id)
    return _render_chart(request, client, referral_form=form, status=form_status(form))
