"""Care plan API schemas: one input schema per write (each carries the plan ``version`` it read)
and output schemas for the plan, its parts, reviews, versions and templates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.careplans.models import CarePlan, PlanReview, PlanTemplate, PlanVersion
from casework.core.schemas import InputSchema, IsoDate, StrictInt, user_ref

VERSION_HELP = "The plan version you read; a stale one is answered with 409."


# ----------------------------------------------------------------------------------------------
# Input


class PlanIn(InputSchema):
    title: str = Field("", max_length=200)
    template_ids: list[UUID] = Field(default_factory=list)


class PlanPatch(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    title: str | None = Field(None, max_length=200)
    self_management: str | None = None
    crisis_plan: str | None = None
    notes: str | None = None
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    status: str | None = Field(None, description="FHIR CarePlan status")


class NeedIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    proposed_need_id: UUID | None = Field(None, description="Accept a screening's proposed need")
    system: str | None = Field(None, description="ICD-10-CM or SNOMED CT system URI")
    code: str | None = None
    display: str | None = None
    snomed_code: str | None = None
    domain: str | None = None
    description: str | None = None
    priority: StrictInt | None = None
    status: str | None = None


class NeedPatch(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    system: str | None = None
    code: str | None = None
    display: str | None = None
    snomed_code: str | None = None
    domain: str | None = None
    description: str | None = None
    priority: StrictInt | None = None
    status: str | None = None


class GoalIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    client_words: str | None = Field(None, description="The goal in the client's own words")
    statement: str | None = None
    priority: StrictInt | None = Field(None, description="1 high, 2 medium, 3 low")
    measure: str | None = None
    baseline: str | None = None
    target: str | None = None
    start_date: IsoDate | None = None
    target_date: IsoDate | None = None
    lifecycle_status: str | None = Field(None, description="FHIR Goal.lifecycleStatus")
    achievement_status: str | None = Field(None, description="FHIR Goal.achievementStatus")
    need_ids: list[UUID] | None = None
    strength_ids: list[UUID] | None = None


GoalPatch = GoalIn


class StrengthIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    domain: str | None = None
    description: str | None = None


StrengthPatch = StrengthIn


class BarrierIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    goal_id: UUID | None = None
    description: str | None = None
    plan_to_address: str | None = None


BarrierPatch = BarrierIn


class InterventionIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    goal_id: UUID | None = None
    description: str | None = None
    owner_type: str | None = Field(
        None, description="case_manager, client, family, provider or care_team"
    )
    owner_user_id: UUID | None = Field(None, description="A member of staff of the organization")
    owner_name: str | None = Field(None, description="Required when the owner is not staff")
    due_date: IsoDate | None = None
    status: str | None = None
    link_type: str | None = None
    link_id: str | None = None


InterventionPatch = InterventionIn


class EducationIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    topic: str | None = None
    detail: str | None = None
    method: str | None = Field(None, description="verbal, written, demonstration, video, ...")
    teach_back: str | None = None
    given_on: IsoDate | None = None


EducationPatch = EducationIn


class AgreeIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    method: str = Field(description='"signature" or "verbal"')
    agreed_by_name: str
    relationship: str = "self"
    signature: str = Field("", description="data:image/png;base64,… or data:image/svg+xml…")
    witness_name: str = ""
    agreed_on: IsoDate | None = None


class VersionIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)


class ScoreIn(InputSchema):
    goal_id: UUID
    attainment: StrictInt = Field(description="Goal Attainment Scaling, -2 … +2")
    weight: float = 1.0
    notes: str = ""
    achievement_status: str = ""


class ReviewIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    reviewed_on: IsoDate
    notes: str = ""
    scores: list[ScoreIn] = Field(default_factory=list)


class ApplyTemplateIn(InputSchema):
    version: StrictInt = Field(description=VERSION_HELP)
    template_id: UUID


# ----------------------------------------------------------------------------------------------
# Output


class NeedOut(Schema):
    id: str
    system: str
    code: str
    display: str
    snomed_code: str
    domain: str
    description: str
    priority: int
    status: str
    proposed_need_id: str | None


class GoalOut(Schema):
    id: str
    priority: int
    client_words: str
    statement: str
    measure: str
    baseline: str
    target: str
    start_date: date | None
    target_date: date | None
    lifecycle_status: str
    achievement_status: str
    need_ids: list[str]
    strength_ids: list[str]


class StrengthOut(Schema):
    id: str
    domain: str
    description: str


class BarrierOut(Schema):
    id: str
    goal_id: str | None
    description: str
    plan_to_address: str


class InterventionOut(Schema):
    id: str
    goal_id: str | None
    description: str
    owner_type: str
    owner_user: dict[str, Any] | None
    owner_name: str
    due_date: date | None
    status: str
    link_type: str
    link_id: str


class EducationOut(Schema):
    id: str
    topic: str
    detail: str
    method: str
    teach_back: str
    given_on: date
    given_by: dict[str, Any] | None


class GoalScoreOut(Schema):
    goal_id: str
    attainment: int
    weight: float
    notes: str


class ReviewOut(Schema):
    id: str
    reviewed_on: date
    reviewed_by: dict[str, Any] | None
    notes: str
    gas_t_score: float | None
    plan_version: int | None
    scores: list[GoalScoreOut]


class AgreementOut(Schema):
    agreed_at: datetime | None
    agreed_version: int | None
    method: str
    agreed_by_name: str
    relationship: str
    signed: bool
    witness: dict[str, Any] | None
    witness_name: str
    changed_since_agreement: bool


class PlanOut(Schema):
    id: str
    version: int
    case_id: str
    client_id: str
    title: str
    status: str
    period_start: date | None
    period_end: date | None
    self_management: str
    crisis_plan: str
    notes: str
    template_name: str
    agreement: AgreementOut
    approved_at: datetime | None
    approved_by: dict[str, Any] | None
    approved_version: int | None
    approval_required: bool
    next_review_due: date | None
    created_at: datetime
    updated_at: datetime
    needs: list[NeedOut]
    goals: list[GoalOut]
    strengths: list[StrengthOut]
    barriers: list[BarrierOut]
    interventions: list[InterventionOut]
    education: list[EducationOut]
    reviews: list[ReviewOut]


class PlanSummaryOut(Schema):
    id: str
    version: int
    title: str
    status: str
    agreed_at: datetime | None
    created_at: datetime


class PlanSummaryPage(Schema):
    items: list[PlanSummaryOut]
    next: str | None


class ItemOut(Schema):
    """A write to a part of the plan: the item (absent after a removal) and the plan's version."""

    plan_id: str
    version: int
    item: dict[str, Any] | None


