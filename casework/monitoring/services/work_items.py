"""Writes for work items: create (never twice for the same source and person), create by hand,
complete, snooze and unsnooze, reassign and cancel. Each is atomic and audited; changes name the
version they read (a stale one is a 409)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import Conflict, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.monitoring.models import (
    CloseReason,
    Priority,
    PromptRule,
    WorkItem,
    WorkItemStatus,
)


def end_of_today() -> datetime:
    """The last moment of today in the agency's time zone (``settings.TIME_ZONE``): "due today"."""
    today = timezone.localdate()
    start_of_tomorrow = datetime.combine(today + timedelta(days=1), time.min)
    return timezone.make_aware(start_of_tomorrow) - timedelta(microseconds=1)


def work_item_create(
    *,
    acting_user: User | None,
    assignee: User,
    kind: str,
    title: str,
    detail: str = "",
    priority: str = Priority.ROUTINE,
    due_at: datetime | None = None,
    client: Client | None = None,
    case: Case | None = None,
    source_type: str = "",
    source_id: str = "",
    rule: PromptRule | None = None,
    notify: bool = True,
) -> tuple[WorkItem, bool]:
    """Put a task on ``assignee``'s work queue; returns ``(item, created)``.

    An item with a source (``source_type`` + ``source_id``, e.g. the assessment response that
    raised a flag) is made at most once per kind and person: if one already exists -- open or
    already done -- it is returned instead of a second one. The partial unique constraint on
    open items backs this up when two requests race. An item without a source is never
    merged with another.

    A new asap or urgent item notifies its assignee in the same transaction
    (asap also by email once it commits: ``notify_work_item_created``); ``notify=False`` leaves
    that to the caller.
    """
    if priority not in Priority.values:
        raise ValidationFailed(
            "Unknown priority.", errors=[field_error("priority", f"one of {Priority.values}")]
        )
    if not title.strip():
        raise ValidationFailed(
            "A work item needs a title.", errors=[field_error("title", "required")]
        )
    organization_id = client.organization_id if client is not None else assignee.organization_id
    if organization_id is None:
        raise ValidationFailed(
            "The assignee belongs to no organization.",
            errors=[field_error("assignee", "no organization")],
        )
    if source_type and source_id:
        existing = WorkItem.objects.filter(
            kind=kind, source_type=source_type, source_id=source_id, assignee=assignee
        ).first()
        if existing is not None:
            return existing, False
    with transaction.atomic():
        item = WorkItem(
            organization_id=organization_id,
            assignee=assignee,
            client=client,
            case=case,
            kind=kind,
            title=title.strip()[:200],
            detail=detail,
            priority=priority,
            due_at=due_at,
            source_type=source_type,
            source_id=source_id,
            created_by=acting_user,
            rule=rule,
        )
        if not source_id:
            # The open-item unique constraint covers (kind, source, assignee): an item with no
            # source is its own source, so two hand-made tasks of one kind can both be open.
            item.source_id = str(item.id)
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            existing = WorkItem.objects.filter(
                kind=kind,
                source_type=source_type,
                source_id=source_id,
                assignee=assignee,
                status=WorkItemStatus.OPEN,
            ).first()
            if existing is None:
                raise
            return existing, False
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=item,
            client_id=client.pk if client is not None else None,
            organization_id=organization_id,
            changes={
                "assignee": assignee.username,
                "kind": kind,
                "title": item.title,
                "priority": priority,
                "due_at": due_at,
                "source": f"{source_type}:{source_id}" if source_type else "",
            },
        )
        if notify:
            from casework.monitoring.services.notifications import notify_work_item_created

            notify_work_item_created(item)
    return item, True


def work_item_complete(
    *,
    acting_user: User,
    work_item: WorkItem,
    expected_version: int | None = None,
    note: str = "",
) -> WorkItem:
    """Mark one of the acting user's own open items done (a stale ``version`` is a 409)."""
    if work_item.assignee_id != acting_user.pk:
        raise Conflict(
            "Only the person a work item is assigned to may complete it.",
            code="not_assignee",
            errors=[field_error("assignee", "not you")],
        )
    _require_open(work_item)
    return _close(
        work_item,
        acting_user=acting_user,
        expected_version=expected_version,
        status=WorkItemStatus.DONE,
        close_reason=CloseReason.COMPLETED,
        detail={"note": note} if note else None,
    )


