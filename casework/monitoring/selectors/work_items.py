"""Reads of work items, and who must hear about an urgent finding for a client."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casework.accounts.models import TeamMembership, User
from casework.cases.models import FINISHED, Case
from casework.clients.models import Client
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.monitoring.models import Notification, Priority, RuleKind, WorkItem, WorkItemStatus
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
    """A work item the user may see (their own, or one they supervise: see
    ``work_items_visible_to``), or ``NotFound``."""
    try:
        return (
            work_items_visible_to(user).select_related("assignee", "closed_by").get(pk=work_item_id)
        )
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


# ----------------------------------------------------------------------------------------------
# Who sees which work item; My work; Team work

NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)
# Closed items of the kind the sweep made for supervisors before escalation became a mark on the
# item itself (monitoring migration 0006) still carry it.
ESCALATION_KIND = "escalation"
HAND_MADE_KIND = "task"
# "Due" on My caseload: items due within the coming week (today included), or with no date.
DUE_WINDOW_DAYS = 7

_PRIORITY_RANK = CaseWhen(
    When(priority=Priority.ASAP, then=Value(0)),
    When(priority=Priority.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def supervised_team_ids(user: Any) -> QuerySet[TeamMembership, Any]:
    return TeamMembership.objects.filter(user_id=user.pk, is_supervisor=True).values("team_id")


def supervised_member_ids(user: Any) -> QuerySet[TeamMembership, Any]:
    """Ids of the people on the teams ``user`` supervises (a subquery)."""
    return TeamMembership.objects.filter(team_id__in=Subquery(supervised_team_ids(user))).values(
        "user_id"
    )


def work_items_visible_to(user: Any) -> QuerySet[WorkItem]:
    """Every work item ``user`` may see: their own, those of the people on the teams they
    supervise, and those on cases those teams hold. Someone else's item is "not found"."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return WorkItem.objects.none()
    if user.organization_id is None:
        return WorkItem.objects.none()
    teams = supervised_team_ids(user)
    return WorkItem.objects.filter(organization_id=user.organization_id).filter(
        Q(assignee_id=user.pk)
        | Q(assignee_id__in=Subquery(supervised_member_ids(user)))
        | Q(case__team_id__in=Subquery(teams))
    )


def snoozed_q(now: datetime) -> Q:
    return Q(snoozed_until__gt=now)


def overdue_q(now: datetime) -> Q:
    """Open, due before ``now`` and not snoozed."""
    return Q(status=WorkItemStatus.OPEN, due_at__lt=now) & ~snoozed_q(now)


def due_q(now: datetime) -> Q:
    """Open, not snoozed, due from now to the end of the coming week (or with no due date)."""
    until = _end_of_day(now) + timedelta(days=DUE_WINDOW_DAYS)
    return (
        Q(status=WorkItemStatus.OPEN)
        & (Q(due_at__isnull=True) | Q(due_at__gte=now, due_at__lte=until))
        & ~snoozed_q(now)
    )


def _end_of_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def work_items_ordered(queryset: QuerySet[WorkItem], now: datetime) -> QuerySet[WorkItem]:
    """Overdue first (they are the earliest due), then soonest due, asap before urgent before
    routine on the same time; no due date last."""
    return queryset.annotate(
        due_order=Coalesce("due_at", Value(NO_DUE_DATE), output_field=DateTimeField()),
        priority_rank=_PRIORITY_RANK,
    ).order_by("due_order", "priority_rank", "created_at", "id")


@dataclass(frozen=True)
class WorkFilters:
    kind: str = ""
    priority: str = ""
    overdue: bool = False
    due_today: bool = False
    escalated: bool = False
    snoozed: bool = False
    case_id: UUID | None = None


WORK_ITEM_KINDS = {choice.value: choice.label for choice in RuleKind} | {
    ESCALATION_KIND: "Escalation",
    HAND_MADE_KIND: "Task",
    "safety_flag": "Safety flag",
    "appointment_no_show": "Appointment no-show",
    "remote_alert": "Remote-monitoring alert",
}


def kind_label(kind: str) -> str:
    return WORK_ITEM_KINDS.get(kind, kind.replace("_", " ").capitalize())


def _filtered(
    queryset: QuerySet[WorkItem], filters: WorkFilters, now: datetime
) -> QuerySet[WorkItem]:
    if filters.priority and filters.priority not in Priority.values:
        raise ValidationFailed(
            "Unknown priority.",
            errors=[field_error("priority", f"must be one of {Priority.values}")],
        )
    queryset = queryset.filter(status=WorkItemStatus.OPEN)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.case_id:
        queryset = queryset.filter(case_id=filters.case_id)
    if filters.overdue:
        queryset = queryset.filter(overdue_q(now))
    if filters.due_today:
        queryset = queryset.filter(due_at__gte=now, due_at__lte=_end_of_day(now))
    if filters.escalated:
        queryset = queryset.filter(escalated_at__isnull=False)
    if not filters.snoozed:
        queryset = queryset.exclude(snoozed_q(now))
    return queryset


