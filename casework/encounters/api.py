"""Contacts: ``/cases/{case_id}/contacts`` and ``/contacts/{id}``."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.encounters import services
from casework.encounters.schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    EnteredInErrorIn,
    contact_out,
)
from casework.encounters.selectors import contact_case_get, contact_get, contacts_for_case

router = Router(tags=["contacts"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.post(
    "/cases/{case_id}/contacts",
    response={201: ContactOut, **ERROR_RESPONSES},
    summary="Log a contact on a case",
)
def log_contact(request: HttpRequest, case_id: UUID, payload: ContactIn) -> Any:
    user = _user(request)
    case = contact_case_get(user=user, case_id=case_id)
    contact = services.contact_log(acting_user=user, case=case, data=payload.model_dump())
    return HttpStatus(201, contact_out(contact))


@router.get(
    "/cases/{case_id}/contacts",
    response={200: ContactPage, **ERROR_RESPONSES},
    summary="List a case's contacts, latest first",
)
def list_contacts(request: HttpRequest, case_id: UUID, query: Query[PageQuery]) -> Any:
    user = _user(request)
    case = contact_case_get(user=user, case_id=case_id)
    page = paginate(
        contacts_for_case(case=case),
        ordering=["-started_at", "-id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type="encounters.contact", ids=[c.pk for c in page.items])
    return {"items": [contact_out(c) for c in page.items], "next": page.next}


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **ERROR_RESPONSES}, summary="A contact"
)
def get_contact(request: HttpRequest, contact_id: UUID) -> Any:
    contact = contact_get(user=request.user, contact_id=contact_id)
    audit_read(actor=request.user, obj=contact, client_id=contact.client_id)
    return contact_out(contact)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERROR_RESPONSES},
    summary="Change a contact (send the version you read; stale is 409)",
)
def update_contact(request: HttpRequest, contact_id: UUID, payload: ContactPatch) -> Any:
    user = _user(request)
    contact = contact_get(user=user, contact_id=contact_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    contact = services.contact_update(
        acting_user=user, contact=contact, expected_version=payload.version, data=data
    )
    return contact_out(contact_get(user=user, contact_id=contact.pk))


@router.post(
    "/contacts/{contact_id}/entered-in-error",
    response={200: ContactOut, **ERROR_RESPONSES},
    summary="Mark a contact entered in error",
)
def contact_entered_in_error(
    request: HttpRequest, contact_id: UUID, payload: EnteredInErrorIn
) -> Any:
    user = _user(request)
    contact = contact_get(user=user, contact_id=contact_id)
    contact = services.contact_entered_in_error(
        acting_user=user, contact=contact, expected_version=payload.version, reason=payload.reason
    )
    return contact_out(contact_get(user=user, contact_id=contact.pk))
