"""The risk API: the population risk list, a client's risk, decisions and enrollment."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status as HttpStatus

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_read_many, audit_record
from casework.cases.schemas import CaseOut, case_out
from casework.cases.selectors import case_get
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.programs.selectors import program_get
from casework.risk import services
from casework.risk.lace import lace_band, lace_for_clients
from casework.risk.models import Decision
from casework.risk.schemas import (
    ClientRiskOut,
    DecisionIn,
    EnrollIn,
    RiskFilters,
    RiskPage,
    RiskRowOut,
    risk_row_out,
)
from casework.risk.selectors import (
    LIST_ORDERING,
    risk_assessment_get,
    risk_client_get,
    risk_history,
    risk_list,
)
from casework.risk.stratification import TIERS

router = Router(tags=["risk"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _split(value: str, allowed: list[str] | tuple[str, ...], name: str) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ValidationFailed(
            f"Unknown {name}: {', '.join(unknown)}",
            errors=[field_error(name, f"must be among {', '.join(allowed)}")],
        )
    return items


@router.get(
    "/risk/clients",
    response={200: RiskPage, **ERROR_RESPONSES},
    summary="The population risk list",
    description=(
        "Current risk assessments of the clients you may see, highest tier first. Supervisors "
        "and program admins also see the clients of their organization who have no open case "
        "(identification from data). Filter by `tier` (comma-separated), `program_id` (an open "
        "case in that program) and `unassigned` (no open case carried by a case manager)."
    ),
)
def list_risk(request: HttpRequest, filters: Query[RiskFilters]) -> Any:
    tiers = _split(filters.tier, TIERS, "tier")
    decision = _split(filters.decision, Decision.values, "decision")
    queryset = risk_list(
        user=request.user,
        tier=tiers,
        program_id=filters.program_id,
        unassigned=filters.unassigned,
        recommended_model=filters.recommended_model.strip(),
        decision=decision[0] if decision else "",
    )
    page = paginate(queryset, ordering=LIST_ORDERING, cursor=filters.cursor, limit=filters.limit)
    audit_read_many(
        actor=request.user,
        object_type="risk.riskassessment",
        ids=[assessment.pk for assessment in page.items],
    )
    return {"items": [risk_row_out(a) for a in page.items], "next": page.next}


@router.get(
    "/clients/{client_id}/risk",
    response={200: ClientRiskOut, **ERROR_RESPONSES},
    summary="A client's current risk assessment and its history",
)
def client_risk(request: HttpRequest, client_id: UUID) -> Any:
    client = risk_client_get(user=request.user, client_id=client_id)
    history = risk_history(user=request.user, client=client)
    audit_record(
        actor=request.user,
        action=Action.READ,
        object_type="risk.riskassessment",
        client_id=client.pk,
        detail={"ids": [str(a.pk) for a in history]},
    )
    rows = [risk_row_out(a) for a in history]
    current = next((row for row in rows if row["is_current"]), None)
    return {"current": current, "history": rows}


@router.post(
    "/clients/{client_id}/risk",
    response={201: RiskRowOut, **ERROR_RESPONSES},
    summary="Recompute a client's risk assessment now",
)
def restratify_client(request: HttpRequest, client_id: UUID) -> Any:
    client = risk_client_get(user=request.user, client_id=client_id)
    assessment = services.client_stratify(client=client, acting_user=_user(request))
    fresh = risk_assessment_get(user=request.user, assessment_id=assessment.pk)
    return HttpStatus(201, risk_row_out(fresh))


@router.post(
    "/risk/assessments/{assessment_id}/decision",
    response={200: RiskRowOut, **ERROR_RESPONSES},
    summary="Accept or override the recommended case management model",
    description=(
        "Supervisors and program admins only (403 otherwise). An override needs `model_kind` "
        "and a `reason`. Only the current assessment can be decided (409 `assessment_superseded`)."
    ),
)
def decide(request: HttpRequest, assessment_id: int, payload: DecisionIn) -> Any:
    assessment = risk_assessment_get(user=request.user, assessment_id=assessment_id)
    services.risk_decide(
        acting_user=_user(request),
        assessment=assessment,
        decision=payload.decision,
        model_kind=payload.model_kind,
        reason=payload.reason,
    )
    return risk_row_out(risk_assessment_get(user=request.user, assessment_id=assessment_id))


@router.post(
    "/risk/clients/{client_id}/enroll",
    response={201: CaseOut, **ERROR_RESPONSES},
    summary="Enroll an identified client: open a referred case in a program",
)
def enroll(request: HttpRequest, client_id: UUID, payload: EnrollIn) -> Any:
    user = _user(request)
    client = risk_client_get(user=user, client_id=client_id)
    try:
        program = program_get(user=user, program_id=payload.program_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Program not found.", errors=[field_error("program_id", "not found")]
        ) from exc
    case = services.risk_enroll(acting_user=user, client=client, program=program)
    try:
        return HttpStatus(201, case_out(case_get(user=user, case_id=case.pk)))
    except NotFound:
        return HttpStatus(201, case_out(case))


@router.get(
    "/clients/{client_id}/lace",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="The LACE index of the client's latest inpatient admission, with its breakdown",
    description="`as_of` (ISO datetime) computes it as of that moment. `score` is null when no "
    "inpatient admission is on record. Points: L length of stay, A acute admission, C "
    "comorbidity (LACE weights of the Charlson conditions), E ED visits in the six months "
    "before the admission.",
)
def get_lace(request: HttpRequest, client_id: UUID, as_of: datetime | None = None) -> Any:
    client = risk_client_get(user=request.user, client_id=client_id)
    moment = as_of if as_of is None or not timezone.is_naive(as_of) else timezone.make_aware(as_of)
    result = lace_for_clients([client.id], as_of=moment).get(client.id)
    audit_record(
        actor=request.user,
        action=Action.READ,
        obj=client,
        client_id=client.id,
        detail={"purpose": "lace"},
    )
    if result is None:
        return {"score": None, "band": None, "detail": "No inpatient admission on record."}
    return {
        "score": result.score,
        "band": lace_band(result.score),
        "points": result.points,
        "length_of_stay_days": result.length_of_stay_days,
        "acute": result.acute,
        "comorbidity_points_total": result.charlson,
        "ed_visits_6_months": result.ed_visits_6_months,
        "comorbidities": result.comorbidities,
        "admission_id": result.admission_id,
        "detail": result.detail,
    }
