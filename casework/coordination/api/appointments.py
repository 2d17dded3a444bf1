"""Appointments and calendar feed endpoints (issue 5).

``/cases/{case_id}/appointments``, ``/appointments`` (the user's own, across cases),
``/appointments/{id}`` with ``/attendance`` and ``/entered-in-error``, and
``/me/calendar-feed``. The care team router of ``casework.cases.api`` is mounted here too, at the
API root, since its member paths (``/care-team/{id}``) are not under ``/cases``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.cases.api import care_team_router
from casework.coordination.models import AppointmentStatus
from casework.coordination.schemas.appointments import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    AppointmentPatch,
    AttendanceIn,
    CalendarFeedOut,
    CalendarFeedRevokedOut,
    EnteredInErrorIn,
    appointment_out,
    calendar_feed_out,
)
from casework.coordination.selectors.appointments import (
    appointment_case_get,
    appointment_get,
    appointments_for_case,
    appointments_of,
    appointments_visible_to,
)
from casework.coordination.services import appointments as services
from casework.core.errors import ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES

router = Router(tags=["appointments"])
router.add_router("", care_team_router)

OBJECT_TYPE = "coordination.appointment"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class CaseAppointmentsQuery(Schema):
    starts_from: datetime | None = Field(None, alias="from", description="Starts at or after")
    starts_to: datetime | None = Field(None, alias="to", description="Starts before")
    status: str = Field("", description="Comma-separated statuses")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class MyAppointmentsQuery(Schema):
    starts_from: datetime | None = Field(None, alias="from", description="Default: now")
    starts_to: datetime | None = Field(None, alias="to")
    mine: bool = Field(True, description="Only cases I manage and appointments I accompany")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _statuses(raw: str) -> list[str]:
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in AppointmentStatus.values]
    if unknown:
        raise ValidationFailed(
            "Unknown appointment status.",
            errors=[field_error("status", f"one of {', '.join(AppointmentStatus.values)}")],
        )
    return wanted


def _check_naive(**moments: datetime | None) -> None:
    naive = [name for name, value in moments.items() if value and timezone.is_naive(value)]
    if naive:
        raise ValidationFailed(
            "Give times with their offset (ISO 8601).",
            errors=[field_error(name, "needs a time zone offset") for name in naive],
        )


@router.get(
    "/cases/{case_id}/appointments",
    response={200: AppointmentPage, **ERROR_RESPONSES},
    summary="A case's appointments, soonest first (filters: from, to, status)",
)
def list_case_appointments(
    request: HttpRequest, case_id: UUID, query: Query[CaseAppointmentsQuery]
) -> Any:
    user = _user(request)
    case = appointment_case_get(user=user, case_id=case_id)
    _check_naive(**{"from": query.starts_from, "to": query.starts_to})
    page = paginate(
        appointments_for_case(
            case=case,
            starts_from=query.starts_from,
            starts_to=query.starts_to,
            status=_statuses(query.status),
        ),
        ordering=["starts_at", "id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type=OBJECT_TYPE, ids=[a.pk for a in page.items])
    return {"items": [appointment_out(a) for a in page.items], "next": page.next}


@router.post(
    "/cases/{case_id}/appointments",
    response={201: AppointmentOut, **ERROR_RESPONSES},
    summary="Book an appointment for the client",
)
def create_appointment(request: HttpRequest, case_id: UUID, payload: AppointmentIn) -> Any:
    user = _user(request)
    case = appointment_case_get(user=user, case_id=case_id)
    appointment = services.appointment_create(
        acting_user=user, case=case, data=payload.model_dump()
    )
    return HttpStatus(201, appointment_out(appointment))


@router.get(
    "/appointments",
    response={200: AppointmentPage, **ERROR_RESPONSES},
    summary="My appointments across cases (upcoming by default)",
)
def list_my_appointments(request: HttpRequest, query: Query[MyAppointmentsQuery]) -> Any:
    user = _user(request)
    _check_naive(**{"from": query.starts_from, "to": query.starts_to})
    starts_from = query.starts_from or timezone.now()
    if query.mine:
        queryset = appointments_of(user=user, starts_from=starts_from, starts_to=query.starts_to)
    else:
        queryset = (
            appointments_visible_to(user)
            .filter(starts_at__gte=starts_from)
            .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
            .select_related("accompanied_by")
        )
        if query.starts_to is not None:
            queryset = queryset.filter(starts_at__lt=query.starts_to)
    page = paginate(queryset, ordering=["starts_at", "id"], cursor=query.cursor, limit=query.limit)
    audit_read_many(actor=user, object_type=OBJECT_TYPE, ids=[a.pk for a in page.items])
    return {"items": [appointment_out(a) for a in page.items], "next": page.next}


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="An appointment",
)
def get_appointment(request: HttpRequest, appointment_id: UUID) -> Any:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    audit_read(actor=user, obj=appointment, client_id=appointment.client_id)
    return appointment_out(appointment)


@router.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="Change a booked appointment (send the version you read; stale is 409)",
    description="409 `stale_version`, or `appointment_closed` once attendance is recorded.",
)
def update_appointment(
    request: HttpRequest, appointment_id: UUID, payload: AppointmentPatch
) -> Any:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    services.appointment_update(
        acting_user=user,
        appointment=appointment,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return appointment_out(appointment_get(user=user, appointment_id=appointment.pk))


@router.post(
    "/appointments/{appointment_id}/attendance",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="Record attendance: fulfilled (attended), noshow or cancelled",
    description=(
        "Attended and no-show only once the appointment has started (422); cancelled needs a "
        "reason. A no-show puts a follow-up on the case manager's work queue. 409 "
        "`attendance_recorded` when it was recorded already, or `stale_version`."
    ),
)
def record_attendance(request: HttpRequest, appointment_id: UUID, payload: AttendanceIn) -> Any:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    services.appointment_record_attendance(
        acting_user=user,
        appointment=appointment,
        expected_version=payload.version,
        status=payload.status,
        reason=payload.reason,
    )
    return appointment_out(appointment_get(user=user, appointment_id=appointment.pk))


@router.post(
    "/appointments/{appointment_id}/entered-in-error",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="Mark an appointment entered in error (it leaves every calendar)",
)
def appointment_entered_in_error(
    request: HttpRequest, appointment_id: UUID, payload: EnteredInErrorIn
) -> Any:
    user = _user(request)
    appointment = appointment_get(user=user, appointment_id=appointment_id)
    services.appointment_entered_in_error(
        acting_user=user,
        appointment=appointment,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return appointment_out(appointment_get(user=user, appointment_id=appointment.pk))


@router.post(
    "/me/calendar-feed",
    response={201: CalendarFeedOut, **ERROR_RESPONSES},
    summary="Create my secret calendar feed URL (revokes the previous one)",
    description="The URL is shown once; only a digest of its token is kept.",
)
def create_calendar_feed(request: HttpRequest) -> Any:
    feed, token = services.calendar_feed_create(acting_user=_user(request))
    url = request.build_absolute_uri(reverse("coordination:calendar_feed", args=[token]))
    return HttpStatus(201, calendar_feed_out(feed, url=url))


@router.delete(
    "/me/calendar-feed",
    response={200: CalendarFeedRevokedOut, **ERROR_RESPONSES},
    summary="Revoke my calendar feed URL",
)
def delete_calendar_feed(request: HttpRequest) -> Any:
    return {"revoked": services.calendar_feed_revoke(acting_user=_user(request))}


@router.post(
    "/me/calendar-feed/revoke",
    response={200: CalendarFeedRevokedOut, **ERROR_RESPONSES},
    summary="Revoke my calendar feed URL (for clients that cannot send DELETE)",
)
def revoke_calendar_feed(request: HttpRequest) -> Any:
    return {"revoked": services.calendar_feed_revoke(acting_user=_user(request))}