def my_work(
    *, user: Any, filters: WorkFilters | None = None, now: datetime | None = None
) -> QuerySet[WorkItem]:
    """The user's open items ("My work"), filtered, overdue first then soonest due. Snoozed
    items are left out unless ``filters.snoozed`` ("Show snoozed")."""
    now = now or timezone.now()
    queryset = work_items_for(user, WorkItemStatus.OPEN).select_related("case__team")
    return work_items_ordered(_filtered(queryset, filters or WorkFilters(), now), now)


def team_work(
    *, user: Any, filters: WorkFilters | None = None, now: datetime | None = None
) -> QuerySet[WorkItem]:
    """Open items of the people on the teams ``user`` supervises (not the supervisor's own:
    those are on My work), overdue first."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return WorkItem.objects.none()
    queryset = (
        work_items_visible_to(user)
        .filter(assignee_id__in=Subquery(supervised_member_ids(user)))
        .exclude(assignee_id=user.pk)
        .select_related("assignee", "client", "case")
    )
    return work_items_ordered(_filtered(queryset, filters or WorkFilters(), now), now)


def escalated_q(now: datetime) -> Q:
    """Open, escalated (overdue beyond its limit: the sweep set ``escalated_at``), not snoozed."""
    return Q(status=WorkItemStatus.OPEN, escalated_at__isnull=False) & ~snoozed_q(now)


def escalations_to(*, user: Any, now: datetime | None = None) -> QuerySet[WorkItem]:
    """The items escalated to ``user`` (shown on top of Team work): open, escalated and not
    snoozed, on a case a team they supervise holds -- or, about no case, held by a member of
    such a team -- and not their own. The sweep notifies the same people when it escalates
    (``casework.monitoring.sweep``); ``escalation_counts`` counts the same for everyone."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return WorkItem.objects.none()
    queryset = (
        WorkItem.objects.filter(escalated_q(now), organization_id=user.organization_id)
        .filter(
            Q(case__team_id__in=Subquery(supervised_team_ids(user)))
            | Q(case__isnull=True, assignee_id__in=Subquery(supervised_member_ids(user)))
        )
        .exclude(assignee_id=user.pk)
        .select_related("assignee", "client", "case")
    )
    return work_items_ordered(queryset, now)


@dataclass(frozen=True)
class Supervision:
    """Who supervises whom, read once (``supervision``): each team's active supervisors, by name
    (the order the services pick one in), and the teams of each active member of staff."""

    supervisors: dict[Any, list[Any]]
    teams_of: dict[Any, list[Any]]

    def escalation_recipients(self, *, about_case: bool, team_id: Any, holder_id: Any) -> list[Any]:
        """Whom an escalated item shows to (``escalations_to``): the supervisors of its case's
        team -- or, for an item about no case, of its holder's teams -- never the holder."""
        if about_case:
            recipients = self.supervisors.get(team_id, []) if team_id else []
        else:
            recipients = [
                supervisor
                for team in self.teams_of.get(holder_id, [])
                for supervisor in self.supervisors.get(team, [])
            ]
        return [user for user in dict.fromkeys(recipients) if user != holder_id]


def supervision(*, organization_id: Any = None) -> Supervision:
    """The team memberships of active staff (of one organization, or all): one query."""
    memberships = TeamMembership.objects.filter(user__is_active=True).order_by(
        "team_id", "user__last_name", "user__username"
    )
    if organization_id is not None:
        memberships = memberships.filter(team__organization_id=organization_id)
    supervisors: dict[Any, list[Any]] = defaultdict(list)
    teams_of: dict[Any, list[Any]] = defaultdict(list)
    for team_id, user_id, is_supervisor in memberships.values_list(
        "team_id", "user_id", "is_supervisor"
    ):
        if is_supervisor:
            supervisors[team_id].append(user_id)
        teams_of[user_id].append(team_id)
    return Supervision(dict(supervisors), dict(teams_of))


def escalation_counts(*, now: datetime) -> dict[Any, int]:
    """``{supervisor id: how many items escalations_to shows them}`` for every supervisor at
    once (the daily digest): two grouped queries and the team memberships."""
    escalated = WorkItem.objects.filter(escalated_q(now)).order_by()
    by_team = (
        escalated.filter(case__isnull=False)
        .values_list("case__team_id", "assignee_id")
        .annotate(n=Count("pk"))
    )
    by_holder = (
        escalated.filter(case__isnull=True).values_list("assignee_id").annotate(n=Count("pk"))
    )
    who = supervision()
    counts: Counter[Any] = Counter()
    groups = [(True, team, holder, n) for team, holder, n in by_team]
    groups += [(False, None, holder, n) for holder, n in by_holder]
    for about_case, team_id, holder, n in groups:
        for supervisor in who.escalation_recipients(
            about_case=about_case, team_id=team_id, holder_id=holder
        ):
            counts[supervisor] += n
    return dict(counts)


