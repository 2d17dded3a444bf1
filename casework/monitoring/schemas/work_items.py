from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema, StrictInt, UserRef, user_ref


class WorkItemOut(Schema):
    id: str
    version: int
    kind: str
    title: str
    detail: str
    priority: str
    status: str
    due_at: datetime | None
    overdue: bool
    client_id: str | None
    client_name: str | None
    case_id: str | None
    source_type: str
    source_id: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: UserRef | None


class WorkItemPage(Schema):
    items: list[WorkItemOut]
    next: str | None


class WorkItemCompleteIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    note: str = Field("", max_length=2000)


def work_item_out(item: Any, *, now: datetime) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "version": item.version,
        "kind": item.kind,
        "title": item.title,
        "detail": item.detail,
        "priority": item.priority,
        "status": item.status,
        "due_at": item.due_at,
        "overdue": bool(item.status == "open" and item.due_at and item.due_at < now),
        "client_id": str(item.client_id) if item.client_id else None,
        "client_name": item.client.full_name if item.client_id else None,
        "case_id": str(item.case_id) if item.case_id else None,
        "source_type": item.source_type,
        "source_id": item.source_id,
        "created_at": item.created_at,
        "closed_at": item.closed_at,
        "closed_by": user_ref(item.closed_by) if item.closed_by_id else None,
    }
