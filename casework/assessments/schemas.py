from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.assessments.scoring import answer_codes, display_answer
from casework.assessments.selectors import Trend, instrument_definition
from casework.core.schemas import InputSchema, StrictInt, UserRef, user_ref


class AssessmentIn(InputSchema):
    instrument: str = Field(
        description="Panel code of the instrument: LOINC (e.g. 44249-1 for the PHQ-9) or local "
        "(casework-strengths). GET /api/v1/instruments lists them."
    )
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Item code -> answer: the option's ordinal value (2), its LOINC answer code "
        '("LA6570-1") or display; a list for multi-select items; text for text items.',
    )
    case_id: UUID | None = Field(None, description="The client's case this assessment is for")
    status: Literal["completed", "draft"] = Field(
        "completed", description="draft keeps partial answers without the required check"
    )


class AssessmentPatch(InputSchema):
    version: StrictInt = Field(description="The version you read; a stale one is refused (409).")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers to add or replace; null removes an answer"
    )
    case_id: UUID | None = None


class AssessmentCompleteIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Last answers to add before completing"
    )


class InstrumentRef(Schema):
    code: str
    system: str
    name: str
    short_name: str


class FlagOut(Schema):
    code: str
    label: str
    severity: str


class NeedOut(Schema):
    id: str | None
    domain: str
    category: str
    system: str
    code: str
    display: str
    snomed_code: str
    snomed_display: str
    status: str | None = None
    new: bool | None = None


class ItemAnswerOut(Schema):
    code: str
    text: str
    answer: Any
    display: str
    value: Any


class AssessmentOut(Schema):
    id: str
    version: int
    client_id: str
    case_id: str | None
    instrument: InstrumentRef
    status: str
    answers: dict[str, Any]
    items: list[ItemAnswerOut]
    score: int | float | None
    band: str | None
    band_label: str | None
    flags: list[FlagOut]
    subscores: dict[str, Any]
    domains: dict[str, Any]
    proposed_needs: list[NeedOut]
    completeness: dict[str, Any]
    started_by: UserRef | None
    completed_by: UserRef | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next: str | None


class InstrumentOut(Schema):
    code: str
    system: str
    name: str
    short_name: str
    version: str
    items: int
    scored: bool
    score_code: str | None
    source: str


class InstrumentPage(Schema):
    items: list[InstrumentOut]
    next: str | None


class ObservationOut(Schema):
    id: int
    system: str
    code: str
    display: str
    value: int | float | None
    unit: str
    effective_at: datetime
    response_id: str | None


class TrendOut(Schema):
    code: str
    system: str
    display: str
    count: int
    first: ObservationOut
    latest: ObservationOut
    change: int | float | None


class ObservationsOut(Schema):
    items: list[ObservationOut]
    trends: list[TrendOut]
    next: str | None = None


class ProposedNeedOut(Schema):
    id: str
    version: int
    domain: str
    category: str
    system: str
    code: str
    display: str
    snomed_code: str
    snomed_display: str
    status: str
    response_id: str
    instrument: str
    evidence: list[Any]
    created_at: datetime


class ProposedNeedPage(Schema):
    items: list[ProposedNeedOut]
    next: str | None


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def instrument_out(instrument: Any) -> dict[str, Any]:
    score = (instrument.scoring or {}).get("score") or {}
    code = score.get("code") or {}
    return {
        "code": instrument.code,
        "system": instrument.system,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "version": instrument.version,
        "items": len(instrument_definition(instrument).answerable),
        "scored": bool(score),
        "score_code": code.get("code"),
        "source": instrument.source,
    }


def assessment_out(response: Any) -> dict[str, Any]:
    instrument = response.instrument
    definition = instrument_definition(instrument)
    result = response.result or {}
    items = []
    for key, answer in response.answers.items():
        item = definition.item(key)
        parts = answer if isinstance(answer, list) else [answer]
        values = [part.get("value") for part in parts]
        items.append(
            {
                "code": item.code if item else key,
                "text": item.text if item else "",
                "answer": answer_codes({key: answer})[key],
                "display": display_answer(answer),
                "value": values if isinstance(answer, list) else values[0],
            }
        )
    needs = [
        {
            "id": need.get("id"),
            "domain": need["domain"],
            "category": need.get("category", ""),
            "system": need["system"],
            "code": need["code"],
            "display": need["display"],
            "snomed_code": need.get("snomed_code", ""),
            "snomed_display": need.get("snomed_display", ""),
            "new": need.get("new"),
        }
        for need in result.get("needs", [])
    ]
    return {
        "id": str(response.id),
        "version": response.version,
        "client_id": str(response.client_id),
        "case_id": str(response.case_id) if response.case_id else None,
        "instrument": {
            "code": instrument.code,
            "system": instrument.system,
            "name": instrument.name,
            "short_name": instrument.short_name,
        },
        "status": response.status,
        "answers": answer_codes(response.answers),
        "items": items,
        "score": number(response.score),
        "band": response.band or None,
        "band_label": result.get("band_label") or None,
        "flags": [
            {"code": f["code"], "label": f.get("label", ""), "severity": f.get("severity", "")}
            for f in response.flags or []
        ],
        "subscores": response.subscores or {},
        "domains": result.get("domains", {}),
        "proposed_needs": needs,
        "completeness": result.get("completeness", {}),
        "started_by": user_ref(response.started_by) if response.started_by_id else None,
        "completed_by": user_ref(response.completed_by) if response.completed_by_id else None,
        "completed_at": response.completed_at,
        "created_at": response.created_at,
        "updated_at": response.updated_at,
    }


def observation_out(observation: Any) -> dict[str, Any]:
    return {
        "id": observation.id,
        "system": observation.system,
        "code": observation.code,
        "display": observation.display,
        "value": number(observation.value_decimal),
        "unit": observation.unit,
        "effective_at": observation.effective_at,
        "response_id": str(observation.response_id) if observation.response_id else None,
    }


def trend_out(trend: Trend) -> dict[str, Any]:
    return {
        "code": trend.code,
        "system": trend.system,
        "display": trend.display,
        "count": trend.count,
        "first": observation_out(trend.first),
        "latest": observation_out(trend.latest),
        "change": number(trend.change),
    }


def need_out(need: Any) -> dict[str, Any]:
    return {
        "id": str(need.id),
        "version": need.version,
        "domain": need.domain,
        "category": need.category,
        "system": need.system,
        "code": need.code,
        "display": need.display,
        "snomed_code": need.snomed_code,
        "snomed_display": need.snomed_display,
        "status": need.status,
        "response_id": str(need.response_id),
        "instrument": need.response.instrument.code,
        "evidence": need.evidence or [],
        "created_at": need.created_at,
    }
