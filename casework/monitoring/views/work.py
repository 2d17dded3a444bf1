"""My work and Team work: the queue, its filters, the actions on one item in place (HTMX, with
the version read) and a task made by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.accounts.selectors import teams_supervised_by
from casework.audit.services import audit_read_many
from casework.cases.selectors import case_get
from casework.monitoring import services
from casework.monitoring.forms.work import (
    CancelForm,
    CompleteForm,
    ReassignForm,
    SnoozeForm,
    VersionForm,
    WorkFilterForm,
    WorkItemNewForm,
)
from casework.monitoring.models import WorkItem, WorkItemStatus
from casework.monitoring.selectors.work_items import (
    WorkFilters,
    escalations_to,
    handoff_candidates,
    kind_label,
    my_work,
    task_assignees,
    team_work,
    team_work_people,
    work_item_get,
    work_item_source_url,
)
from casework.web.access import login_required
from casework.web.errors import back_url, error_messages, form_errors, is_htmx, web_errors

PAGE_SIZE = 200


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _row(item: WorkItem, *, now: datetime, **extra: Any) -> dict[str, Any]:
    snoozed = bool(item.snoozed_until and item.snoozed_until > now)
    return {
        "item": item,
        "kind_label": kind_label(item.kind),
        "source_url": work_item_source_url(item),
        "overdue": bool(item.status == WorkItemStatus.OPEN and item.due_at and item.due_at < now)
        and not snoozed,
        "snoozed": snoozed,
        "is_open": item.status == WorkItemStatus.OPEN,
        **extra,
    }


def _filters(request: HttpRequest) -> tuple[WorkFilterForm, WorkFilters]:
    form = WorkFilterForm(request.GET or None)
    filters = WorkFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = WorkFilters(
            kind=data["kind"] or "",
            priority=data["priority"] or "",
            overdue=bool(data["overdue"]),
            due_today=bool(data["due_today"]),
            escalated=bool(data["escalated"]),
            snoozed=bool(data["snoozed"]),
            case_id=data["case"],
        )
    return form, filters


def _context(user: User, view: str) -> dict[str, Any]:
    return {
        "candidates": list(handoff_candidates(user=user, team_view=view == "team")),
        "snooze_default": SnoozeForm.default_until(),
        "view": view,
    }


@login_required
@web_errors
def my_work_page(request: HttpRequest) -> HttpResponse:
    """The user's open items, overdue first; HTMX refreshes only the list."""
    user = _user(request)
    now = timezone.now()
    form, filters = _filters(request)
    items = list(my_work(user=user, filters=filters, now=now).select_related("client")[:PAGE_SIZE])
    audit_read_many(actor=user, object_type="monitoring.workitem", ids=[i.pk for i in items])
    context = {
        **_context(user, "mine"),
        "form": form,
        "rows": [_row(item, now=now) for item in items],
        "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        "truncated": len(items) == PAGE_SIZE,
    }
    template = "monitoring/_work_list.html" if is_htmx(request) else "monitoring/work.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@web_errors
def team_work_page(request: HttpRequest) -> HttpResponse:
    """For supervisors: the items escalated to them, each team member's open and overdue
    counts, and the members' open items."""
    user = _user(request)
    if not teams_supervised_by(user).exists():
        raise Http404("No team.")
    now = timezone.now()
    form, filters = _filters(request)
    items = list(team_work(user=user, filters=filters, now=now)[:PAGE_SIZE])
    escalations = list(escalations_to(user=user, now=now).select_related("client")[:PAGE_SIZE])
    audit_read_many(
        actor=user,
        object_type="monitoring.workitem",
        ids=[i.pk for i in escalations + items],
    )
    context = {
        **_context(user, "team"),
        "form": form,
        "rows": [_row(item, now=now) for item in items],
        "escalations": [_row(item, now=now) for item in escalations],
        "now": now,
        "people": team_work_people(user=user, now=now),
        "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        "truncated": len(items) == PAGE_SIZE,
    }
    template = "monitoring/_work_list.html" if is_htmx(request) else "monitoring/team_work.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ----------------------------------------------------------------------------------------------
# Actions on one item


