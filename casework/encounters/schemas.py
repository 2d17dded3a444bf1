from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema
from casework.encounters.models import Contact


class Participant(InputSchema):
    name: str = Field(max_length=200)
    role: str = Field("", max_length=120)


class ContactIn(InputSchema):
    contact_type: str
    outcome: str = "successful"
    attempt_outcome: str = ""
    started_at: datetime
    duration_minutes: int
    video_link: str = Field("", max_length=500)
    appointment_id: UUID | None = Field(
        None, description="An appointment of the same case; a video contact takes its link"
    )
    collateral_with: str = Field("", max_length=200)
    participants: list[Participant] = []
    note_format: str = "dap"
    note: dict[str, str] = {}
    goal_ids: list[UUID] = []


class ContactPatch(InputSchema):
    version: int
    contact_type: str | None = None
    outcome: str | None = None
    attempt_outcome: str | None = None
    started_at: datetime | None = None
    duration_minutes: int | None = None
    video_link: str | None = Field(None, max_length=500)
    appointment_id: UUID | None = None
    collateral_with: str | None = Field(None, max_length=200)
    participants: list[Participant] | None = None
    note_format: str | None = None
    note: dict[str, str] | None = None
    goal_ids: list[UUID] | None = None


class EnteredInErrorIn(InputSchema):
    version: int
    reason: str = Field(min_length=1, max_length=2000)


class ContactOut(Schema):
    id: UUID
    version: int
    case_id: UUID
    client_id: UUID
    staff_id: UUID
    contact_type: str
    outcome: str
    attempt_outcome: str
    started_at: datetime
    duration_minutes: int
    video_link: str
    appointment_id: UUID | None
    collateral_with: str
    participants: list[dict[str, Any]]
    note_format: str
    note: dict[str, str]
    goal_ids: list[UUID]
    billable: bool
    billing_units: int
    status: str
    error_reason: str


class ContactPage(Schema):
    items: list[ContactOut]
    next: str | None


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "version": contact.version,
        "case_id": contact.case_id,
        "client_id": contact.client_id,
        "staff_id": contact.staff_id,
        "contact_type": contact.contact_type,
        "outcome": contact.outcome,
        "attempt_outcome": contact.attempt_outcome,
        "started_at": contact.started_at,
        "duration_minutes": contact.duration_minutes,
        "video_link": contact.video_link,
        "appointment_id": contact.appointment_id,
        "collateral_with": contact.collateral_with,
        "participants": contact.participants,
        "note_format": contact.note_format,
        "note": contact.note,
        "goal_ids": [goal.pk for goal in contact.goals.all()],
        "billable": contact.billable,
        "billing_units": contact.billing_units,
        "status": contact.status,
        "error_reason": contact.error_reason,
    }
