"""Risk pages: the population risk list and one client's risk, with the supervisor's decision
and the "enroll" action (identification from data).

Views parse input with a form, fetch through the access-scoped selectors in
``casework.risk.selectors``, call one service and render; every page read is audited.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_read_many, audit_record
from casework.cases.selectors import cases_visible_to
from casework.cases.services import REFERRERS
from casework.core.pagination import paginate
from casework.programs.models import Program
from casework.programs.selectors import programs_visible_to
from casework.risk import services
from casework.risk.forms import DecisionForm, EnrollForm, RiskFilterForm
from casework.risk.models import RiskAssessment
from casework.risk.selectors import (
    LIST_ORDERING,
    programs_for_enrollment,
    risk_assessment_get,
    risk_client_get,
    risk_history,
    risk_list,
)
from casework.web.errors import back_url, form_errors, form_status, is_htmx, web_errors

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _row(
    assessment: RiskAssessment,
    *,
    user: User,
    programs: list[Program],
    decision_form: DecisionForm | None = None,
    enroll_form: EnrollForm | None = None,
) -> dict[str, Any]:
    """What one row (or the detail page) shows, with the forms the user may use."""
    target = services.decided_or_recommended(assessment)
    default = next((p for p in programs if target and p.model.kind == target), None)
    return {
        "assessment": assessment,
        "client": assessment.client,
        "open_cases": getattr(assessment.client, "open_cases_shown", []),
        "unassigned": not getattr(assessment, "has_case_manager", True),
        "can_decide": user.role in services.DECIDERS and assessment.is_current,
        "can_enroll": user.role in REFERRERS and bool(programs),
        "decision_form": decision_form
        or DecisionForm(
            initial={"decision": "accept", "model_kind": assessment.decided_model or ""},
            auto_id=f"id_d{assessment.pk}_%s",
        ),
        "enroll_form": enroll_form
        or EnrollForm(
            programs=programs,
            initial={"program": str(default.pk) if default else None},
            auto_id=f"id_e{assessment.pk}_%s",
        ),
        "default_program": default,
    }


@login_required
@web_errors
def risk_population(request: HttpRequest) -> HttpResponse:
    """The population risk list: highest tier first, filtered by tier, program and unassigned."""
    user = _user(request)
    form = RiskFilterForm(request.GET or None, programs=programs_visible_to(user))
    tier = program = None
    unassigned = False
    if form.is_valid():
        tier = form.cleaned_data["tier"] or None
        program = form.cleaned_data["program"]
        unassigned = form.cleaned_data["unassigned"]
    queryset = risk_list(
        user=user,
        tier=[tier] if tier else None,
        program_id=program.pk if program else None,
        unassigned=unassigned,
    )
    page = paginate(
        queryset, ordering=LIST_ORDERING, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    audit_read_many(actor=user, object_type="risk.riskassessment", ids=[a.pk for a in page.items])
    programs = list(programs_for_enrollment(user))
    params = request.GET.copy()
    params.pop("cursor", None)
    if page.next:
        params["cursor"] = page.next
    context = {
        "form": form,
        "rows": [_row(a, user=user, programs=programs) for a in page.items],
        "next_url": f"?{params.urlencode()}" if page.next else "",
        "filtered": bool(tier or program or unassigned),
        "identifier": user.role in {"supervisor", "program_admin"},
    }
    template = "risk/_table.html" if is_htmx(request) else "risk/population.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _render_client(
    request: HttpRequest,
    client_id: UUID,
    *,
    decision_form: DecisionForm | None = None,
    enroll_form: EnrollForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    client = risk_client_get(user=user, client_id=client_id)
    history = risk_history(user=user, client=client)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="risk.riskassessment",
        client_id=client.pk,
        detail={"ids": [str(a.pk) for a in history]},
    )
    current = next((a for a in history if a.is_current), None)
    programs = list(programs_for_enrollment(user))
    context = {
        "client": client,
        "client_visible": cases_visible_to(user).filter(client=client).exists(),
        "row": (
            _row(
                current,
                user=user,
                programs=programs,
                decision_form=decision_form,
                enroll_form=enroll_form,
            )
            if current
            else None
        ),
        "history": history,
        # What refused a posted form, shown at the top even where the form itself is not shown.
        "problems": [
            str(error)
            for form in (decision_form, enroll_form)
            if form is not None
            for error in form.non_field_errors()
        ],
    }
    return render(request, "risk/client.html", context, status=status)


@login_required
@web_errors
def risk_client(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """One client's current assessment with its reasons, and its history."""
    return _render_client(request, client_id)


@login_required
@require_POST
@web_errors
def risk_decision(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = _user(request)
    assessment = risk_assessment_get(user=user, assessment_id=assessment_id)
    form = DecisionForm(request.POST, auto_id=f"id_d{assessment.pk}_%s")
    if form.is_valid():
        with form_errors(form):
            services.risk_decide(
                acting_user=user,
                assessment=assessment,
                decision=form.cleaned_data["decision"],
                model_kind=form.cleaned_data["model_kind"] or None,
                reason=form.cleaned_data["reason"],
            )
    if form.errors:
        return _render_client(
            request, assessment.client_id, decision_form=form, status=form_status(form)
        )
    verb = "accepted" if form.cleaned_data["decision"] == "accept" else "overridden"
    messages.success(request, f"Recommendation for {assessment.client.full_name} {verb}.")
    return redirect(back_url(request, reverse("risk:population")))


@login_required
@require_POST
@web_errors
def risk_enroll(request: HttpRequest, client_id: UUID) -> HttpResponse:
    user = _user(request)
    client = risk_client_get(user=user, client_id=client_id)
    form = EnrollForm(request.POST, programs=list(programs_for_enrollment(user)))
    case = None
    if form.is_valid():
        with form_errors(form, field_map={"program_id": "program"}):
            case = services.risk_enroll(
                acting_user=user, client=client, program=form.cleaned_data["program"]
            )
    if case is None:
        return _render_client(request, client.pk, enroll_form=form, status=form_status(form))
    messages.success(
        request, f"{client.full_name} was referred to {case.program.name} (status: referred)."
    )
    if cases_visible_to(user).filter(pk=case.pk).exists():
        return redirect("web:case_detail", case_id=case.pk)
    return redirect(back_url(request, reverse("risk:population")))