def _act(
    request: HttpRequest,
    work_item_id: UUID,
    form_class: type[forms.Form],
    run: Callable[[User, WorkItem, forms.Form], tuple[WorkItem, str]],
    *,
    form_kwargs: Callable[[User, WorkItem], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Validate the action's form, call the service, answer with the item's row in place
    (HTMX) or go back to the page with a message. A stale version says "changed by someone
    else" and shows the current item."""
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    kwargs = form_kwargs(user, item) if form_kwargs else {}
    form = form_class(request.POST, **kwargs)
    notice = ""
    shown = item
    if form.is_valid():
        with form_errors(form):
            shown, notice = run(user, item, form)
    lines: list[str] = []
    if form.errors:
        exc = getattr(form, "application_error", None)
        lines = error_messages(exc) if exc is not None else []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                text = f"{label}: {error}" if label and name != "__all__" else str(error)
                if str(error) not in lines and text not in lines:
                    lines.append(text)
        # Show what is stored now (another person may have changed it).
        shown = work_item_get(user=user, work_item_id=work_item_id)
    status = 200 if not form.errors else _status(form)
    if is_htmx(request):
        now = timezone.now()
        context = {
            **_context(user, request.POST.get("view", "mine")),
            "row": _row(shown, now=now, notice=notice, error_lines=lines, action=request.path),
        }
        return render(request, "monitoring/_work_item.html", context, status=status)
    for line in lines:
        messages.error(request, line)
    if notice:
        messages.success(request, notice)
    return redirect(back_url(request, reverse("monitoring:my_work")))


def _status(form: forms.Form) -> int:
    exc = getattr(form, "application_error", None)
    return int(exc.status_code) if exc is not None else 422


@login_required
@require_POST
@web_errors
def work_item_complete(request: HttpRequest, work_item_id: UUID) -> HttpResponse:
    def run(user: User, item: WorkItem, form: forms.Form) -> tuple[WorkItem, str]:
        done = services.work_item_complete(
            acting_user=user,
            work_item=item,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
        return done, "Done."

    return _act(request, work_item_id, CompleteForm, run)


@login_required
@require_POST
@web_errors
def work_item_snooze(request: HttpRequest, work_item_id: UUID) -> HttpResponse:
    def run(user: User, item: WorkItem, form: forms.Form) -> tuple[WorkItem, str]:
        assert isinstance(form, SnoozeForm)
        snoozed = services.work_item_snooze(
            acting_user=user,
            work_item=item,
            until=form.until_moment(),
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        day = form.cleaned_data["until"]
        return snoozed, f"Snoozed until {day:%b} {day.day}."

    return _act(request, work_item_id, SnoozeForm, run)


@login_required
@require_POST
@web_errors
def work_item_unsnooze(request: HttpRequest, work_item_id: UUID) -> HttpResponse:
    def run(user: User, item: WorkItem, form: forms.Form) -> tuple[WorkItem, str]:
        woken = services.work_item_unsnooze(
            acting_user=user, work_item=item, expected_version=form.cleaned_data["version"]
        )
        return woken, "Back on your queue."

    return _act(request, work_item_id, VersionForm, run)


@login_required
@require_POST
@web_errors
def work_item_reassign(request: HttpRequest, work_item_id: UUID) -> HttpResponse:
    def run(user: User, item: WorkItem, form: forms.Form) -> tuple[WorkItem, str]:
        to = form.cleaned_data["to"]
        services.work_item_reassign(
            acting_user=user,
            work_item=item,
            to=to,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        # The row shows the old item, now closed as reassigned.
        return item, f"Handed to {to.display_name}."

    def kwargs(user: User, item: WorkItem) -> dict[str, Any]:
        return {"candidates": handoff_candidates(user=user, team_view=True, work_item=item)}

    return _act(request, work_item_id, ReassignForm, run, form_kwargs=kwargs)


@login_required
@require_POST
@web_errors
def work_item_cancel(request: HttpRequest, work_item_id: UUID) -> HttpResponse:
    def run(user: User, item: WorkItem, form: forms.Form) -> tuple[WorkItem, str]:
        cancelled = services.work_item_cancel(
            acting_user=user,
            work_item=item,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        return cancelled, "Cancelled."

    return _act(request, work_item_id, CancelForm, run)


# ----------------------------------------------------------------------------------------------
# A task by hand


@login_required
@web_errors
def work_item_new(request: HttpRequest) -> HttpResponse:
    """A reminder for oneself or, for a supervisor, a task for a member of their teams;
    ``?case=<id>`` ties it to a case the user can see."""
    user = _user(request)
    assignees = task_assignees(user=user)
    case = None
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    if case_id:
        case = case_get(user=user, case_id=case_id)
    if request.method == "POST":
        form = WorkItemNewForm(request.POST, assignees=assignees)
        if form.is_valid():
            with form_errors(form, field_map={"due_at": "due_date", "case_id": "assignee"}):
                services.work_item_assign(
                    acting_user=user,
                    assignee=form.cleaned_data["assignee"],
                    title=form.cleaned_data["title"],
                    detail=form.cleaned_data["detail"],
                    priority=form.cleaned_data["priority"],
                    due_at=form.due_at(),
                    case=case,
                )
            if not form.errors:
                who = form.cleaned_data["assignee"]
                mine = who.pk == user.pk
                messages.success(
                    request, "Task added." if mine else f"Task given to {who.display_name}."
                )
                if case is not None:
                    return redirect("web:case_detail", case_id=case.pk)
                return redirect("monitoring:my_work")
        status = _status(form) if form.errors else 200
    else:
        form = WorkItemNewForm(
            initial={"assignee": user.pk, "case": case.pk if case else None}, assignees=assignees
        )
        status = 200
    return render(
        request, "monitoring/work_item_new.html", {"form": form, "case": case}, status=status
    )
