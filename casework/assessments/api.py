from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.assessments import services
from casework.assessments.schemas import (
    AssessmentCompleteIn,
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    AssessmentPatch,
    InstrumentPage,
    ProposedNeedPage,
    assessment_out,
    instrument_out,
    need_out,
)
from casework.assessments.selectors import (
    instrument_get,
    instruments_active,
    needs_for_client,
    response_get,
    response_refreshed,
    responses_for_client,
)
from casework.audit.services import audit_read, audit_read_many
from casework.cases.models import Case
from casework.cases.selectors import case_get
from casework.clients.selectors import client_get
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES

router = Router(tags=["assessments"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _case(request: HttpRequest, case_id: UUID | None) -> Case | None:
    """The case named in a body: one the user may see, or a 422 naming ``case_id``."""
    if case_id is None:
        return None
    try:
        return case_get(user=request.user, case_id=case_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Case not found.", errors=[field_error("case_id", "not found")]
        ) from exc


# ----------------------------------------------------------------------------------------------
# Instruments


@router.get(
    "/instruments",
    response={200: InstrumentPage, **ERROR_RESPONSES},
    summary="The instruments casework scores",
)
def list_instruments(request: HttpRequest) -> Any:
    return {"items": [instrument_out(i) for i in instruments_active()], "next": None}


@router.get(
    "/instruments/{code}",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="One instrument as a FHIR R4 Questionnaire",
)
def get_instrument(request: HttpRequest, code: str) -> Any:
    return instrument_get(code).definition


# ----------------------------------------------------------------------------------------------
# Assessments


class AssessmentFilters(Schema):
    instrument: str = Field("", description="Only this instrument (panel code)")
    status: str = Field("", description="draft, completed or entered_in_error")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.post(
    "/clients/{client_id}/assessments",
    response={201: AssessmentOut, **ERROR_RESPONSES},
    summary="Record an assessment (scored at once) or start a draft",
)
def create_assessment(request: HttpRequest, client_id: UUID, payload: AssessmentIn) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    response = services.assessment_create(
        acting_user=_user(request),
        client=client,
        instrument_code=payload.instrument,
        answers=payload.answers,
        case=_case(request, payload.case_id),
        status=payload.status,
    )
    return HttpStatus(201, assessment_out(response_refreshed(response)))


@router.get(
    "/clients/{client_id}/assessments",
    response={200: AssessmentPage, **ERROR_RESPONSES},
    summary="A client's assessments, newest first",
)
def list_assessments(
    request: HttpRequest, client_id: UUID, filters: Query[AssessmentFilters]
) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    page = paginate(
        responses_for_client(
            client=client, instrument_code=filters.instrument, status=filters.status
        ),
        ordering=["-created_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(
        actor=request.user,
        object_type="assessments.assessmentresponse",
        ids=[response.pk for response in page.items],
    )
    return {"items": [assessment_out(r) for r in page.items], "next": page.next}


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="One assessment with its score, band, flags and proposed needs",
)
def get_assessment(request: HttpRequest, assessment_id: UUID) -> Any:
    response = response_get(user=request.user, response_id=assessment_id)
    audit_read(actor=request.user, obj=response, client_id=response.client_id)
    return assessment_out(response)


@router.patch(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Change a draft's answers (carry the version you read)",
)
def update_assessment(request: HttpRequest, assessment_id: UUID, payload: AssessmentPatch) -> Any:
    response = response_get(user=request.user, response_id=assessment_id)
    services.assessment_update_draft(
        acting_user=_user(request),
        response=response,
        expected_version=payload.version,
        answers=payload.answers,
        case=_case(request, payload.case_id),
    )
    return assessment_out(response_refreshed(response))


@router.post(
    "/assessments/{assessment_id}/complete",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Complete a draft: score it and act on the result",
)
def complete_assessment(
    request: HttpRequest, assessment_id: UUID, payload: AssessmentCompleteIn | None = None
) -> Any:
    response = response_get(user=request.user, response_id=assessment_id)
    body = payload or AssessmentCompleteIn(version=None, answers={})
    services.assessment_complete(
        acting_user=_user(request),
        response=response,
        expected_version=body.version,
        answers=body.answers,
    )
    return assessment_out(response_refreshed(response))


# ----------------------------------------------------------------------------------------------
# Proposed needs


# GET (and POST) /clients/{client_id}/observations -- scores and remote-monitoring readings with
# first-vs-latest trends -- live in casework/monitoring/api/remote.py: ninja serves one path from
# one router.


class NeedFilters(Schema):
    status: str = Field("open", description="open (proposed or accepted, default), or any status")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/clients/{client_id}/proposed-needs",
    response={200: ProposedNeedPage, **ERROR_RESPONSES},
    summary="Coded needs proposed by screening, ready for the care plan",
)
def list_proposed_needs(request: HttpRequest, client_id: UUID, filters: Query[NeedFilters]) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    status = "" if filters.status == "all" else filters.status
    page = paginate(
        needs_for_client(client=client, status=status),
        ordering=["domain", "-created_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(
        actor=request.user,
        object_type="assessments.proposedneed",
        ids=[need.pk for need in page.items],
    )
    return {"items": [need_out(n) for n in page.items], "next": page.next}


# Work items (casework.monitoring) start with the urgent flags raised here; their router is
# mounted with this one so the API needs one line for both.
router.add_router("", "casework.monitoring.api.router")
