"""Evaluators of the rules about one case: contact, reassessment, plan review, goal dates and the
follow-up after a hospital discharge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from casework.assessments.models import AssessmentResponse, Instrument, ResponseStatus
from casework.careplans.models import GoalAchievement, GoalLifecycle, PlanStatus
from casework.cases.models import ON_CASELOAD, Case, Status
from casework.clients.models import Utilization, UtilizationKind
from casework.core.bulk import fast_values
from casework.encounters.models import Contact, ContactOutcome, ContactStatus
from casework.monitoring.defaults import POST_DISCHARGE_LOOKBACK_DAYS
from casework.monitoring.models import PromptRule, RuleKind
from casework.monitoring.rules.base import (
    Context,
    Wanted,
    any_rule,
    chunks,
    days_of,
    name_of,
)
from casework.programs.models import RISK_TIERS, Program

CASE_SOURCE = "cases.case"
PLAN_SOURCE = "careplans.careplan"
GOAL_SOURCE = "careplans.goal"
DISCHARGE_SOURCE = "clients.utilization"

# On a caseload and expected to be seen: an on-hold case needs no contact.
CONTACT_STATUSES = sorted(str(status) for status in ON_CASELOAD - {Status.ON_HOLD})
CASELOAD_STATUSES = sorted(str(status) for status in ON_CASELOAD)
# Goals met need no more prompting (FHIR goal-achievement "achieved" and "sustaining").
MET = [GoalAchievement.ACHIEVED, GoalAchievement.SUSTAINING]

CASE_FIELDS = (
    "id",
    "organization_id",
    "client_id",
    "team_id",
    "case_manager_id",
    "case_manager__is_active",
    "client__given_name",
    "client__family_name",
)


def _case_query(rule: PromptRule, statuses: list[str]) -> Any:
    # ``program_id IN (the model's programs)`` (a model belongs to one organization) rather than
    # a join on the program, and no condition on the organization: SQLite then reads the
    # (program, status) index, not every case of the organization (EXPLAIN; at 100,000 cases
    # and five models, 100 ms -> 40 ms for each model).
    return Case.objects.filter(
        program_id__in=Program.objects.filter(model_id=rule.model_id).values("id"),
        status__in=statuses,
    ).order_by()


# The keys of a case's columns in a row read through a relation (``prefix``, e.g. "plan__case__"),
# made once per prefix rather than once per row.
_CASE_KEYS: dict[str, tuple[str, ...]] = {}
_CASE_COLUMNS = (
    "case_manager_id",
    "case_manager__is_active",
    "team_id",
    "organization_id",
    "id",
    "client_id",
)


def _wanted_for_case(
    ctx: Context,
    rule: PromptRule,
    row: dict[str, Any],
    *,
    prefix: str = "",
    source_type: str,
    source_id: str,
    title: str,
    detail: str,
    due_at: datetime | None,
    priority: str | None = None,
) -> list[Wanted]:
    keys = _CASE_KEYS.get(prefix)
    if keys is None:
        keys = _CASE_KEYS[prefix] = tuple(f"{prefix}{name}" for name in _CASE_COLUMNS)
    manager, manager_active, team, organization, case, client = (row[key] for key in keys)
    assignees = ctx.case_assignees(
        rule, case_manager_id=manager, case_manager_active=manager_active, team_id=team
    )
    title = title[:200]
    priority = priority or rule.priority
    return [
        Wanted(
            organization_id=organization,
            kind=rule.kind,
            source_type=source_type,
            source_id=source_id,
            assignee_id=assignee,
            case_id=case,
            client_id=client,
            title=title,
            detail=detail,
            due_at=due_at,
            priority=priority,
            rule_id=rule.pk,
            team_id=team,
        )
        for assignee in assignees
    ]


def contact_due(ctx: Context) -> list[Wanted]:
    """A contact is due ``contact_frequency_days[tier]`` after the case's last successful contact
    (for the model's face-to-face tiers: the last face-to-face one), else after it entered
    intake. A case with no tier counts as moderate. One query for every model and tier (a
    condition per model and group of tiers sharing a frequency); the key ``<case>:<due date>``
    moves when a contact is logged."""
    # (model id, tier) -> (every how many days, face to face?)
    plans: dict[tuple[Any, str], tuple[int, bool]] = {}

    def due(rule: PromptRule) -> Q | None:
        model = rule.model
        if model is None:
            return None
        in_person = set(model.face_to_face_tiers or [])
        groups: dict[tuple[int, bool], list[str]] = defaultdict(list)
        for tier in ["", *RISK_TIERS]:
            effective = tier or "moderate"
            every = days_of(rule, model.contact_every_days(effective))
            if every:
                groups[(every, effective in in_person)].append(tier)
                plans[(rule.model_id, tier)] = (every, effective in in_person)
        condition: Q | None = None
        for (every, face_to_face), tiers in groups.items():
            latest_base = ctx.now + timedelta(days=rule.lead_days) - timedelta(days=every)
            base = "base_in_person" if face_to_face else "base"
            group = Q(risk_tier__in=tiers, **{f"{base}__lte": latest_base})
            condition = group if condition is None else condition | group
        return condition

    condition, rules = any_rule(ctx, "program__model_id", due)
    if condition is None:
        return []
    queryset = (
        Case.objects.filter(status__in=CONTACT_STATUSES)
        .annotate(
            base=Coalesce(
                "last_contact_at", "opened_at", "status_changed_at", output_field=DateTimeField()
            ),
            base_in_person=Coalesce(
                "last_face_to_face_at",
                "opened_at",
                "status_changed_at",
                output_field=DateTimeField(),
            ),
        )
        .filter(condition)
        .order_by()
    )
    wanted: list[Wanted] = []
    for part in ctx.scoped(queryset, "pk"):
        rows = fast_values(
            part,
            *CASE_FIELDS,
            "program__model_id",
            "risk_tier",
            "base",
            "base_in_person",
            "last_contact_at",
            "last_face_to_face_at",
        )
        for row in rows:
            rule = rules[row["program__model_id"]]
            every, face_to_face = plans[(rule.model_id, row["risk_tier"])]
            due_at = row["base_in_person" if face_to_face else "base"] + timedelta(days=every)
            seen = row["last_face_to_face_at" if face_to_face else "last_contact_at"]
            what = "Face-to-face contact" if face_to_face else "Contact"
            seen_how = "seen in person" if face_to_face else "contact"
            since = (
                f"last {seen_how} {ctx.local_day(seen):%b %d}"
                if seen
                else "no contact since intake"
            )
            wanted += _wanted_for_case(
                ctx,
                rule,
                row,
                source_type=CASE_SOURCE,
                source_id=f"{row['id']}:{ctx.local_day(due_at).isoformat()}",
                title=f"{what} due",
                detail=(
                    f"{name_of(row['client__given_name'], row['client__family_name'])}: "
                    f"{since}; {rule.model.name if rule.model else 'the model'} asks for one "
                    f"every {every} days."
                ),
                due_at=due_at,
            )
    return wanted


def reassessment_due(ctx: Context) -> list[Wanted]:
    """A reassessment is due ``reassessment_interval_days`` after the client's last completed
    assessment with one of the model's reassessment instruments (any instrument when the model
    names none), else after the case entered intake."""
    wanted: list[Wanted] = []
    instrument_ids = dict(Instrument.objects.values_list("code", "id"))
    for rule in ctx.rules:
        model = rule.model
        if model is None:
            continue
        interval = days_of(rule, model.reassessment_interval_days)
        if not interval:
            continue
        completed = AssessmentResponse.objects.filter(
            client_id=OuterRef("client_id"), status=ResponseStatus.COMPLETED
        )
        codes = model.reassessment_instruments or []
        if codes:
            completed = completed.filter(
                instrument_id__in=[instrument_ids[c] for c in codes if c in instrument_ids]
            )
        latest = completed.order_by("-completed_at").values("completed_at")[:1]
        latest_base = ctx.now + timedelta(days=rule.lead_days) - timedelta(days=interval)
        # "The last assessment (else the start) is on or before latest_base", as two index
        # probes per case (none since; some before, or none and the case started before), so
        # the latest date itself is looked up only for the cases that are due.
        queryset = (
            _case_query(rule, CASELOAD_STATUSES)
            .annotate(
                started=Coalesce("opened_at", "status_changed_at", output_field=DateTimeField())
            )
            .filter(~Exists(completed.filter(completed_at__gt=latest_base)))
            .filter(Exists(completed) | Q(started__lte=latest_base))
            .annotate(assessed_at=Subquery(latest, output_field=DateTimeField()))
        )
        for part in ctx.scoped(queryset, "pk"):
            for row in fast_values(part, *CASE_FIELDS, "started", "assessed_at"):
                assessed = row["assessed_at"]
                due_at = (assessed or row["started"]) + timedelta(days=interval)
                since = f"last assessed {ctx.local_day(assessed):%b %d}" if assessed else "not yet"
                wanted += _wanted_for_case(
                    ctx,
                    rule,
                    row,
                    source_type=CASE_SOURCE,
                    source_id=f"{row['id']}:{ctx.local_day(due_at).isoformat()}",
                    title="Reassessment due",
                    detail=(
                        f"{name_of(row['client__given_name'], row['client__family_name'])}: "
                        f"{since}; {model.name} reassesses every {interval} days."
                    ),
                    due_at=due_at,
                )
    return wanted


def plan_review_due(ctx: Context) -> list[Wanted]:
    """The active care plan's ``next_review_due`` (set from the model's plan_review_interval_days
    at agreement and at each review) is within ``lead_days`` or past."""
    from casework.careplans.models import CarePlan

    condition, rules = any_rule(
        ctx,
        "case__program__model_id",
        lambda rule: Q(next_review_due__lte=ctx.today + timedelta(days=rule.lead_days)),
    )
    if condition is None:
        return []
    widest = max((rule.lead_days for rule in ctx.rules), default=0)
    queryset = CarePlan.objects.filter(
        condition,
        status=PlanStatus.ACTIVE,
        next_review_due__lte=ctx.today + timedelta(days=widest),
        case__status__in=CASELOAD_STATUSES,
    ).order_by()
    fields = [f"case__{name}" for name in CASE_FIELDS]
    wanted: list[Wanted] = []
    for part in ctx.scoped(queryset, "case_id"):
        for row in fast_values(
            part, "id", "next_review_due", "title", "case__program__model_id", *fields
        ):
            due = row["next_review_due"]
            client = name_of(row["case__client__given_name"], row["case__client__family_name"])
            wanted += _wanted_for_case(
                ctx,
                rules[row["case__program__model_id"]],
                row,
                prefix="case__",
                source_type=PLAN_SOURCE,
                source_id=f"{row['id']}:{due.isoformat()}",
                title="Care plan review due",
                detail=f"{client}: {row['title'] or 'care plan'} review due {due:%b %d}.",
                due_at=ctx.end_of_day(due),
            )
    return wanted


GOAL_MODEL = "plan__case__program__model_id"
DISCHARGE_MODEL = "client__cases__program__model_id"


def _goals(
    ctx: Context, window: Callable[[PromptRule], Q], envelope: Q, title: str
) -> list[Wanted]:
    """Active goals (not achieved) of active plans of cases on a caseload whose target date is
    in the rule's ``window``: one query for every model. ``envelope`` holds every rule's window
    (so the query can start from the goals' target-date index)."""
    from casework.careplans.models import Goal

    condition, rules = any_rule(ctx, GOAL_MODEL, window)
    if condition is None:
        return []
    queryset = (
        Goal.objects.filter(
            condition,
            envelope,
            lifecycle_status=GoalLifecycle.ACTIVE,
            plan__status=PlanStatus.ACTIVE,
            plan__case__status__in=CASELOAD_STATUSES,
        )
        .exclude(achievement_status__in=MET)
        .order_by()
    )
    fields = [f"plan__case__{name}" for name in CASE_FIELDS]
    wanted: list[Wanted] = []
    for part in ctx.scoped(queryset, "plan__case_id"):
        for row in fast_values(part, "id", "target_date", "client_words", GOAL_MODEL, *fields):
            target = row["target_date"]
            words = " ".join(str(row["client_words"]).split())
            client = name_of(
                row["plan__case__client__given_name"], row["plan__case__client__family_name"]
            )
            wanted += _wanted_for_case(
                ctx,
                rules[row[GOAL_MODEL]],
                row,
                prefix="plan__case__",
                source_type=GOAL_SOURCE,
                source_id=f"{row['id']}:{target.isoformat()}",
                title=title,
                detail=f"{client}: “{words[:120]}” -- target date {target:%b %d, %Y}.",
                due_at=ctx.end_of_day(target),
            )
    return wanted


def goal_target_near(ctx: Context) -> list[Wanted]:
    """An active goal (not achieved) of an active plan whose target date is within ``days``."""

    def days(rule: PromptRule) -> int:
        return rule.days if rule.days is not None else 14

    def window(rule: PromptRule) -> Q:
        return Q(
            target_date__gte=ctx.today, target_date__lte=ctx.today + timedelta(days=days(rule))
        )

    widest = max((days(rule) for rule in ctx.rules), default=0)
    envelope = Q(target_date__gte=ctx.today, target_date__lte=ctx.today + timedelta(days=widest))
    return _goals(ctx, window, envelope, "Goal target date near")


def goal_target_passed(ctx: Context) -> list[Wanted]:
    """An active goal (not achieved) of an active plan whose target date has passed."""
    passed = Q(target_date__lt=ctx.today)
    return _goals(ctx, lambda rule: passed, passed, "Goal target date passed")


def _post_discharge(ctx: Context, default_days: int) -> list[Wanted]:
    """A follow-up contact is due ``days`` after an inpatient discharge (``Utilization`` kind
    inpatient, ``ended_at``) of a client whose case is on a caseload, or whose case closed after
    the discharge (the follow-up is still owed by the case that held the client then). Any
    successful contact with the client after the discharge satisfies it. Discharges older than
    ``parameters.lookback_days`` no longer prompt."""
    days_by_model: dict[Any, int] = {}

    def window(rule: PromptRule) -> Q:
        days = rule.days if rule.days is not None else default_days
        days_by_model[rule.model_id] = days
        lookback = int((rule.parameters or {}).get("lookback_days", POST_DISCHARGE_LOOKBACK_DAYS))
        latest_end = min(ctx.now, ctx.now + timedelta(days=rule.lead_days) - timedelta(days=days))
        return Q(ended_at__gte=ctx.now - timedelta(days=lookback), ended_at__lte=latest_end)

    condition, rules = any_rule(ctx, DISCHARGE_MODEL, window)
    if condition is None:
        return []
    seen_since = Contact.objects.filter(
        client_id=OuterRef("client_id"),
        outcome=ContactOutcome.SUCCESSFUL,
        status=ContactStatus.FINAL,
        started_at__gt=OuterRef("ended_at"),
    )
    # One filter() call, so every condition on the client's cases is about the same case.
    in_charge = Q(client__cases__status__in=CASELOAD_STATUSES) | Q(
        client__cases__status=Status.CLOSED, client__cases__closed_at__gte=F("ended_at")
    )
    parts: list[list[Any] | None] = [None] if ctx.case_ids is None else list(chunks(ctx.case_ids))
    fields = [f"client__cases__{name}" for name in CASE_FIELDS]
    wanted: list[Wanted] = []
    for part in parts:
        scope: dict[str, Any] = {} if part is None else {"client__cases__id__in": part}
        queryset = Utilization.objects.filter(
            condition, in_charge, ~Exists(seen_since), kind=UtilizationKind.INPATIENT, **scope
        ).order_by()
        for row in fast_values(queryset, "id", "ended_at", "facility", DISCHARGE_MODEL, *fields):
            days = days_by_model[row[DISCHARGE_MODEL]]
            discharged = ctx.local_day(row["ended_at"])
            client = name_of(
                row["client__cases__client__given_name"],
                row["client__cases__client__family_name"],
            )
            where = f" from {row['facility']}" if row["facility"] else ""
            wanted += _wanted_for_case(
                ctx,
                rules[row[DISCHARGE_MODEL]],
                row,
                prefix="client__cases__",
                source_type=DISCHARGE_SOURCE,
                source_id=str(row["id"]),
                title=f"Follow up {days} days after discharge",
                detail=(
                    f"{client} was discharged{where} on {discharged:%b %d}; a follow-up "
                    f"contact is due within {days} days."
                ),
                due_at=row["ended_at"] + timedelta(days=days),
            )
    return wanted


def post_discharge_7(ctx: Context) -> list[Wanted]:
    return _post_discharge(ctx, 7)


def post_discharge_30(ctx: Context) -> list[Wanted]:
    return _post_discharge(ctx, 30)


EVALUATORS = {
    RuleKind.CONTACT_DUE: (contact_due, [CASE_SOURCE]),
    RuleKind.REASSESSMENT_DUE: (reassessment_due, [CASE_SOURCE]),
    RuleKind.PLAN_REVIEW_DUE: (plan_review_due, [PLAN_SOURCE]),
    RuleKind.GOAL_TARGET_NEAR: (goal_target_near, [GOAL_SOURCE]),
    RuleKind.GOAL_TARGET_PASSED: (goal_target_passed, [GOAL_SOURCE]),
    RuleKind.POST_DISCHARGE_7: (post_discharge_7, [DISCHARGE_SOURCE]),
    RuleKind.POST_DISCHARGE_30: (post_discharge_30, [DISCHARGE_SOURCE]),
}
