"""Resource directory endpoints: search (paged by cursor unless sorted by distance), single
organizations and services (create, read, change), CSV import (with dry run), deactivate."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status as HttpStatus

from casework.accounts.models import User
from casework.audit.services import audit_read
from casework.clients.selectors import client_get
from casework.coordination import selectors, services
from casework.coordination.directory import NEED_DOMAINS
from casework.coordination.schemas.directory import (
    ActiveIn,
    ImportReportOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    ServiceIn,
    ServiceOut,
    ServicePage,
    ServicePatch,
    organization_out,
    service_out,
)
from casework.coordination.selectors import directory as directory_selectors
from casework.coordination.services import directory as directory_services
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.schemas import ERROR_RESPONSES

router = Router(tags=["resource directory"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get("/resources", response={200: ServicePage, **ERROR_RESPONSES})
def resource_search(
    request: HttpRequest,
    need: str | None = None,
    language: str | None = None,
    q: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    near_client: UUID | None = None,
    within_km: float | None = None,
    open_now: bool = False,
    at: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Any:
    """Search the organization's directory; with ``lat``/``lon`` results come nearest first.

    ``near_client`` uses the home coordinates of a client the user may see instead of
    ``lat``/``lon``. ``at`` evaluates ``open_now`` at another moment than now (ISO 8601 with
    offset). Without a point, results come by name in pages: pass ``next`` back as ``cursor``.
    A distance search is one ranked list (bounded by ``within_km`` and ``limit``; ``next`` is
    null).
    """
    errors = []
    if near_client is not None:
        client = client_get(user=_user(request), client_id=near_client)
        audit_read(actor=_user(request), obj=client, client_id=client.pk, purpose="resource search")
        if client.latitude is None or client.longitude is None:
            raise ValidationFailed(
                "This client has no home coordinates; search from a point (lat, lon) instead.",
                errors=[field_error("near_client", "client has no coordinates")],
            )
        lat, lon = client.latitude, client.longitude
    if need and need not in NEED_DOMAINS:
        errors.append(field_error("need", f"unknown need domain; one of {', '.join(NEED_DOMAINS)}"))
    if (lat is None) != (lon is None):
        errors.append(field_error("lon", "give both lat and lon, or neither"))
    if lat is not None and not -90 <= lat <= 90:
        errors.append(field_error("lat", "must be between -90 and 90"))
    if lon is not None and not -180 <= lon <= 180:
        errors.append(field_error("lon", "must be between -180 and 180"))
    if within_km is not None and (within_km <= 0 or lat is None):
        errors.append(field_error("within_km", "needs lat and lon and a positive distance"))
    if cursor and lat is not None:
        errors.append(field_error("cursor", "a distance search is not paged"))
    if errors:
        raise ValidationFailed("The search parameters are not valid.", errors=errors)
    if lat is None:
        page, next_cursor = directory_selectors.resource_search_page(
            user=_user(request),
            need=need,
            language=language,
            q=q,
            open_now=open_now,
            now=at,
            cursor=cursor,
            limit=limit,
        )
        return {"items": [service_out(m) for m in page], "next": next_cursor}
    matches = selectors.resource_search(
        user=_user(request),
        need=need,
        language=language,
        q=q,
        latitude=lat,
        longitude=lon,
        within_km=within_km,
        open_now=open_now,
        now=at,
        limit=limit,
    )
    return {"items": [service_out(m) for m in matches], "next": None}


@router.post("/resources/import", response={200: ImportReportOut, **ERROR_RESPONSES})
def resource_import(request: HttpRequest, dry_run: bool = True) -> Any:
    """Import services from CSV (multipart ``file`` or a ``text/csv`` body).

    ``dry_run`` defaults to true: the report lists row errors and duplicates and nothing is
    written. See docs/resources.md for the columns.
    """
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read()
    elif request.content_type == "text/csv":
        raw = request.body
    else:
        raise ValidationFailed(
            "Send the CSV as a multipart file or a text/csv body.",
            errors=[field_error("file", "required")],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The CSV file must be UTF-8.", errors=[field_error("file", "not UTF-8")]
        ) from exc
    report = services.resource_import(text=text, acting_user=_user(request), dry_run=dry_run)
    return report.as_dict()


@router.post("/resources/{service_id}/active", response={200: ServiceOut, **ERROR_RESPONSES})
def resource_set_active(request: HttpRequest, service_id: UUID, payload: ActiveIn) -> Any:
    """Deactivate (``is_active: false``) or reactivate a service; carries the version read."""
    service = selectors.service_get(user=_user(request), service_id=service_id)
    services.resource_service_set_active(
        service=service,
        is_active=payload.is_active,
        expected_version=payload.version,
        acting_user=_user(request),
    )
    return service_out(selectors.ServiceMatch(service, None, False))


def _service_out(request: HttpRequest, service_id: UUID) -> dict[str, Any]:
    service = selectors.service_get(user=_user(request), service_id=service_id)
    return service_out(selectors.ServiceMatch(service, None, False))


@router.post(
    "/resource-organizations",
    response={201: OrganizationOut, **ERROR_RESPONSES},
    summary="Add an organization to the directory (program admins)",
)
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Any:
    provider = directory_services.resource_organization_create(
        acting_user=_user(request), data=payload.model_dump()
    )
    return HttpStatus(201, organization_out(provider))


@router.get(
    "/resource-organizations/{provider_id}",
    response={200: OrganizationOut, **ERROR_RESPONSES},
    summary="A directory organization",
)
def organization_get(request: HttpRequest, provider_id: UUID) -> Any:
    return organization_out(
        directory_selectors.provider_get(user=_user(request), provider_id=provider_id)
    )


@router.patch(
    "/resource-organizations/{provider_id}",
    response={200: OrganizationOut, **ERROR_RESPONSES},
    summary="Change a directory organization (version; stale is 409)",
)
def organization_update(request: HttpRequest, provider_id: UUID, payload: OrganizationPatch) -> Any:
    provider = directory_selectors.provider_get(user=_user(request), provider_id=provider_id)
    directory_services.resource_organization_update(
        acting_user=_user(request),
        provider=provider,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return organization_out(provider)


@router.post(
    "/resources",
    response={201: ServiceOut, **ERROR_RESPONSES},
    summary="Add a service to the directory (program admins)",
)
def service_create(request: HttpRequest, payload: ServiceIn) -> Any:
    user = _user(request)
    data = payload.model_dump(exclude={"provider_id"})
    try:
        provider = directory_selectors.provider_get(user=user, provider_id=payload.provider_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Choose an organization of your directory.",
            errors=[field_error("provider_id", "no such organization in your directory")],
        ) from exc
    service = directory_services.resource_service_create(
        acting_user=user, provider=provider, data=data
    )
    return HttpStatus(201, _service_out(request, service.pk))


@router.get(
    "/resources/{service_id}",
    response={200: ServiceOut, **ERROR_RESPONSES},
    summary="A directory service",
)
def service_get(request: HttpRequest, service_id: UUID) -> Any:
    return _service_out(request, service_id)


@router.patch(
    "/resources/{service_id}",
    response={200: ServiceOut, **ERROR_RESPONSES},
    summary="Change a directory service (version; stale is 409)",
)
def service_update(request: HttpRequest, service_id: UUID, payload: ServicePatch) -> Any:
    user = _user(request)
    service = selectors.service_get(user=user, service_id=service_id)
    provider = None
    if payload.provider_id is not None:
        try:
            provider = directory_selectors.provider_get(user=user, provider_id=payload.provider_id)
        except NotFound as exc:
            raise ValidationFailed(
                "Choose an organization of your directory.",
                errors=[field_error("provider_id", "no such organization in your directory")],
            ) from exc
    directory_services.resource_service_update(
        acting_user=user,
        service=service,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version", "provider_id"}),
        provider=provider,
    )
    return _service_out(request, service_id)
