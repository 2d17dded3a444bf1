from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.cases.selectors import cases_visible_to
from casework.clients import services
from casework.clients.models import ClientIdentifier
from casework.clients.schemas import (
    ClientCreatedOut,
    ClientDetailOut,
    ClientIn,
    ClientPage,
    ClientPatch,
    ConditionIn,
    ConditionOut,
    DuplicateOut,
    IdentifierIn,
    IdentifierOut,
    UtilizationIn,
    UtilizationOut,
    client_out,
    condition_out,
    utilization_out,
)
from casework.clients.selectors import client_get, client_search, clients_visible_to
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES, IsoDate

router = Router(tags=["clients"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class ClientFilters(Schema):
    search: str = Field("", description="Name words, a date of birth or an identifier")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _duplicates_out(candidates: list[Any], visible: set[Any]) -> list[dict[str, Any]]:
    return [
        {
            "client_id": item.get("client_id"),
            "name": item.get("name"),
            "birth_date": item.get("birth_date"),
            "reasons": item["message"],
            "score": item.get("score"),
        }
        for item in services.describe_candidates(candidates, visible)
    ]


def _visible_ids(request: HttpRequest, candidates: list[Any]) -> set[Any]:
    ids = [c.client.pk for c in candidates]
    return set(clients_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))


@router.post("", response={201: ClientCreatedOut, **ERROR_RESPONSES}, summary="Register a client")
def create_client(request: HttpRequest, payload: ClientIn) -> Any:
    data = payload.model_dump(exclude={"identifiers", "refuse_duplicates"})
    identifiers = [identifier.model_dump() for identifier in payload.identifiers]
    user: Any = request.user
    probe = services.client_find_duplicates(
        organization_id=user.organization_id,
        given_name=payload.given_name,
        family_name=payload.family_name,
        birth_date=payload.birth_date,
        identifiers=identifiers,
    )
    visible = _visible_ids(request, probe)
    client, candidates = services.client_create(
        acting_user=user,
        data=data,
        identifiers=identifiers,
        refuse_duplicates=payload.refuse_duplicates,
        visible_ids=visible,
    )
    return HttpStatus(
        201, {**client_out(client), "possible_duplicates": _duplicates_out(candidates, visible)}
    )


@router.get("", response={200: ClientPage, **ERROR_RESPONSES}, summary="Search clients")
def list_clients(request: HttpRequest, filters: Query[ClientFilters]) -> Any:
    queryset = client_search(user=request.user, query=filters.search).prefetch_related(
        "identifiers"
    )
    page = paginate(
        queryset,
        ordering=["search_family", "search_name", "id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(
        actor=request.user,
        object_type="clients.client",
        ids=[client.pk for client in page.items],
        query={"search": filters.search} if filters.search else None,
    )
    return {"items": [client_out(client) for client in page.items], "next": page.next}


@router.get(
    "/duplicates",
    response={200: list[DuplicateOut], **ERROR_RESPONSES},
    summary="Likely duplicates of a person, before registering them",
)
def find_duplicates(
    request: HttpRequest, given_name: str, family_name: str, birth_date: IsoDate
) -> Any:
    user: Any = request.user
    candidates = services.client_find_duplicates(
        organization_id=user.organization_id,
        given_name=given_name,
        family_name=family_name,
        birth_date=birth_date,
    )
    visible = _visible_ids(request, candidates)
    audit_read_many(
        actor=user,
        object_type="clients.client",
        ids=[c for c in visible],
        query={"duplicates_of": f"{given_name} {family_name} {birth_date}"},
    )
    return _duplicates_out(candidates, visible)


@router.get("/{client_id}", response={200: ClientDetailOut, **ERROR_RESPONSES})
def get_client(request: HttpRequest, client_id: UUID) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    cases = (
        cases_visible_to(request.user)
        .filter(client=client)
        .select_related("program", "case_manager")
        .order_by("-created_at")
    )
    audit_read(actor=request.user, obj=client, client_id=client.id)
    return {
        **client_out(client),
        "cases": [
            {
                "id": str(case.id),
                "program_id": str(case.program_id),
                "program": case.program.name,
                "status": case.status,
                "case_manager": case.case_manager.username if case.case_manager else None,
            }
            for case in cases
        ],
    }


@router.patch("/{client_id}", response={200: ClientDetailOut, **ERROR_RESPONSES})
def update_client(request: HttpRequest, client_id: UUID, payload: ClientPatch) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    client = services.client_update(
        acting_user=_user(request),
        client=client,
        expected_version=payload.version,
        changes=changes,
    )
    return get_client(request, client.id)


@router.post("/{client_id}/identifiers", response={201: IdentifierOut, **ERROR_RESPONSES})
def add_identifier(request: HttpRequest, client_id: UUID, payload: IdentifierIn) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    identifier: ClientIdentifier = services.client_add_identifier(
        acting_user=_user(request),
        client=client,
        type=payload.type,
        value=payload.value,
        assigner=payload.assigner,
    )
    return HttpStatus(
        201,
        {
            "id": str(identifier.id),
            "type": identifier.type,
            "type_display": identifier.get_type_display(),
            "value": identifier.value,
            "assigner": identifier.assigner,
        },
    )


def _aware(value: Any) -> Any:
    """Datetimes without an offset are read in the agency's time zone."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@router.get(
    "/{client_id}/conditions",
    response={200: list[ConditionOut], **ERROR_RESPONSES},
    summary="The client's coded conditions (clinical history)",
)
def list_conditions(request: HttpRequest, client_id: UUID) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    audit_read(actor=request.user, obj=client, client_id=client.id, purpose="conditions")
    return [condition_out(c) for c in client.conditions.order_by("onset_date", "code")]


@router.post(
    "/{client_id}/conditions",
    response={201: ConditionOut, **ERROR_RESPONSES},
    summary="Record a coded condition (ICD-10-CM or SNOMED CT)",
)
def add_condition(request: HttpRequest, client_id: UUID, payload: ConditionIn) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    condition = services.condition_add(
        acting_user=_user(request), client=client, data=payload.model_dump()
    )
    return HttpStatus(201, condition_out(condition))


@router.get(
    "/{client_id}/utilization",
    response={200: list[UtilizationOut], **ERROR_RESPONSES},
    summary="The client's ED visits and hospital stays",
)
def list_utilization(request: HttpRequest, client_id: UUID) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    audit_read(actor=request.user, obj=client, client_id=client.id, purpose="utilization")
    return [utilization_out(u) for u in client.utilization.order_by("started_at")]


@router.post(
    "/{client_id}/utilization",
    response={201: UtilizationOut, **ERROR_RESPONSES},
    summary="Record an ED visit, inpatient admission or observation stay",
)
def add_utilization(request: HttpRequest, client_id: UUID, payload: UtilizationIn) -> Any:
    client = client_get(user=request.user, client_id=client_id)
    data = payload.model_dump()
    data["started_at"] = _aware(data["started_at"])
    data["ended_at"] = _aware(data["ended_at"])
    event = services.utilization_add(acting_user=_user(request), client=client, data=data)
    return HttpStatus(201, utilization_out(event))
