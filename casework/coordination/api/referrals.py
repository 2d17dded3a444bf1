"""Referral endpoints: ``/cases/{case_id}/referrals``, ``/referrals`` and ``/referrals/{id}``."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.careplans.models import Intervention, Need
from casework.coordination.schemas.referrals import (
    PartnerLinkIn,
    PartnerLinkOut,
    ReferralDetailOut,
    ReferralIn,
    ReferralPage,
    ReferralPatch,
    TransitionIn,
    referral_out,
)
from casework.coordination.selectors import referrals as selectors
from casework.coordination.selectors.directory import services_visible_to
from casework.coordination.services import referrals as services
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.coverage.selectors import authorization_get

router = Router(tags=["referrals"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ListQuery(PageQuery):
    status: list[str] = []
    open: bool = False
    mine: bool = False


def _detail(user: User, referral_id: Any) -> dict[str, Any]:
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    return referral_out(referral, events=selectors.referral_events(referral))


def _one(rows: Any, pk: UUID | None, field: str) -> Any:
    if pk is None:
        return None
    found = next((row for row in rows if str(row.pk) == str(pk)), None)
    if found is None:
        raise ValidationFailed(
            "The referral is not valid; nothing was saved.",
            errors=[field_error(field, "not found on this case")],
        )
    return found


@router.post(
    "/cases/{case_id}/referrals",
    response={201: ReferralDetailOut, **ERROR_RESPONSES},
    summary="Refer the client of a case to a directory service",
    description=(
        "A draft unless `send` is true. 409 `consent_required` when sending to an outside "
        "provider without a consent that covers it; 409 `case_closed`."
    ),
)
def create_referral(request: HttpRequest, case_id: UUID, payload: ReferralIn) -> Any:
    user = _user(request)
    case = selectors.referral_case_get(user=user, case_id=case_id)
    service = services_visible_to(user).filter(pk=payload.service_id).first()
    if service is None:
        raise ValidationFailed(
            "The referral is not valid; nothing was saved.",
            errors=[field_error("service_id", "not a service of your directory")],
        )
    need: Need | None = _one(selectors.needs_for_case(case=case), payload.need_id, "need_id")
    intervention: Intervention | None = _one(
        selectors.interventions_for_case(case=case), payload.intervention_id, "intervention_id"
    )
    authorization = None
    if payload.authorization_id is not None:
        try:
            authorization = authorization_get(user=user, authorization_id=payload.authorization_id)
        except NotFound as exc:
            raise ValidationFailed(
                "The referral is not valid; nothing was saved.",
                errors=[field_error("authorization_id", "not an authorization of this client")],
            ) from exc
    referral = services.referral_create(
        acting_user=user,
        case=case,
        service=service,
        need=need,
        intervention=intervention,
        reason=payload.reason,
        note_to_recipient=payload.note_to_recipient,
        priority=payload.priority,
        authorization=authorization,
        units=payload.units,
        send=payload.send,
    )
    return HttpStatus(201, _detail(user, referral.pk))


@router.get(
    "/cases/{case_id}/referrals",
    response={200: ReferralPage, **ERROR_RESPONSES},
    summary="A case's referrals, latest first",
)
def list_case_referrals(request: HttpRequest, case_id: UUID, query: Query[PageQuery]) -> Any:
    user = _user(request)
    case = selectors.referral_case_get(user=user, case_id=case_id)
    page = paginate(
        selectors.referrals_for_case(case=case),
        ordering=["-created_at", "-id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type="coordination.referral", ids=[r.pk for r in page.items])
    return {"items": [referral_out(r) for r in page.items], "next": page.next}


@router.get(
    "/referrals",
    response={200: ReferralPage, **ERROR_RESPONSES},
    summary="Referrals across the cases you may see (`open`, `mine`, `status` filters)",
)
def list_referrals(request: HttpRequest, query: Query[ListQuery]) -> Any:
    user = _user(request)
    unknown = [s for s in query.status if s not in services.TRANSITIONS]
    if unknown:
        raise ValidationFailed(
            "Unknown referral status.",
            errors=[field_error("status", f"unknown: {', '.join(unknown)}")],
        )
    page = paginate(
        selectors.referral_list(
            user=user, status=query.status or None, open_only=query.open, mine=query.mine
        ),
        ordering=["-created_at", "-id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(
        actor=user,
        object_type="coordination.referral",
        ids=[r.pk for r in page.items],
        query={"status": query.status, "open": query.open, "mine": query.mine},
    )
    return {"items": [referral_out(r) for r in page.items], "next": page.next}


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralDetailOut, **ERROR_RESPONSES},
    summary="A referral with its timeline",
)
def get_referral(request: HttpRequest, referral_id: UUID) -> Any:
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    audit_read(actor=user, obj=referral, client_id=referral.client_id)
    return referral_out(referral, events=selectors.referral_events(referral))


@router.patch(
    "/referrals/{referral_id}",
    response={200: ReferralDetailOut, **ERROR_RESPONSES},
    summary="Change reason, note, priority or units of a draft or sent referral",
    description="409 `referral_not_editable` once accepted or closed; 409 `stale_version`.",
)
def update_referral(request: HttpRequest, referral_id: UUID, payload: ReferralPatch) -> Any:
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    services.referral_update(
        acting_user=user,
        referral=referral,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/transition",
    response={200: ReferralDetailOut, **ERROR_RESPONSES},
    summary="Move a referral to another status (also to record a partner's answer)",
    description=(
        "409 `transition_refused` for a move the status does not allow, `consent_required` "
        "when sending without a covering consent, `stale_version`; 422 when a reason or the "
        "outcome is missing."
    ),
)
def transition_referral(request: HttpRequest, referral_id: UUID, payload: TransitionIn) -> Any:
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    services.referral_transition(
        acting_user=user,
        referral=referral,
        to_status=payload.to,
        expected_version=payload.version,
        reason=payload.reason,
        outcome=payload.outcome,
        outcome_code=payload.outcome_code,
    )
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/partner-links",
    response={201: PartnerLinkOut, **ERROR_RESPONSES},
    summary="Make a single-use link for the provider (the URL is shown only in this answer)",
    description="409 `link_not_allowed` unless the referral is requested, accepted, in progress "
    "or on hold.",
)
def create_partner_link(request: HttpRequest, referral_id: UUID, payload: PartnerLinkIn) -> Any:
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    link, path = services.partner_link_issue(
        acting_user=user, referral=referral, sent_to=payload.sent_to, days=payload.days
    )
    return HttpStatus(
        201,
        {
            "url": request.build_absolute_uri(path),
            "expires_at": link.expires_at,
            "purpose": link.purpose,
        },
    )
