"""Input and output shapes of the coverage endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema, IsoDate, StrictBool, StrictInt
from casework.coverage.models import Authorization, Coverage
from casework.coverage.selectors import usage_of


class CoverageIn(InputSchema):
    coverage_type: str
    payer_name: str = Field(max_length=200)
    plan_name: str = Field("", max_length=200)
    member_id: str = Field(max_length=80)
    group_number: str = Field("", max_length=80)
    relationship: str = "self"
    subscriber_name: str = Field("", max_length=200)
    order: StrictInt = 1
    period_start: IsoDate
    period_end: IsoDate | None = None
    payer_phone: str = Field("", max_length=40)


class CoveragePatch(InputSchema):
    version: int
    coverage_type: str | None = None
    payer_name: str | None = Field(None, max_length=200)
    plan_name: str | None = Field(None, max_length=200)
    member_id: str | None = Field(None, max_length=80)
    group_number: str | None = Field(None, max_length=80)
    relationship: str | None = None
    subscriber_name: str | None = Field(None, max_length=200)
    order: StrictInt | None = None
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    payer_phone: str | None = Field(None, max_length=40)


class CoverageEndIn(InputSchema):
    version: int
    period_end: IsoDate | None = None
    reason: str = Field("", max_length=2000)


class EnteredInErrorIn(InputSchema):
    version: int
    reason: str = Field(min_length=1, max_length=2000)


class CoverageOut(Schema):
    id: UUID
    version: int
    client_id: UUID
    status: str
    status_reason: str
    coverage_type: str
    payer_name: str
    plan_name: str
    member_id: str
    group_number: str
    relationship: str
    subscriber_name: str
    order: int
    period_start: date
    period_end: date | None
    payer_phone: str
    created_at: datetime


class CoveragePage(Schema):
    items: list[CoverageOut]
    next: str | None


class AuthorizationIn(InputSchema):
    case_id: UUID | None = None
    number: str = Field("", max_length=80)
    service: str = Field("", max_length=200)
    service_code: str = Field("", max_length=20)
    unit_type: str | None = None
    units_approved: StrictInt
    period_start: IsoDate
    period_end: IsoDate
    status: str = "approved"
    counts_contacts: StrictBool = False
    note: str = Field("", max_length=4000)


class AuthorizationPatch(InputSchema):
    version: int
    case_id: UUID | None = None
    number: str | None = Field(None, max_length=80)
    service: str | None = Field(None, max_length=200)
    service_code: str | None = Field(None, max_length=20)
    unit_type: str | None = None
    units_approved: StrictInt | None = None
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    counts_contacts: StrictBool | None = None
    note: str | None = Field(None, max_length=4000)


class AuthorizationStatusIn(InputSchema):
    version: int
    status: str
    reason: str = Field("", max_length=2000)


class UsageOut(Schema):
    approved: int
    used_by_contacts: int
    used_by_referrals: int
    committed_by_referrals: int
    used: int
    remaining: int
    over: bool


class AuthorizationOut(Schema):
    id: UUID
    version: int
    coverage_id: UUID
    client_id: UUID
    case_id: UUID | None
    number: str
    service: str
    service_code: str
    unit_type: str
    units_approved: int
    period_start: date
    period_end: date
    status: str
    status_reason: str
    counts_contacts: bool
    note: str
    usage: UsageOut


class AuthorizationPage(Schema):
    items: list[AuthorizationOut]
    next: str | None


def coverage_out(coverage: Coverage) -> dict[str, Any]:
    return {name: getattr(coverage, name) for name in CoverageOut.model_fields}


def authorization_out(authorization: Authorization) -> dict[str, Any]:
    usage = usage_of(authorization)
    fields = {
        name: getattr(authorization, name)
        for name in AuthorizationOut.model_fields
        if name != "usage"
    }
    fields["usage"] = {
        "approved": usage.approved,
        "used_by_contacts": usage.used_by_contacts,
        "used_by_referrals": usage.used_by_referrals,
        "committed_by_referrals": usage.committed_by_referrals,
        "used": usage.used,
        "remaining": usage.remaining,
        "over": usage.over,
    }
    return fields
