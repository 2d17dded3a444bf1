"""Writes for notifications: in-app messages to one member of staff, email on commit, the daily
digest, and marking read.

Email is "minimum necessary" (HIPAA 45 CFR 164.502(b)): a message says how many items of which
priority wait and links to casework; it never carries a client's name, a title, a detail or any
health information -- those stay behind the sign-in (docs/security.md, "Email").
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID, uuid4

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import User
from casework.core.errors import NotFound
from casework.core.versioning import update_versioned
from casework.monitoring.models import Notification, Priority, WorkItem

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[casework]"

# Notification kinds (Notification.kind).
WORK_ITEM_URGENT = "work_item_urgent"
WORK_ITEM_ASAP = "work_item_asap"
WORK_ITEM_ESCALATION = "work_item_escalation"
WORK_ITEM_ASSIGNED = "work_item_assigned"
DIGEST = "digest"

_PRIORITY_WORDS = {Priority.ASAP: "as-soon-as-possible", Priority.URGENT: "urgent"}


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (``CASEWORK_BASE_URL``), for links in email."""
    if path.startswith(("http://", "https://")):
        return path
    return str(settings.CASEWORK_BASE_URL).rstrip("/") + "/" + path.lstrip("/")


def _email_send(*, to: str, subject: str, lines: list[str], url: str) -> None:
    """One plain-text + HTML message. ``lines`` must already be minimum necessary."""
    context = {"lines": lines, "url": absolute_url(url)}
    message = EmailMultiAlternatives(
        subject=f"{SUBJECT_PREFIX} {subject}",
        body=render_to_string("monitoring/email/message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(
        render_to_string("monitoring/email/message.html", context), "text/html"
    )
    message.send()


def _due_phrase(due_at: datetime | None, *, now: datetime) -> str:
    if due_at is None:
        return "with no due date"
    if due_at < now:
        return "overdue"
    today = timezone.localdate(now)
    due_day = timezone.localdate(due_at)
    if due_day == today:
        return "due today"
    if due_day == today + timedelta(days=1):
        return "due tomorrow"
    return f"due {due_day:%b} {due_day.day}"


def _email_lines(notification: Notification, *, now: datetime) -> tuple[str, list[str]]:
    """Subject and sentences of a notification's email: counts and dates, never client data."""
    item = notification.work_item
    if item is not None:
        words = _PRIORITY_WORDS.get(Priority(item.priority), "")
        what = "escalated work item" if notification.kind == WORK_ITEM_ESCALATION else "work item"
        described = f"{words} {what}".strip()
        article = "an" if described[:1] in "aeiou" else "a"
        sentence = (
            f"You have {article} {described} {_due_phrase(item.due_at, now=now)}"
            " — sign in to casework to see it."
        )
        return f"New {described}", [sentence]
    return "New notification", ["You have a new notification — sign in to casework to see it."]


def notification_email_send(*, notification_id: UUID | str) -> bool:
    """Email one notification once (``emailed_at`` records it); ``False`` when there is nothing
    to send (already sent, no address, user inactive). Safe to call from a job (part C)."""
    notification = (
        Notification.objects.select_related("user", "work_item")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.email or not notification.user.is_active:
        return False
    now = timezone.now()
    subject, lines = _email_lines(notification, now=now)
    _email_send(
        to=notification.user.email, subject=subject, lines=lines, url=notification.url or "/"
    )
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now)
    return True


def _email_on_commit(notification_id: UUID | str) -> None:
    def send() -> None:
        try:
            notification_email_send(notification_id=notification_id)
        except Exception:  # an unreachable mail server must not break the request
            logger.exception("Could not email notification %s", notification_id)

    transaction.on_commit(send)


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    work_item: WorkItem | None = None,
    email: bool = False,
) -> Notification:
    """Tell one member of staff something in the app; with ``email``, also by email once the
    transaction commits (so a rolled-back write sends nothing). The email never carries
    ``title`` or ``body``: see the module docstring."""
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        title=title[:200],
        body=body,
        url=url[:300],
        work_item=work_item,
    )
    if email and user.email:
        _email_on_commit(notification.pk)
    return notification


