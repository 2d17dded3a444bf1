"""Consent endpoints: ``/clients/{client_id}/consents`` and ``/consents/{id}``."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.clients.selectors import client_get
from casework.consent import services
from casework.consent.schemas import (
    ConsentIn,
    ConsentOut,
    ConsentPage,
    ConsentRevokeIn,
    consent_out,
)
from casework.consent.selectors import consent_get, consents_for_client
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES

router = Router(tags=["consent"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.post(
    "/clients/{client_id}/consents",
    response={201: ConsentOut, **ERROR_RESPONSES},
    summary="Record a client's consent to share with directory organizations",
)
def record_consent(request: HttpRequest, client_id: UUID, payload: ConsentIn) -> Any:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    consent = services.consent_record(acting_user=user, client=client, **payload.model_dump())
    return HttpStatus(201, consent_out(consent_get(user=user, consent_id=consent.pk)))


@router.get(
    "/clients/{client_id}/consents",
    response={200: ConsentPage, **ERROR_RESPONSES},
    summary="A client's consents, latest signed first",
)
def list_consents(request: HttpRequest, client_id: UUID, query: Query[PageQuery]) -> Any:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    page = paginate(
        consents_for_client(client=client),
        ordering=["-signed_on", "-created_at", "-id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type="consent.consent", ids=[c.pk for c in page.items])
    return {"items": [consent_out(c) for c in page.items], "next": page.next}


@router.get(
    "/consents/{consent_id}", response={200: ConsentOut, **ERROR_RESPONSES}, summary="A consent"
)
def get_consent(request: HttpRequest, consent_id: UUID) -> Any:
    user = _user(request)
    consent = consent_get(user=user, consent_id=consent_id)
    audit_read(actor=user, obj=consent, client_id=consent.client_id)
    return consent_out(consent)


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentOut, **ERROR_RESPONSES},
    summary="Revoke a consent (send the version you read)",
    description="409 `consent_not_active` when it is not active; 409 `stale_version`.",
)
def revoke_consent(request: HttpRequest, consent_id: UUID, payload: ConsentRevokeIn) -> Any:
    user = _user(request)
    consent = consent_get(user=user, consent_id=consent_id)
    services.consent_revoke(
        acting_user=user, consent=consent, expected_version=payload.version, reason=payload.reason
    )
    return consent_out(consent_get(user=user, consent_id=consent_id))
