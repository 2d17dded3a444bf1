"""Reads of the resource directory, scoped to the acting user's organization."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.accounts.models import User
from casework.coordination.directory import haversine_km, is_open
from casework.coordination.models import ResourceOrganization, ResourceService
from casework.core.errors import NotFound
from casework.core.pagination import decode_cursor, encode_cursor


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


def providers_visible_to(user: User) -> QuerySet[ResourceOrganization]:
    """The organizations of the user's organization's directory (active or not)."""
    if user.organization_id is None:
        return ResourceOrganization.objects.none()
    return ResourceOrganization.objects.filter(organization_id=user.organization_id)


def provider_get(*, user: User, provider_id: UUID) -> ResourceOrganization:
    provider = providers_visible_to(user).filter(pk=provider_id).first()
    if provider is None:
        raise NotFound("No such resource organization.")
    return provider


def _matches(
    rows: Iterable[ResourceService],
    *,
    need: str | None,
    language: str | None,
    latitude: float | None,
    longitude: float | None,
    within_km: float | None,
    open_now: bool,
    moment: datetime,
) -> Iterator[ServiceMatch]:
    """The rows that pass the filters kept in Python (JSON code lists, distance, hours)."""
    primary = (language or "").lower().split("-")[0]
    for service in rows:
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
        yield ServiceMatch(service, distance, currently_open)


def _searchable(user: User, q: str | None) -> QuerySet[ResourceService]:
    rows = services_visible_to(user).filter(is_active=True, provider__is_active=True)
    if q:
        rows = rows.filter(
            Q(name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(description__icontains=q)
            | Q(eligibility__icontains=q)
        )
    return rows


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
    matches = list(
        _matches(
            _searchable(user, q).order_by("name", "id"),
            need=need,
            language=language,
            latitude=latitude,
            longitude=longitude,
            within_km=within_km,
            open_now=open_now,
            moment=now or timezone.now(),
        )
    )
    if latitude is not None and longitude is not None:
        matches.sort(key=lambda m: (m.distance_km or 0.0, m.service.name))
    return matches[: max(1, min(limit, 200))]


def resource_search_page(
    *,
    user: User,
    need: str | None = None,
    language: str | None = None,
    q: str | None = None,
    open_now: bool = False,
    now: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ServiceMatch], str | None]:
    """One page of a search without a point, by name: ``(matches, next cursor or None)``.

    The cursor is the (name, id) of the last service shown, so pages stay stable as services
    are added. A distance search is not paged: it ranks every match by distance, and
    ``within_km`` with ``limit`` already bounds it (docs/resources.md).
    """
    size = max(1, min(limit, 200))
    rows = _searchable(user, q).order_by("name", "id")
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        rows = rows.filter(Q(name__gt=name) | Q(name=name, id__gt=last_id))
    page: list[ServiceMatch] = []
    for match in _matches(
        rows.iterator(chunk_size=200),
        need=need,
        language=language,
        latitude=None,
        longitude=None,
        within_km=None,
        open_now=open_now,
        moment=now or timezone.now(),
    ):
        page.append(match)
        if len(page) > size:
            break
    next_cursor = None
    if len(page) > size:
        page = page[:size]
        last = page[-1].service
        next_cursor = encode_cursor([last.name, last.pk])
    return page, next_cursor