def _count_of(filters: Q, outer: str, field: str) -> Coalesce:
    """``Count`` of work items matching ``filters`` whose ``field`` is the outer row's
    ``outer``: one correlated subquery, so a list costs one query however long it is."""
    counts = (
        WorkItem.objects.filter(filters, **{field: OuterRef(outer)})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def case_work_count_annotations(now: datetime | None = None) -> dict[str, Any]:
    """Annotations for a ``Case`` queryset: ``work_due`` and ``work_overdue``, the case
    manager's open items on that case (see ``due_q`` and ``overdue_q``); one subquery each.
    Use as ``caseload.annotate(**case_work_count_annotations(now))``."""
    now = now or timezone.now()
    mine = Q(assignee_id=OuterRef("case_manager_id"))
    return {
        "work_due": _count_of(due_q(now) & mine, "pk", "case_id"),
        "work_overdue": _count_of(overdue_q(now) & mine, "pk", "case_id"),
    }


def person_work_count_annotations(now: datetime | None = None) -> dict[str, Any]:
    """Annotations for a ``User`` queryset: ``work_open`` (open, not snoozed) and
    ``work_overdue``; one subquery each."""
    now = now or timezone.now()
    open_q = Q(status=WorkItemStatus.OPEN) & ~snoozed_q(now)
    return {
        "work_open": _count_of(open_q, "pk", "assignee_id"),
        "work_overdue": _count_of(overdue_q(now), "pk", "assignee_id"),
    }


@dataclass(frozen=True)
class PersonWork:
    user: User
    open: int
    overdue: int


def team_work_people(*, user: Any, now: datetime | None = None) -> list[PersonWork]:
    """Each active member of the teams ``user`` supervises with their open and overdue counts
    (one query; names no client)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    people: Any = (
        User.objects.filter(
            pk__in=Subquery(supervised_member_ids(user)),
            is_active=True,
            organization_id=user.organization_id,
        )
        .annotate(**person_work_count_annotations(now))
        .order_by("last_name", "first_name", "username")
    )
    return [PersonWork(p, int(p.work_open), int(p.work_overdue)) for p in people]


def work_counts_by_person(*, user_ids: list[Any], now: datetime | None = None) -> dict[Any, Any]:
    """``{user id: (open, overdue)}`` for the given people, in one query (the team view)."""
    if not user_ids:
        return {}
    people: Any = User.objects.filter(pk__in=user_ids)
    rows = people.annotate(**person_work_count_annotations(now)).values_list(
        "pk", "work_open", "work_overdue"
    )
    return {pk: (int(n_open), int(n_overdue)) for pk, n_open, n_overdue in rows}


@dataclass(frozen=True)
class NavCounts:
    open: int
    overdue: int
    unread: int


def nav_counts(user: Any, now: datetime | None = None) -> NavCounts:
    """The badges of the navigation: the user's open and overdue items and unread
    notifications, in one query."""
    if not getattr(user, "is_authenticated", False):
        return NavCounts(0, 0, 0)
    now = now or timezone.now()
    unread = (
        Notification.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True)
        .exclude(kind="digest")
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    me: Any = User.objects.filter(pk=user.pk)
    row = (
        me.annotate(
            **person_work_count_annotations(now),
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        )
        .values_list("work_open", "work_overdue", "unread")
        .first()
    )
    if row is None:
        return NavCounts(0, 0, 0)
    return NavCounts(int(row[0]), int(row[1]), int(row[2]))


def reassign_candidates(*, user: Any, work_item: WorkItem) -> QuerySet[User]:
    """Who ``user`` may hand ``work_item`` to: a supervisor, anyone active on the teams they
    supervise; the assignee, the supervisors of their own teams and of the case's team. The
    service checks again (and that the new assignee can see the case)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    supervised = TeamMembership.objects.filter(team_id__in=Subquery(supervised_team_ids(user)))
    own_teams = TeamMembership.objects.filter(user_id=work_item.assignee_id).values("team_id")
    their_teams = Q(team_id__in=Subquery(own_teams))
    if work_item.case is not None and work_item.case.team_id is not None:
        their_teams |= Q(team_id=work_item.case.team_id)
    team_supervisors = TeamMembership.objects.filter(their_teams, is_supervisor=True)
    choices = Q(pk__in=Subquery(supervised.values("user_id")))
    if work_item.assignee_id == user.pk:
        choices |= Q(pk__in=Subquery(team_supervisors.values("user_id")))
    return (
        User.objects.filter(choices, is_active=True, organization_id=user.organization_id)
        .exclude(pk=work_item.assignee_id)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def may_supervise_item(*, user: Any, work_item: WorkItem) -> bool:
    """``user`` supervises the team holding the item's case, or a team of its assignee."""
    teams = supervised_team_ids(user)
    if (
        work_item.case_id is not None
        and Case.objects.filter(pk=work_item.case_id, team_id__in=Subquery(teams)).exists()
    ):
        return True
    return TeamMembership.objects.filter(
        user_id=work_item.assignee_id, team_id__in=Subquery(teams)
    ).exists()


def can_see_case(*, user: User, case_id: Any) -> bool:
    from casework.cases.selectors import cases_visible_to

    return cases_visible_to(user).filter(pk=case_id).exists()


def work_item_source_url(item: WorkItem) -> str:
    """A link to what raised the item (the referral, appointment, assessment…), else the case;
    empty when there is nothing to open. The key of sweep-made items may be ``<id>:<period>``."""
    source_id = (item.source_id or "").split(":", 1)[0]
    routes = {
        "coordination.referral": ("coordination:referral_detail", "referral_id"),
        "coordination.appointment": ("coordination:appointment_detail", "appointment_id"),
        "assessments.assessmentresponse": ("assessments:detail", "assessment_id"),
        "careplans.careplan": ("careplans:detail", "plan_id"),
        "cases.case": ("web:case_detail", "case_id"),
    }
    route = routes.get(item.source_type)
    if route is not None and source_id:
        try:
            return reverse(route[0], kwargs={route[1]: source_id})
        except NoReverseMatch:
            pass
    if item.case_id:
        return reverse("web:case_detail", kwargs={"case_id": item.case_id})
    return ""


# ----------------------------------------------------------------------------------------------
# The daily digest


def digest_recipients(*, now: datetime) -> Iterator[tuple[User, Any]]:
    """Active staff with an email address and open work (their own, or escalated to them), with
    the digest's counts: overdue, due today, due in the coming week, escalations. Three
    queries (``escalation_counts``)."""
    from casework.monitoring.services.notifications import DigestCounts

    end_today = _end_of_day(now)
    not_snoozed = ~snoozed_q(now)
    open_q = Q(status=WorkItemStatus.OPEN) & not_snoozed
    annotations = {
        "n_open": _count_of(open_q, "pk", "assignee_id"),
        "n_overdue": _count_of(overdue_q(now), "pk", "assignee_id"),
        "n_today": _count_of(
            open_q & Q(due_at__gte=now, due_at__lte=end_today), "pk", "assignee_id"
        ),
        "n_week": _count_of(
            open_q & Q(due_at__gt=end_today, due_at__lte=end_today + timedelta(days=7)),
            "pk",
            "assignee_id",
        ),
    }
    escalations = escalation_counts(now=now)
    has_open = WorkItem.objects.filter(open_q, assignee_id=OuterRef("pk"))
    supervises = TeamMembership.objects.filter(user_id=OuterRef("pk"), is_supervisor=True)
    people: Any = (
        User.objects.filter(Exists(has_open) | Exists(supervises), is_active=True)
        .exclude(email="")
        .annotate(**annotations)
        .order_by("username")
    )
    for person in list(people):
        if not person.n_open and not escalations.get(person.pk):
            continue
        yield (
            person,
            DigestCounts(
                overdue=int(person.n_overdue),
                due_today=int(person.n_today),
                due_this_week=int(person.n_week),
                escalations=escalations.get(person.pk, 0),
                open=int(person.n_open),
            ),
        )


def handoff_candidates(
    *, user: Any, team_view: bool = False, work_item: WorkItem | None = None
) -> QuerySet[User]:
    """Whom the reassign menus offer: for one item, ``reassign_candidates``; on a page, the
    active members of the teams the user supervises and -- on My work -- the supervisors of
    the user's own teams. One query."""
    if work_item is not None:
        return reassign_candidates(user=user, work_item=work_item)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    choices = Q(pk__in=Subquery(supervised_member_ids(user)))
    if not team_view:
        own_teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
        choices |= Q(
            pk__in=Subquery(
                TeamMembership.objects.filter(
                    team_id__in=Subquery(own_teams), is_supervisor=True
                ).values("user_id")
            )
        )
    return (
        User.objects.filter(choices, is_active=True, organization_id=user.organization_id)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def task_assignees(*, user: Any) -> QuerySet[User]:
    """Who may be given a task by hand by ``user``: themself, and the active members of the
    teams they supervise."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    return (
        User.objects.filter(
            Q(pk=user.pk) | Q(pk__in=Subquery(supervised_member_ids(user))),
            is_active=True,
            organization_id=user.organization_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
