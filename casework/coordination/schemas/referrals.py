"""Input and output shapes of the referral endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.coordination.models import Referral, ReferralEvent
from casework.coordination.services import referrals as services
from casework.core.schemas import InputSchema, StrictBool, StrictInt, UserRef, user_ref


class ReferralIn(InputSchema):
    service_id: UUID
    need_id: UUID | None = None
    intervention_id: UUID | None = None
    reason: str = Field(max_length=4000)
    note_to_recipient: str = Field("", max_length=4000)
    priority: str = "routine"
    authorization_id: UUID | None = None
    units: StrictInt | None = Field(None, ge=1)
    send: StrictBool = False


class ReferralPatch(InputSchema):
    version: int
    reason: str | None = Field(None, max_length=4000)
    note_to_recipient: str | None = Field(None, max_length=4000)
    priority: str | None = None
    units: StrictInt | None = Field(None, ge=1)


class TransitionIn(InputSchema):
    to: str
    version: int
    reason: str = Field("", max_length=4000)
    outcome: str = Field("", max_length=4000)
    outcome_code: str = ""


class PartnerLinkIn(InputSchema):
    sent_to: str = Field("", max_length=200)
    days: StrictInt | None = None


class PartnerLinkOut(Schema):
    url: str
    expires_at: datetime
    purpose: str


class Ref(Schema):
    id: UUID
    name: str


class ProviderRef(Ref):
    is_internal: bool


class EventOut(Schema):
    at: datetime
    kind: str
    from_status: str
    to_status: str
    by_user: UserRef | None
    by_partner: str
    reason: str
    detail: dict[str, Any]


class ReferralOut(Schema):
    id: UUID
    version: int
    case_id: UUID
    client_id: UUID
    service: Ref
    provider: ProviderRef
    need_id: UUID | None
    intervention_id: UUID | None
    need_domain: str
    status: str
    status_reason: str
    priority: str
    reason: str
    note_to_recipient: str
    outcome: str
    outcome_code: str
    scheduled_for: datetime | None
    scheduled_location: str
    units: int | None
    authorization_id: UUID | None
    consent_id: UUID | None
    created_at: datetime
    requested_at: datetime | None
    closed_at: datetime | None
    last_update_at: datetime
    days_since_update: int
    loop_closed: bool
    closed_without_service: bool
    created_by: UserRef | None


class ReferralDetailOut(ReferralOut):
    events: list[EventOut]


class ReferralPage(Schema):
    items: list[ReferralOut]
    next: str | None


def event_out(event: ReferralEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "by_user": user_ref(event.by_user),
        "by_partner": event.by_partner,
        "reason": event.reason,
        "detail": event.detail,
    }


def referral_out(referral: Referral, events: Any = None) -> dict[str, Any]:
    out = {
        "id": referral.pk,
        "version": referral.version,
        "case_id": referral.case_id,
        "client_id": referral.client_id,
        "service": {"id": referral.service.pk, "name": referral.service.name},
        "provider": {
            "id": referral.provider.pk,
            "name": referral.provider.name,
            "is_internal": referral.provider.is_internal,
        },
        "need_id": referral.need_id,
        "intervention_id": referral.intervention_id,
        "need_domain": referral.need_domain,
        "status": referral.status,
        "status_reason": referral.status_reason,
        "priority": referral.priority,
        "reason": referral.reason,
        "note_to_recipient": referral.note_to_recipient,
        "outcome": referral.outcome,
        "outcome_code": referral.outcome_code,
        "scheduled_for": referral.scheduled_for,
        "scheduled_location": referral.scheduled_location,
        "units": referral.units,
        "authorization_id": referral.authorization_id,
        "consent_id": referral.consent_id,
        "created_at": referral.created_at,
        "requested_at": referral.requested_at,
        "closed_at": referral.closed_at,
        "last_update_at": referral.last_update_at,
        "days_since_update": services.days_since_update(referral),
        "loop_closed": services.loop_closed(referral),
        "closed_without_service": services.closed_without_service(referral),
        "created_by": user_ref(referral.created_by),
    }
    if events is not None:
        out["events"] = [event_out(e) for e in events]
    return out
