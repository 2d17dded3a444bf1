"""Reads of work items, and who must hear about an urgent finding for a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from casework.accounts.models import TeamMembership, User
from casework.cases.models import FINISHED, Case
from casework.clients.models import Client
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.monitoring.models import WorkItem, WorkItemStatus
from casework.programs.models import Program

WORK_ITEM_STATUSES = {choice.value for choice in WorkItemStatus} | {"all"}


def work_items_for(user: Any, status: str = WorkItemStatus.OPEN) -> QuerySet[WorkItem]:
    """The user's own work queue ("my work"): items assigned to them, soonest due first.

    ``status`` is ``open`` (default), ``done``, ``cancelled`` or ``all``.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return WorkItem.objects.none()
    if status not in WORK_ITEM_STATUSES:
        raise ValidationFailed(
            "Unknown work item status.",
            errors=[field_error("status", f"must be one of {sorted(WORK_ITEM_STATUSES)}")],
        )
    queryset = WorkItem.objects.filter(assignee_id=user.pk).select_related("client", "case")
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset


def work_item_get(*, user: Any, work_item_id: UUID | str) -> WorkItem:
    """One of the user's own work items, or ``NotFound``."""
    try:
        return work_items_for(user, "all").get(pk=work_item_id)
    except (WorkItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Work item not found.") from exc


def work_items_from_source(*, source_type: str, source_id: str) -> QuerySet[WorkItem]:
    """Who was given work because of one record (e.g. the response that raised a flag); for a
    page that already shows that record to the user."""
    return WorkItem.objects.filter(source_type=source_type, source_id=source_id).select_related(
        "assignee"
    )


@dataclass(frozen=True)
class Recipient:
    user: User
    case: Case | None
    reason: str


def staff_to_alert_for_client(client: Client) -> list[Recipient]:
    """Who must act on an urgent finding about ``client``, each once.

    The case manager of each open case, then the supervisors of the team holding it. A case
    no team holds yet (a new referral) goes to the supervisors of the teams that deliver its
    program. Three queries whatever the number of cases.
    """
    cases = list(
        Case.objects.filter(client=client)
        .exclude(status__in=FINISHED)
        .select_related("case_manager")
        .order_by("created_at")
    )
    recipients: dict[Any, Recipient] = {}
    for case in cases:
        manager = case.case_manager
        if manager is not None and manager.is_active and manager.pk not in recipients:
            recipients[manager.pk] = Recipient(manager, case, "case manager")
    team_ids = {case.team_id for case in cases if case.team_id}
    program_ids = {case.program_id for case in cases if not case.team_id}
    memberships = TeamMembership.objects.filter(is_supervisor=True, user__is_active=True)
    supervisors = list(
        memberships.filter(team_id__in=team_ids).select_related("user", "team") if team_ids else []
    )
    delivering = list(
        memberships.filter(
            team_id__in=Program.teams.through.objects.filter(program_id__in=program_ids).values(
                "team_id"
            )
        ).select_related("user", "team")
        if program_ids
        else []
    )
    for membership in supervisors:
        case_of_team = next(c for c in cases if c.team_id == membership.team_id)
        if membership.user_id not in recipients:
            recipients[membership.user_id] = Recipient(
                membership.user, case_of_team, f"supervisor of {membership.team.name}"
            )
    for membership in delivering:
        if membership.user_id not in recipients:
            unteamed = next((c for c in cases if not c.team_id), None)
            recipients[membership.user_id] = Recipient(
                membership.user, unteamed, f"supervisor of {membership.team.name} (new referral)"
            )
    return [r for r in recipients.values() if r.user.organization_id == client.organization_id]
