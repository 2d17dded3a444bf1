"""Input and output schemas of the risk API, and the one function that shapes a list row."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.cases.schemas import ClientRef, ProgramRef
from casework.core.schemas import InputSchema, UserRef, user_ref
from casework.risk.models import RiskAssessment


class RiskFilters(Schema):
    tier: str = Field("", description="Comma-separated tiers: low, moderate, high, very_high")
    program_id: UUID | None = Field(None, description="Clients with an open case in this program")
    unassigned: bool = Field(False, description="Clients whose open cases have no case manager")
    recommended_model: str = Field("", description="brokerage, clinical, strengths, …")
    decision: str = Field("", description="pending, accepted or overridden")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class DecisionIn(InputSchema):
    decision: Literal["accept", "override"]
    model_kind: str | None = Field(None, description="Required to override: the model chosen")
    reason: str = Field("", max_length=2000, description="Required to override")


class EnrollIn(InputSchema):
    program_id: UUID


class LaceOut(Schema):
    score: int
    charlson: int | None
    breakdown: dict[str, Any]


class DecisionOut(Schema):
    status: str
    model_kind: str
    decided_by: UserRef | None
    decided_at: datetime | None
    reason: str


class OpenCaseOut(Schema):
    id: str
    program: ProgramRef
    status: str
    case_manager: UserRef | None


class RiskRowOut(Schema):
    id: str
    client: ClientRef
    computed_at: datetime
    is_current: bool
    tier: str
    tier_reasons: list[str]
    lace: LaceOut | None
    probability: float | None
    model_version: int | None
    contributions: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    recommended_model: str
    recommendation_reasons: list[str]
    decision: DecisionOut
    open_cases: list[OpenCaseOut]
    unassigned: bool


class RiskPage(Schema):
    items: list[RiskRowOut]
    next: str | None


class ClientRiskOut(Schema):
    current: RiskRowOut | None
    history: list[RiskRowOut]


def risk_row_out(assessment: RiskAssessment) -> dict[str, Any]:
    """One row of the risk list (also the shape of a client's current assessment).

    Expects the assessment from ``casework.risk.selectors`` (client, model version, decider and
    the client's visible open cases already loaded).
    """
    client = assessment.client
    cases = getattr(client, "open_cases_shown", None) or []
    unassigned = getattr(assessment, "has_case_manager", None)
    if unassigned is None:
        unassigned = not any(case.case_manager_id for case in cases)
    else:
        unassigned = not unassigned
    return {
        "id": str(assessment.pk),
        "client": {
            "id": str(client.pk),
            "name": client.full_name,
            "birth_date": client.birth_date.isoformat(),
            "preferred_language": client.preferred_language,
        },
        "computed_at": assessment.computed_at,
        "is_current": assessment.is_current,
        "tier": assessment.tier,
        "tier_reasons": list(assessment.tier_reasons or []),
        "lace": (
            {
                "score": assessment.lace_score,
                "charlson": assessment.charlson_score,
                "breakdown": assessment.lace_breakdown or {},
            }
            if assessment.lace_score is not None
            else None
        ),
        "probability": assessment.probability,
        "model_version": getattr(assessment, "model_version_number", None),
        "contributions": list(assessment.contributions or []),
        "flags": list(assessment.flags or []),
        "recommended_model": assessment.recommended_model,
        "recommendation_reasons": list(assessment.recommendation_reasons or []),
        "decision": {
            "status": assessment.decision,
            "model_kind": assessment.decided_model,
            "decided_by": user_ref(assessment.decided_by),
            "decided_at": assessment.decided_at,
            "reason": assessment.decision_reason,
        },
        "open_cases": [
            {
                "id": str(case.pk),
                "program": {
                    "id": str(case.program_id),
                    "name": case.program.name,
                    "model": case.program.model.name,
                    "model_kind": case.program.model.kind,
                },
                "status": case.status,
                "case_manager": user_ref(case.case_manager),
            }
            for case in cases
        ],
        "unassigned": unassigned,
    }
