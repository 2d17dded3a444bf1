"""Reads of cases, always scoped to what the acting user may see.

Access rule (DESIGN.md, "Access and safety rules"): a user sees a case when they are its case
manager or on its care team, when they supervise the team holding it or manage its program, when
they supervise a team delivering its program and no team holds it yet (new referrals, the
waitlist), when they referred it and it has not yet been taken on, or -- intake workers -- when it
is in the intake pipeline of their organization. Everything is within the user's own organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.accounts.models import Role, Team, TeamMembership, User
from casework.cases.models import (
    FINISHED,
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
    managed_programs = Program.managers.through.objects.filter(user_id=user.id).values("program_id")
    # A case no team holds yet (a new referral, the waitlist) is triaged and assigned by the
    # supervisors of the teams that deliver its program.
    delivered_programs = Program.teams.through.objects.filter(
        team_id__in=Subquery(supervised_teams)
    ).values("program_id")
    # Ended memberships (end_date today or earlier) grant nothing; still one subquery.
    on_care_team = CareTeamMember.objects.filter(
        care_team_current_q(), case=OuterRef("pk"), user=user
    )
    access = (
        Q(case_manager_id=user.id)
        | Q(Exists(on_care_team))
        | Q(team_id__in=Subquery(supervised_teams))
        | Q(program_id__in=Subquery(managed_programs))
        | Q(team_id__isnull=True, program_id__in=Subquery(delivered_programs))
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


# ----------------------------------------------------------------------------------------------
# Caseloads and team load (web pages)


@dataclass
class Load:
    """Caseload points carried against capacity (100 points = one full-time case manager)."""

    points: Decimal
    capacity: Decimal
    cases: int

    @property
    def percent(self) -> int:
        if not self.capacity:
            return 100 if self.points else 0
        return round(self.points * 100 / self.capacity)

    @property
    def over_capacity(self) -> bool:
        return self.points > self.capacity


def caseload_of(
    *, user: Any, program_id: UUID | None = None, status: str | None = None
) -> QuerySet[Case]:
    """The user's own open cases (they are the case manager), with the rows a caseload shows.

    Client, program and model come in the same query, and ``contacts_this_month`` (successful
    contacts since the first of the month, local time) is a subquery of it, so the page costs the
    same for 3 cases as for 300. The last contact is ``Case.last_contact_at``, kept by contacts.
    """
    # Imported here: the encounters app builds on cases, not the other way round.
    from casework.encounters.selectors import contacts_since_subquery

    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (
        case_list(
            user=user,
            mine=True,
            open_only=True,
            program_id=program_id,
            status=[status] if status else None,
        )
        .annotate(contacts_this_month=contacts_since_subquery(month_start))
        .order_by("client__family_name", "client__given_name", "id")
    )


def caseload_summary(user: User) -> Load:
    """The load a person carries now: points and number of cases in caseload stages."""
    totals = Case.objects.filter(case_manager_id=user.pk, status__in=ON_CASELOAD).aggregate(
        points=Coalesce(
            Sum("weight"),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=10, decimal_places=2),
        ),
        cases=Count("id"),
    )
    return Load(
        points=Decimal(totals["points"]), capacity=user.caseload_capacity, cases=totals["cases"]
    )


@dataclass
class MemberLoad(Load):
    user: User
    is_supervisor: bool
    by_stage: list[tuple[str, str, int]]


def team_load(*, user: Any, team: Team) -> list[MemberLoad]:
    """Each active member's load and open cases per stage, for a supervisor of ``team``.

    Counts cover the member's whole caseload (capacity is per person, not per team) and name no
    client. Three queries whatever the team size.
    """
    if not team_supervised_by(user=user, team=team):
        raise NotFound("Team not found.")
    members = list(
        User.objects.filter(team_memberships__team=team, is_active=True)
        .annotate(load_points=caseload_points_subquery(), load_cases=caseload_count_subquery())
        .order_by("last_name", "first_name", "username")
    )
    supervisors = set(
        TeamMembership.objects.filter(team=team, is_supervisor=True).values_list(
            "user_id", flat=True
        )
    )
    counts: dict[Any, dict[str, int]] = {}
    rows = (
        Case.objects.filter(case_manager_id__in=[member.pk for member in members])
        .exclude(status__in=FINISHED)
        .order_by()
        .values("case_manager_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts.setdefault(row["case_manager_id"], {})[row["status"]] = row["n"]
    loads = []
    for member in members:
        mine = counts.get(member.pk, {})
        loads.append(
            MemberLoad(
                points=Decimal(member.load_points),
                capacity=member.caseload_capacity,
                cases=int(member.load_cases),
                user=member,
                is_supervisor=member.pk in supervisors,
                by_stage=[(s.value, s.label, mine[s.value]) for s in Status if s.value in mine],
            )
        )
    return loads


def team_supervised_by(*, user: Any, team: Team) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return TeamMembership.objects.filter(team=team, user_id=user.pk, is_supervisor=True).exists()


def team_unassigned_cases(*, user: Any, team: Team) -> QuerySet[Case]:
    """Open cases in the team's programs that nobody carries yet (the waitlist is separate)."""
    return (
        case_list(user=user, open_only=True, unassigned=True)
        .filter(program__teams=team)
        .exclude(status=Status.WAITLIST)
        .order_by("priority", "created_at", "id")
    )


# ----------------------------------------------------------------------------------------------
# Care team


def care_team_current_q(today: date | None = None) -> Q:
    """The Q on ``CareTeamMember`` for memberships in force: not ended, or ending after today.

    ``end_date`` is the day the membership ended: from that day on it grants no access.
    """
    today = today or timezone.localdate()
    return Q(end_date__isnull=True) | Q(end_date__gt=today)


def care_team_for_case(*, case: Case, include_ended: bool = True) -> QuerySet[CareTeamMember]:
    """The care team of a case already fetched through an access-scoped selector, current
    members first; ``is_current`` is annotated."""
    queryset = (
        CareTeamMember.objects.filter(case_id=case.pk)
        .select_related("user")
        .annotate(is_current=ExpressionWrapper(care_team_current_q(), output_field=BooleanField()))
    )
    if not include_ended:
        queryset = queryset.filter(care_team_current_q())
    return queryset.order_by("-is_current", "kind", "name", "created_at", "id")


def care_team_member_get(
    *, user: Any, member_id: UUID | str, for_update: bool = False
) -> CareTeamMember:
    """A care team member of a case the user may see, or ``NotFound``."""
    queryset = CareTeamMember.objects.filter(case__in=cases_visible_to(user)).select_related(
        "user", "case", "case__client", "case__program", "case__case_manager"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.annotate(
            is_current=ExpressionWrapper(care_team_current_q(), output_field=BooleanField())
        ).get(pk=member_id)
    except (CareTeamMember.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Care team member not found.") from exc


def care_team_staff_candidates(*, case: Case) -> QuerySet[User]:
    """Staff who may join the case's care team: active case managers, supervisors and program
    admins of its organization, other than its case manager."""
    return (
        User.objects.filter(
            organization_id=case.organization_id,
            is_active=True,
            role__in=[Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN],
        )
        .exclude(pk__in=[case.case_manager_id] if case.case_manager_id else [])
        .order_by("last_name", "first_name", "username")
    )
