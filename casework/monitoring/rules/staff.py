"""Evaluators of the organization-wide staff rules: credentials expiring and caseloads over
capacity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce

from casework.accounts.models import Credential, User
from casework.cases.models import ON_CASELOAD, Case
from casework.monitoring.models import AssigneeRole, Priority, RuleKind
from casework.monitoring.rules.base import Context, Wanted

CREDENTIAL_SOURCE = "accounts.credential"
CAPACITY_SOURCE = "accounts.user"


def credential_expiring(ctx: Context) -> list[Wanted]:
    """A credential that expires within ``days`` (60) goes to its holder; an expired one stays
    on the queue as urgent until it is renewed (a new ``expires_on`` is a new key)."""
    wanted: list[Wanted] = []
    for rule in ctx.rules:
        days = rule.days if rule.days is not None else 60
        queryset = Credential.objects.filter(
            user__organization_id=rule.organization_id,
            user__is_active=True,
            expires_on__lte=ctx.today + timedelta(days=days),
        ).order_by()
        for part in ctx.staff_scoped(queryset, "user_id"):
            for row in part.values("id", "kind", "number", "expires_on", "user_id"):
                expires = row["expires_on"]
                expired = expires < ctx.today
                assignees = [row["user_id"]]
                if rule.assignee_role == AssigneeRole.SUPERVISOR:
                    assignees = _supervisors_of(ctx, row["user_id"])
                for assignee in assignees:
                    wanted.append(
                        Wanted(
                            organization_id=rule.organization_id,
                            kind=rule.kind,
                            source_type=CREDENTIAL_SOURCE,
                            source_id=f"{row['id']}:{expires.isoformat()}",
                            assignee_id=assignee,
                            case_id=None,
                            client_id=None,
                            title=(
                                f"{row['kind']} credential "
                                f"{'expired' if expired else 'expires'} {expires:%b %d, %Y}"
                            ),
                            detail="Renew it and record the new expiry date.",
                            due_at=ctx.end_of_day(expires),
                            priority=Priority.URGENT if expired else rule.priority,
                            rule_id=rule.pk,
                        )
                    )
    return wanted


def _supervisors_of(ctx: Context, user_id: UUID) -> list[UUID]:
    """Active supervisors of every team ``user_id`` belongs to (never the person themselves)."""
    found: list[UUID] = []
    for team_id in ctx.teams_of.get(user_id, []):
        for supervisor in ctx.supervisors.get(team_id, []):
            if supervisor != user_id and supervisor not in found:
                found.append(supervisor)
    return found


def over_capacity(ctx: Context) -> list[Wanted]:
    """A case manager whose caseload points (cases in caseload stages, weighted by model and risk
    tier) exceed ``parameters.percent`` (100) of their ``caseload_capacity``: one item per
    ISO week for each of their team supervisors, closed once the load is back under."""
    wanted: list[Wanted] = []
    year, week, _ = ctx.today.isocalendar()
    for rule in ctx.rules:
        percent = Decimal(str((rule.parameters or {}).get("percent", 100)))
        loads = (
            Case.objects.filter(
                organization_id=rule.organization_id,
                status__in=ON_CASELOAD,
                case_manager__isnull=False,
            )
            .order_by()
            .values("case_manager_id")
            .annotate(
                points=Coalesce(
                    Sum("weight"),
                    Decimal("0"),
                    output_field=DecimalField(max_digits=10, decimal_places=2),
                )
            )
        )
        points_of: dict[UUID, Decimal] = {}
        for part in ctx.staff_scoped(loads, "case_manager_id"):
            points_of.update({row["case_manager_id"]: row["points"] for row in part})
        if not points_of:
            continue
        people = User.objects.filter(pk__in=list(points_of), is_active=True).values_list(
            "id", "first_name", "last_name", "username", "caseload_capacity"
        )
        for user_id, first, last, username, capacity in people:
            points = Decimal(points_of[user_id])
            if points * 100 <= Decimal(capacity) * percent:
                continue
            name = " ".join(part for part in (first, last) if part) or username
            if rule.assignee_role == AssigneeRole.STAFF_MEMBER:
                assignees = [user_id]
            else:
                assignees = _supervisors_of(ctx, user_id)
            for assignee in assignees:
                wanted.append(
                    Wanted(
                        organization_id=rule.organization_id,
                        kind=rule.kind,
                        source_type=CAPACITY_SOURCE,
                        source_id=f"{user_id}:{year}-W{week:02d}",
                        assignee_id=assignee,
                        case_id=None,
                        client_id=None,
                        title=f"{name} is over caseload capacity",
                        detail=(
                            f"{name} carries {points:.0f} caseload points against a capacity of "
                            f"{Decimal(capacity):.0f}."
                        ),
                        due_at=ctx.end_of_day(ctx.today),
                        priority=rule.priority,
                        rule_id=rule.pk,
                    )
                )
    return wanted


EVALUATORS = {
    RuleKind.CREDENTIAL_EXPIRING: (credential_expiring, [CREDENTIAL_SOURCE]),
    RuleKind.OVER_CAPACITY: (over_capacity, [CAPACITY_SOURCE]),
}
