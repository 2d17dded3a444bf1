"""Reads of the resource directory, scoped to the acting user's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.accounts.models import User
from casework.coordination.directory import haversine_km, is_open
from casework.coordination.models import ResourceService
from casework.core.errors import NotFound


@dataclass
class ServiceMatch:
    service: ResourceService
    distance_km: float | None
    open_now: bool


def services_visible_to(user: User) -> QuerySet[ResourceService]:
    """Every service of the user's organization's directory (active or not)."""
    if user.organization_id is None:
        return ResourceService.objects.none()
    return ResourceService.objects.filter(organization_id=user.organization_id).select_related(
        "provider"
    )


def service_get(*, user: User, service_id: UUID) -> ResourceService:
    service = services_visible_to(user).filter(pk=service_id).first()
    if service is None:
        raise NotFound("No such resource service.")
    return service


def resource_search(
    *,
    user: User,
    need: str | None = None,
    language: str | None = None,
    q: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    within_km: float | None = None,
    open_now: bool = False,
    now: datetime | None = None,
    limit: int = 50,
) -> list[ServiceMatch]:
    """Active services of the user's directory matching every filter given.

    Need and language filter on the service's code lists (a language matches its primary subtag
    too, so ``es`` finds ``es-MX``). With a point, results carry their haversine distance, services
    without coordinates drop out, ``within_km`` bounds the distance and results come nearest
    first; otherwise by name. ``open_now`` is evaluated at ``now`` (default: the current time) in
    the organization's time zone, so tests pass a fixed moment instead of patching the clock.
    """
    rows = services_visible_to(user).filter(is_active=True, provider__is_active=True)
    if q:
        rows = rows.filter(
            Q(name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(description__icontains=q)
            | Q(eligibility__icontains=q)
        )
    moment = now or timezone.now()
    primary = (language or "").lower().split("-")[0]
    matches: list[ServiceMatch] = []
    for service in rows.order_by("name", "id"):
        if need and need not in (service.needs or []):
            continue
        if language:
            tags = [str(t).lower() for t in service.languages or []]
            if language.lower() not in tags and primary not in {t.split("-")[0] for t in tags}:
                continue
        distance = None
        if latitude is not None and longitude is not None:
            if service.latitude is None or service.longitude is None:
                continue
            distance = haversine_km(latitude, longitude, service.latitude, service.longitude)
            if within_km is not None and distance > within_km:
                continue
        currently_open = is_open(service.hours or {}, at=moment)
        if open_now and not currently_open:
            continue
        matches.append(ServiceMatch(service, distance, currently_open))
    if latitude is not None and longitude is not None:
        matches.sort(key=lambda m: (m.distance_km or 0.0, m.service.name))
    return matches[: max(1, min(limit, 200))]
