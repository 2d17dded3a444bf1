"""Input and output shapes of the resource directory endpoints."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Schema

from casework.coordination.selectors.directory import ServiceMatch
from casework.core.schemas import InputSchema


class ProviderOut(Schema):
    id: UUID
    name: str
    kind: str
    phone: str
    website: str


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
        "provider": {
            "id": provider.id,
            "name": provider.name,
            "kind": provider.kind,
            "phone": provider.phone,
            "website": provider.website,
        },
        "distance_km": None if match.distance_km is None else round(match.distance_km, 2),
        "open_now": match.open_now,
    }
