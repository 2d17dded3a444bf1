"""Appointment pages: a case's appointments (loaded into the case page with HTMX), book and
change, attendance buttons, My calendar with the feed URL, and the public iCalendar feed."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.cases.models import Case
from casework.coordination import ical
from casework.coordination.forms.appointments import (
    AppointmentForm,
    AttendanceForm,
    EnteredInErrorForm,
)
from casework.coordination.models import Appointment, AppointmentMode, AppointmentStatus
from casework.coordination.selectors.appointments import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BACK,
    accompaniment_candidates,
    appointment_case_get,
    appointment_get,
    appointments_for_case,
    appointments_of,
    calendar_feed_active,
    care_team_choices,
    referral_choices,
)
from casework.coordination.services import appointments as services
from casework.core.errors import NotFound
from casework.web.access import login_required
from casework.web.errors import error_messages, form_errors, form_status, is_htmx, web_errors

OBJECT_TYPE = "coordination.appointment"
CALENDAR_DAYS = 60  # how far ahead "My calendar" lists appointments
PAST_SHOWN = 20  # past appointments listed on a case's appointments page


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _form(case: Case, *args: Any, **kwargs: Any) -> AppointmentForm:
    return AppointmentForm(
        *args,
        care_team=care_team_choices(case=case),
        referrals=referral_choices(case=case),
        companions=accompaniment_candidates(case=case),
        **kwargs,
    )


def _case_appointments_render(
    request: HttpRequest, case: Case, *, notice: str = "", error_lines: list[str] | None = None
) -> HttpResponse:
    now = timezone.now()
    rows = list(appointments_for_case(case=case).order_by("starts_at", "id"))
    open_statuses = {AppointmentStatus.BOOKED, AppointmentStatus.PROPOSED}
    upcoming = [a for a in rows if a.status in open_statuses and a.starts_at >= now]
    needs_attendance = [a for a in rows if a.status in open_statuses and a.starts_at < now]
    past = [a for a in reversed(rows) if a.status not in open_statuses][:PAST_SHOWN]
    shown = [*upcoming, *needs_attendance, *past]
    audit_read_many(actor=_user(request), object_type=OBJECT_TYPE, ids=[a.pk for a in shown])
    context = {
        "case": case,
        "upcoming": upcoming,
        "needs_attendance": needs_attendance,
        "past": past,
        "notice": notice,
        "error_lines": error_lines or [],
    }
    fragment = is_htmx(request)
    template = f"coordination/appointments{'_fragment' if fragment else ''}.html"
    return render(request, template, context)


@login_required
@web_errors
def case_appointments(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = appointment_case_get(user=request.user, case_id=case_id)
    return _case_appointments_render(request, case)


@login_required
@web_errors
def appointment_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    user = _user(request)
    case = appointment_case_get(user=user, case_id=case_id)
    if request.method == "POST":
        form = _form(case, request.POST)
        if form.is_valid():
            with form_errors(form, _FIELD_MAP):
                appointment = services.appointment_create(
                    acting_user=user, case=case, data=form.service_data()
                )
            if not form.errors:
                messages.success(request, f"Appointment booked: {appointment.title}.")
                return redirect("coordination:case_appointments", case_id=case.pk)
        status = form_status(form)
    else:
        form = _form(case, initial=request.GET.dict())
        status = 200
    context = {"case": case, "form": form, "appointment": None}
    return render(request, "coordination/appointment_form.html", context, status=status)


_FIELD_MAP = {
    "care_team_member_id": "care_team_member",
    "referral_id": "referral",
    "accompanied_by_id": "accompanied_by",
}


def _log_contact_url(appointment: Appointment) -> str:
    """The contact form pre-filled from an attended accompaniment."""
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    query = urlencode(
        {
            "contact_type": "accompaniment",
            "started_at": timezone.localtime(appointment.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": max(minutes, 1),
        }
    )
    return f"{reverse('encounters:contact_new', args=[appointment.case_id])}?{query}"


@login_required
@web_errors
def appointment_detail(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    audit_read(actor=user, obj=appointment, client_id=appointment.client_id)
    started = appointment.starts_at <= timezone.now()
    log_contact = (
        _log_contact_url(appointment)
        if appointment.status == AppointmentStatus.FULFILLED and appointment.accompaniment_planned
        else ""
    )
    context = {
        "appointment": appointment,
        "case": appointment.case,
        "started": started,
        "is_open": appointment.status in services.OPEN_STATUSES,
        "log_contact_url": log_contact,
        "error_form": EnteredInErrorForm(initial={"version": appointment.version}),
    }
    return render(request, "coordination/appointment_detail.html", context)


@login_required
@web_errors
def appointment_edit(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    case = appointment.case
    if request.method == "POST":
        form = _form(case, request.POST)
        if form.is_valid():
            with form_errors(form, _FIELD_MAP):
                services.appointment_update(
                    acting_user=user,
                    appointment=appointment,
                    expected_version=form.cleaned_data.get("version") or 0,
                    data=form.service_data(),
                )
            if not form.errors:
                messages.success(request, "Appointment updated.")
                return redirect("coordination:appointment_detail", appointment_id=appointment.pk)
        status = form_status(form)
    else:
        initial = {name: getattr(appointment, name) for name in services.FIELDS}
        initial.update(
            {
                "starts_at": timezone.localtime(appointment.starts_at),
                "ends_at": timezone.localtime(appointment.ends_at),
                "care_team_member": appointment.care_team_member_id,
                "referral": appointment.referral_id,
                "accompanied_by": appointment.accompanied_by_id,
                "version": appointment.version,
            }
        )
        form = _form(case, initial=initial)
        status = 200
        audit_read(actor=user, obj=appointment, client_id=appointment.client_id)
    context = {"case": case, "form": form, "appointment": appointment}
    return render(request, "coordination/appointment_form.html", context, status=status)


@login_required
@require_POST
@web_errors
def appointment_attendance(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """Attended, no-show or cancelled. From the case's list (HTMX) the list comes back in place."""
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    form = AttendanceForm(request.POST)
    lines: list[str] = []
    notice = ""
    if form.is_valid():
        with form_errors(form):
            services.appointment_record_attendance(
                acting_user=user,
                appointment=appointment,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                reason=form.cleaned_data.get("reason") or "",
            )
        if not form.errors:
            notice = f"{appointment.title}: {appointment.get_status_display().lower()}."
            if appointment.status == AppointmentStatus.NOSHOW:
                notice += " A follow-up is on the case manager's work queue."
    if form.errors:
        exc = getattr(form, "application_error", None)
        lines = error_messages(exc) if exc is not None else []
        lines += [str(e) for errors in form.errors.values() for e in errors if str(e) not in lines]
    if is_htmx(request):
        return _case_appointments_render(
            request, appointment.case, notice=notice, error_lines=lines
        )
    for line in lines:
        messages.error(request, line)
    if notice:
        messages.success(request, notice)
    return redirect("coordination:appointment_detail", appointment_id=appointment.pk)


