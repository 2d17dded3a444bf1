"""Input and output shapes of the resource directory endpoints."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from casework.coordination.models import ResourceOrganization
from casework.coordination.selectors.directory import ServiceMatch
from casework.core.schemas import InputSchema, StrictBool, StrictInt


class ProviderOut(Schema):
    id: UUID
    name: str
    kind: str
    phone: str
    website: str
    email: str
    is_internal: bool


class OrganizationOut(ProviderOut):
    version: int
    notes: str
    is_active: bool


class OrganizationIn(InputSchema):
    name: str = Field(max_length=200)
    kind: str = "community"
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    is_internal: StrictBool = False
    notes: str = Field("", max_length=4000)


class OrganizationPatch(InputSchema):
    version: int
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    is_internal: StrictBool | None = None
    notes: str | None = Field(None, max_length=4000)
    is_active: StrictBool | None = None


class ServiceIn(InputSchema):
    provider_id: UUID
    name: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    needs: list[str]
    eligibility: str = Field("", max_length=4000)
    min_age: StrictInt | None = None
    max_age: StrictInt | None = None
    languages: list[str] = []
    hours: dict[str, Any] | str = Field(
        default_factory=dict,
        description='{"mon": [["09:00", "17:00"]]} or the CSV text "mon 09:00-17:00; …"',
    )
    address: str = Field("", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    capacity_status: str = "open"
    waitlist_note: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class ServicePatch(InputSchema):
    version: int
    provider_id: UUID | None = None
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    needs: list[str] | None = None
    eligibility: str | None = Field(None, max_length=4000)
    min_age: StrictInt | None = None
    max_age: StrictInt | None = None
    languages: list[str] | None = None
    hours: dict[str, Any] | str | None = None
    address: str | None = Field(None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    capacity_status: str | None = None
    waitlist_note: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    is_active: StrictBool | None = None


class ServiceOut(Schema):
    id: UUID
    version: int
    name: str
    description: str
    provider: ProviderOut
    needs: list[str]
    eligibility: str
    min_age: int | None
    max_age: int | None
    languages: list[str]
    hours: dict[str, Any]
    address: str
    latitude: float | None
    longitude: float | None
    capacity_status: str
    waitlist_note: str
    phone: str
    email: str
    is_active: bool
    distance_km: float | None = None
    open_now: bool | None = None


class ServicePage(Schema):
    items: list[ServiceOut]
    next: str | None


class ActiveIn(InputSchema):
    is_active: bool
    version: int


class ImportRowError(Schema):
    row: int
    field: str
    message: str


class ImportDuplicate(Schema):
    row: int
    name: str
    reason: str
    duplicate_of: str


class ImportReportOut(Schema):
    dry_run: bool
    rows: int
    valid: int
    created: int
    errors: list[ImportRowError]
    duplicates: list[ImportDuplicate]


def service_out(match: ServiceMatch) -> dict[str, Any]:
    service = match.service
    provider = service.provider
    return {
        **{
            name: getattr(service, name)
            for name in ServiceOut.model_fields
            if hasattr(service, name)
        },
        "provider": {name: getattr(provider, name) for name in ProviderOut.model_fields},
        "distance_km": None if match.distance_km is None else round(match.distance_km, 2),
        "open_now": match.open_now,
    }


def organization_out(provider: ResourceOrganization) -> dict[str, Any]:
    return {name: getattr(provider, name) for name in OrganizationOut.model_fields}