def _notice_for(item: WorkItem) -> tuple[str, bool] | None:
    """(kind, email?) of the notification a new item deserves, or ``None``: asap items notify
    and email at once, urgent items notify in the app."""
    if item.priority == Priority.ASAP:
        return WORK_ITEM_ASAP, True
    if item.priority == Priority.URGENT:
        return WORK_ITEM_URGENT, False
    return None


def _title_for(item: WorkItem, kind: str) -> str:
    label = {
        WORK_ITEM_ASAP: "As soon as possible",
        WORK_ITEM_URGENT: "Urgent",
        WORK_ITEM_ESCALATION: "Escalated to you",
    }[kind]
    return f"{label}: {item.title}"


def notify_work_item_created(item: WorkItem) -> Notification | None:
    """Notify the assignee of a new asap or urgent item (see ``_notice_for``); routine items
    wait on "My work" and in the daily digest."""
    notice = _notice_for(item)
    if notice is None:
        return None
    kind, email = notice
    # Once per item: a caller that also notifies (an older hook) does not double the message.
    already = Notification.objects.filter(work_item=item, kind=kind, user_id=item.assignee_id)
    existing = already.first()
    if existing is not None:
        return existing
    return notify(
        user=item.assignee,
        kind=kind,
        title=_title_for(item, kind),
        url=reverse("monitoring:my_work"),
        work_item=item,
        email=email and item.assignee.is_active,
    )


# Several new urgent items (or escalations) for one person from one sweep make one notification
# naming how many of each title, not one each: a supervisor whose team slipped gets "Escalated
# to you: 40 overdue work items", not forty lines in the bell. Asap items always notify one by one.
SUMMARY_NAMES = 5
SUMMARY_LABELS = {
    WORK_ITEM_URGENT: ("Urgent", "new urgent work items"),
    WORK_ITEM_ESCALATION: ("Escalated to you", "overdue work items"),
}


def notify_work_items_created(items: Iterable[Any]) -> int:
    """``notify_work_item_created`` for many new items at once (the sweep). ``items`` are work
    items or any objects with their columns as attributes (``id``, ``assignee_id``, ``kind``,
    ``priority``, ``title``): the sweep passes the rows it inserted. Returns how many
    notifications were made (see ``_notify_many``)."""
    notices = []
    for item in items:
        notice = _notice_for(cast(WorkItem, item))
        if notice is not None:
            notices.append((item.assignee_id, item, *notice))
    return _notify_many(notices, url=reverse("monitoring:my_work"))


def notify_escalated(escalations: Iterable[tuple[Any, Any]]) -> int:
    """Tell supervisors that items escalated to them: ``(supervisor id, item)`` pairs, the item
    any object with ``id``, ``priority`` and ``title``. The link is Team work, where "Escalated
    to you" lists them; an asap item also emails. Returns how many notifications were made."""
    notices = [
        (user_id, item, WORK_ITEM_ESCALATION, item.priority == Priority.ASAP)
        for user_id, item in escalations
    ]
    return _notify_many(notices, url=reverse("monitoring:team_work"))


