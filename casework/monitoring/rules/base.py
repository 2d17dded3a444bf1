"""What every evaluator shares: the item it wants open, the context of one sweep, helpers.

An evaluator is ``evaluate(ctx) -> list[Wanted]``: the items of its kind that should be open now,
computed with a few set-based queries (one per model and risk-tier group, never one per case).
The sweep's reconciler compares them with the items that are open and creates or closes the
difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.monitoring.models import AssigneeRole, PromptRule


@dataclass(slots=True)
class Wanted:
    """One work item that should be open now. ``(kind, source_type, source_id, assignee_id)``
    is its identity: the sweep never makes a second open item with the same four."""

    organization_id: UUID
    kind: str
    source_type: str
    source_id: str
    assignee_id: UUID
    case_id: UUID | None
    client_id: UUID | None
    title: str
    detail: str
    due_at: datetime | None
    priority: str
    rule_id: UUID | None
    # The case's team (whose supervisors an escalation goes to).
    team_id: UUID | None = None
    # Set by the sweep when it inserts the item (the object is then the inserted row).
    id: UUID | None = None
    escalated_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, UUID]:
        return (self.source_type, self.source_id, self.assignee_id)


def chunk_size() -> int:
    """How many ids one ``IN (...)`` list may hold: SQLite counts bound variables."""
    return 900 if connection.vendor == "sqlite" else 10_000


def chunks(values: list[Any], size: int | None = None) -> Iterator[list[Any]]:
    size = size or chunk_size()
    for start in range(0, len(values), size):
        yield values[start : start + size]


def as_uuid(value: Any) -> UUID | None:
    """SQLite hands UUIDs from subqueries back as bare hex; normalize."""
    if value is None or isinstance(value, UUID):
        return value
    return UUID(str(value))


@dataclass
class Context:
    """One sweep (or one ``sweep_cases`` call): the time, the enabled rules of the kind being
    evaluated, and the restriction to some cases or staff members."""

    now: datetime
    rules: list[PromptRule] = field(default_factory=list)
    organization_id: UUID | None = None
    case_ids: list[UUID] | None = None
    staff_ids: list[UUID] | None = None
    # team id -> its active supervisors' ids; user id -> ids of the teams they belong to.
    supervisors: dict[UUID, list[UUID]] = field(default_factory=dict)
    teams_of: dict[UUID, list[UUID]] = field(default_factory=dict)
    # The agency's time zone and day, read once: ``timezone.localtime`` looks the zone up in a
    # context-local on every call, which 100,000 rows notice.
    zone: tzinfo = field(default_factory=timezone.get_current_timezone)
    today: date = field(init=False)
    _ends: dict[date, datetime] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.today = self.local_day(self.now)

    def local_day(self, moment: datetime) -> date:
        """The agency's day of ``moment``."""
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        """The last moment of ``day`` in the agency's time zone ("due on that day"), computed once
        per day."""
        end = self._ends.get(day)
        if end is None:
            start_of_next = datetime.combine(day + timedelta(days=1), time.min)
            end = self._ends[day] = timezone.make_aware(start_of_next, self.zone) - timedelta(
                microseconds=1
            )
        return end

    @property
    def partial(self) -> bool:
        return self.case_ids is not None or self.staff_ids is not None

    def scoped(self, queryset: QuerySet[Any], case_field: str) -> Iterator[QuerySet[Any]]:
        """``queryset`` once for a whole sweep, or once per chunk of the cases in scope."""
        if self.case_ids is None:
            yield queryset
            return
        for part in chunks(self.case_ids):
            yield queryset.filter(**{f"{case_field}__in": part})

    def staff_scoped(self, queryset: QuerySet[Any], user_field: str) -> Iterator[QuerySet[Any]]:
        if self.staff_ids is None:
            yield queryset
            return
        for part in chunks(self.staff_ids):
            yield queryset.filter(**{f"{user_field}__in": part})

    def case_assignees(
        self,
        rule: PromptRule,
        *,
        case_manager_id: Any,
        case_manager_active: bool | None,
        team_id: Any,
    ) -> list[UUID]:
        """Who gets a case's item: its case manager (else the team's first supervisor), or, for
        a rule that names the supervisor, every active supervisor of the case's team."""
        team_supervisors = self.supervisors.get(team_id, []) if team_id else []
        if rule.assignee_role == AssigneeRole.SUPERVISOR:
            return list(team_supervisors)
        if case_manager_id and case_manager_active:
            return [as_uuid(case_manager_id)]  # type: ignore[list-item]
        return team_supervisors[:1]


def any_rule(
    ctx: Context, model_field: str, condition: Callable[[PromptRule], Q | None]
) -> tuple[Q | None, dict[Any, PromptRule]]:
    """One query for every model of a rule kind: ``condition(rule)`` (or ``None``: the rule asks
    for nothing) restricted to the rule's model through ``model_field``, OR-ed over the enabled
    rules; and the rules by model id, so a row finds its own rule. ``(None, {})`` when no rule
    asks for anything. A query per model would read the cases (or plans, goals …) once per
    model: at 100,000 cases and five models, five passes instead of one."""
    combined: Q | None = None
    rules: dict[Any, PromptRule] = {}
    for rule in ctx.rules:
        if rule.model_id is None:
            continue
        own = condition(rule)
        if own is None:
            continue
        rules[rule.model_id] = rule
        scoped = Q(**{model_field: rule.model_id}) & own
        combined = scoped if combined is None else combined | scoped
    return combined, rules


def days_of(rule: PromptRule, fallback: int | None) -> int | None:
    """The rule's own number of days, else the model parameter it stands for."""
    return rule.days if rule.days is not None else fallback


def name_of(given: str | None, family: str | None) -> str:
    return " ".join(part for part in (given, family) if part)
