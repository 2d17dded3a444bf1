from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema, StrictBool, StrictInt


class ModelOut(Schema):
    id: str
    version: int
    kind: str
    name: str
    description: str
    caseload_size: int
    case_weight: str
    tier_weights: dict[str, float]
    contact_frequency_days: dict[str, int]
    face_to_face_tiers: list[str]
    contact_modes: list[str]
    intake_instruments: list[str]
    reassessment_instruments: list[str]
    reassessment_interval_days: int
    plan_review_interval_days: int
    expected_episode_days: int
    referral_followup_days: int
    overdue_escalation_days: int
    discharge_criteria: list[str]
    required_credentials: list[str]
    approvals_required: list[str]
    requires_strengths: bool
    sources: str


class ModelPatch(InputSchema):
    version: StrictInt
    description: str | None = None
    caseload_size: StrictInt | None = Field(None, ge=1, le=500)
    tier_weights: dict[str, float] | None = None
    contact_frequency_days: dict[str, int] | None = None
    face_to_face_tiers: list[str] | None = None
    contact_modes: list[str] | None = None
    intake_instruments: list[str] | None = None
    reassessment_instruments: list[str] | None = None
    reassessment_interval_days: StrictInt | None = Field(None, ge=1, le=3650)
    plan_review_interval_days: StrictInt | None = Field(None, ge=1, le=3650)
    expected_episode_days: StrictInt | None = Field(None, ge=1, le=3650)
    referral_followup_days: StrictInt | None = Field(None, ge=1, le=365)
    overdue_escalation_days: StrictInt | None = Field(None, ge=0, le=365)
    discharge_criteria: list[str] | None = None
    required_credentials: list[str] | None = None
    approvals_required: list[str] | None = None
    requires_strengths: StrictBool | None = None


class ProgramOut(Schema):
    id: str
    version: int
    name: str
    description: str
    population_served: str
    model: ModelOut
    min_age: int | None
    max_age: int | None
    required_conditions: list[dict[str, Any]]
    accepting_referrals: bool
    is_active: bool
    teams: list[str]


class ProgramPage(Schema):
    items: list[ProgramOut]
    next: str | None


def model_out(model: Any) -> dict[str, Any]:
    return {
        "id": str(model.id),
        "version": model.version,
        "kind": model.kind,
        "name": model.name,
        "description": model.description,
        "caseload_size": model.caseload_size,
        "case_weight": str(model.case_weight()),
        "tier_weights": model.tier_weights or {},
        "contact_frequency_days": model.contact_frequency_days or {},
        "face_to_face_tiers": model.face_to_face_tiers or [],
        "contact_modes": model.contact_modes or [],
        "intake_instruments": model.intake_instruments or [],
        "reassessment_instruments": model.reassessment_instruments or [],
        "reassessment_interval_days": model.reassessment_interval_days,
        "plan_review_interval_days": model.plan_review_interval_days,
        "expected_episode_days": model.expected_episode_days,
        "referral_followup_days": model.referral_followup_days,
        "overdue_escalation_days": model.overdue_escalation_days,
        "discharge_criteria": model.discharge_criteria or [],
        "required_credentials": model.required_credentials or [],
        "approvals_required": model.approvals_required or [],
        "requires_strengths": model.requires_strengths,
        "sources": model.sources,
    }


def program_out(program: Any) -> dict[str, Any]:
    return {
        "id": str(program.id),
        "version": program.version,
        "name": program.name,
        "description": program.description,
        "population_served": program.population_served,
        "model": model_out(program.model),
        "min_age": program.min_age,
        "max_age": program.max_age,
        "required_conditions": program.required_conditions or [],
        "accepting_referrals": program.accepting_referrals,
        "is_active": program.is_active,
        "teams": [team.name for team in program.teams.all()],
    }
