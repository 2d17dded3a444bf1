"""Care-plan guards on the case lifecycle, registered when the app loads (issue 4).

``→ active`` needs a plan on the case that the client has agreed to, holding at least one active
goal, and -- when the program's model lists "care_plan" among its approvals -- approved by a
supervisor. The strengths requirement of strengths-based models is enforced when the client
agrees (:func:`casework.careplans.services.plan_agree`), so an agreed plan already has them.
"""

from __future__ import annotations

from typing import Any

from casework.careplans.models import CarePlan, GoalLifecycle, PlanStatus
from casework.cases import lifecycle
from casework.cases.models import Status

CURRENT_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD)


def current_plan(case: Any) -> CarePlan | None:
    """The case's plan in progress (draft, active or on hold), if any."""
    return (
        CarePlan.objects.filter(case_id=case.pk, status__in=CURRENT_PLAN_STATUSES)
        .order_by("-created_at")
        .first()
    )


def guard_care_plan(case: Any, move: lifecycle.Move) -> str | None:
    plan = current_plan(case)
    if plan is None:
        return "care_plan_required: start a care plan with the client first"
    if plan.agreed_at is None:
        return "care_plan_required: the client has not agreed to the care plan yet"
    if not plan.goals.filter(lifecycle_status=GoalLifecycle.ACTIVE).exists():
        return "care_plan_required: the care plan needs at least one active goal"
    if "care_plan" in (case.program.model.approvals_required or []) and plan.approved_at is None:
        return (
            "care_plan_approval_required: the "
            f"{case.program.model.name} model needs a supervisor to approve the care plan"
        )
    return None


lifecycle.register_guard(Status.ACTIVE, "care_plan", guard_care_plan)
