"""Input and output shapes of the appointment and calendar feed endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.coordination.models import Appointment, CalendarFeed
from casework.core.schemas import InputSchema, StrictBool, StrictInt, UserRef, user_ref


class AppointmentIn(InputSchema):
    title: str = Field(max_length=200, description="What it is for, e.g. Dental check-up")
    with_whom: str = Field(max_length=200, description="Provider or person, in words")
    starts_at: datetime = Field(description="ISO 8601 with offset")
    ends_at: datetime = Field(description="After the start, at most 24 hours later")
    mode: str = Field("in_person", description="in_person, phone or video")
    location: str = Field("", max_length=300)
    video_link: str = Field("", max_length=500, description="Required (https) for video")
    service_id: UUID | None = None
    care_team_member_id: UUID | None = None
    referral_id: UUID | None = None
    transport_needed: StrictBool = False
    transport_arranged: StrictBool = False
    transport_note: str = Field("", max_length=300)
    accompaniment_planned: StrictBool = False
    accompanied_by_id: UUID | None = Field(None, description="Default: the case manager")
    note: str = ""


class AppointmentPatch(InputSchema):
    version: StrictInt
    title: str | None = Field(None, max_length=200)
    with_whom: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    mode: str | None = None
    location: str | None = Field(None, max_length=300)
    video_link: str | None = Field(None, max_length=500)
    service_id: UUID | None = None
    care_team_member_id: UUID | None = None
    referral_id: UUID | None = None
    transport_needed: StrictBool | None = None
    transport_arranged: StrictBool | None = None
    transport_note: str | None = Field(None, max_length=300)
    accompaniment_planned: StrictBool | None = None
    accompanied_by_id: UUID | None = None
    note: str | None = None


class AttendanceIn(InputSchema):
    version: StrictInt
    status: str = Field(description="fulfilled (attended), noshow or cancelled")
    reason: str = Field("", max_length=2000, description="Required to cancel")


class EnteredInErrorIn(InputSchema):
    version: StrictInt
    reason: str = Field(min_length=1, max_length=2000)


class AppointmentOut(Schema):
    id: UUID
    version: int
    case_id: UUID
    client_id: UUID
    title: str
    with_whom: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str
    video_link: str
    service_id: UUID | None
    care_team_member_id: UUID | None
    referral_id: UUID | None
    transport_needed: bool
    transport_arranged: bool
    transport_note: str
    accompaniment_planned: bool
    accompanied_by: UserRef | None
    status: str
    status_reason: str
    attendance_recorded_at: datetime | None
    note: str


class AppointmentPage(Schema):
    items: list[AppointmentOut]
    next: str | None


class CalendarFeedOut(Schema):
    id: UUID
    url: str = Field(description="The secret feed URL; shown only once")
    prefix: str
    created_at: datetime


class CalendarFeedRevokedOut(Schema):
    revoked: int


def appointment_out(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "version": appointment.version,
        "case_id": appointment.case_id,
        "client_id": appointment.client_id,
        "title": appointment.title,
        "with_whom": appointment.with_whom,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "mode": appointment.mode,
        "location": appointment.location,
        "video_link": appointment.video_link,
        "service_id": appointment.service_id,
        "care_team_member_id": appointment.care_team_member_id,
        "referral_id": appointment.referral_id,
        "transport_needed": appointment.transport_needed,
        "transport_arranged": appointment.transport_arranged,
        "transport_note": appointment.transport_note,
        "accompaniment_planned": appointment.accompaniment_planned,
        "accompanied_by": user_ref(appointment.accompanied_by)
        if appointment.accompanied_by_id
        else None,
        "status": appointment.status,
        "status_reason": appointment.status_reason,
        "attendance_recorded_at": appointment.attendance_recorded_at,
        "note": appointment.note,
    }


def calendar_feed_out(feed: CalendarFeed, *, url: str) -> dict[str, Any]:
    return {"id": feed.pk, "url": url, "prefix": feed.prefix, "created_at": feed.created_at}
