"""Writes of appointments (book, change, attendance, entered in error) and calendar feeds."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from casework.accounts.models import TeamMembership, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import CareTeamMember, Case
from casework.cases.selectors import cases_visible_to
from casework.coordination.models import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    CalendarFeed,
    Referral,
    ResourceService,
)
from casework.coordination.selectors.appointments import (
    CASE_WORKER_ROLES,
    appointment_case_get,
    appointments_of,
    calendar_feed_for_token,
    feed_window,
    token_digest,
)
from casework.core.errors import Conflict, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.monitoring.models import Priority
from casework.monitoring.services import work_item_create
from casework.programs.models import ModelKind

MAX_DURATION = timedelta(hours=24)  # longer is a typo (a day's date), not an appointment
NO_SHOW_WORK_ITEM = "appointment_no_show"
SOURCE_TYPE = "coordination.appointment"
# The follow-up of a no-show is due by the end of the agency's working day (local time).
END_OF_WORKING_DAY = time(17, 0)

TEXT_LIMITS = {
    "title": 200,
    "with_whom": 200,
    "location": 300,
    "video_link": 500,
    "transport_note": 300,
}
FIELDS = [
    "title",
    "with_whom",
    "starts_at",
    "ends_at",
    "mode",
    "location",
    "video_link",
    "transport_needed",
    "transport_arranged",
    "transport_note",
    "accompaniment_planned",
    "note",
]
LINKS = {
    "service_id": "service",
    "care_team_member_id": "care_team_member",
    "referral_id": "referral",
}
OPEN_STATUSES = {AppointmentStatus.PROPOSED, AppointmentStatus.BOOKED}
ATTENDANCE_STATUSES = {
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
    AppointmentStatus.CANCELLED,
}


def _may_see(user: User, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def _clean(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole appointment (after merging an update); raise with every error at once."""
    errors: list[dict[str, Any]] = []
    clean: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors.append(field_error(name, f"at most {limit} characters"))
        clean[name] = value
    clean["note"] = str(data.get("note") or "").strip()
    for name in ("title", "with_whom"):
        if not clean[name]:
            errors.append(field_error(name, "required"))
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, datetime):
            errors.append(field_error(name, "required (date and time)"))
        elif timezone.is_naive(moment):
            errors.append(field_error(name, "needs a time zone offset"))
    if (
        isinstance(starts_at, datetime)
        and isinstance(ends_at, datetime)
        and timezone.is_aware(starts_at)
        and timezone.is_aware(ends_at)
    ):
        if ends_at <= starts_at:
            errors.append(field_error("ends_at", "must be after the start"))
        elif ends_at - starts_at > MAX_DURATION:
            errors.append(field_error("ends_at", "an appointment lasts at most 24 hours"))
    clean["starts_at"], clean["ends_at"] = starts_at, ends_at
    mode = data.get("mode") or AppointmentMode.IN_PERSON
    if mode not in AppointmentMode.values:
        errors.append(field_error("mode", f"must be one of {', '.join(AppointmentMode)}"))
    clean["mode"] = mode
    if mode == AppointmentMode.VIDEO:
        parsed = urlparse(clean["video_link"])
        if parsed.scheme != "https" or not parsed.netloc:
            errors.append(field_error("video_link", "a video appointment needs its https link"))
    else:
        clean["video_link"] = ""
    clean["transport_needed"] = bool(data.get("transport_needed"))
    clean["transport_arranged"] = clean["transport_needed"] and bool(data.get("transport_arranged"))
    clean["accompaniment_planned"] = bool(data.get("accompaniment_planned"))
    clean["accompanied_by"] = None
    if clean["accompaniment_planned"]:
        companion_id = data.get("accompanied_by_id") or case.case_manager_id
        companion = (
            User.objects.filter(
                pk=companion_id,
                organization_id=case.organization_id,
                is_active=True,
                role__in=CASE_WORKER_ROLES,
            ).first()
            if companion_id
            else None
        )
        if companion is None or not _may_see(companion, case):
            errors.append(
                field_error("accompanied_by_id", "must be a member of staff who works this case")
            )
        clean["accompanied_by"] = companion
    links: dict[str, Any] = {
        "service_id": ResourceService.objects.filter(organization_id=case.organization_id),
        "care_team_member_id": CareTeamMember.objects.filter(case_id=case.pk),
        "referral_id": Referral.objects.filter(case_id=case.pk),
    }
    messages = {
        "service_id": "not a service of your organization's directory",
        "care_team_member_id": "not a member of this case's care team",
        "referral_id": "not a referral of this case",
    }
    for name, attribute in LINKS.items():
        wanted = data.get(name)
        found = None
        if wanted:
            queryset: QuerySet[Any] = links[name]
            try:
                found = queryset.filter(pk=wanted).first()
            except (ValueError, TypeError):
                found = None
            if found is None:
                errors.append(field_error(name, messages[name]))
        clean[attribute] = found
    if errors:
        raise ValidationFailed("The appointment is not valid; nothing was saved.", errors=errors)
    return clean


def _plain(value: Any) -> Any:
    """A related record by its id, for the audit log."""
    return str(value.pk) if hasattr(value, "pk") else value


