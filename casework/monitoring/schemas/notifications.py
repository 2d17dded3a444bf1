from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class NotificationOut(Schema):
    id: str
    kind: str
    title: str
    body: str
    url: str
    work_item_id: str | None
    read: bool
    read_at: datetime | None
    emailed_at: datetime | None
    created_at: datetime


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None
    unread: int = Field(description="How many of your notifications are unread")


class ReadAllOut(Schema):
    marked: int


def notification_out(notification: Any) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "work_item_id": str(notification.work_item_id) if notification.work_item_id else None,
        "read": notification.read_at is not None,
        "read_at": notification.read_at,
        "emailed_at": notification.emailed_at,
        "created_at": notification.created_at,
    }
