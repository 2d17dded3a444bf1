"""Remote monitoring endpoints: observations, thresholds, alerts, check-in links (issue 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.assessments.schemas import trend_out
from casework.assessments.selectors import trends
from casework.audit.services import audit_read_many
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.monitoring.schemas.remote import (
    AcknowledgeIn,
    AlertOut,
    AlertPage,
    CheckInLinkIn,
    CheckInLinkOut,
    ObservationPage,
    ObservationsIn,
    RecordedOut,
    RevokeIn,
    ThresholdIn,
    ThresholdList,
    ThresholdOut,
    ThresholdPatch,
    alert_out,
    check_in_link_out,
    effective_out,
    observation_out,
    threshold_out,
)
from casework.monitoring.selectors import remote as selectors
from casework.monitoring.services import remote as services

router = Router(tags=["remote monitoring"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class ObservationFilters(Schema):
    code: str | None = Field(None, description="One LOINC (or check-in) code")
    since: datetime | None = Field(None, description="Readings at or after this time")
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=500)


class AlertFilters(Schema):
    status: str = Field("open", description="open (default), acknowledged, resolved or all")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.post(
    "/clients/{client_id}/observations",
    response={201: RecordedOut, **ERROR_RESPONSES},
    summary="Record remote-monitoring readings; readings past a threshold raise alerts",
    description=(
        "Codes: blood pressure 85354-9 (systolic and diastolic, mm[Hg]), weight 29463-7 (kg or "
        "lb, stored in kg), glucose 2339-0 (mg/dL), SpO2 59408-5 (%), PHQ-2 total 55758-7 "
        "(0-6), check-in how-are-you-today (1-5). A bad reading is a 422 naming it "
        "(readings.N.field) and nothing is saved. The same reading sent twice is stored once "
        "(created: false)."
    ),
)
def record_observations(request: HttpRequest, client_id: UUID, payload: ObservationsIn) -> Any:
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    result = services.observation_record(
        acting_user_or_link=user,
        client=client,
        readings=[reading.model_dump() for reading in payload.readings],
    )
    return HttpStatus(
        201,
        {
            "observations": [observation_out(o) for o in result.observations],
            "created": result.created,
            "alerts": [alert_out(a) for a in result.alerts],
        },
    )


@router.get(
    "/clients/{client_id}/observations",
    response={200: ObservationPage, **ERROR_RESPONSES},
    summary="A client's coded observations (scores and readings), oldest first, with trends",
    description=(
        "Scored instruments (PHQ-9 total 44261-6 ...) and remote-monitoring readings, filtered "
        "by code and since; trends give the first and latest value per code on the page. "
        "Intake workers get 404."
    ),
)
def list_observations(
    request: HttpRequest, client_id: UUID, filters: Query[ObservationFilters]
) -> Any:
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    queryset = selectors.observations_for_client(
        client=client, code=filters.code, since=filters.since
    ).select_related("recorded_by")
    page = paginate(
        queryset, ordering=["effective_at", "id"], cursor=filters.cursor, limit=filters.limit
    )
    audit_read_many(
        actor=user, object_type="assessments.observation", ids=[o.pk for o in page.items]
    )
    return {
        "items": [observation_out(o) for o in page.items],
        "trends": [trend_out(t) for t in trends(page.items)],
        "next": page.next,
    }


@router.get(
    "/clients/{client_id}/thresholds",
    response={200: ThresholdList, **ERROR_RESPONSES},
    summary="The client's own thresholds, the organization's defaults, and what is in force",
)
def list_thresholds(request: HttpRequest, client_id: UUID) -> Any:
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    rows = list(selectors.thresholds_for_client(client=client).order_by("code", "condition_code"))
    effective = selectors.effective_thresholds(client=client)
    audit_read_many(
        actor=user,
        object_type="monitoring.threshold",
        ids=[row.pk for row in rows if row.client_id is not None],
    )
    return {
        "items": [threshold_out(row) for row in rows],
        "effective": [effective_out(item) for item in effective.values()],
    }


@router.post(
    "/clients/{client_id}/thresholds",
    response={201: ThresholdOut, **ERROR_RESPONSES},
    summary="Give the client their own threshold for one reading (replaces the defaults)",
    description="409 threshold_exists when the client already has one for the code.",
)
def create_threshold(request: HttpRequest, client_id: UUID, payload: ThresholdIn) -> Any:
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    threshold = services.threshold_create(
        acting_user=user, client=client, data=payload.model_dump()
    )
    return HttpStatus(201, threshold_out(threshold))


@router.patch(
    "/thresholds/{threshold_id}",
    response={200: ThresholdOut, **ERROR_RESPONSES},
    summary="Change a threshold (send the version you read; stale is 409)",
    description="Organization defaults: supervisors and program admins only (others get 404).",
)
def update_threshold(request: HttpRequest, threshold_id: UUID, payload: ThresholdPatch) -> Any:
    user = _user(request)
    threshold = selectors.threshold_get(user=user, threshold_id=threshold_id)
    threshold = services.threshold_update(
        acting_user=user,
        threshold=threshold,
        expected_version=payload.version,
        data=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return threshold_out(threshold)


@router.get(
    "/alerts",
    response={200: AlertPage, **ERROR_RESPONSES},
    summary="Alerts about the clients I see, newest first",
)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> Any:
    user = _user(request)
    queryset = selectors.alerts_visible_to(user, filters.status)
    page = paginate(
        queryset, ordering=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit
    )
    audit_read_many(actor=user, object_type="monitoring.alert", ids=[a.pk for a in page.items])
    return {"items": [alert_out(a) for a in page.items], "next": page.next}


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERROR_RESPONSES},
    summary="Acknowledge an alert; its work items are closed",
    description="409 not_open when already acknowledged, stale_version for a stale version.",
)
def acknowledge_alert(
    request: HttpRequest, alert_id: UUID, payload: AcknowledgeIn | None = None
) -> Any:
    user = _user(request)
    alert = selectors.alert_get(user=user, alert_id=alert_id)
    body = payload or AcknowledgeIn(version=None, note="")
    alert = services.alert_acknowledge(
        acting_user=user, alert=alert, expected_version=body.version, note=body.note
    )
    return alert_out(selectors.alert_get(user=user, alert_id=alert.pk))


@router.post(
    "/clients/{client_id}/check-in-links",
    response={201: CheckInLinkOut, **ERROR_RESPONSES},
    summary="Make a secret check-in link for the client (the URL is shown only now)",
)
def create_check_in_link(
    request: HttpRequest, client_id: UUID, payload: CheckInLinkIn | None = None
) -> Any:
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    body = payload or CheckInLinkIn(readings=[], days=None)
    link, path = services.check_in_link_create(
        acting_user=user, client=client, readings=body.readings, days=body.days
    )
    return HttpStatus(201, check_in_link_out(link, request.build_absolute_uri(path)))


@router.post(
    "/check-in-links/{link_id}/revoke",
    response={200: CheckInLinkOut, **ERROR_RESPONSES},
    summary="Revoke a check-in link (it then answers 410)",
)
def revoke_check_in_link(
    request: HttpRequest, link_id: UUID, payload: RevokeIn | None = None
) -> Any:
    user = _user(request)
    link = selectors.check_in_link_get(user=user, link_id=link_id)
    link = services.check_in_link_revoke(
        acting_user=user, link=link, expected_version=payload.version if payload else None
    )
    return check_in_link_out(link)
