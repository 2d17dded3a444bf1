"""Case pages: the case with its lifecycle actions, history and assignment panel.

Views parse input with a form, fetch through access-scoped selectors, call one service and
render; the page read is audited.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.accounts.models import Role, User
from casework.accounts.selectors import can_manage_assignments
from casework.audit.services import audit_read, audit_read_many
from casework.cases import lifecycle, services
from casework.cases.codes import CLOSURE_REASON_NAMES, CLOSURE_REASONS, PRE_ENROLLMENT_CLOSURE
from casework.cases.forms import (
    AssignForm,
    CareTeamEndForm,
    CareTeamMemberForm,
    ScreeningForm,
    TransitionForm,
)
from casework.cases.models import FINISHED, PRE_ENROLLMENT, CareTeamMemberKind, Case, Status
from casework.cases.selectors import (
    care_team_for_case,
    care_team_member_get,
    care_team_staff_candidates,
    case_get,
    case_history,
)
from casework.core.errors import ApplicationError, NotFound, PermissionDenied
from casework.web.access import login_required
from casework.web.errors import (
    error_messages,
    form_errors,
    form_status,
    is_htmx,
    status_for,
    web_errors,
)

DEFAULT_LABELS: dict[str, str] = {
    Status.CLOSED: "Close the case",
    Status.ENTERED_IN_ERROR: "Mark as entered in error",
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _moves(user: User, case: Case, posted: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The action buttons: each allowed move with the fields it needs."""
    moves = []
    for to_status in services.case_moves_for(acting_user=user, case=case):
        key = (case.status, to_status)
        closing = to_status == Status.CLOSED
        pre_enrollment = case.status in PRE_ENROLLMENT
        reasons = [
            c for c in CLOSURE_REASONS if not pre_enrollment or c.code in PRE_ENROLLMENT_CLOSURE
        ]
        was_posted = posted is not None and posted.get("to") == to_status
        moves.append(
            {
                "to": to_status,
                "to_label": Status(to_status).label,
                "label": lifecycle.ACTION_LABELS.get(key)
                or DEFAULT_LABELS.get(to_status)
                or f"Move to {Status(to_status).label}",
                "needs_reason": key in lifecycle.REASON_REQUIRED,
                "closing": closing,
                "needs_summary": closing and not pre_enrollment,
                "closure_reasons": reasons if closing else [],
                # Destructive or detailed moves sit behind a disclosure; plain moves are buttons.
                "detailed": closing or to_status == Status.ENTERED_IN_ERROR,
                "posted": posted if was_posted else {},
            }
        )
    return moves


def _history(case: Case) -> list[dict[str, Any]]:
    changes = list(case_history(case))
    now = timezone.now()
    rows = []
    for index, change in enumerate(changes):
        ended = changes[index + 1].changed_at if index + 1 < len(changes) else None
        rows.append(
            {
                "change": change,
                "days": ((ended or now) - change.changed_at).total_seconds() / 86400,
                "current": ended is None,
                "closure_reason": CLOSURE_REASON_NAMES.get(change.closure_reason, ""),
            }
        )
    return rows


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    refused: dict[str, Any] | None = None,
    posted: dict[str, Any] | None = None,
    assign_form: AssignForm | None = None,
    screening_form: ScreeningForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    is_open = case.status not in FINISHED
    assigning = is_open and can_manage_assignments(user)
    suggestions: list[Any] = []
    if assigning:
        suggestions = services.caseload_suggestions(case=case)
        if assign_form is None:
            initial: dict[str, Any] = {"version": case.version}
            if suggestions and not case.case_manager_id:
                initial["case_manager"] = suggestions[0].user.pk
            assign_form = AssignForm(initial=initial, case_managers=_case_managers(case))
    history = _history(case)
    screening = case.status in PRE_ENROLLMENT and user.role in services.SCREENERS
    if screening and screening_form is None:
        lines = [f"{f['code']} {f.get('display', '')}".strip() for f in case.screening_findings]
        screening_form = ScreeningForm(
            initial={"findings": "\n".join(lines), "version": case.version}
        )
    audit_read(actor=user, obj=case, client_id=case.client_id)
    context = {
        "case": case,
        "client": case.client,
        "moves": _moves(user, case, posted),
        "refused": refused,
        "history": history,
        "assigning": assigning,
        "suggestions": suggestions,
        "assign_form": assign_form,
        "screening_form": screening_form if screening else None,
        "required_conditions": case.program.required_conditions or [],
        "assign_open": status != 200 and assign_form is not None and assign_form.is_bound,
        "can_override": user.role in {Role.SUPERVISOR, Role.PROGRAM_ADMIN},
        "closure_reason": CLOSURE_REASON_NAMES.get(case.closure_reason, case.closure_reason),
    }
    return render(request, "cases/detail.html", context, status=status)


