"""Reads of care plans, always scoped to what the acting user may see (through the case)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from casework.careplans.diff import IGNORED_FIELDS, plan_versions_diff
from casework.careplans.models import (
    CarePlan,
    Education,
    Goal,
    GoalReview,
    Intervention,
    PlanReview,
    PlanTemplate,
    PlanVersion,
)
from casework.cases.models import Case
from casework.cases.selectors import cases_visible_to
from casework.core.errors import NotFound

# Fields that record agreement, approval and review rather than what the plan says.
AGREEMENT_FIELDS = {
    "status",
    "agreed_at",
    "agreed_version",
    "agreement_method",
    "agreed_by_name",
    "agreed_by_relationship",
    "signed",
    "witness_id",
    "witness_name",
    "approved_at",
    "approved_by_id",
    "approved_version",
    "next_review_due",
    "period_start",
    *IGNORED_FIELDS,
}


def plans_visible_to(user: Any) -> QuerySet[CarePlan]:
    """Plans of the cases the user may see (DESIGN.md access rules, via ``cases_visible_to``)."""
    return CarePlan.objects.filter(case__in=cases_visible_to(user).values("pk"))


def plan_get(*, user: Any, plan_id: UUID | str) -> CarePlan:
    try:
        return (
            plans_visible_to(user)
            .select_related("case", "case__program", "case__program__model", "case__team", "client")
            .get(pk=plan_id)
        )
    except (CarePlan.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Care plan not found.") from exc


def plan_for_case(*, user: Any, case: Case) -> CarePlan | None:
    """The case's most recent plan (the one in progress, else the last finished one)."""
    plans = (
        plans_visible_to(user)
        .filter(case_id=case.pk)
        .select_related("case", "case__program", "case__program__model", "case__team", "client")
    )
    current = plans.filter(status__in=["draft", "active", "on-hold"]).order_by("-created_at")
    return current.first() or plans.order_by("-created_at").first()


def plans_for_case(*, user: Any, case: Case) -> QuerySet[CarePlan]:
    return plans_visible_to(user).filter(case_id=case.pk)


def plan_detail(plan: CarePlan) -> CarePlan:
    """The plan with every part prefetched, in a constant number of queries."""
    queryset = CarePlan.objects.select_related(
        "case",
        "case__program",
        "case__program__model",
        "case__team",
        "case__case_manager",
        "client",
        "witness",
        "approved_by",
        "recorded_by",
        "created_by",
    ).prefetch_related(
        "needs",
        "strengths",
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related("needs", "strengths"),
        ),
        "barriers",
        Prefetch("interventions", queryset=Intervention.objects.select_related("owner_user")),
        Prefetch("education", queryset=Education.objects.select_related("given_by")),
        Prefetch(
            "reviews",
            queryset=PlanReview.objects.select_related("reviewed_by").prefetch_related(
                Prefetch("goal_scores", queryset=GoalReview.objects.select_related("goal"))
            ),
        ),
    )
    return queryset.get(pk=plan.pk)


def plan_versions(plan: CarePlan) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(plan=plan).select_related("created_by")


def plan_changed_since_agreement(plan: CarePlan) -> bool:
    """Whether what the plan says changed after the client agreed (re-agree at the review)."""
    if plan.agreed_version is None or plan.version <= plan.agreed_version:
        return False
    for change in plan_versions_diff(plan, plan.agreed_version, plan.version):
        if change["section"] != "plan":
            return True
        if any(f["field"] not in AGREEMENT_FIELDS for f in change["fields"]):
            return True
    return False


def templates_visible_to(user: Any, *, model_kind: str | None = None) -> QuerySet[PlanTemplate]:
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return PlanTemplate.objects.none()
    queryset = PlanTemplate.objects.filter(organization_id=user.organization_id, is_active=True)
    if model_kind:
        queryset = queryset.filter(model_kind__in=[model_kind, ""])
    return queryset


def template_get(*, user: Any, template_id: UUID | str) -> PlanTemplate:
    try:
        return templates_visible_to(user).get(pk=template_id)
    except (PlanTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Template not found.") from exc


def plan_reviews(plan: CarePlan) -> QuerySet[PlanReview]:
    return (
        PlanReview.objects.filter(plan=plan)
        .select_related("reviewed_by")
        .prefetch_related("goal_scores")
    )


def plan_item_get(*, plan: CarePlan, section: str, item_id: UUID | str) -> Any:
    """One part of a plan the caller already holds through :func:`plan_get`, or 404."""
    from casework.careplans.services import SECTIONS

    spec = SECTIONS.get(section)
    if spec is None:
        raise NotFound("Not found.")
    queryset = spec.model._default_manager.filter(plan=plan)
    if section == "goals":
        queryset = queryset.prefetch_related("needs", "strengths")
    elif section == "interventions":
        queryset = queryset.select_related("owner_user")
    elif section == "education":
        queryset = queryset.select_related("given_by")
    try:
        return queryset.get(pk=item_id)
    except (spec.model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise NotFound(f"{spec.noun} not found on this care plan.") from exc
