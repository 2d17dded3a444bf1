"""Work item endpoints: My work (filters), Team work for supervisors, one item, and the actions
complete, snooze, unsnooze, reassign and cancel (each names the version it read: stale → 409),
and a task made by hand. Someone else's item is 404 unless you supervise it."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from casework.accounts.models import User
from casework.accounts.selectors import staff_of_organization
from casework.audit.services import audit_read, audit_read_many
from casework.cases.selectors import case_get
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES, user_ref
from casework.monitoring import services
from casework.monitoring.schemas.work_items import (
    TeamWorkPage,
    WorkItemCancelIn,
    WorkItemCompleteIn,
    WorkItemIn,
    WorkItemOut,
    WorkItemPage,
    WorkItemReassignIn,
    WorkItemSnoozeIn,
    WorkItemVersionIn,
    work_item_out,
)
from casework.monitoring.selectors.work_items import (
    NO_DUE_DATE,
    WorkFilters,
    escalations_to,
    my_work,
    team_work,
    team_work_people,
    work_item_get,
    work_items_for,
    work_items_ordered,
)

router = Router(tags=["work items"])

__all__ = ["NO_DUE_DATE", "router"]

ORDERING = ["due_order", "priority_rank", "created_at", "id"]


class WorkItemFilters(Schema):
    status: str = Field("open", description="open (default), done, cancelled or all")
    kind: str = Field("", description="Only items of this kind, e.g. contact_due")
    priority: str = Field("", description="routine, urgent or asap")
    overdue: bool = Field(False, description="Only overdue items (due before now, not snoozed)")
    due_today: bool = Field(False, description="Only items due later today")
    escalated: bool = Field(
        False, description="Only items escalated to the supervisors (overdue beyond the limit)"
    )
    snoozed: bool = Field(False, description="Include snoozed items (open items only)")
    case_id: UUID | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filters(filters: WorkItemFilters) -> WorkFilters:
    return WorkFilters(
        kind=filters.kind,
        priority=filters.priority,
        overdue=filters.overdue,
        due_today=filters.due_today,
        escalated=filters.escalated,
        snoozed=filters.snoozed,
        case_id=filters.case_id,
    )


def _page(request: HttpRequest, queryset: Any, filters: WorkItemFilters) -> tuple[list[Any], Any]:
    page = paginate(
        queryset.select_related("client", "closed_by", "assignee"),
        ordering=ORDERING,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(
        actor=request.user, object_type="monitoring.workitem", ids=[i.pk for i in page.items]
    )
    return page.items, page.next


@router.get(
    "/work-items",
    response={200: WorkItemPage, **ERROR_RESPONSES},
    summary="My work: my items, overdue first then soonest due",
)
def list_work_items(request: HttpRequest, filters: Query[WorkItemFilters]) -> Any:
    now = timezone.now()
    user = _user(request)
    if filters.status == "open":
        queryset = my_work(user=user, filters=_filters(filters), now=now)
    else:
        # Closed items: the queue's filters narrow them too; ``snoozed`` means nothing there.
        queryset = work_items_ordered(work_items_for(user, filters.status), now)
        if filters.kind:
            queryset = queryset.filter(kind=filters.kind)
        if filters.priority:
            queryset = queryset.filter(priority=filters.priority)
        if filters.case_id:
            queryset = queryset.filter(case_id=filters.case_id)
    items, next_cursor = _page(request, queryset, filters)
    return {"items": [work_item_out(item, now=now) for item in items], "next": next_cursor}


@router.get(
    "/work-items/team",
    response={200: TeamWorkPage, **ERROR_RESPONSES},
    summary="Team work: open items of the people on the teams I supervise",
)
def list_team_work(request: HttpRequest, filters: Query[WorkItemFilters]) -> Any:
    now = timezone.now()
    user = _user(request)
    items, next_cursor = _page(
        request, team_work(user=user, filters=_filters(filters), now=now), filters
    )
    escalations = list(escalations_to(user=user, now=now).select_related("client")[:200])
    audit_read_many(actor=user, object_type="monitoring.workitem", ids=[i.pk for i in escalations])
    return {
        "people": [
            {"user": user_ref(p.user), "open": p.open, "overdue": p.overdue}
            for p in team_work_people(user=user, now=now)
        ],
        "escalations": [work_item_out(item, now=now) for item in escalations],
        "items": [work_item_out(item, now=now) for item in items],
        "next": next_cursor,
    }


@router.post(
    "/work-items",
    response={201: WorkItemOut, **ERROR_RESPONSES},
    summary="Make a task by hand: a reminder for myself, or a task for a member of my team",
)
def create_work_item(request: HttpRequest, payload: WorkItemIn) -> Any:
    user = _user(request)
    assignee = user
    if payload.assignee_id is not None and payload.assignee_id != user.pk:
        found = staff_of_organization(user).filter(pk=payload.assignee_id).first()
        if found is None:
            raise ValidationFailed(
                "No such member of staff.", errors=[field_error("assignee_id", "not found")]
            )
        assignee = found
    case = case_get(user=user, case_id=payload.case_id) if payload.case_id else None
    item = services.work_item_assign(
        acting_user=user,
        assignee=assignee,
        title=payload.title,
        detail=payload.detail,
        priority=payload.priority,
        due_at=payload.due_at,
        case=case,
    )
    item = work_item_get(user=user, work_item_id=item.pk)
    return 201, work_item_out(item, now=timezone.now())


@router.get(
    "/work-items/{work_item_id}",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="One work item (mine, or one I supervise)",
)
def get_work_item(request: HttpRequest, work_item_id: UUID) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    audit_read(actor=user, obj=item, client_id=item.client_id)
    return work_item_out(item, now=timezone.now())


def _out(user: User, item: Any) -> Any:
    fresh = work_item_get(user=user, work_item_id=item.pk)
    return work_item_out(fresh, now=timezone.now())


@router.post(
    "/work-items/{work_item_id}/complete",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Mark one of my work items done",
)
def complete_work_item(
    request: HttpRequest, work_item_id: UUID, payload: WorkItemCompleteIn | None = None
) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    body = payload or WorkItemCompleteIn(version=None, note="")
    item = services.work_item_complete(
        acting_user=user, work_item=item, expected_version=body.version, note=body.note
    )
    return _out(user, item)


@router.post(
    "/work-items/{work_item_id}/snooze",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Snooze one of my work items until a date (at most 30 days), with a reason",
)
def snooze_work_item(request: HttpRequest, work_item_id: UUID, payload: WorkItemSnoozeIn) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    item = services.work_item_snooze(
        acting_user=user,
        work_item=item,
        until=payload.until,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _out(user, item)


@router.post(
    "/work-items/{work_item_id}/unsnooze",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Bring a snoozed work item back now",
)
def unsnooze_work_item(
    request: HttpRequest, work_item_id: UUID, payload: WorkItemVersionIn | None = None
) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    body = payload or WorkItemVersionIn(version=None)
    item = services.work_item_unsnooze(
        acting_user=user, work_item=item, expected_version=body.version
    )
    return _out(user, item)


@router.post(
    "/work-items/{work_item_id}/reassign",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Hand a work item to someone else, with a reason (returns the new assignee's item)",
)
def reassign_work_item(
    request: HttpRequest, work_item_id: UUID, payload: WorkItemReassignIn
) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    to = staff_of_organization(user).filter(pk=payload.to).first()
    if to is None:
        raise ValidationFailed("No such member of staff.", errors=[field_error("to", "not found")])
    new_item = services.work_item_reassign(
        acting_user=user,
        work_item=item,
        to=to,
        reason=payload.reason,
        expected_version=payload.version,
    )
    try:
        return _out(user, new_item)
    except NotFound:
        # Handed to someone whose items the acting user does not supervise (their supervisor).
        return work_item_out(new_item, now=timezone.now())


@router.post(
    "/work-items/{work_item_id}/cancel",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Cancel a work item that needs no doing, with a reason",
)
def cancel_work_item(request: HttpRequest, work_item_id: UUID, payload: WorkItemCancelIn) -> Any:
    user = _user(request)
    item = work_item_get(user=user, work_item_id=work_item_id)
    item = services.work_item_cancel(
        acting_user=user, work_item=item, reason=payload.reason, expected_version=payload.version
    )
    return _out(user, item)