def _case_managers(case: Case) -> Any:
    return services.eligible_case_managers(
        case.program, roles={Role.CASE_MANAGER, Role.SUPERVISOR}
    ).order_by("last_name", "first_name", "username")


def _field_label(form: TransitionForm, name: str) -> str:
    field = form.fields.get(name)
    return f"{field.label or name}: " if field is not None else ""


def _after_change(request: HttpRequest, case: Case) -> HttpResponse:
    """Back to the case, unless the change took it out of the user's view."""
    try:
        case_get(user=request.user, case_id=case.id)
    except NotFound:
        return redirect("web:caseload")
    return redirect("web:case_detail", case_id=case.id)


@login_required
@web_errors
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    return _render_case(request, case)


@login_required
@require_POST
@web_errors
def case_transition(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Move the case one step; a refusal re-renders the page naming each failed guard."""
    case = case_get(user=request.user, case_id=case_id)
    form = TransitionForm(request.POST)
    posted = {key: request.POST.get(key, "") for key in form.fields}
    target = posted.get("to", "")
    label = Status(target).label if target in Status.values else target
    if not form.is_valid():
        lines = [
            f"{_field_label(form, name)}{' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        ]
        refused = {"to_label": label, "lines": lines}
        return _render_case(request, case, refused=refused, posted=posted, status=422)
    data = form.cleaned_data
    try:
        case = services.case_transition(
            acting_user=_user(request),
            case=case,
            to_status=data["to"],
            reason=data["reason"],
            closure_reason=data["closure_reason"],
            discharge_summary=data["discharge_summary"],
            expected_version=data["version"],
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        refused = {"to_label": label, "lines": error_messages(exc)}
        fresh = case_get(user=request.user, case_id=case_id)
        return _render_case(request, fresh, refused=refused, posted=posted, status=status_for(exc))
    messages.success(request, f"The case is now in {case.get_status_display()}.")
    return _after_change(request, case)


@login_required
@require_POST
@web_errors
def case_assign(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Assign or reassign the case (supervisors, program admins, intake)."""
    case = case_get(user=request.user, case_id=case_id)
    form = AssignForm(request.POST, case_managers=_case_managers(case))
    if form.is_valid():
        chosen = form.cleaned_data["case_manager"]
        with form_errors(form, {"case_manager_id": "case_manager"}):
            case = services.case_assign(
                acting_user=_user(request),
                case=case,
                case_manager=chosen,
                reason=form.cleaned_data["reason"],
                override_capacity=form.cleaned_data["override_capacity"],
                expected_version=form.cleaned_data["version"],
            )
        if not form.errors:
            messages.success(request, f"The case is assigned to {chosen.display_name}.")
            return _after_change(request, case)
        case = case_get(user=request.user, case_id=case_id)
    return _render_case(request, case, assign_form=form, status=form_status(form))


@login_required
@require_POST
@web_errors
def case_screening(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Record the coded findings confirmed at screening (they decide program eligibility)."""
    case = case_get(user=request.user, case_id=case_id)
    form = ScreeningForm(request.POST)
    if form.is_valid():
        with form_errors(form, {"findings": "findings"}):
            case = services.case_record_screening(
                acting_user=_user(request),
                case=case,
                findings=form.cleaned_data["findings"],
                expected_version=form.cleaned_data["version"],
            )
        if not form.errors:
            messages.success(request, "Screening findings saved.")
            return _after_change(request, case)
        case = case_get(user=request.user, case_id=case_id)
    return _render_case(request, case, screening_form=form, status=form_status(form))


# ----------------------------------------------------------------------------------------------
# Care team (a page of its own, loaded into the case page with HTMX)


CARE_TEAM_FORM_FIELDS = [
    "name",
    "role",
    "role_code",
    "organization_name",
    "phone",
    "email",
    "address",
    "preferred_contact",
    "is_emergency_contact",
    "start_date",
    "end_date",
    "note",
]


def _care_team_render(
    request: HttpRequest,
    case: Case,
    *,
    form: CareTeamMemberForm | None = None,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    user = _user(request)
    can_edit = user.role in services.CASE_WORKERS
    members = list(care_team_for_case(case=case))
    audit_read_many(actor=user, object_type="cases.careteammember", ids=[m.pk for m in members])
    if can_edit and form is None:
        kind = request.GET.get("kind", CareTeamMemberKind.STAFF)
        form = CareTeamMemberForm(staff=care_team_staff_candidates(case=case), kind=kind)
    context = {
        "case": case,
        "members": members,
        "can_edit": can_edit,
        "form": form if can_edit else None,
        "add_open": form is not None and (form.is_bound or "kind" in request.GET),
        "notice": notice,
    }
    template = "cases/_care_team.html" if is_htmx(request) else "cases/care_team.html"
    # HTMX swaps only 2xx answers: a refused add comes back as 200 with the errors marked.
    return render(request, template, context, status=200 if is_htmx(request) else status)


@login_required
@web_errors
def case_care_team(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The care team: the case manager, then staff, providers, family and caregivers."""
    case = case_get(user=request.user, case_id=case_id)
    return _care_team_render(request, case)


@login_required
@web_errors
def care_team_add(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Add a member; a GET re-renders the form for another kind (HTMX, or without JS)."""
    case = case_get(user=request.user, case_id=case_id)
    _check_care_team_editor(request)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", CareTeamMemberKind.STAFF)
    staff = care_team_staff_candidates(case=case)
    if request.method != "POST":
        form = CareTeamMemberForm(initial=request.GET.dict(), staff=staff, kind=kind)
        return _care_team_render(request, case, form=form)
    form = CareTeamMemberForm(request.POST, staff=staff, kind=kind)
    if form.is_valid():
        with form_errors(form, {"user_id": "user"}):
            member = services.care_team_member_add(
                acting_user=_user(request), case=case, data=form.service_data()
            )
        if not form.errors:
            notice = f"{member.display_name} is on the care team."
            if is_htmx(request):
                return _care_team_render(request, case, notice=notice)
            messages.success(request, notice)
            return redirect("web:case_care_team", case_id=case.pk)
    return _care_team_render(request, case, form=form, status=form_status(form))


@login_required
@web_errors
def care_team_edit(request: HttpRequest, member_id: UUID) -> HttpResponse:
    """Change a member's role and contact details (with the version read), or end them."""
    member = care_team_member_get(user=request.user, member_id=member_id)
    case = member.case
    _check_care_team_editor(request)
    if request.method == "POST":
        form = CareTeamMemberForm(request.POST, kind=member.kind, editing=True)
        if form.is_valid():
            with form_errors(form):
                services.care_team_member_update(
                    acting_user=_user(request),
                    member=member,
                    expected_version=form.cleaned_data.get("version") or 0,
                    data=form.service_data(),
                )
            if not form.errors:
                messages.success(request, f"{member.display_name} updated.")
                return redirect("web:case_care_team", case_id=case.pk)
        status = form_status(form)
    else:
        initial = {name: getattr(member, name) for name in CARE_TEAM_FORM_FIELDS}
        form = CareTeamMemberForm(
            initial={**initial, "version": member.version}, kind=member.kind, editing=True
        )
        status = 200
    audit_read(actor=_user(request), obj=member, client_id=case.client_id)
    end_form = CareTeamEndForm(initial={"version": member.version})
    context = {"case": case, "member": member, "form": form, "end_form": end_form}
    return render(request, "cases/care_team_edit.html", context, status=status)


@login_required
@require_POST
@web_errors
def care_team_end(request: HttpRequest, member_id: UUID) -> HttpResponse:
    """End a membership; a staff member ending their own may lose sight of the case."""
    member = care_team_member_get(user=request.user, member_id=member_id)
    case = member.case
    form = CareTeamEndForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.care_team_member_end(
                acting_user=_user(request),
                member=member,
                expected_version=form.cleaned_data["version"],
                end_date=form.cleaned_data.get("end_date"),
                reason=form.cleaned_data.get("reason") or "",
            )
        if not form.errors:
            messages.success(request, f"{member.display_name} is off the care team.")
            return _after_care_team_change(request, case)
    for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
        messages.error(request, str(error))
    return redirect("web:care_team_edit", member_id=member.pk)


def _check_care_team_editor(request: HttpRequest) -> None:
    if _user(request).role not in services.CASE_WORKERS:
        raise PermissionDenied("Your role may not change a care team.")


def _after_care_team_change(request: HttpRequest, case: Case) -> HttpResponse:
    try:
        case_get(user=request.user, case_id=case.id)
    except NotFound:
        return redirect("web:caseload")
    return redirect("web:case_care_team", case_id=case.id)
