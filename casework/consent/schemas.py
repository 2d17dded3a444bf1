"""Input and output shapes of the consent endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.consent.models import Consent
from casework.core.schemas import InputSchema, IsoDate, StrictBool, UserRef, user_ref


class ConsentIn(InputSchema):
    purposes: list[str] = Field(min_length=1)
    method: str
    signed_on: IsoDate
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    recipient_ids: list[UUID] = []
    all_directory_recipients: StrictBool = False
    witness_name: str = Field("", max_length=200)
    note: str = Field("", max_length=4000)


class ConsentRevokeIn(InputSchema):
    version: int
    reason: str = Field(min_length=1, max_length=2000)


class RecipientOut(Schema):
    id: UUID
    name: str


class ConsentOut(Schema):
    id: UUID
    version: int
    client_id: UUID
    status: str
    purposes: list[str]
    recipients: list[RecipientOut]
    all_directory_recipients: bool
    period_start: date
    period_end: date | None
    method: str
    signed_on: date
    witness_name: str
    note: str
    revoked_at: datetime | None
    revoked_reason: str
    recorded_by: UserRef | None
    created_at: datetime


class ConsentPage(Schema):
    items: list[ConsentOut]
    next: str | None


def consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "version": consent.version,
        "client_id": consent.client_id,
        "status": consent.status,
        "purposes": consent.purposes,
        "recipients": [{"id": r.pk, "name": r.name} for r in consent.recipients.all()],
        "all_directory_recipients": consent.all_directory_recipients,
        "period_start": consent.period_start,
        "period_end": consent.period_end,
        "method": consent.method,
        "signed_on": consent.signed_on,
        "witness_name": consent.witness_name,
        "note": consent.note,
        "revoked_at": consent.revoked_at,
        "revoked_reason": consent.revoked_reason,
        "recorded_by": user_ref(consent.recorded_by),
        "created_at": consent.created_at,
    }
