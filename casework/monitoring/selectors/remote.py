"""Reads of remote monitoring: a client's readings and trends, the thresholds in force for
them, alerts of the clients a user sees, and check-in links by token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from casework.accounts.models import Role
from casework.assessments.models import Observation
from casework.clients.models import Client, Condition, ConditionStatus
from casework.clients.selectors import client_get, clients_visible_to
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.monitoring.models import Alert, AlertStatus, CheckInLink, Threshold
from casework.monitoring.thresholds import READINGS, TREND_CODES

# Intake workers see the intake pipeline, not clinical readings.
NOT_MONITORING = {Role.INTAKE}
# Who may change an organization's default thresholds.
THRESHOLD_ADMINS = {Role.PROGRAM_ADMIN, Role.SUPERVISOR}
TREND_DAYS = 90
ALERT_STATUSES = {choice.value for choice in AlertStatus} | {"all"}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def monitored_client_get(*, user: Any, client_id: UUID | str) -> Client:
    """A client whose readings the user may see and record (staff who see the client; intake
    workers do not), or ``NotFound``."""
    if getattr(user, "role", None) in NOT_MONITORING:
        raise NotFound("Client not found.")
    return client_get(user=user, client_id=client_id)


def observations_for_client(
    *, client: Client, code: str | None = None, since: datetime | None = None
) -> QuerySet[Observation]:
    """Readings (and scored instruments) of a client already fetched through a scoped selector;
    served by the ``observation_trend`` index."""
    queryset = Observation.objects.filter(client_id=client.pk)
    if code:
        queryset = queryset.filter(code=code)
    if since is not None:
        queryset = queryset.filter(effective_at__gte=since)
    return queryset


@dataclass
class Effective:
    """The thresholds in force for one code for one client, and where they come from."""

    code: str
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None
    origin: str = ""  # "client", "condition I10", "everyone"
    rows: tuple[Threshold, ...] = ()
    # (rise, days, the row it is from): a reading that much above the lowest of the days
    # before it raises an alert; every one in force applies, the shortest window first.
    rises: tuple[tuple[Decimal, int, Threshold], ...] = ()

    @property
    def threshold(self) -> Threshold | None:
        return self.rows[0] if self.rows else None


def _strictest(code: str, rows: list[Threshold], origin: str) -> Effective:
    """Several condition rows for one code (say E10 and E11) combine to the earliest warning."""

    def pick(values: list[Decimal | None], wanted: Any) -> Decimal | None:
        present = [value for value in values if value is not None]
        return wanted(present) if present else None

    return Effective(
        code=code,
        low=pick([r.low for r in rows], max),
        high=pick([r.high for r in rows], min),
        critical_low=pick([r.critical_low for r in rows], max),
        critical_high=pick([r.critical_high for r in rows], min),
        origin=origin,
        rows=tuple(rows),
        rises=tuple(
            sorted(
                ((r.rise, r.rise_days, r) for r in rows if r.rise is not None and r.rise_days),
                key=lambda rise: (rise[1], rise[0]),
            )
        ),
    )


def thresholds_for_client(*, client: Client) -> QuerySet[Threshold]:
    """The client's own thresholds and the organization's defaults (all conditions)."""
    from django.db.models import Q

    return Threshold.objects.filter(organization_id=client.organization_id).filter(
        Q(client_id=client.pk) | Q(client__isnull=True)
    )


def effective_thresholds(*, client: Client) -> dict[str, Effective]:
    """Per code, what raises an alert for ``client``: the client's own row if there is one;
    else the organization's rows for the client's active conditions (ICD-10-CM prefix match;
    several combine to the earliest warning); else the row for everyone. Two queries."""
    condition_codes = [
        code.replace(".", "").upper()
        for code in Condition.objects.filter(client_id=client.pk)
        .exclude(clinical_status__in=[ConditionStatus.RESOLVED, ConditionStatus.INACTIVE])
        .values_list("code", flat=True)
    ]
    own: dict[str, list[Threshold]] = {}
    by_condition: dict[str, list[Threshold]] = {}
    everyone: dict[str, list[Threshold]] = {}
    for row in thresholds_for_client(client=client).order_by("code", "condition_code", "id"):
        if row.client_id is not None:
            own.setdefault(row.code, []).append(row)
        elif not row.condition_code:
            everyone.setdefault(row.code, []).append(row)
        else:
            prefix = row.condition_code.replace(".", "").upper()
            if any(code.startswith(prefix) for code in condition_codes):
                by_condition.setdefault(row.code, []).append(row)
    result: dict[str, Effective] = {}
    for code in sorted(set(own) | set(by_condition) | set(everyone)):
        if code in own:
            result[code] = _strictest(code, own[code][:1], "client")
        elif code in by_condition:
            rows = by_condition[code]
            origin = "condition " + ", ".join(sorted({r.condition_code for r in rows}))
            result[code] = _strictest(code, rows, origin)
        else:
            result[code] = _strictest(code, everyone[code], "everyone")
    return result


def threshold_get(*, user: Any, threshold_id: UUID | str) -> Threshold:
    """A client's threshold (for staff who may see the client) or one of the organization's
    defaults (for its supervisors and program admins), or ``NotFound``."""
    if getattr(user, "role", None) in NOT_MONITORING or not getattr(user, "is_active", False):
        raise NotFound("Threshold not found.")
    try:
        threshold = Threshold.objects.select_related("client").get(pk=threshold_id)
    except (Threshold.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Threshold not found.") from exc
    if threshold.organization_id != user.organization_id:
        raise NotFound("Threshold not found.")
    if threshold.client_id is not None:
        monitored_client_get(user=user, client_id=threshold.client_id)
    elif user.role not in THRESHOLD_ADMINS:
        raise NotFound("Threshold not found.")
    return threshold


def alerts_visible_to(user: Any, status: str = AlertStatus.OPEN) -> QuerySet[Alert]:
    """Alerts about the clients the user sees (``status`` open, acknowledged, resolved, all)."""
    if status not in ALERT_STATUSES:
        raise ValidationFailed(
            "Unknown alert status.",
            errors=[field_error("status", f"must be one of {sorted(ALERT_STATUSES)}")],
        )
    if getattr(user, "role", None) in NOT_MONITORING:
        return Alert.objects.none()
    queryset = Alert.objects.filter(client__in=clients_visible_to(user)).select_related(
        "client", "observation", "acknowledged_by"
    )
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset


def alert_get(*, user: Any, alert_id: UUID | str) -> Alert:
    try:
        return alerts_visible_to(user, "all").get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Alert not found.") from exc


def alerts_for_client(*, client: Client, status: str = AlertStatus.OPEN) -> QuerySet[Alert]:
    """The alerts of a client already fetched through a scoped selector."""
    queryset = Alert.objects.filter(client_id=client.pk).select_related("observation")
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset


def check_in_link_for_token(token: str) -> CheckInLink:
    """The link a token names (expired or revoked ones too), or ``NotFound``."""
    if not token or len(token) > 200:
        raise NotFound("No such link.")
    try:
        return CheckInLink.objects.select_related("client").get(digest=token_digest(token))
    except CheckInLink.DoesNotExist as exc:
        raise NotFound("No such link.") from exc


def check_in_link_usable(link: CheckInLink, *, now: datetime | None = None) -> bool:
    return link.revoked_at is None and link.expires_at > (now or timezone.now())


def check_in_link_get(*, user: Any, link_id: UUID | str) -> CheckInLink:
    """A check-in link of a client the user may monitor, or ``NotFound``."""
    try:
        link = CheckInLink.objects.get(pk=link_id)
    except (CheckInLink.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Check-in link not found.") from exc
    monitored_client_get(user=user, client_id=link.client_id)
    return link


def check_in_links_for_client(*, client: Client) -> QuerySet[CheckInLink]:
    """The usable links of a client already fetched through a scoped selector."""
    return CheckInLink.objects.filter(
        client_id=client.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


@dataclass
class Trend:
    code: str
    label: str
    unit: str
    points: list[Observation]
    effective: Effective | None


def trends_for_client(
    *, client: Client, now: datetime | None = None, days: int = TREND_DAYS
) -> list[Trend]:
    """One series per code with readings in the last ``days`` days (oldest first), with the
    thresholds in force: one query for the readings whatever their number, two for thresholds."""
    since = (now or timezone.now()) - timedelta(days=days)
    series: dict[str, list[Observation]] = {}
    for observation in (
        observations_for_client(client=client, since=since)
        .filter(code__in=TREND_CODES)
        .order_by("code", "effective_at", "id")
    ):
        series.setdefault(observation.code, []).append(observation)
    if not series:
        return []
    effective = effective_thresholds(client=client)
    return [
        Trend(
            code=code,
            label=READINGS[code].label,
            unit=READINGS[code].unit,
            points=series[code],
            effective=effective.get(code),
        )
        for code in TREND_CODES
        if code in series
    ]