@login_required
@require_POST
@web_errors
def appointment_entered_in_error(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    form = EnteredInErrorForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.appointment_entered_in_error(
                acting_user=user,
                appointment=appointment,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        messages.success(request, "The appointment is marked entered in error.")
    return redirect("coordination:appointment_detail", appointment_id=appointment.pk)


# ----------------------------------------------------------------------------------------------
# My calendar and the feed


def _calendar_render(
    request: HttpRequest, *, feed_url: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = list(
        appointments_of(
            user=user, starts_from=start, starts_to=start + timedelta(days=CALENDAR_DAYS)
        )
    )
    audit_read_many(actor=user, object_type=OBJECT_TYPE, ids=[a.pk for a in rows])
    days: OrderedDict[date, list[Appointment]] = OrderedDict()
    for appointment in rows:
        days.setdefault(timezone.localtime(appointment.starts_at).date(), []).append(appointment)
    context = {
        "days": list(days.items()),
        "feed": calendar_feed_active(user=user),
        "feed_url": feed_url,
        "calendar_days": CALENDAR_DAYS,
        "feed_days_back": FEED_DAYS_BACK,
        "feed_days_ahead": FEED_DAYS_AHEAD,
    }
    return render(request, "coordination/calendar.html", context)


@login_required
@web_errors
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The user's upcoming appointments by day, and their calendar feed URL."""
    return _calendar_render(request)


@login_required
@require_POST
@web_errors
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """A new secret feed URL, shown on this answer only (not after a reload)."""
    _, token = services.calendar_feed_create(acting_user=_user(request))
    url = request.build_absolute_uri(reverse("coordination:calendar_feed", args=[token]))
    return _calendar_render(request, feed_url=url)


@login_required
@require_POST
@web_errors
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    count = services.calendar_feed_revoke(acting_user=_user(request))
    if count:
        messages.success(
            request, "Your calendar feed URL is revoked; calendars using it stop updating."
        )
    return redirect("coordination:calendar")


def client_label(appointment: Appointment) -> str:
    """Minimum necessary on a phone's calendar: the client's initials, never the full name."""
    client = appointment.client
    initials = "".join(part[:1].upper() for part in (client.given_name, client.family_name) if part)
    return initials or "Client"


def feed_event(appointment: Appointment, *, base_url: str) -> ical.Event:
    """One VEVENT: initials and title, with whom, transport and accompaniment, a link back.

    No birth date, diagnosis, note or full name: calendars sync to phones and outside services.
    """
    lines = [f"With: {appointment.with_whom}"]
    if appointment.mode != AppointmentMode.IN_PERSON:
        lines.append(f"Mode: {appointment.get_mode_display()}")
    if appointment.transport_needed:
        lines.append(
            "Transport: arranged" if appointment.transport_arranged else "Transport: NOT arranged"
        )
    if appointment.accompaniment_planned:
        who = appointment.accompanied_by.display_name if appointment.accompanied_by else "staff"
        lines.append(f"Accompanied by: {who}")
    url = base_url + reverse("coordination:appointment_detail", args=[appointment.pk])
    lines.append(url)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    return ical.Event(
        uid=f"{appointment.pk}@casework",
        stamp=appointment.updated_at,
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=f"{client_label(appointment)} · {appointment.title}",
        description="\n".join(lines),
        location=appointment.location or appointment.video_link,
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=appointment.version,
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public iCalendar feed behind a secret URL (no sign-in; 404 for unknown or revoked)."""
    try:
        feed, appointments = services.calendar_feed_fetch(token=token)
    except NotFound as exc:
        raise Http404("Calendar feed not found.") from exc
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = ical.calendar(
        name=f"casework — {feed.user.display_name}",
        events=[feed_event(appointment, base_url=base_url) for appointment in appointments],
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="casework.ics"'
    return response
