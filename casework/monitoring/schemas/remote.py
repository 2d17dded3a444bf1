"""Input and output shapes of the remote-monitoring endpoints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from casework.assessments.schemas import TrendOut, number
from casework.core.schemas import InputSchema, StrictInt, UserRef, user_ref
from casework.monitoring.thresholds import ACCEPTED_CODES, CHECK_IN_READINGS


class ReadingIn(InputSchema):
    code: str = Field(description=f"One of {', '.join(ACCEPTED_CODES)}")
    value: float | None = Field(None, description="The value (not for blood pressure)")
    systolic: float | None = Field(None, description="Blood pressure (85354-9) only")
    diastolic: float | None = Field(None, description="Blood pressure (85354-9) only")
    unit: str = Field("", max_length=30, description="UCUM; empty: the code's unit")
    effective_at: datetime
    device: str = Field("", max_length=200)


class ObservationsIn(InputSchema):
    readings: list[ReadingIn] = Field(min_length=1, max_length=200)


class ObservationOut(Schema):
    id: int
    system: str
    code: str
    display: str
    value: int | float | None
    unit: str
    effective_at: datetime
    source: str = Field(description='"remote", "check-in", or empty for a scored instrument')
    response_id: str | None = Field(None, description="The assessment a score comes from")
    recorded_by: UserRef | None


class AlertOut(Schema):
    id: str
    version: int
    client_id: str
    client_name: str
    case_id: str | None
    observation_id: int
    code: str
    severity: str
    message: str
    status: str
    work_item_id: str | None
    created_at: datetime
    acknowledged_by: UserRef | None
    acknowledged_at: datetime | None
    note: str


class RecordedOut(Schema):
    observations: list[ObservationOut]
    created: list[bool]
    alerts: list[AlertOut]


class ObservationPage(Schema):
    items: list[ObservationOut]
    trends: list[TrendOut] = Field(
        description="First and latest value per code among the items of this page"
    )
    next: str | None


class AlertPage(Schema):
    items: list[AlertOut]
    next: str | None


class AcknowledgeIn(InputSchema):
    version: StrictInt | None = Field(None, description="If given, must be the current version")
    note: str = Field("", max_length=2000)


RISE = "Alert on a reading this much above the client's lowest of the rise_days days before it"


class ThresholdIn(InputSchema):
    code: str
    low: float | None = None
    high: float | None = None
    critical_low: float | None = None
    critical_high: float | None = None
    rise: float | None = Field(None, description=RISE)
    rise_days: StrictInt | None = Field(None, description="1 to 90; with rise")
    source: str = Field("", max_length=2000, description="Why these numbers for this client")


class ThresholdPatch(InputSchema):
    version: StrictInt
    low: float | None = None
    high: float | None = None
    critical_low: float | None = None
    critical_high: float | None = None
    rise: float | None = Field(None, description=RISE)
    rise_days: StrictInt | None = None
    source: str | None = Field(None, max_length=2000)


class ThresholdOut(Schema):
    id: str
    version: int
    client_id: str | None
    condition_code: str
    code: str
    display: str
    unit: str
    low: float | None
    high: float | None
    critical_low: float | None
    critical_high: float | None
    rise: float | None
    rise_days: int | None
    source: str


class RiseOut(Schema):
    rise: float
    days: int
    threshold_id: str


class EffectiveOut(Schema):
    code: str
    low: float | None
    high: float | None
    critical_low: float | None
    critical_high: float | None
    rises: list[RiseOut] = Field(description=RISE.replace("rise_days", "days"))
    origin: str = Field(description='"client", "condition I10" or "everyone"')
    threshold_ids: list[str]


class ThresholdList(Schema):
    items: list[ThresholdOut]
    effective: list[EffectiveOut]


class CheckInLinkIn(InputSchema):
    readings: list[str] = Field(
        default_factory=list, description=f"Any of {', '.join(CHECK_IN_READINGS)}"
    )
    days: StrictInt | None = Field(None, description="1 to 90; default 30")


class CheckInLinkOut(Schema):
    id: str
    version: int
    client_id: str
    readings: list[str]
    expires_at: datetime
    revoked_at: datetime | None
    url: str | None = Field(None, description="Shown once, when the link is made")


class RevokeIn(InputSchema):
    version: StrictInt | None = None


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def observation_out(observation: Any) -> dict[str, Any]:
    return {
        "id": observation.pk,
        "system": observation.system,
        "code": observation.code,
        "display": observation.display,
        "value": number(observation.value_decimal),
        "unit": observation.unit,
        "effective_at": observation.effective_at,
        "source": observation.source,
        "response_id": str(observation.response_id) if observation.response_id else None,
        "recorded_by": user_ref(observation.recorded_by) if observation.recorded_by_id else None,
    }


def alert_out(alert: Any) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "version": alert.version,
        "client_id": str(alert.client_id),
        "client_name": alert.client.full_name,
        "case_id": str(alert.case_id) if alert.case_id else None,
        "observation_id": alert.observation_id,
        "code": alert.code,
        "severity": alert.severity,
        "message": alert.message,
        "status": alert.status,
        "work_item_id": str(alert.work_item_id) if alert.work_item_id else None,
        "created_at": alert.created_at,
        "acknowledged_by": user_ref(alert.acknowledged_by) if alert.acknowledged_by_id else None,
        "acknowledged_at": alert.acknowledged_at,
        "note": alert.note,
    }


def threshold_out(threshold: Any) -> dict[str, Any]:
    return {
        "id": str(threshold.pk),
        "version": threshold.version,
        "client_id": str(threshold.client_id) if threshold.client_id else None,
        "condition_code": threshold.condition_code,
        "code": threshold.code,
        "display": threshold.display,
        "unit": threshold.unit,
        "low": _float(threshold.low),
        "high": _float(threshold.high),
        "critical_low": _float(threshold.critical_low),
        "critical_high": _float(threshold.critical_high),
        "rise": _float(threshold.rise),
        "rise_days": threshold.rise_days,
        "source": threshold.source,
    }


def effective_out(effective: Any) -> dict[str, Any]:
    return {
        "code": effective.code,
        "low": _float(effective.low),
        "high": _float(effective.high),
        "critical_low": _float(effective.critical_low),
        "critical_high": _float(effective.critical_high),
        "rises": [
            {"rise": float(rise), "days": days, "threshold_id": str(row.pk)}
            for rise, days, row in effective.rises
        ],
        "origin": effective.origin,
        "threshold_ids": [str(row.pk) for row in effective.rows],
    }


def check_in_link_out(link: Any, url: str | None = None) -> dict[str, Any]:
    return {
        "id": str(link.pk),
        "version": link.version,
        "client_id": str(link.client_id),
        "readings": link.readings,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "url": url,
    }
