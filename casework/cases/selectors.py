"""Reads of cases, always scoped to what the acting user may see.

Access rule (DESIGN.md, "Access and safety rules"): a user sees a case when they are its case
manager or on its care team, when they supervise the team holding it or manage its program, when
they referred it and it has not yet been taken on, or -- intake workers -- when it is in the
intake pipeline of their organization. Everything is within the user's own organization.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from casework.accounts.models import Role, TeamMembership, User
from casework.cases.models import (
    ON_CASELOAD,
    PRE_ENROLLMENT,
    CareTeamMember,
    Case,
    CaseStatusChange,
    Status,
)
from casework.core.errors import NotFound
from casework.programs.models import Program

INTAKE_PIPELINE = {*PRE_ENROLLMENT, Status.INTAKE}


def case_access_q(user: User) -> Q:
    """The Q on ``Case`` that selects the cases ``user`` may see (organization excluded)."""
    supervised_teams = TeamMembership.objects.filter(user=user, is_supervisor=True).values(
        "team_id"
    )
    managed_programs = Program.managers.through.objects.filter(user_id=user.id).values(
        "program_id"
    )
    on_care_team = CareTeamMember.objects.filter(case=OuterRef("pk"), user=user)
    access = (
        Q(case_manager_id=user.id)
        | Q(Exists(on_care_team))
        | Q(team_id__in=Subquery(supervised_teams))
        | Q(program_id__in=Subquery(managed_programs))
        | Q(referred_by_id=user.id, status__in=INTAKE_PIPELINE)
    )
    if user.role == Role.INTAKE:
        access |= Q(status__in=INTAKE_PIPELINE)
    return access


def cases_visible_to(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.organization_id is None:
        return Case.objects.none()
    return Case.objects.filter(organization_id=user.organization_id).filter(case_access_q(user))


def case_get(*, user: Any, case_id: UUID | str, for_update: bool = False) -> Case:
    """A case the user may see, or ``NotFound`` (which also hides that it exists)."""
    queryset = cases_visible_to(user).select_related(
        "client", "program", "program__model", "case_manager", "team"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Case not found.") from exc


def case_list(
    *,
    user: Any,
    status: list[str] | None = None,
    program_id: UUID | None = None,
    client_id: UUID | None = None,
    case_manager_id: UUID | None = None,
    team_id: UUID | None = None,
    mine: bool = False,
    open_only: bool = False,
    unassigned: bool = False,
) -> QuerySet[Case]:
    queryset = cases_visible_to(user).select_related(
        "client", "program", "program__model", "case_manager", "team"
    )
    if status:
        queryset = queryset.filter(status__in=status)
    if open_only:
        queryset = queryset.exclude(status__in=[Status.CLOSED, Status.ENTERED_IN_ERROR])
    if program_id:
        queryset = queryset.filter(program_id=program_id)
    if client_id:
        queryset = queryset.filter(client_id=client_id)
    if case_manager_id:
        queryset = queryset.filter(case_manager_id=case_manager_id)
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    if mine:
        queryset = queryset.filter(case_manager_id=user.id)
    if unassigned:
        queryset = queryset.filter(case_manager__isnull=True)
    return queryset


def case_history(case: Case) -> QuerySet[CaseStatusChange]:
    return case.status_changes.select_related("changed_by").order_by("changed_at", "id")


def caseload_points_subquery() -> Any:
    """Annotatable: the caseload points a user (``OuterRef('pk')``) carries now."""
    points = (
        Case.objects.filter(case_manager=OuterRef("pk"), status__in=ON_CASELOAD)
        .order_by()
        .values("case_manager")
        .annotate(total=Sum("weight"))
        .values("total")
    )
    return Coalesce(
        Subquery(points, output_field=DecimalField(max_digits=10, decimal_places=2)),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )


def caseload_count_subquery() -> Any:
    counts = (
        Case.objects.filter(case_manager=OuterRef("pk"), status__in=ON_CASELOAD)
        .order_by()
        .values("case_manager")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


def waitlist_for_program(*, user: Any, program_id: UUID) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(program_id=program_id, status=Status.WAITLIST)
        .select_related("client")
        .order_by("priority", "status_changed_at")
    )
