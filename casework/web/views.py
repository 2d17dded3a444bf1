"""Shared pages: my caseload and the supervisor's team view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.accounts.selectors import staff_supervised_by, teams_supervised_by
from casework.audit.services import audit_read_many
from casework.cases.selectors import (
    case_list,
    caseload_of,
    caseload_summary,
    team_load,
    team_unassigned_cases,
    waitlist_for_program,
)
from casework.cases.services import cases_reassign_bulk
from casework.core.errors import TransitionRefused
from casework.monitoring.selectors.work_items import (
    case_work_count_annotations,
    work_counts_by_person,
)
from casework.programs.selectors import programs_visible_to
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, humanize, is_htmx, web_errors
from casework.web.forms import BulkReassignForm, CaseloadFilterForm

WAITLIST_PREVIEW = 10


@dataclass
class MemberWork:
    """A member's load (``MemberLoad``) with their open and overdue work item counts."""

    load: Any
    open: int
    overdue: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.load, name)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@web_errors
def caseload(request: HttpRequest) -> HttpResponse:
    """The user's open cases, filtered by program and stage; HTMX refreshes only the table."""
    user = _user(request)
    form = CaseloadFilterForm(request.GET or None, programs=programs_visible_to(user))
    program = status = None
    if form.is_valid():
        program = form.cleaned_data["program"]
        status = form.cleaned_data["stage"] or None
    cases = list(
        caseload_of(user=user, program_id=program.pk if program else None, status=status).annotate(
            **case_work_count_annotations()
        )
    )
    audit_read_many(actor=user, object_type="cases.case", ids=[case.pk for case in cases])
    context = {
        "form": form,
        "cases": cases,
        "summary": caseload_summary(user),
        "filtered": bool(program or status),
    }
    template = "web/_caseload_table.html" if is_htmx(request) else "web/caseload.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _team_panels(user: User) -> tuple[list[dict[str, Any]], list[Any]]:
    panels = []
    shown: list[Any] = []
    for team in teams_supervised_by(user).prefetch_related("programs"):
        unassigned = list(team_unassigned_cases(user=user, team=team))
        waitlists = []
        for program in team.programs.all():
            if not program.is_active:
                continue
            waiting = waitlist_for_program(user=user, program_id=program.pk)
            first = list(waiting[:WAITLIST_PREVIEW])
            total = len(first) if len(first) < WAITLIST_PREVIEW else waiting.count()
            waitlists.append({"program": program, "cases": first, "total": total})
            shown += [case.pk for case in first]
        shown += [case.pk for case in unassigned]
        panels.append(
            {
                "team": team,
                "members": team_load(user=user, team=team),
                "unassigned": unassigned,
                "waitlists": waitlists,
            }
        )
    return panels, shown


def _render_team(
    request: HttpRequest,
    *,
    reassign_form: BulkReassignForm | None = None,
    unplaced: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    panels, shown = _team_panels(user)
    audit_read_many(actor=user, object_type="cases.case", ids=shown)
    # Open and overdue work items per member: one query for every team on the page.
    work = work_counts_by_person(
        user_ids=list({m.user.pk for panel in panels for m in panel["members"]})
    )
    for panel in panels:
        panel["members"] = [MemberWork(m, *work.get(m.user.pk, (0, 0))) for m in panel["members"]]
    context = {
        "panels": panels,
        "reassign_form": reassign_form or BulkReassignForm(staff=staff_supervised_by(user)),
        "unplaced": unplaced or [],
    }
    return render(request, "web/team.html", context, status=status)


@login_required
@web_errors
def team(request: HttpRequest) -> HttpResponse:
    """For each team the user supervises: members' load, unassigned cases and waitlists."""
    return _render_team(request)


@login_required
@require_POST
@web_errors
def team_reassign(request: HttpRequest) -> HttpResponse:
    """Reassign a leaving case manager's whole open caseload, all or nothing."""
    user = _user(request)
    form = BulkReassignForm(request.POST, staff=staff_supervised_by(user))
    unplaced: list[dict[str, Any]] = []
    if form.is_valid():
        leaving = form.cleaned_data["from_case_manager"]
        cases = list(
            case_list(user=user, case_manager_id=leaving.pk, open_only=True).order_by(
                "priority", "created_at", "id"
            )
        )
        if not cases:
            form.add_error(
                "from_case_manager", f"{leaving.display_name} has no open cases you can reassign."
            )
        else:
            result = None
            with form_errors(form):
                try:
                    result = cases_reassign_bulk(
                        acting_user=user,
                        cases=cases,
                        reason=form.cleaned_data["reason"],
                        to_case_manager=form.cleaned_data["to_case_manager"],
                        override_capacity=form.cleaned_data["override_capacity"],
                    )
                except TransitionRefused as exc:
                    by_id = {str(case.pk): case for case in cases}
                    unplaced = [
                        {
                            "case": by_id.get(str(item.get("case_id"))),
                            "message": humanize(item["message"]),
                        }
                        for item in exc.errors
                    ]
                    raise
            if result is not None:
                moved = len(result.moved)
                messages.success(
                    request,
                    f"{moved} case{'s' if moved != 1 else ''} moved from {leaving.display_name}.",
                )
                return redirect("web:team")
    return _render_team(request, reassign_form=form, unplaced=unplaced, status=form_status(form))
