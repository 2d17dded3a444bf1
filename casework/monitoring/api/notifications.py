"""Notification endpoints: my notifications (newest first), mark one or all read."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from casework.accounts.models import User
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.monitoring.schemas.notifications import (
    NotificationOut,
    NotificationPage,
    ReadAllOut,
    notification_out,
)
from casework.monitoring.selectors.notifications import notification_get, notifications_for
from casework.monitoring.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)

router = Router(tags=["notifications"])


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/notifications",
    response={200: NotificationPage, **ERROR_RESPONSES},
    summary="My notifications, newest first",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    queryset = notifications_for(request.user, unread_only=filters.unread)
    page = paginate(
        queryset, ordering=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit
    )
    unread = notifications_for(request.user, unread_only=True).count()
    return {
        "items": [notification_out(n) for n in page.items],
        "next": page.next,
        "unread": unread,
    }


@router.post(
    "/notifications/read-all",
    response={200: ReadAllOut, **ERROR_RESPONSES},
    summary="Mark all my notifications read",
)
def read_all_notifications(request: HttpRequest) -> Any:
    return {"marked": notifications_mark_all_read(acting_user=cast(User, request.user))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERROR_RESPONSES},
    summary="Mark one of my notifications read",
)
def read_notification(request: HttpRequest, notification_id: UUID) -> Any:
    user = cast(User, request.user)
    notification = notification_get(user=user, notification_id=notification_id)
    notification = notification_mark_read(acting_user=user, notification=notification)
    return notification_out(notification)