class ReviewCreatedOut(Schema):
    plan_id: str
    version: int
    review: ReviewOut


class ReviewPage(Schema):
    items: list[ReviewOut]
    next: str | None


class VersionOut(Schema):
    number: int
    summary: str
    created_at: datetime
    created_by: dict[str, Any] | None


class VersionPage(Schema):
    items: list[VersionOut]
    next: str | None


class DiffOut(Schema):
    plan_id: str
    from_number: int
    to_number: int
    changes: list[dict[str, Any]]


class TemplateOut(Schema):
    id: str
    model_kind: str
    name: str
    need: dict[str, Any]
    goals: list[dict[str, Any]]


class TemplatePage(Schema):
    items: list[TemplateOut]
    next: str | None


# ----------------------------------------------------------------------------------------------
# Builders (work on prefetched objects: no queries of their own)


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def need_out(n: Any) -> dict[str, Any]:
    return {
        "id": str(n.pk),
        "system": n.system,
        "code": n.code,
        "display": n.display,
        "snomed_code": n.snomed_code,
        "domain": n.domain,
        "description": n.description,
        "priority": n.priority,
        "status": n.status,
        "proposed_need_id": _id(n.proposed_need_id),
    }


def goal_out(g: Any) -> dict[str, Any]:
    return {
        "id": str(g.pk),
        "priority": g.priority,
        "client_words": g.client_words,
        "statement": g.statement,
        "measure": g.measure,
        "baseline": g.baseline,
        "target": g.target,
        "start_date": g.start_date,
        "target_date": g.target_date,
        "lifecycle_status": g.lifecycle_status,
        "achievement_status": g.achievement_status,
        "need_ids": sorted(str(n.pk) for n in g.needs.all()),
        "strength_ids": sorted(str(s.pk) for s in g.strengths.all()),
    }


