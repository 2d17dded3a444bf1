"""Reads of notifications: a person's own only (someone else's is not found)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from casework.accounts.models import User
from casework.core.errors import NotFound
from casework.monitoring.models import Notification

DIGEST = "digest"


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first. The digest records (what was emailed when) are
    bookkeeping, not messages, and are left out."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    queryset = Notification.objects.filter(user_id=user.pk).exclude(kind=DIGEST)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def notification_get(*, user: Any, notification_id: UUID | str) -> Notification:
    try:
        return notifications_for(user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Notification not found.") from exc


def digest_already_sent_today(*, user: User, now: datetime) -> bool:
    from casework.monitoring.services.notifications import digest_title

    title = digest_title(now)
    return Notification.objects.filter(user_id=user.pk, kind=DIGEST, title=title).exists()
