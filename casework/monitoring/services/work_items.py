"""Writes for work items: create (never twice for the same source and person) and complete."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import Conflict, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.monitoring.models import Priority, WorkItem, WorkItemStatus


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
) -> tuple[WorkItem, bool]:
    """Put a task on ``assignee``'s work queue; returns ``(item, created)``.

    An item with a source (``source_type`` + ``source_id``, e.g. the assessment response that
    raised a flag) is made at most once per kind and person: if one already exists -- open or
    already done -- it is returned instead of a second one. The partial unique constraint on
    open items backs this up when two requests race. An item without a source is never
    merged with another.
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
    if work_item.status != WorkItemStatus.OPEN:
        raise Conflict(
            f"This work item is already {work_item.get_status_display().lower()}.",
            code="not_open",
            errors=[field_error("status", work_item.status)],
        )
    with transaction.atomic():
        diff = update_versioned(
            work_item,
            expected_version=expected_version,
            status=WorkItemStatus.DONE,
            closed_at=timezone.now(),
            closed_by=acting_user,
        )
        diff.pop("closed_by", None)
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            obj=work_item,
            client_id=work_item.client_id,
            changes={**diff, "closed_by": acting_user.username},
            detail={"note": note} if note else None,
        )
    return work_item


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
            diff = update_versioned(
                item,
                expected_version=None,
                status=WorkItemStatus.DONE,
                closed_at=timezone.now(),
                closed_by=acting_user,
            )
            diff.pop("closed_by", None)
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                obj=item,
                client_id=item.client_id,
                organization_id=item.organization_id,
                changes={**diff, "closed_by": getattr(acting_user, "username", None)},
                detail={"resolved_automatically": True, "note": note},
            )
            closed += 1
    return closed