def _notify_many(notices: list[tuple[Any, Any, str, bool]], *, url: str) -> int:
    """Insert the notifications ``(user id, item, kind, email?)`` as plain rows, a few thousand
    a statement (no model instances). The ones to email go one by one (and by email on
    commit); the rest are grouped: a person with several of one kind gets one notification
    naming how many (``SUMMARY_LABELS``)."""
    from casework.core.bulk import fast_bulk_insert

    rows: list[SimpleNamespace] = []
    to_email: list[UUID] = []
    grouped: dict[tuple[Any, str], list[Any]] = defaultdict(list)

    def row(*, user_id: Any, work_item_id: Any, kind: str, title: str, body: str) -> UUID:
        notification_id = uuid4()
        rows.append(
            SimpleNamespace(
                id=notification_id,
                created_at=None,
                updated_at=None,
                version=1,
                user_id=user_id,
                work_item_id=work_item_id,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                read_at=None,
                emailed_at=None,
            )
        )
        return notification_id

    def about(user_id: Any, item: Any, kind: str) -> UUID:
        return row(
            user_id=user_id, work_item_id=item.id, kind=kind, title=_title_for(item, kind), body=""
        )

    for user_id, item, kind, email in notices:
        if email:
            to_email.append(about(user_id, item, kind))
        else:
            grouped[(user_id, kind)].append(item)
    for (user_id, kind), group in grouped.items():
        if len(group) == 1:
            about(user_id, group[0], kind)
            continue
        label, what = SUMMARY_LABELS[kind]
        by_title = Counter(item.title for item in group).most_common()
        names = [f"{title} ({count})" for title, count in by_title[:SUMMARY_NAMES]]
        if len(by_title) > SUMMARY_NAMES:
            rest = sum(count for _, count in by_title[SUMMARY_NAMES:])
            names.append(f"{rest} more of other kinds")
        row(
            user_id=user_id,
            work_item_id=None,
            kind=kind,
            title=f"{label}: {len(group)} {what}",
            body="\n".join(names),
        )
    fast_bulk_insert(Notification, rows)
    for notification_id in to_email:
        _email_on_commit(notification_id)
    return len(rows)


def notification_mark_read(*, acting_user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (again: no change)."""
    if notification.user_id != acting_user.pk:
        raise NotFound("Notification not found.")
    if notification.read_at is None:
        update_versioned(notification, expected_version=None, read_at=timezone.now())
    return notification


def notifications_mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user_id=acting_user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ----------------------------------------------------------------------------------------------
# The daily digest


@dataclass(frozen=True)
class DigestCounts:
    overdue: int
    due_today: int
    due_this_week: int
    escalations: int
    open: int


def _digest_lines(counts: DigestCounts) -> list[str]:
    parts = [
        (counts.overdue, "overdue"),
        (counts.due_today, "due today"),
        (counts.due_this_week, "due in the next 7 days"),
        (counts.escalations, "escalated to you"),
    ]
    lines = [f"{n} work item{'s' if n != 1 else ''} {what}" for n, what in parts if n]
    total = f"You have {counts.open} open work item{'s' if counts.open != 1 else ''} in casework."
    return [total, *lines, "Sign in to casework to see them."]


def digest_title(now: datetime) -> str:
    """The digest record's title names the agency day it covers: one per person and day."""
    return f"Daily digest for {timezone.localdate(now).isoformat()}"


def daily_digest_send(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """One email per active member of staff with open work: counts of overdue, due today, due
    this week and escalations, and a link to My work. Never twice the same agency day for the
    same person (a ``digest`` notification, read already, records it); people without an email
    address are skipped. Returns how many were sent (or, with ``dry_run``, would be)."""
    from casework.monitoring.selectors.notifications import digest_already_sent_today
    from casework.monitoring.selectors.work_items import digest_recipients

    now = now or timezone.now()
    sent = 0
    for user, counts in digest_recipients(now=now):
        if dry_run:
            sent += 0 if digest_already_sent_today(user=user, now=now) else 1
            continue
        with transaction.atomic():
            # Lock the person's row: two digests racing for one person, one wins.
            locked = User.objects.select_for_update().filter(pk=user.pk).first()
            if locked is None or digest_already_sent_today(user=user, now=now):
                continue
            record = Notification.objects.create(
                user=user,
                kind=DIGEST,
                title=digest_title(now),
                body=" ".join(_digest_lines(counts)),
                url=reverse("monitoring:my_work"),
                read_at=now,
            )
        try:
            _email_send(
                to=user.email,
                subject="Your work for today",
                lines=_digest_lines(counts),
                url=reverse("monitoring:my_work"),
            )
        except Exception:
            logger.exception("Could not send the daily digest to user %s", user.pk)
            Notification.objects.filter(pk=record.pk).delete()  # so a rerun may try again
            continue
        Notification.objects.filter(pk=record.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
