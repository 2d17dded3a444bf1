from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from casework.cases.lifecycle import allowed_moves
from casework.core.schemas import (
    InputSchema,
    IsoDate,
    StrictBool,
    StrictInt,
    UserRef,
    user_ref,
)


class CaseIn(InputSchema):
    client_id: UUID
    program_id: UUID
    referral_source: str = Field("", max_length=120)
    referral_reason: str = ""
    priority: StrictInt = Field(3, ge=1, le=5, description="1 = most urgent")


class CasePatch(InputSchema):
    version: StrictInt
    referral_source: str | None = Field(None, max_length=120)
    referral_reason: str | None = None
    priority: StrictInt | None = Field(None, ge=1, le=5)
    discharge_summary: str | None = None


class TransitionIn(InputSchema):
    to: str = Field(description="Target status")
    reason: str = ""
    closure_reason: str = Field("", description="Required to close; see GET /closure-reasons")
    discharge_summary: str = ""
    version: StrictInt | None = Field(None, description="If given, must be the current version")


class FindingIn(InputSchema):
    system: str = "http://hl7.org/fhir/sid/icd-10-cm"
    code: str = Field(min_length=1)
    display: str = ""


class ScreeningIn(InputSchema):
    version: StrictInt | None = None
    findings: list[FindingIn]


class AssignIn(InputSchema):
    case_manager_id: UUID
    reason: str = ""
    override_capacity: StrictBool = False
    version: StrictInt | None = None


class BulkReassignIn(InputSchema):
    reason: str = Field(min_length=1)
    case_ids: list[UUID] | None = Field(None, description="Cases to move")
    from_case_manager_id: UUID | None = Field(
        None, description="Move this person's whole open caseload (when case_ids is omitted)"
    )
    to_case_manager_id: UUID | None = Field(
        None, description="Everyone goes to this person; omitted: spread by suggestion"
    )
    override_capacity: StrictBool = False


class ProgramRef(Schema):
    id: str
    name: str
    model: str
    model_kind: str


class ClientRef(Schema):
    id: str
    name: str
    birth_date: str
    preferred_language: str


class CaseOut(Schema):
    id: str
    version: int
    client_id: str
    client: ClientRef
    program_id: str
    program: ProgramRef
    status: str
    status_changed_at: datetime
    days_in_stage: int
    allowed_transitions: list[str]
    case_manager: UserRef | None
    team: str | None
    risk_tier: str
    weight: str
    referral_source: str
    referral_reason: str
    referred_by: UserRef | None
    priority: int
    screening_findings: list[dict[str, Any]]
    opened_at: datetime | None
    closed_at: datetime | None
    closure_reason: str
    discharge_summary: str
    next_due_at: datetime | None
    last_contact_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None


class HistoryOut(Schema):
    from_status: str
    to_status: str
    changed_at: datetime
    changed_by: UserRef | None
    reason: str
    closure_reason: str
    days_in_stage: float | None


class SuggestionOut(Schema):
    case_manager: UserRef
    points: str
    capacity: str
    cases: int
    language_match: bool


class BulkReassignOut(Schema):
    moved: list[dict[str, str]]


def case_out(case: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": str(case.id),
        "version": case.version,
        "client_id": str(case.client_id),
        "client": {
            "id": str(case.client_id),
            "name": case.client.full_name,
            "birth_date": case.client.birth_date.isoformat(),
            "preferred_language": case.client.preferred_language,
        },
        "program_id": str(case.program_id),
        "program": {
            "id": str(case.program_id),
            "name": case.program.name,
            "model": case.program.model.name,
            "model_kind": case.program.model.kind,
        },
        "status": case.status,
        "status_changed_at": case.status_changed_at,
        "days_in_stage": max((now - case.status_changed_at).days, 0),
        "allowed_transitions": allowed_moves(case.status),
        "case_manager": user_ref(case.case_manager),
        "team": case.team.name if case.team_id and case.team else None,
        "risk_tier": case.risk_tier,
        "weight": str(case.weight),
        "referral_source": case.referral_source,
        "referral_reason": case.referral_reason,
        "referred_by": user_ref(case.referred_by),
        "priority": case.priority,
        "screening_findings": case.screening_findings or [],
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "discharge_summary": case.discharge_summary,
        "next_due_at": case.next_due_at,
        "last_contact_at": case.last_contact_at,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


# ----------------------------------------------------------------------------------------------
# Care team


class CareTeamMemberIn(InputSchema):
    kind: str = Field("staff", description="staff, provider, family, caregiver or other")
    user_id: UUID | None = Field(None, description="The member of staff (kind staff only)")
    name: str = Field("", max_length=200, description="Required for people without an account")
    role: str = Field("", max_length=80, description="In words, e.g. Psychiatrist, Daughter")
    role_code: str = Field("", max_length=20, description="SNOMED CT role code, when one fits")
    organization_name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    preferred_contact: str = Field("", max_length=80)
    is_emergency_contact: StrictBool = False
    note: str = ""
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


class CareTeamMemberPatch(InputSchema):
    version: StrictInt
    name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=80)
    role_code: str | None = Field(None, max_length=20)
    organization_name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)
    preferred_contact: str | None = Field(None, max_length=80)
    is_emergency_contact: StrictBool | None = None
    note: str | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


class CareTeamEndIn(InputSchema):
    version: StrictInt
    end_date: IsoDate | None = Field(None, description="First day off the team; default today")
    reason: str = Field("", max_length=2000)


class CareTeamMemberOut(Schema):
    id: UUID
    version: int
    case_id: UUID
    kind: str
    user: UserRef | None
    name: str
    role: str
    role_code: str
    role_code_system: str
    organization_name: str
    phone: str
    email: str
    address: str
    preferred_contact: str
    is_emergency_contact: bool
    note: str
    start_date: date | None
    end_date: date | None
    is_current: bool


class CareTeamPage(Schema):
    case_manager: UserRef | None = Field(
        None, description="The case's case manager: on the team implicitly, not an item"
    )
    items: list[CareTeamMemberOut]
    next: str | None


def care_team_member_out(member: Any) -> dict[str, Any]:
    current = member.end_date is None or member.end_date > timezone.localdate()
    return {
        "id": member.pk,
        "version": member.version,
        "case_id": member.case_id,
        "kind": member.kind,
        "user": user_ref(member.user) if member.user_id else None,
        "name": member.display_name,
        "role": member.role,
        "role_code": member.role_code,
        "role_code_system": "http://snomed.info/sct" if member.role_code else "",
        "organization_name": member.organization_name,
        "phone": member.phone,
        "email": member.email,
        "address": member.address,
        "preferred_contact": member.preferred_contact,
        "is_emergency_contact": member.is_emergency_contact,
        "note": member.note,
        "start_date": member.start_date,
        "end_date": member.end_date,
        "is_current": current,
    }
