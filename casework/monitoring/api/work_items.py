from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read_many
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.monitoring import services
from casework.monitoring.schemas.work_items import (
    WorkItemCompleteIn,
    WorkItemOut,
    WorkItemPage,
    work_item_out,
)
from casework.monitoring.selectors.work_items import work_item_get, work_items_for

router = Router(tags=["work items"])

NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)


class WorkItemFilters(Schema):
    status: str = Field("open", description="open (default), done, cancelled or all")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/work-items",
    response={200: WorkItemPage, **ERROR_RESPONSES},
    summary="My work: the items assigned to me, soonest due first",
)
def list_work_items(request: HttpRequest, filters: Query[WorkItemFilters]) -> Any:
    # Soonest due first; items without a due date after those with one.
    queryset = (
        work_items_for(request.user, filters.status)
        .select_related("closed_by")
        .annotate(due_order=Coalesce("due_at", Value(NO_DUE_DATE), output_field=DateTimeField()))
    )
    page = paginate(
        queryset, ordering=["due_order", "id"], cursor=filters.cursor, limit=filters.limit
    )
    items = page.items
    audit_read_many(
        actor=request.user,
        object_type="monitoring.workitem",
        ids=[item.pk for item in items],
    )
    now = timezone.now()
    return {"items": [work_item_out(item, now=now) for item in items], "next": page.next}


@router.post(
    "/work-items/{work_item_id}/complete",
    response={200: WorkItemOut, **ERROR_RESPONSES},
    summary="Mark one of my work items done",
)
def complete_work_item(
    request: HttpRequest, work_item_id: UUID, payload: WorkItemCompleteIn | None = None
) -> Any:
    user = cast(User, request.user)
    item = work_item_get(user=user, work_item_id=work_item_id)
    body = payload or WorkItemCompleteIn(version=None, note="")
    item = services.work_item_complete(
        acting_user=user, work_item=item, expected_version=body.version, note=body.note
    )
    return work_item_out(item, now=timezone.now())
