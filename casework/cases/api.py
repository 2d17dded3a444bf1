from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.accounts.selectors import staff_of_organization
from casework.audit.services import audit_read, audit_read_many
from casework.cases import services
from casework.cases.codes import CLOSURE_REASONS
from casework.cases.models import Case, Status
from casework.cases.schemas import (
    AssignIn,
    BulkReassignIn,
    BulkReassignOut,
    CareTeamEndIn,
    CareTeamMemberIn,
    CareTeamMemberOut,
    CareTeamMemberPatch,
    CareTeamPage,
    CaseIn,
    CaseOut,
    CasePage,
    CasePatch,
    HistoryOut,
    ScreeningIn,
    SuggestionOut,
    TransitionIn,
    care_team_member_out,
    case_out,
)
from casework.cases.selectors import (
    care_team_for_case,
    care_team_member_get,
    case_get,
    case_history,
    case_list,
    cases_visible_to,
)
from casework.clients.selectors import client_get
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES, user_ref
from casework.programs.selectors import program_get

router = Router(tags=["cases"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class CaseFilters(Schema):
    status: str = Field("", description="Comma-separated statuses")
    program_id: UUID | None = None
    client_id: UUID | None = None
    case_manager_id: UUID | None = None
    team_id: UUID | None = None
    mine: bool = False
    open: bool = False
    unassigned: bool = False
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _case_with_refs(request: HttpRequest, case_id: UUID) -> Case:
    return case_get(user=request.user, case_id=case_id)


def _fresh(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Re-read through the access selector; the change may have taken the case out of view."""
    try:
        return case_out(case_get(user=request.user, case_id=case.id))
    except NotFound:
        return case_out(case)


@router.post("", response={201: CaseOut, **ERROR_RESPONSES}, summary="Refer a client to a program")
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    user = _user(request)
    try:
        client = client_get(user=user, client_id=payload.client_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Client not found.", errors=[field_error("client_id", "not found")]
        ) from exc
    try:
        program = program_get(user=user, program_id=payload.program_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Program not found.", errors=[field_error("program_id", "not found")]
        ) from exc
    case = services.case_create(
        acting_user=user,
        client=client,
        program=program,
        referral_source=payload.referral_source,
        referral_reason=payload.referral_reason,
        priority=payload.priority,
    )
    return HttpStatus(201, _fresh(request, case))


@router.get("", response={200: CasePage, **ERROR_RESPONSES}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    statuses = [s.strip() for s in filters.status.split(",") if s.strip()]
    unknown = [s for s in statuses if s not in Status.values]
    if unknown:
        raise ValidationFailed(
            "Unknown status: " + ", ".join(unknown),
            errors=[field_error("status", f"must be among {', '.join(Status.values)}")],
        )
    queryset = case_list(
        user=request.user,
        status=statuses,
        program_id=filters.program_id,
        client_id=filters.client_id,
        case_manager_id=filters.case_manager_id,
        team_id=filters.team_id,
        mine=filters.mine,
        open_only=filters.open,
        unassigned=filters.unassigned,
    ).select_related("referred_by")
    page = paginate(
        queryset, ordering=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit
    )
    audit_read_many(actor=request.user, object_type="cases.case", ids=[c.pk for c in page.items])
    return {"items": [case_out(case) for case in page.items], "next": page.next}


@router.post(
    "/reassign",
    response={200: BulkReassignOut, **ERROR_RESPONSES},
    summary="Reassign many cases (e.g. a whole caseload) at once, all or nothing",
)
def reassign_cases(request: HttpRequest, payload: BulkReassignIn) -> Any:
    visible = cases_visible_to(request.user).select_related("client", "program", "program__model")
    if payload.case_ids:
        cases = list(visible.filter(pk__in=payload.case_ids))
        if len(cases) != len(set(payload.case_ids)):
            raise ValidationFailed(
                "Some cases were not found.", errors=[field_error("case_ids", "not found")]
            )
    elif payload.from_case_manager_id:
        cases = list(
            visible.filter(case_manager_id=payload.from_case_manager_id)
            .exclude(status__in=[Status.CLOSED, Status.ENTERED_IN_ERROR])
            .order_by("priority", "created_at")
        )
    else:
        raise ValidationFailed(
            "Give case_ids or from_case_manager_id.", errors=[field_error("case_ids", "required")]
        )
    target = (
        _staff(request, payload.to_case_manager_id, "to_case_manager_id")
        if payload.to_case_manager_id
        else None
    )
    result = services.cases_reassign_bulk(
        acting_user=_user(request),
        cases=cases,
        reason=payload.reason,
        to_case_manager=target,
        override_capacity=payload.override_capacity,
    )
    return {"moved": [{"case_id": str(c.id), "case_manager": u.username} for c, u in result.moved]}


@router.get("/closure-reasons", response=list[dict[str, str]], summary="Closure reason codes")
def closure_reasons(request: HttpRequest) -> Any:
    return [{"code": code.code, "display": code.display} for code in CLOSURE_REASONS]


@router.get("/{case_id}", response={200: CaseOut, **ERROR_RESPONSES})
def get_case(request: HttpRequest, case_id: UUID) -> Any:
    case = _case_with_refs(request, case_id)
    audit_read(actor=request.user, obj=case, client_id=case.client_id)
    return case_out(case)


@router.patch("/{case_id}", response={200: CaseOut, **ERROR_RESPONSES})
def update_case(request: HttpRequest, case_id: UUID, payload: CasePatch) -> Any:
    case = _case_with_refs(request, case_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    case = services.case_update(
        acting_user=_user(request), case=case, expected_version=payload.version, changes=changes
    )
    return _fresh(request, case)


@router.post(
    "/{case_id}/transition",
    response={200: CaseOut, **ERROR_RESPONSES},
    summary="Move a case through its lifecycle",
    description="409 with code `invalid_transition` or `guard_failed` (errors name each "
    "failed guard), or `stale_version` when `version` is given and is not current.",
)
def transition_case(request: HttpRequest, case_id: UUID, payload: TransitionIn) -> Any:
    case = _case_with_refs(request, case_id)
    case = services.case_transition(
        acting_user=_user(request),
        case=case,
        to_status=payload.to,
        reason=payload.reason,
        closure_reason=payload.closure_reason,
        discharge_summary=payload.discharge_summary,
        expected_version=payload.version,
    )
    return _fresh(request, case)


@router.post(
    "/{case_id}/screening",
    response={200: CaseOut, **ERROR_RESPONSES},
    summary="Record coded findings confirmed at screening",
)
def record_screening(request: HttpRequest, case_id: UUID, payload: ScreeningIn) -> Any:
    case = _case_with_refs(request, case_id)
    case = services.case_record_screening(
        acting_user=_user(request),
        case=case,
        findings=[finding.model_dump() for finding in payload.findings],
        expected_version=payload.version,
    )
    return _fresh(request, case)


@router.get("/{case_id}/history", response={200: list[HistoryOut], **ERROR_RESPONSES})
def get_history(request: HttpRequest, case_id: UUID) -> Any:
    case = _case_with_refs(request, case_id)
    changes = list(case_history(case))
    audit_read(actor=request.user, obj=case, client_id=case.client_id, purpose="history")
    out = []
    for index, change in enumerate(changes):
        following = changes[index + 1].changed_at if index + 1 < len(changes) else None
        days = (following - change.changed_at).total_seconds() / 86400 if following else None
        out.append(
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "changed_at": change.changed_at,
                "changed_by": user_ref(change.changed_by),
                "reason": change.reason,
                "closure_reason": change.closure_reason,
                "days_in_stage": round(days, 2) if days is not None else None,
            }
        )
    return out


@router.get(
    "/{case_id}/suggestions",
    response={200: list[SuggestionOut], **ERROR_RESPONSES},
    summary="Case managers with room for this case, best first",
)
def get_suggestions(request: HttpRequest, case_id: UUID) -> Any:
    case = _case_with_refs(request, case_id)
    return [
        {
            "case_manager": user_ref(s.user),
            "points": str(s.points),
            "capacity": str(s.capacity),
            "cases": s.cases,
            "language_match": s.language_match,
        }
        for s in services.caseload_suggestions(case=case)
    ]


def _staff(request: HttpRequest, user_id: UUID, field: str) -> User:
    user = staff_of_organization(_user(request)).filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed("No such member of staff.", errors=[field_error(field, "not found")])
    return user


@router.post(
    "/{case_id}/assign",
    response={200: CaseOut, **ERROR_RESPONSES},
    summary="Assign or reassign a case",
)
def assign_case(request: HttpRequest, case_id: UUID, payload: AssignIn) -> Any:
    case = _case_with_refs(request, case_id)
    case_manager = _staff(request, payload.case_manager_id, "case_manager_id")
    case = services.case_assign(
        acting_user=_user(request),
        case=case,
        case_manager=case_manager,
        reason=payload.reason,
        override_capacity=payload.override_capacity,
        expected_version=payload.version,
    )
    return _fresh(request, case)


# ----------------------------------------------------------------------------------------------
# Care team: ``/cases/{case_id}/care-team`` and ``/care-team/{member_id}``. A router of its own,
# mounted at the API root (the member paths are not under /cases).

care_team_router = Router(tags=["care team"])


class CareTeamQuery(Schema):
    include_ended: bool = True
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@care_team_router.get(
    "/cases/{case_id}/care-team",
    response={200: CareTeamPage, **ERROR_RESPONSES},
    summary="A case's care team (the case manager is on it implicitly)",
)
def list_care_team(request: HttpRequest, case_id: UUID, query: Query[CareTeamQuery]) -> Any:
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    page = paginate(
        care_team_for_case(case=case, include_ended=query.include_ended),
        ordering=["created_at", "id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type="cases.careteammember", ids=[m.pk for m in page.items])
    return {
        "case_manager": user_ref(case.case_manager),
        "items": [care_team_member_out(m) for m in page.items],
        "next": page.next,
    }


@care_team_router.post(
    "/cases/{case_id}/care-team",
    response={201: CareTeamMemberOut, **ERROR_RESPONSES},
    summary="Add a member to a case's care team",
    description="Staff need `user_id`; everyone else a `name`. 409 `already_on_team`.",
)
def add_care_team_member(request: HttpRequest, case_id: UUID, payload: CareTeamMemberIn) -> Any:
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    member = services.care_team_member_add(acting_user=user, case=case, data=payload.model_dump())
    return HttpStatus(
        201, care_team_member_out(care_team_member_get(user=user, member_id=member.pk))
    )


@care_team_router.get(
    "/care-team/{member_id}",
    response={200: CareTeamMemberOut, **ERROR_RESPONSES},
    summary="A care team member",
)
def get_care_team_member(request: HttpRequest, member_id: UUID) -> Any:
    user = _user(request)
    member = care_team_member_get(user=user, member_id=member_id)
    audit_read(actor=user, obj=member, client_id=member.case.client_id)
    return care_team_member_out(member)


@care_team_router.patch(
    "/care-team/{member_id}",
    response={200: CareTeamMemberOut, **ERROR_RESPONSES},
    summary="Change a care team member (send the version you read; stale is 409)",
)
def update_care_team_member(
    request: HttpRequest, member_id: UUID, payload: CareTeamMemberPatch
) -> Any:
    user = _user(request)
    member = care_team_member_get(user=user, member_id=member_id)
    services.care_team_member_update(
        acting_user=user,
        member=member,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return care_team_member_out(care_team_member_get(user=user, member_id=member.pk))


@care_team_router.post(
    "/care-team/{member_id}/end",
    response={200: CareTeamMemberOut, **ERROR_RESPONSES},
    summary="End a care team membership (a staff member loses access through the team)",
    description="409 `already_ended`, or `stale_version`.",
)
def end_care_team_member(request: HttpRequest, member_id: UUID, payload: CareTeamEndIn) -> Any:
    user = _user(request)
    member = care_team_member_get(user=user, member_id=member_id)
    services.care_team_member_end(
        acting_user=user,
        member=member,
        expected_version=payload.version,
        end_date=payload.end_date,
        reason=payload.reason,
    )
    # Ending one's own membership can take the case out of view; answer from the row itself.
    return care_team_member_out(member)
