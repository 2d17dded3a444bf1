"""Reads of risk assessments, scoped to what the acting user may see.

Access rule (docs/security.md, "Population risk list"): a user sees a client's risk assessments
when they see the client (``clients_visible_to``). Supervisors and program admins also see the
current assessments of clients in their organization who have **no open case** -- finding the
people who need case management before anyone holds their case is what the population risk list
is for (identification from data, DESIGN.md phase 1). Once a client has an open case, only the
usual case-based access applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.db.models import (
    Case as SqlCase,
)
from django.db.models import (
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from casework.accounts.models import Organization, Role
from casework.cases.models import FINISHED, Case
from casework.cases.selectors import cases_visible_to
from casework.clients.models import Client
from casework.clients.selectors import clients_visible_to
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.programs.models import Program
from casework.risk.models import RiskAssessment, RiskSettings
from casework.risk.stratification import TIER_RANK, ThresholdError, resolve_thresholds

# Roles that see their organization's not-yet-enrolled population on the risk list.
IDENTIFIERS = {Role.SUPERVISOR, Role.PROGRAM_ADMIN}

# The list's sort order: highest tier first, then highest probability, then highest LACE.
LIST_ORDERING = ["-tier_rank", "-probability_sort", "-lace_sort", "id"]


def thresholds_for(organization: Organization | Any) -> dict[str, Any]:
    """The organization's thresholds merged over the defaults (``ValidationFailed`` if unusable)."""
    raw: Mapping[str, Any] | None = (
        RiskSettings.objects.filter(organization_id=organization.pk)
        .values_list("thresholds", flat=True)
        .first()
    )
    try:
        return resolve_thresholds(raw or {})
    except ThresholdError as exc:
        raise ValidationFailed(
            f"The risk settings of {organization} are not usable: {exc}",
            code="invalid_risk_settings",
            errors=[field_error("thresholds", str(exc))],
        ) from exc


def _open_cases(**filters: Any) -> QuerySet[Case]:
    return Case.objects.filter(**filters).exclude(status__in=FINISHED)


def assessments_visible_to(user: Any) -> QuerySet[RiskAssessment]:
    """Every risk assessment (current and past) of the clients the user may see on risk pages."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return RiskAssessment.objects.none()
    if user.organization_id is None:
        return RiskAssessment.objects.none()
    # The visible clients are already limited to the user's organization. Leaving the
    # organization out of this filter lets the database go from those clients to their
    # assessments (the client index) instead of through every assessment the organization ever
    # had (ten times faster for a case manager at 100,000 clients on SQLite).
    visible = Q(client_id__in=Subquery(clients_visible_to(user).order_by().values("id")))
    if user.role not in IDENTIFIERS:
        return RiskAssessment.objects.filter(visible)
    unserved = ~Q(Exists(_open_cases(client_id=OuterRef("client_id"))))
    return RiskAssessment.objects.filter(organization_id=user.organization_id).filter(
        visible | unserved
    )


def risk_client_get(*, user: Any, client_id: UUID | str) -> Client:
    """A client the user may see on risk pages, or ``NotFound``."""
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        raise NotFound("Client not found.")
    scope = Q(id__in=Subquery(clients_visible_to(user).order_by().values("id")))
    if user.role in IDENTIFIERS:
        scope |= ~Q(Exists(_open_cases(client_id=OuterRef("pk"))))
    try:
        return (
            Client.objects.filter(organization_id=user.organization_id)
            .filter(scope)
            .get(pk=client_id)
        )
    except (Client.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Client not found.") from exc


def _with_rows(queryset: QuerySet[RiskAssessment], user: Any) -> QuerySet[RiskAssessment]:
    """Everything a list row shows, in a fixed number of queries whatever the page size."""
    shown_cases = (
        cases_visible_to(user)
        .exclude(status__in=FINISHED)
        .select_related("program", "program__model", "case_manager")
        .order_by("created_at", "id")
    )
    return (
        queryset.select_related("client", "decided_by")
        # The model's version number only: its stored artifact is large.
        .annotate(model_version_number=F("model_version__version"))
        .prefetch_related(
            Prefetch("client__cases", queryset=shown_cases, to_attr="open_cases_shown")
        )
    )


def risk_list(
    *,
    user: Any,
    tier: list[str] | None = None,
    program_id: UUID | None = None,
    unassigned: bool = False,
    recommended_model: str = "",
    decision: str = "",
) -> QuerySet[RiskAssessment]:
    """Current assessments of the clients the user may see, annotated for sorting and rows.

    ``program_id``: clients with an open case in that program. ``unassigned``: clients with no
    open case that a case manager carries (including clients with no open case at all).
    """
    with_manager = _open_cases(client_id=OuterRef("client_id"), case_manager__isnull=False)
    queryset = (
        assessments_visible_to(user)
        .filter(is_current=True)
        .annotate(
            tier_rank=SqlCase(
                *[When(tier=tier, then=Value(rank)) for tier, rank in TIER_RANK.items()],
                default=Value(-1),
                output_field=IntegerField(),
            ),
            probability_sort=Coalesce("probability", Value(-1.0), output_field=FloatField()),
            lace_sort=Coalesce("lace_score", Value(-1), output_field=IntegerField()),
            has_case_manager=Exists(with_manager),
        )
    )
    if tier:
        queryset = queryset.filter(tier__in=tier)
    if program_id:
        queryset = queryset.filter(
            Exists(_open_cases(client_id=OuterRef("client_id"), program_id=program_id))
        )
    if unassigned:
        queryset = queryset.filter(has_case_manager=False)
    if recommended_model:
        queryset = queryset.filter(recommended_model=recommended_model)
    if decision:
        queryset = queryset.filter(decision=decision)
    return _with_rows(queryset, user)


def risk_assessment_get(
    *, user: Any, assessment_id: int | str, for_update: bool = False
) -> RiskAssessment:
    queryset = _with_rows(assessments_visible_to(user), user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=assessment_id)
    except (RiskAssessment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Risk assessment not found.") from exc


def risk_history(*, user: Any, client: Client, limit: int = 50) -> list[RiskAssessment]:
    """The client's assessments, newest first (the first is the current one when it exists)."""
    return list(
        _with_rows(assessments_visible_to(user).filter(client=client), user).order_by(
            "-computed_at", "-id"
        )[:limit]
    )


def programs_for_enrollment(user: Any) -> QuerySet[Program]:
    """Programs of the user's organization that take referrals, with their model."""
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return Program.objects.none()
    return (
        Program.objects.filter(
            organization_id=user.organization_id, is_active=True, accepting_referrals=True
        )
        .select_related("model")
        .order_by("name")
    )


def program_for_model(programs: list[Program], model_kind: str) -> Program | None:
    """The first program running a model of ``model_kind`` (the default program to enroll in)."""
    return next((p for p in programs if model_kind and p.model.kind == model_kind), None)