def strength_out(s: Any) -> dict[str, Any]:
    return {"id": str(s.pk), "domain": s.domain, "description": s.description}


def barrier_out(b: Any) -> dict[str, Any]:
    return {
        "id": str(b.pk),
        "goal_id": _id(b.goal_id),
        "description": b.description,
        "plan_to_address": b.plan_to_address,
    }


def intervention_out(i: Any) -> dict[str, Any]:
    return {
        "id": str(i.pk),
        "goal_id": _id(i.goal_id),
        "description": i.description,
        "owner_type": i.owner_type,
        "owner_user": user_ref(i.owner_user),
        "owner_name": i.owner_name,
        "due_date": i.due_date,
        "status": i.status,
        "link_type": i.link_type,
        "link_id": i.link_id,
    }


def education_out(e: Any) -> dict[str, Any]:
    return {
        "id": str(e.pk),
        "topic": e.topic,
        "detail": e.detail,
        "method": e.method,
        "teach_back": e.teach_back,
        "given_on": e.given_on,
        "given_by": user_ref(e.given_by),
    }


def review_out(r: PlanReview) -> dict[str, Any]:
    return {
        "id": str(r.pk),
        "reviewed_on": r.reviewed_on,
        "reviewed_by": user_ref(r.reviewed_by),
        "notes": r.notes,
        "gas_t_score": r.gas_t_score,
        "plan_version": r.plan_version,
        "scores": [
            {
                "goal_id": str(s.goal_id),
                "attainment": s.attainment,
                "weight": s.weight,
                "notes": s.notes,
            }
            for s in r.goal_scores.all()
        ],
    }


ITEM_OUT = {
    "needs": need_out,
    "goals": goal_out,
    "strengths": strength_out,
    "barriers": barrier_out,
    "interventions": intervention_out,
    "education": education_out,
}


def plan_out(plan: CarePlan, *, changed_since_agreement: bool) -> dict[str, Any]:
    """``plan`` comes from :func:`casework.careplans.selectors.plan_detail`."""
    model = plan.case.program.model
    return {
        "id": str(plan.pk),
        "version": plan.version,
        "case_id": str(plan.case_id),
        "client_id": str(plan.client_id),
        "title": plan.title,
        "status": plan.status,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "self_management": plan.self_management,
        "crisis_plan": plan.crisis_plan,
        "notes": plan.notes,
        "template_name": plan.template_name,
        "agreement": {
            "agreed_at": plan.agreed_at,
            "agreed_version": plan.agreed_version,
            "method": plan.agreement_method,
            "agreed_by_name": plan.agreed_by_name,
            "relationship": plan.agreed_by_relationship,
            "signed": bool(plan.signature),
            "witness": user_ref(plan.witness),
            "witness_name": plan.witness_name,
            "changed_since_agreement": changed_since_agreement,
        },
        "approved_at": plan.approved_at,
        "approved_by": user_ref(plan.approved_by),
        "approved_version": plan.approved_version,
        "approval_required": "care_plan" in (model.approvals_required or []),
        "next_review_due": plan.next_review_due,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        **{
            section: [build(o) for o in getattr(plan, section).all()]
            for section, build in ITEM_OUT.items()
        },
        "reviews": [review_out(r) for r in plan.reviews.all()],
    }


def plan_summary_out(plan: CarePlan) -> dict[str, Any]:
    return {
        "id": str(plan.pk),
        "version": plan.version,
        "title": plan.title,
        "status": plan.status,
        "agreed_at": plan.agreed_at,
        "created_at": plan.created_at,
    }


def version_out(v: PlanVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "summary": v.summary,
        "created_at": v.created_at,
        "created_by": user_ref(v.created_by),
    }


def template_out(t: PlanTemplate) -> dict[str, Any]:
    return {
        "id": str(t.pk),
        "model_kind": t.model_kind,
        "name": t.name,
        "need": t.need or {},
        "goals": t.goals or [],
    }
