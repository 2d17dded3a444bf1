from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from django.utils import timezone
from ninja import Schema
from pydantic import BeforeValidator, Field

from casework.core.schemas import InputSchema, StrictInt, UserRef, user_ref


def _moment(value: Any, *, end_of_day: bool = False) -> Any:
    """An ISO datetime; a bare date (``YYYY-MM-DD``) is the start (or end) of that day, agency
    time."""
    if isinstance(value, str) and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("must be an ISO date or datetime") from exc
        return timezone.make_aware(datetime.combine(day, time.max if end_of_day else time.min))
    return value


def _due(value: Any) -> Any:
    return _moment(value, end_of_day=True)


Moment = Annotated[datetime, BeforeValidator(_moment)]
DueMoment = Annotated[datetime, BeforeValidator(_due)]


class WorkItemOut(Schema):
    id: str
    version: int
    kind: str
    kind_label: str
    title: str
    detail: str
    priority: str
    status: str
    close_reason: str
    due_at: datetime | None
    overdue: bool
    snoozed: bool
    snoozed_until: datetime | None
    snooze_reason: str
    assignee: UserRef | None
    client_id: str | None
    client_name: str | None
    case_id: str | None
    source_type: str
    source_id: str
    source_url: str
    escalated_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: UserRef | None


class WorkItemPage(Schema):
    items: list[WorkItemOut]
    next: str | None


class PersonWorkOut(Schema):
    user: UserRef
    open: int
    overdue: int


class TeamWorkPage(Schema):
    people: list[PersonWorkOut] = Field(
        description="Each member of the teams you supervise with their open and overdue counts"
    )
    escalations: list[WorkItemOut] = Field(
        description="Items escalated to you: open, overdue beyond their limit, on your teams"
    )
    items: list[WorkItemOut]
    next: str | None


class WorkItemCompleteIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    note: str = Field("", max_length=2000)


class WorkItemSnoozeIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    until: Moment = Field(
        description="When the item comes back: ISO datetime, or a date (its start, agency time); "
        "at most 30 days ahead"
    )
    reason: str = Field(max_length=2000)


class WorkItemVersionIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")


class WorkItemReassignIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    to: UUID = Field(description="Id of the member of staff who takes the item")
    reason: str = Field(max_length=2000)


class WorkItemCancelIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    reason: str = Field(max_length=2000)


class WorkItemIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field("", max_length=4000)
    priority: str = Field("routine", description="routine, urgent or asap")
    due_at: DueMoment | None = Field(
        None, description="ISO datetime, or a date (the end of that day, agency time)"
    )
    assignee_id: UUID | None = Field(
        None, description="A member of a team you supervise; empty: yourself (a reminder)"
    )
    case_id: UUID | None = None


def work_item_out(item: Any, *, now: datetime) -> dict[str, Any]:
    from casework.monitoring.selectors.work_items import kind_label, work_item_source_url

    snoozed = bool(item.snoozed_until and item.snoozed_until > now)
    return {
        "id": str(item.id),
        "version": item.version,
        "kind": item.kind,
        "kind_label": kind_label(item.kind),
        "title": item.title,
        "detail": item.detail,
        "priority": item.priority,
        "status": item.status,
        "close_reason": item.close_reason,
        "due_at": item.due_at,
        "overdue": bool(item.status == "open" and item.due_at and item.due_at < now)
        and not snoozed,
        "snoozed": snoozed,
        "snoozed_until": item.snoozed_until,
        "snooze_reason": item.snooze_reason,
        "assignee": user_ref(item.assignee),
        "client_id": str(item.client_id) if item.client_id else None,
        "client_name": item.client.full_name if item.client_id else None,
        "case_id": str(item.case_id) if item.case_id else None,
        "source_type": item.source_type,
        "source_id": item.source_id,
        "source_url": work_item_source_url(item),
        "escalated_at": item.escalated_at,
        "created_at": item.created_at,
        "closed_at": item.closed_at,
        "closed_by": user_ref(item.closed_by) if item.closed_by_id else None,
    }
