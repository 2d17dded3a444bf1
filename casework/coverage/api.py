"""Coverage endpoints: ``/clients/{id}/coverages``, ``/coverages/{id}`` (with its
``/authorizations``) and ``/authorizations/{id}``.

Authorizations are created under their coverage (the payer that approved them) and listed
there or for the whole client; each carries its ``usage`` counted from contacts and referrals.
"""

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
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.coverage import services
from casework.coverage.schemas import (
    AuthorizationIn,
    AuthorizationOut,
    AuthorizationPage,
    AuthorizationPatch,
    AuthorizationStatusIn,
    CoverageEndIn,
    CoverageIn,
    CoverageOut,
    CoveragePage,
    CoveragePatch,
    EnteredInErrorIn,
    authorization_out,
    coverage_out,
)
from casework.coverage.selectors import (
    authorization_get,
    authorizations_for_client,
    authorizations_for_coverage,
    coverage_get,
    coverages_for_client,
)

router = Router(tags=["coverage"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/clients/{client_id}/coverages",
    response={200: CoveragePage, **ERROR_RESPONSES},
    summary="A client's coverages (plans), primary first",
)
def list_coverages(request: HttpRequest, client_id: UUID, query: Query[PageQuery]) -> Any:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    page = paginate(
        coverages_for_client(client=client),
        ordering=["order", "-period_start", "id"],
        cursor=query.cursor,
        limit=query.limit,
    )
    audit_read_many(actor=user, object_type="coverage.coverage", ids=[c.pk for c in page.items])
    return {"items": [coverage_out(c) for c in page.items], "next": page.next}


@router.post(
    "/clients/{client_id}/coverages",
    response={201: CoverageOut, **ERROR_RESPONSES},
    summary="Record a client's coverage",
)
def add_coverage(request: HttpRequest, client_id: UUID, payload: CoverageIn) -> Any:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    coverage = services.coverage_add(acting_user=user, client=client, data=payload.model_dump())
    return HttpStatus(201, coverage_out(coverage))


@router.get(
    "/coverages/{coverage_id}", response={200: CoverageOut, **ERROR_RESPONSES}, summary="A coverage"
)
def get_coverage(request: HttpRequest, coverage_id: UUID) -> Any:
    coverage = coverage_get(user=_user(request), coverage_id=coverage_id)
    audit_read(actor=request.user, obj=coverage, client_id=coverage.client_id)
    return coverage_out(coverage)


@router.patch(
    "/coverages/{coverage_id}",
    response={200: CoverageOut, **ERROR_RESPONSES},
    summary="Change a coverage (send the version you read; stale is 409)",
)
def update_coverage(request: HttpRequest, coverage_id: UUID, payload: CoveragePatch) -> Any:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    coverage = services.coverage_update(
        acting_user=user,
        coverage=coverage,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return coverage_out(coverage)


@router.post(
    "/coverages/{coverage_id}/end",
    response={200: CoverageOut, **ERROR_RESPONSES},
    summary="End a coverage (cancelled from period_end, default today)",
)
def end_coverage(request: HttpRequest, coverage_id: UUID, payload: CoverageEndIn) -> Any:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    coverage = services.coverage_end(
        acting_user=user,
        coverage=coverage,
        expected_version=payload.version,
        period_end=payload.period_end,
        reason=payload.reason,
    )
    return coverage_out(coverage)


@router.post(
    "/coverages/{coverage_id}/entered-in-error",
    response={200: CoverageOut, **ERROR_RESPONSES},
    summary="Mark a coverage (and its authorizations) entered in error",
)
def coverage_entered_in_error(
    request: HttpRequest, coverage_id: UUID, payload: EnteredInErrorIn
) -> Any:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    coverage = services.coverage_entered_in_error(
        acting_user=user, coverage=coverage, expected_version=payload.version, reason=payload.reason
    )
    return coverage_out(coverage)


def _authorization_page(user: User, queryset: Any, query: PageQuery) -> dict[str, Any]:
    page = paginate(
        queryset, ordering=["-period_start", "id"], cursor=query.cursor, limit=query.limit
    )
    audit_read_many(
        actor=user, object_type="coverage.authorization", ids=[a.pk for a in page.items]
    )
    return {"items": [authorization_out(a) for a in page.items], "next": page.next}


@router.get(
    "/coverages/{coverage_id}/authorizations",
    response={200: AuthorizationPage, **ERROR_RESPONSES},
    summary="A coverage's authorizations with their usage",
)
def list_authorizations(request: HttpRequest, coverage_id: UUID, query: Query[PageQuery]) -> Any:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    return _authorization_page(user, authorizations_for_coverage(coverage=coverage), query)


@router.get(
    "/clients/{client_id}/authorizations",
    response={200: AuthorizationPage, **ERROR_RESPONSES},
    summary="Every authorization of a client, with usage",
)
def list_client_authorizations(
    request: HttpRequest, client_id: UUID, query: Query[PageQuery]
) -> Any:
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    return _authorization_page(user, authorizations_for_client(client=client), query)


@router.post(
    "/coverages/{coverage_id}/authorizations",
    response={201: AuthorizationOut, **ERROR_RESPONSES},
    summary="Record an authorization (requested or approved) under a coverage",
)
def add_authorization(request: HttpRequest, coverage_id: UUID, payload: AuthorizationIn) -> Any:
    user = _user(request)
    coverage = coverage_get(user=user, coverage_id=coverage_id)
    authorization = services.authorization_add(
        acting_user=user, coverage=coverage, data=payload.model_dump()
    )
    return HttpStatus(
        201, authorization_out(authorization_get(user=user, authorization_id=authorization.pk))
    )


@router.get(
    "/authorizations/{authorization_id}",
    response={200: AuthorizationOut, **ERROR_RESPONSES},
    summary="An authorization with its usage",
)
def get_authorization(request: HttpRequest, authorization_id: UUID) -> Any:
    authorization = authorization_get(user=_user(request), authorization_id=authorization_id)
    audit_read(actor=request.user, obj=authorization, client_id=authorization.client_id)
    return authorization_out(authorization)


@router.patch(
    "/authorizations/{authorization_id}",
    response={200: AuthorizationOut, **ERROR_RESPONSES},
    summary="Change an authorization (version; units approved never below units used)",
)
def update_authorization(
    request: HttpRequest, authorization_id: UUID, payload: AuthorizationPatch
) -> Any:
    user = _user(request)
    authorization = authorization_get(user=user, authorization_id=authorization_id)
    services.authorization_update(
        acting_user=user,
        authorization=authorization,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return authorization_out(authorization_get(user=user, authorization_id=authorization_id))


@router.post(
    "/authorizations/{authorization_id}/status",
    response={200: AuthorizationOut, **ERROR_RESPONSES},
    summary="Approve, deny, cancel or withdraw an authorization",
    description=(
        "requested → approved | denied; approved → cancelled; any → entered-in-error. "
        "Denied, cancelled and entered-in-error need a reason. Other moves are 409 "
        "transition_refused."
    ),
)
def set_authorization_status(
    request: HttpRequest, authorization_id: UUID, payload: AuthorizationStatusIn
) -> Any:
    user = _user(request)
    authorization = authorization_get(user=user, authorization_id=authorization_id)
    services.authorization_set_status(
        acting_user=user,
        authorization=authorization,
        expected_version=payload.version,
        to_status=payload.status,
        reason=payload.reason,
    )
    return authorization_out(authorization_get(user=user, authorization_id=authorization_id))