def _close(
    work_item: WorkItem,
    *,
    acting_user: User,
    expected_version: int | None,
    status: str,
    close_reason: str,
    detail: dict[str, str] | None,
) -> WorkItem:
    """Close one item by hand (completed or cancelled), version-checked and audited."""
    with transaction.atomic():
        _update_audited(
            work_item,
            acting_user=acting_user,
            expected_version=expected_version,
            detail=detail,
            status=status,
            close_reason=close_reason,
            closed_at=timezone.now(),
            closed_by=acting_user,
        )
    return work_item


def _update_audited(
    work_item: WorkItem,
    *,
    acting_user: User | None,
    expected_version: int | None,
    detail: dict[str, Any] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Change ``work_item`` (version-checked) and audit the change; whoever closed it is named
    by username in the audit event. Returns the change."""
    diff = update_versioned(work_item, expected_version=expected_version, **changes)
    if "closed_by" in changes:
        diff.pop("closed_by", None)
        diff["closed_by"] = getattr(changes["closed_by"], "username", None)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=work_item,
        client_id=work_item.client_id,
        organization_id=work_item.organization_id,
        changes=diff,
        detail=detail,
    )
    return diff


def work_items_resolve(
    *,
    kind: str,
    source_type: str,
    source_id: str,
    acting_user: User | None,
    note: str = "",
) -> int:
    """Close the open items of one source automatically because what raised them went away (a
    silent referral got an update). Each is marked done and audited with ``note``; returns how
    many were closed."""
    closed = 0
    with transaction.atomic():
        items = list(
            WorkItem.objects.select_for_update().filter(
                kind=kind, source_type=source_type, source_id=source_id, status=WorkItemStatus.OPEN
            )
        )
        for item in items:
            _update_audited(
                item,
                acting_user=acting_user,
                expected_version=None,
                detail={"resolved_automatically": True, "note": note},
                status=WorkItemStatus.DONE,
                close_reason=CloseReason.RESOLVED,
                closed_at=timezone.now(),
                closed_by=acting_user,
            )
            closed += 1
    return closed


# ----------------------------------------------------------------------------------------------
# By hand; snooze; reassign; cancel

HAND_MADE_KIND = "task"
# How far ahead an item may be snoozed. Judgement, not a standard: a month keeps a deferred
# prompt in sight (reassessment and plan-review cycles are 90 days and more; contact cycles a week
# to a month), so a snooze cannot quietly outlive the cycle that raised the item.
MAX_SNOOZE_DAYS = 30


def _require_open(work_item: WorkItem) -> None:
    if work_item.status != WorkItemStatus.OPEN:
        raise Conflict(
            f"This work item is already {work_item.get_status_display().lower()}.",
            code="not_open",
            errors=[field_error("status", work_item.status)],
        )


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason.", errors=[field_error(field, "a reason is required")]
        )
    return reason


def _supervises(acting_user: User, work_item: WorkItem) -> bool:
    from casework.monitoring.selectors.work_items import may_supervise_item

    return may_supervise_item(user=acting_user, work_item=work_item)


def work_item_assign(
    *,
    acting_user: User,
    assignee: User,
    title: str,
    detail: str = "",
    priority: str = Priority.ROUTINE,
    due_at: datetime | None = None,
    case: Case | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """A task made by hand: a case manager's reminder for themself, or a supervisor's task for a
    member of a team they supervise. ``case`` (already fetched through the acting user's scope)
    must also be visible to the assignee, so the task never points at a case they cannot open.
    The due date may not be in the past. Someone else's new task notifies them."""
    from casework.accounts.selectors import staff_supervised_by
    from casework.monitoring.selectors.work_items import can_see_case
    from casework.monitoring.services.notifications import WORK_ITEM_ASSIGNED, notify

    now = now or timezone.now()
    if (
        assignee.pk != acting_user.pk
        and not staff_supervised_by(acting_user).filter(pk=assignee.pk).exists()
    ):
        raise ValidationFailed(
            "You can give tasks to yourself and to the members of teams you supervise.",
            errors=[field_error("assignee", "not on a team you supervise")],
        )
    if due_at is not None and timezone.localdate(due_at) < timezone.localdate(now):
        raise ValidationFailed(
            "The due date is in the past.", errors=[field_error("due_at", "today or later")]
        )
    if case is not None and not can_see_case(user=assignee, case_id=case.pk):
        raise ValidationFailed(
            f"{assignee.display_name} cannot open this case: add them to its care team first.",
            errors=[field_error("case_id", "the assignee cannot see this case")],
        )
    with transaction.atomic():
        item, _ = work_item_create(
            acting_user=acting_user,
            assignee=assignee,
            kind=HAND_MADE_KIND,
            title=title,
            detail=detail,
            priority=priority,
            due_at=due_at,
            client=case.client if case is not None else None,
            case=case,
            notify=assignee.pk == acting_user.pk,
        )
        if assignee.pk != acting_user.pk:
            notify(
                user=assignee,
                kind=WORK_ITEM_ASSIGNED,
                title=f"{acting_user.display_name} gave you a task: {item.title}",
                url=_my_work_url(),
                work_item=item,
                email=priority == Priority.ASAP,
            )
    return item


def _my_work_url() -> str:
    from django.urls import reverse

    return reverse("monitoring:my_work")


def work_item_snooze(
    *,
    acting_user: User,
    work_item: WorkItem,
    until: datetime,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Put one of the user's own open items out of sight until ``until`` (later than now, at
    most ``MAX_SNOOZE_DAYS`` ahead), with a reason. A snoozed item stays open, counts as
    neither due nor overdue, and is not escalated while the snooze lasts."""
    now = now or timezone.now()
    if work_item.assignee_id != acting_user.pk:
        raise Conflict(
            "Only the person a work item is assigned to may snooze it.",
            code="not_assignee",
            errors=[field_error("assignee", "not you")],
        )
    _require_open(work_item)
    reason = _require_reason(reason)
    if until <= now:
        raise ValidationFailed(
            "Snooze until a later time.", errors=[field_error("until", "must be in the future")]
        )
    if until > now + timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationFailed(
            f"An item can be snoozed for at most {MAX_SNOOZE_DAYS} days.",
            errors=[field_error("until", f"at most {MAX_SNOOZE_DAYS} days ahead")],
        )
    with transaction.atomic():
        _update_audited(
            work_item,
            acting_user=acting_user,
            expected_version=expected_version,
            snoozed_until=until,
            snooze_reason=reason,
        )
    return work_item


def work_item_unsnooze(
    *,
    acting_user: User,
    work_item: WorkItem,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Bring a snoozed item back now (the assignee)."""
    now = now or timezone.now()
    if work_item.assignee_id != acting_user.pk:
        raise Conflict(
            "Only the person a work item is assigned to may wake it.",
            code="not_assignee",
            errors=[field_error("assignee", "not you")],
        )
    _require_open(work_item)
    if work_item.snoozed_until is None or work_item.snoozed_until <= now:
        raise Conflict(
            "This work item is not snoozed.",
            code="not_snoozed",
            errors=[field_error("snoozed_until", "not snoozed")],
        )
    with transaction.atomic():
        _update_audited(
            work_item,
            acting_user=acting_user,
            expected_version=expected_version,
            snoozed_until=None,
            snooze_reason="",
        )
    return work_item


def work_item_cancel(
    *,
    acting_user: User,
    work_item: WorkItem,
    reason: str,
    expected_version: int | None = None,
) -> WorkItem:
    """Cancel an open item that needs no doing, with a reason: its assignee, or a supervisor of
    the case's team or of the assignee's team. A cancelled prompt is not made again for the same
    period (its key stays taken)."""
    if work_item.assignee_id != acting_user.pk and not _supervises(acting_user, work_item):
        raise Conflict(
            "Only the assignee or their supervisor may cancel a work item.",
            code="not_assignee",
            errors=[field_error("assignee", "not you")],
        )
    _require_open(work_item)
    reason = _require_reason(reason)
    return _close(
        work_item,
        acting_user=acting_user,
        expected_version=expected_version,
        status=WorkItemStatus.CANCELLED,
        close_reason=CloseReason.CANCELLED,
        detail={"reason": reason},
    )


def work_item_reassign(
    *,
    acting_user: User,
    work_item: WorkItem,
    to: User,
    reason: str,
    expected_version: int | None = None,
) -> WorkItem:
    """Hand an open item to someone else, with a reason; returns the new assignee's item.

    Who may: a supervisor of the case's team (or of the assignee's team), to any active member
    of a team they supervise; the assignee, to a supervisor of their team or of the case's team.
    The new assignee must be able to open the case. The old item closes as ``reassigned``
    (cancelled; its key stays taken, so the sweep does not raise it again for the old assignee)
    and a new open item with the same kind, source, rule and due date goes to ``to`` -- unless
    they already hold that same open item, which is then returned. The new assignee is told.
    """
    from casework.monitoring.selectors.work_items import can_see_case, reassign_candidates
    from casework.monitoring.services.notifications import WORK_ITEM_ASSIGNED, notify

    supervises = _supervises(acting_user, work_item)
    if work_item.assignee_id != acting_user.pk and not supervises:
        raise Conflict(
            "Only the assignee or their supervisor may reassign a work item.",
            code="not_assignee",
            errors=[field_error("assignee", "not you")],
        )
    _require_open(work_item)
    reason = _require_reason(reason)
    if to.pk == work_item.assignee_id:
        raise ValidationFailed(
            "The item is already theirs.", errors=[field_error("to", "already the assignee")]
        )
    if not reassign_candidates(user=acting_user, work_item=work_item).filter(pk=to.pk).exists():
        message = (
            "You can hand items to active members of the teams you supervise."
            if supervises
            else "You can hand your items to a supervisor of your team."
        )
        raise ValidationFailed(message, errors=[field_error("to", "not someone you can assign")])
    if work_item.case_id is not None and not can_see_case(user=to, case_id=work_item.case_id):
        raise ValidationFailed(
            f"{to.display_name} cannot open this case: add them to its care team first.",
            errors=[field_error("to", "cannot see the case")],
        )
    now = timezone.now()
    with transaction.atomic():
        # The new holder's item first (its id goes into the old item's audit event); a stale
        # version of the old item then rolls both back.
        existing = WorkItem.objects.filter(
            kind=work_item.kind,
            source_type=work_item.source_type,
            source_id=work_item.source_id,
            assignee=to,
            status=WorkItemStatus.OPEN,
        ).first()
        if existing is not None:
            new_item = existing
        else:
            new_item = WorkItem.objects.create(
                organization_id=work_item.organization_id,
                assignee=to,
                client_id=work_item.client_id,
                case_id=work_item.case_id,
                kind=work_item.kind,
                title=work_item.title,
                detail=work_item.detail,
                priority=work_item.priority,
                due_at=work_item.due_at,
                source_type=work_item.source_type,
                source_id=work_item.source_id,
                rule_id=work_item.rule_id,
                escalated_at=work_item.escalated_at,
                created_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                obj=new_item,
                client_id=new_item.client_id,
                organization_id=new_item.organization_id,
                changes={
                    "assignee": to.username,
                    "kind": new_item.kind,
                    "title": new_item.title,
                    "priority": new_item.priority,
                    "due_at": new_item.due_at,
                },
                detail={"reassigned_from": str(work_item.pk), "reason": reason},
            )
        _update_audited(
            work_item,
            acting_user=acting_user,
            expected_version=expected_version,
            detail={"reassigned_to": to.username, "new_item": str(new_item.pk), "reason": reason},
            status=WorkItemStatus.CANCELLED,
            close_reason=CloseReason.REASSIGNED,
            closed_at=now,
            closed_by=acting_user,
        )
        if existing is None:
            notify(
                user=to,
                kind=WORK_ITEM_ASSIGNED,
                title=f"{acting_user.display_name} handed you: {new_item.title}",
                url=_my_work_url(),
                work_item=new_item,
                email=new_item.priority == Priority.ASAP,
            )
    return new_item


# Items that belong to the person they were made for, not to whoever carries the case.
PERSONAL_KINDS = {"task", "credential_expiring", "over_capacity"}


def work_items_follow_case_manager(
    *, case: Case, previous: User | None, case_manager: User, acting_user: User | None
) -> int:
    """When a case changes hands, the previous case manager's open items on it (contact due,
    referral follow-ups, no-shows …) move to the new case manager, as the sweep would assign them.
    Personal items (tasks by hand, staff rules) stay. Each move is audited; an item
    the new case manager already holds for the same source closes the old one as reassigned.
    Returns how many moved."""
    if previous is None or previous.pk == case_manager.pk:
        return 0
    moved = 0
    items = (
        WorkItem.objects.select_for_update()
        .filter(case_id=case.pk, assignee_id=previous.pk, status=WorkItemStatus.OPEN)
        .exclude(kind__in=PERSONAL_KINDS)
        .order_by("created_at", "id")
    )
    for item in items:
        held = WorkItem.objects.filter(
            kind=item.kind,
            source_type=item.source_type,
            source_id=item.source_id,
            assignee_id=case_manager.pk,
            status=WorkItemStatus.OPEN,
        ).exists()
        if held:
            changes = update_versioned(
                item,
                expected_version=None,
                status=WorkItemStatus.CANCELLED,
                close_reason=CloseReason.REASSIGNED,
                closed_at=timezone.now(),
            )
        else:
            changes = update_versioned(item, expected_version=None, assignee=case_manager)
            changes["assignee"] = [previous.username, case_manager.username]
            moved += 1
        audit_record(
            actor=acting_user,
            action=Action.ASSIGN,
            obj=item,
            client_id=item.client_id,
            organization_id=item.organization_id,
            changes=changes,
            detail={"reason": "the case changed case manager"},
        )
    return moved