def _audit_changes(diff: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` with related records named ``<field>_id`` by their ids."""
    relations = {*LINKS.values(), "accompanied_by"}
    return {
        (f"{name}_id" if name in relations else name): [_plain(old), _plain(new)]
        for name, (old, new) in diff.items()
    }


@transaction.atomic
def appointment_create(*, acting_user: User, case: Case, data: dict[str, Any]) -> Appointment:
    """Book an appointment of the client's (FHIR Appointment, status booked) on a case the
    acting user works. It ends after it starts and lasts at most 24 hours; a video appointment
    needs its https link; a planned accompaniment names staff who may see the case (default the
    case manager); linked services, care team members and referrals belong to the case."""
    case = appointment_case_get(user=acting_user, case_id=case.pk, for_update=True)
    clean = _clean(case, data)
    appointment = Appointment.objects.create(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        status=AppointmentStatus.BOOKED,
        created_by=acting_user,
        **clean,
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=appointment,
        client_id=case.client_id,
        changes=_audit_changes({name: [None, value] for name, value in clean.items()}),
    )
    return appointment


def _check_open(appointment: Appointment) -> None:
    if appointment.status not in OPEN_STATUSES:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()}; it can no longer "
            "be changed.",
            code="appointment_closed",
        )


@transaction.atomic
def appointment_update(
    *,
    acting_user: User,
    appointment: Appointment,
    expected_version: int,
    data: dict[str, Any],
) -> Appointment:
    """Change a booked appointment; the whole merged appointment is validated again."""
    case = appointment_case_get(user=acting_user, case_id=appointment.case_id, for_update=True)
    _check_open(appointment)
    merged: dict[str, Any] = {name: getattr(appointment, name) for name in FIELDS}
    merged.update(
        {
            "accompanied_by_id": appointment.accompanied_by_id,
            "service_id": appointment.service_id,
            "care_team_member_id": appointment.care_team_member_id,
            "referral_id": appointment.referral_id,
        }
    )
    merged.update(data)
    clean = _clean(case, merged)
    changes = update_versioned(appointment, expected_version=expected_version, **clean)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=appointment,
        client_id=case.client_id,
        changes=_audit_changes(changes),
    )
    return appointment


def next_working_day_end(now: datetime) -> datetime:
    """The end of the next working day (Monday to Friday) after ``now``, in local time."""
    day = timezone.localtime(now).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, END_OF_WORKING_DAY))


def _no_show_assignee(case: Case) -> User | None:
    """The case manager, else a supervisor of the team holding the case."""
    if case.case_manager is not None and case.case_manager.is_active:
        return case.case_manager
    membership = (
        TeamMembership.objects.filter(
            team_id=case.team_id, is_supervisor=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__username")
        .first()
        if case.team_id
        else None
    )
    return membership.user if membership is not None else None


def _no_show_follow_up(
    *, acting_user: User, appointment: Appointment, case: Case, now: datetime
) -> None:
    """A missed appointment is a prompt to re-engage the client: a work item for the case manager
    (else the team's supervisor), due by the end of the next working day.

    Priority is urgent in intensive (ICM/ACT) programs and routine elsewhere: ACT fidelity
    (the DACTS scale, Teague et al. 1998, items on assertive engagement and frequency of contact)
    expects the team to reach out at once when a client with severe, persistent needs drops out
    of contact, whereas brokerage and other models follow up in the normal course of work.
    ``work_item_create`` keeps one item per appointment and assignee.
    """
    assignee = _no_show_assignee(case)
    if assignee is None:
        return
    intensive = case.program.model.kind == ModelKind.INTENSIVE
    when = timezone.localtime(appointment.starts_at)
    work_item_create(
        acting_user=acting_user,
        assignee=assignee,
        kind=NO_SHOW_WORK_ITEM,
        title=f"Missed appointment: {appointment.title} ({when:%b %d})",
        detail=f"With {appointment.with_whom}. Reach the client and rebook if needed.",
        priority=Priority.URGENT if intensive else Priority.ROUTINE,
        due_at=next_working_day_end(now),
        client=case.client,
        case=case,
        source_type=SOURCE_TYPE,
        source_id=str(appointment.pk),
    )


@transaction.atomic
def appointment_record_attendance(
    *,
    acting_user: User,
    appointment: Appointment,
    expected_version: int,
    status: str,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Record what became of a booked appointment: attended (``fulfilled``), ``noshow`` or
    ``cancelled``. Attended and no-show only once it has started; a cancellation needs a reason.
    Recorded once: the same outcome again, or any outcome of an appointment no longer booked, is
    a 409. A no-show creates a follow-up work item (see ``_no_show_follow_up``)."""
    now = now or timezone.now()
    case = appointment_case_get(user=acting_user, case_id=appointment.case_id, for_update=True)
    if status not in ATTENDANCE_STATUSES:
        raise ValidationFailed(
            "Attendance is attended, no-show or cancelled.",
            errors=[field_error("status", "must be fulfilled, noshow or cancelled")],
        )
    if appointment.status == status:
        raise Conflict(
            f"This appointment is already recorded as {appointment.get_status_display().lower()}.",
            code="attendance_recorded",
        )
    if appointment.status not in OPEN_STATUSES:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()}; its attendance "
            "cannot be recorded now.",
            code="attendance_recorded",
        )
    reason = reason.strip()
    if status in {AppointmentStatus.FULFILLED, AppointmentStatus.NOSHOW}:
        if appointment.starts_at > now:
            raise ValidationFailed(
                "The appointment has not started yet; record attendance once it has.",
                errors=[field_error("status", "the appointment is in the future")],
            )
    elif not reason:
        raise ValidationFailed(
            "Say why the appointment was cancelled.", errors=[field_error("reason", "required")]
        )
    changes = update_versioned(
        appointment,
        expected_version=expected_version,
        status=status,
        status_reason=reason,
        attendance_recorded_at=now,
        attendance_recorded_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=appointment,
        client_id=case.client_id,
        changes=_audit_changes(changes),
    )
    if status == AppointmentStatus.NOSHOW:
        _no_show_follow_up(acting_user=acting_user, appointment=appointment, case=case, now=now)
    from casework.monitoring.sweep import sweep_cases  # the attendance item closes at once

    sweep_cases(case_ids=[case.pk], acting_user=acting_user)
    return appointment


def appointment_cancel(
    *, acting_user: User, appointment: Appointment, expected_version: int, reason: str
) -> Appointment:
    """Cancel a booked appointment (attendance ``cancelled``, with its reason)."""
    return appointment_record_attendance(
        acting_user=acting_user,
        appointment=appointment,
        expected_version=expected_version,
        status=AppointmentStatus.CANCELLED,
        reason=reason,
    )


@transaction.atomic
def appointment_entered_in_error(
    *, acting_user: User, appointment: Appointment, expected_version: int, reason: str
) -> Appointment:
    """Withdraw an appointment recorded by mistake (kept, never deleted; off every calendar)."""
    case = appointment_case_get(user=acting_user, case_id=appointment.case_id, for_update=True)
    if not reason.strip():
        raise ValidationFailed(
            "Say why the appointment was entered in error.",
            errors=[field_error("reason", "required")],
        )
    if appointment.status == AppointmentStatus.ENTERED_IN_ERROR:
        raise Conflict("This appointment is already marked entered in error.")
    changes = update_versioned(
        appointment,
        expected_version=expected_version,
        status=AppointmentStatus.ENTERED_IN_ERROR,
        status_reason=reason.strip(),
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=appointment,
        client_id=case.client_id,
        changes=_audit_changes(changes),
    )
    return appointment


# ----------------------------------------------------------------------------------------------
# Calendar feed


@transaction.atomic
def calendar_feed_create(*, acting_user: User) -> tuple[CalendarFeed, str]:
    """A new secret feed URL token for the acting user, returned once; only its sha256 digest is
    kept. Any older feed of theirs is revoked, so a leaked URL dies with the next one."""
    now = timezone.now()
    revoked = list(
        CalendarFeed.objects.select_for_update()
        .filter(user_id=acting_user.pk, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    CalendarFeed.objects.filter(pk__in=revoked).update(revoked_at=now, updated_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user=acting_user, digest=token_digest(token), prefix=token[:8]
    )
    audit_record(
        actor=acting_user,
        action=Action.TOKEN,
        obj=feed,
        changes={"prefix": [None, feed.prefix]},
        detail={"purpose": "calendar feed", "revoked": [str(pk) for pk in revoked]},
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, acting_user: User) -> int:
    """Revoke the acting user's feed URLs; returns how many were in force."""
    now = timezone.now()
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(
            user_id=acting_user.pk, revoked_at__isnull=True
        )
    )
    for feed in feeds:
        update_versioned(feed, expected_version=None, revoked_at=now)
        audit_record(
            actor=acting_user,
            action=Action.TOKEN,
            obj=feed,
            changes={"revoked_at": [None, now]},
            detail={"purpose": "calendar feed"},
        )
    return len(feeds)


@transaction.atomic
def calendar_feed_fetch(
    *, token: str, now: datetime | None = None
) -> tuple[CalendarFeed, list[Appointment]]:
    """What a calendar application gets from a secret feed URL: the appointments of the cases the
    feed's user manages, plus those they accompany, from FEED_DAYS_BACK days ago to
    FEED_DAYS_AHEAD days ahead (entered-in-error ones left out). Unknown or revoked tokens are
    ``NotFound``. Each fetch is one audit read naming the appointments, by the feed's user, and
    stamps ``last_fetched_at``. A fixed number of queries whatever the number of appointments."""
    now = now or timezone.now()
    feed = calendar_feed_for_token(token)
    start, end = feed_window(now)
    appointments = list(appointments_of(user=feed.user, starts_from=start, starts_to=end))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    feed.last_fetched_at = now
    audit_record(
        actor=feed.user,
        action=Action.READ,
        object_type="coordination.appointment",
        detail={
            "ids": [str(appointment.pk) for appointment in appointments],
            "purpose": "calendar feed",
            "feed": feed.prefix,
        },
    )
    return feed, appointments
