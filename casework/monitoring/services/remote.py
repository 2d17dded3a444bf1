"""Writes of remote monitoring: readings (from the API, a device, or the client's check-in
page), thresholds per client, alerts with their urgent work items, and check-in links."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import User
from casework.assessments.models import Observation
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import FINISHED, Case
from casework.clients.models import Client
from casework.core.errors import Conflict, NotFound, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.monitoring.models import (
    Alert,
    AlertSeverity,
    AlertStatus,
    CheckInLink,
    Priority,
    Threshold,
)
from casework.monitoring.selectors.remote import (
    NOT_MONITORING,
    Effective,
    check_in_link_usable,
    effective_thresholds,
    token_digest,
)
from casework.monitoring.selectors.work_items import staff_to_alert_for_client
from casework.monitoring.services.work_items import (
    end_of_today,
    work_item_create,
    work_items_resolve,
)
from casework.monitoring.thresholds import (
    CHECK_IN_READINGS,
    PANELS,
    READINGS,
    Reading,
)

SOURCE_REMOTE = "remote"
SOURCE_CHECK_IN = "check-in"
REMOTE_SOURCES = (SOURCE_REMOTE, SOURCE_CHECK_IN)
ALERT_KIND = "remote_alert"
ALERT_SOURCE_TYPE = "monitoring.alert"
# A device clock a little ahead of the server's is not a reading from the future (judgement).
CLOCK_SKEW = timedelta(minutes=5)
# How long a check-in link works: 30 days, a month of daily check-ins between monthly contacts
# (judgement; the brokerage model's monthly contact frequency, programs/standard_models.py).
CHECK_IN_LINK_DAYS = 30
CHECK_IN_LINK_MAX_DAYS = 90
UNIT_ALIASES = {"mmhg": "mm[Hg]", "lbs": "lb", "mg/dl": "mg/dL", "kgs": "kg", "{score}": "{score}"}


def _check_in_link_days() -> int:
    return int(getattr(settings, "CHECK_IN_LINK_DAYS", CHECK_IN_LINK_DAYS))


# ----------------------------------------------------------------------------------------------
# Readings


@dataclass
class CleanReading:
    reading: Reading
    value: Decimal
    unit_given: str
    effective_at: datetime
    device: str


@dataclass
class RecordResult:
    observations: list[Observation] = field(default_factory=list)
    created: list[bool] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


def _number(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _show(value: Decimal) -> str:
    """192.000 → "192", 98.50 → "98.5"."""
    text = format(value.normalize(), "f")
    return text


def _convert(
    reading: Reading, raw: Any, unit: str, where: str, errors: list[dict[str, Any]]
) -> Decimal | None:
    value = _number(raw)
    if value is None:
        errors.append(field_error(where, "a number is required"))
        return None
    unit = UNIT_ALIASES.get(unit.lower(), unit) if unit else reading.unit
    if unit != reading.unit:
        factor = reading.conversions.get(unit)
        if factor is None:
            accepted = ", ".join([reading.unit, *reading.conversions])
            errors.append(field_error(f"{where.rsplit('.', 1)[0]}.unit", f"use {accepted}"))
            return None
        value = value * factor
    value = value.quantize(Decimal("0.001"))
    if reading.whole_numbers and value != value.to_integral_value():
        errors.append(field_error(where, f"{reading.label} is a whole number"))
        return None
    if not reading.minimum <= value <= reading.maximum:
        errors.append(
            field_error(
                where,
                f"{reading.label} {_show(value)} {reading.unit} is outside the plausible range "
                f"{_show(reading.minimum)} to {_show(reading.maximum)}",
            )
        )
        return None
    return value


def readings_clean(readings: list[dict[str, Any]], *, now: datetime) -> list[CleanReading]:
    """Check every reading and return them one value each (a blood pressure panel is its two
    components); raise ``ValidationFailed`` naming every bad reading (``readings.2.value``)."""
    errors: list[dict[str, Any]] = []
    clean: list[CleanReading] = []
    if not readings:
        raise ValidationFailed(
            "Send at least one reading.", errors=[field_error("readings", "required")]
        )
    for index, item in enumerate(readings):
        where = f"readings.{index}"
        code = str(item.get("code") or "")
        unit = str(item.get("unit") or "").strip()
        device = str(item.get("device") or "").strip()[:200]
        effective_at = item.get("effective_at")
        if isinstance(effective_at, datetime) and timezone.is_naive(effective_at):
            effective_at = timezone.make_aware(effective_at)
        if not isinstance(effective_at, datetime):
            errors.append(field_error(f"{where}.effective_at", "required"))
        elif effective_at > now + CLOCK_SKEW:
            errors.append(field_error(f"{where}.effective_at", "cannot be in the future"))
        if code in PANELS:
            if item.get("value") is not None:
                errors.append(
                    field_error(f"{where}.value", "send systolic and diastolic, not value")
                )
            parts = []
            for name, component in zip(("systolic", "diastolic"), PANELS[code], strict=True):
                value = _convert(
                    READINGS[component], item.get(name), unit, f"{where}.{name}", errors
                )
                parts.append((component, value))
            systolic, diastolic = parts[0][1], parts[1][1]
            if systolic is not None and diastolic is not None and diastolic >= systolic:
                errors.append(field_error(f"{where}.diastolic", "must be below the systolic"))
            for component, value in parts:
                if value is not None and isinstance(effective_at, datetime):
                    clean.append(
                        CleanReading(READINGS[component], value, unit, effective_at, device)
                    )
            continue
        reading = READINGS.get(code)
        if reading is None:
            errors.append(
                field_error(f"{where}.code", f"unknown code {code!r}; use one of {_accepted()}")
            )
            continue
        for name in ("systolic", "diastolic"):
            if item.get(name) is not None:
                errors.append(field_error(f"{where}.{name}", "only for blood pressure (85354-9)"))
        value = _convert(reading, item.get("value"), unit, f"{where}.value", errors)
        if value is not None and isinstance(effective_at, datetime):
            clean.append(CleanReading(reading, value, unit, effective_at, device))
    if errors:
        raise ValidationFailed("A reading is not valid; nothing was saved.", errors=errors)
    return clean


def _accepted() -> str:
    from casework.monitoring.thresholds import ACCEPTED_CODES

    return ", ".join(ACCEPTED_CODES)


@dataclass
class Finding:
    severity: str
    message: str
    threshold: Threshold | None


def reading_check(
    *,
    code: str,
    value: Decimal,
    effective: Effective | None,
    lowest_before: Callable[[int], Decimal | None] | None = None,
) -> Finding | None:
    """Is ``value`` past the thresholds in force? Critical wins over alert; a reading at or above
    ``high`` or below ``low`` (thresholds.py) raises it, and so does one ``rise`` or more above
    ``lowest_before(days)``, the client's lowest reading of the ``rise_days`` days before it."""
    if effective is None:
        return None
    reading = READINGS[code]
    unit = "" if reading.unit == "{score}" else f" {reading.unit}"
    checks = [
        (AlertSeverity.CRITICAL, effective.critical_high, "≥", lambda v, b: v >= b),
        (AlertSeverity.CRITICAL, effective.critical_low, "<", lambda v, b: v < b),
        (AlertSeverity.ALERT, effective.high, "≥", lambda v, b: v >= b),
        (AlertSeverity.ALERT, effective.low, "<", lambda v, b: v < b),
    ]
    for severity, bound, sign, past in checks:
        if bound is not None and past(value, bound):
            message = f"{reading.label} {_show(value)}{unit} {sign} {_show(bound)} ({severity})"
            return Finding(severity, message, effective.threshold)
    if lowest_before is None:
        return None
    for rise, days, row in effective.rises:
        base = lowest_before(days)
        if base is not None and value - base >= rise:
            span = "a day" if days == 1 else f"{days} days"
            message = (
                f"{reading.label} {_show(value)}{unit}, up {_show(value - base)}{unit} in {span} "
                f"(≥ {_show(rise)}, {AlertSeverity.ALERT})"
            )
            return Finding(AlertSeverity.ALERT, message, row)
    return None


def _lowest_before(observation: Observation) -> Callable[[int], Decimal | None]:
    """The client's lowest reading of the same code in the ``days`` days before ``observation``
    (one indexed query per window asked for)."""

    def lowest(days: int) -> Decimal | None:
        found: Decimal | None = (
            Observation.objects.filter(
                client_id=observation.client_id,
                system=observation.system,
                code=observation.code,
                effective_at__gte=observation.effective_at - timedelta(days=days),
                effective_at__lt=observation.effective_at,
                value_decimal__isnull=False,
            )
            .exclude(status="entered-in-error")
            .aggregate(lowest=Min("value_decimal"))["lowest"]
        )
        return found

    return lowest


def _existing(client: Client, item: CleanReading) -> Observation | None:
    """The same reading sent again (a device retrying) is the same observation."""
    return Observation.objects.filter(
        client_id=client.pk,
        system=item.reading.system,
        code=item.reading.code,
        effective_at=item.effective_at,
        value_decimal=item.value,
        source__in=REMOTE_SOURCES,
    ).first()


def _alert_raise(
    *,
    client: Client,
    observation: Observation,
    finding: Finding,
    actor: User | None,
    now: datetime,
) -> Alert:
    """An alert and its work items: the case manager of each open case (else the team
    supervisors); a critical one also the team supervisors. Asap for critical, urgent otherwise."""
    recipients = staff_to_alert_for_client(client)
    managers = [r for r in recipients if r.case is not None and r.case.case_manager_id == r.user.pk]
    supervisors = [r for r in recipients if r not in managers]
    chosen = managers if managers else supervisors
    if finding.severity == AlertSeverity.CRITICAL:
        chosen = managers + supervisors
    case: Case | None = next((r.case for r in chosen if r.case is not None), None)
    if case is None:
        case = Case.objects.filter(client_id=client.pk).exclude(status__in=FINISHED).first()
    alert = Alert.objects.create(
        organization_id=client.organization_id,
        client=client,
        case=case,
        observation=observation,
        threshold=finding.threshold,
        code=observation.code,
        severity=finding.severity,
        message=finding.message[:300],
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=alert,
        client_id=client.pk,
        organization_id=client.organization_id,
        changes={
            "severity": [None, alert.severity],
            "message": [None, alert.message],
            "observation": [None, observation.pk],
        },
    )
    critical = finding.severity == AlertSeverity.CRITICAL
    first_item = None
    for recipient in chosen:
        item, created = work_item_create(
            acting_user=actor,
            assignee=recipient.user,
            kind=ALERT_KIND,
            title=f"Remote reading: {finding.message}",
            detail=f"{client.full_name}: {finding.message}, reported "
            f"{timezone.localtime(observation.effective_at):%b %d %H:%M}.",
            priority=Priority.ASAP if critical else Priority.URGENT,
            due_at=now if critical else end_of_today(),
            client=client,
            case=recipient.case or case,
            source_type=ALERT_SOURCE_TYPE,
            source_id=str(alert.pk),
        )
        first_item = first_item or item
        if created:
            _notify(item)
    if first_item is not None:
        Alert.objects.filter(pk=alert.pk).update(work_item=first_item)
        alert.work_item = first_item
    return alert


def _notify(item: Any) -> None:
    """Part B's notifications, when present (asap and urgent items notify their assignee)."""
    try:
        from casework.monitoring.services import notifications
    except ImportError:
        return
    notify = getattr(notifications, "notify_work_item_created", None)
    if notify is not None:
        notify(item)


@transaction.atomic
def observation_record(
    *,
    acting_user_or_link: User | CheckInLink,
    client: Client,
    readings: list[dict[str, Any]],
    now: datetime | None = None,
) -> RecordResult:
    """Record remote-monitoring readings for ``client`` and raise alerts synchronously.

    ``acting_user_or_link`` is the member of staff (or device account) sending them -- source
    "remote", ``recorded_by`` them -- or the client's own check-in link -- source "check-in", no
    ``recorded_by``, audited with the link's id. Every reading is checked first (code, unit,
    plausible range, not in the future: thresholds.py) and nothing is saved if one is bad. Each
    new reading past the client's thresholds (``effective_thresholds``) raises one ``Alert`` and
    urgent (asap when critical) work items, in this transaction; the same reading sent twice is
    stored and alerted once.
    """
    now = now or timezone.now()
    link: CheckInLink | None = None
    actor: User | None
    if isinstance(acting_user_or_link, CheckInLink):
        link = CheckInLink.objects.select_for_update().get(pk=acting_user_or_link.pk)
        if link.client_id != client.pk or not check_in_link_usable(link, now=now):
            raise Conflict("This check-in link no longer works.", code="link_gone")
        actor, source = None, SOURCE_CHECK_IN
    else:
        actor, source = acting_user_or_link, SOURCE_REMOTE
        if (
            getattr(actor, "role", None) in NOT_MONITORING
            or actor.organization_id != client.organization_id
        ):
            raise NotFound("Client not found.")
    clean = readings_clean(readings, now=now)
    effective = effective_thresholds(client=client)
    result = RecordResult()
    for item in clean:
        existing = _existing(client, item)
        if existing is not None:
            result.observations.append(existing)
            result.created.append(False)
            continue
        observation = Observation.objects.create(
            client=client,
            system=item.reading.system,
            code=item.reading.code,
            display=item.reading.display,
            value_decimal=item.value,
            unit=item.reading.unit,
            effective_at=item.effective_at,
            source=source,
            recorded_by=actor,
        )
        detail: dict[str, Any] = {"source": source}
        if item.device:
            detail["device"] = item.device
        if item.unit_given and item.unit_given != item.reading.unit:
            detail["unit_given"] = item.unit_given
        if link is not None:
            detail["check_in_link_id"] = str(link.pk)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=observation,
            client_id=client.pk,
            organization_id=client.organization_id,
            changes={
                "code": [None, observation.code],
                "value": [None, str(observation.value_decimal)],
                "unit": [None, observation.unit],
                "effective_at": [None, observation.effective_at],
            },
            detail=detail,
        )
        result.observations.append(observation)
        result.created.append(True)
        finding = reading_check(
            code=item.reading.code,
            value=item.value,
            effective=effective.get(item.reading.code),
            lowest_before=_lowest_before(observation),
        )
        if finding is not None:
            result.alerts.append(
                _alert_raise(
                    client=client, observation=observation, finding=finding, actor=actor, now=now
                )
            )
    if link is not None:
        CheckInLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return result


# ----------------------------------------------------------------------------------------------
# Thresholds

BOUNDS = ("low", "high", "critical_low", "critical_high")
# A rise is measured over at most this many days (a quarter: longer is a trend for the care
# plan, not an alert).
MAX_RISE_DAYS = 90


def threshold_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    code = data.get("code")
    if code not in READINGS:
        errors.append(field_error("code", f"one of {', '.join(READINGS)}"))
    values: dict[str, Decimal | None] = {}
    for name in BOUNDS:
        raw = data.get(name)
        values[name] = None if raw is None else _number(raw)
        if raw is not None and values[name] is None:
            errors.append(field_error(name, "must be a number"))
    rise = None if data.get("rise") is None else _number(data.get("rise"))
    if data.get("rise") is not None and rise is None:
        errors.append(field_error("rise", "must be a number"))
    elif rise is not None and rise <= 0:
        errors.append(field_error("rise", "must be above 0"))
    rise_days = data.get("rise_days")
    if rise_days is not None and (
        isinstance(rise_days, bool)
        or not isinstance(rise_days, int)
        or not 1 <= rise_days <= MAX_RISE_DAYS
    ):
        errors.append(field_error("rise_days", f"a whole number of days, 1 to {MAX_RISE_DAYS}"))
    elif (rise is None) != (rise_days is None):
        errors.append(field_error("rise_days" if rise is not None else "rise", "give both"))
    if all(value is None for value in values.values()) and rise is None and rise_days is None:
        errors.append(field_error("high", "give at least one bound, or a rise"))
    low, high = values["low"], values["high"]
    critical_low, critical_high = values["critical_low"], values["critical_high"]
    if low is not None and high is not None and low >= high:
        errors.append(field_error("low", "must be below high"))
    if critical_low is not None and low is not None and critical_low > low:
        errors.append(field_error("critical_low", "must not be above low"))
    if critical_high is not None and high is not None and critical_high < high:
        errors.append(field_error("critical_high", "must not be below high"))
    if errors:
        raise ValidationFailed("The threshold is not valid; nothing was saved.", errors=errors)
    reading = READINGS[str(code)]
    return {
        "code": reading.code,
        "display": reading.display,
        "unit": reading.unit,
        **{
            name: value.quantize(Decimal("0.001")) if value is not None else None
            for name, value in values.items()
        },
        "rise": rise.quantize(Decimal("0.001")) if rise is not None else None,
        "rise_days": rise_days,
        "source": str(data.get("source") or "").strip(),
    }


@transaction.atomic
def threshold_create(*, acting_user: User, client: Client, data: dict[str, Any]) -> Threshold:
    """Give one client their own thresholds for one code; they replace the organization's
    defaults for that code. One row per client and code (409 ``threshold_exists``: change it)."""
    if getattr(acting_user, "role", None) in NOT_MONITORING:
        raise NotFound("Client not found.")
    clean = threshold_clean(data)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if Threshold.objects.filter(client_id=client.pk, code=clean["code"]).exists():
        raise Conflict(
            "This client already has their own threshold for that reading; change it instead.",
            code="threshold_exists",
            errors=[field_error("code", "exists")],
        )
    threshold = Threshold.objects.create(
        organization_id=client.organization_id, client=client, created_by=acting_user, **clean
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=threshold,
        client_id=client.pk,
        changes={name: [None, value] for name, value in clean.items()},
    )
    return threshold


@transaction.atomic
def threshold_update(
    *, acting_user: User, threshold: Threshold, expected_version: int, data: dict[str, Any]
) -> Threshold:
    """Change a threshold (the client's own, or an organization default as fetched by
    ``threshold_get``, which only supervisors and program admins may); stale is 409."""
    merged = {name: getattr(threshold, name) for name in (*BOUNDS, "rise", "rise_days", "source")}
    merged.update(data)
    merged["code"] = threshold.code
    clean = threshold_clean(merged)
    clean.pop("code")
    diff = update_versioned(threshold, expected_version=expected_version, **clean)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=threshold,
        client_id=threshold.client_id,
        changes=diff,
    )
    return threshold


# ----------------------------------------------------------------------------------------------
# Alerts


@transaction.atomic
def alert_acknowledge(
    *, acting_user: User, alert: Alert, expected_version: int | None, note: str = ""
) -> Alert:
    """Acknowledge an open alert (with a note of what was done); its work items, everyone's,
    are closed with it. A stale version is a 409, an acknowledged alert 409 ``not_open``."""
    if alert.status != AlertStatus.OPEN:
        raise Conflict(
            f"This alert is already {alert.get_status_display().lower()}.",
            code="not_open",
            errors=[field_error("status", alert.status)],
        )
    now = timezone.now()
    diff = update_versioned(
        alert,
        expected_version=expected_version,
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_by=acting_user,
        acknowledged_at=now,
        note=note.strip(),
    )
    diff.pop("acknowledged_by", None)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=alert,
        client_id=alert.client_id,
        changes={**diff, "acknowledged_by": [None, acting_user.username]},
    )
    work_items_resolve(
        kind=ALERT_KIND,
        source_type=ALERT_SOURCE_TYPE,
        source_id=str(alert.pk),
        acting_user=acting_user,
        note=f"Alert acknowledged by {acting_user.username}" + (f": {note}" if note else ""),
    )
    return alert


# ----------------------------------------------------------------------------------------------
# Check-in links


@transaction.atomic
def check_in_link_create(
    *,
    acting_user: User,
    client: Client,
    readings: list[str] | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> tuple[CheckInLink, str]:
    """A secret link through which the client reports how they are (always) and the readings
    asked for (``CHECK_IN_READINGS``), without an account, until it expires
    (``CHECK_IN_LINK_DAYS``, 30 by default) or is revoked; reusable (a client may report daily).
    Only the token's SHA-256 digest is stored: the returned path ``/check-in/<token>/`` is
    shown once."""
    if getattr(acting_user, "role", None) in NOT_MONITORING:
        raise NotFound("Client not found.")
    now = now or timezone.now()
    wanted = list(dict.fromkeys(readings or []))
    unknown = [code for code in wanted if code not in CHECK_IN_READINGS]
    errors = [field_error("readings", f"unknown {code!r}") for code in unknown]
    if days is not None and not 1 <= days <= CHECK_IN_LINK_MAX_DAYS:
        errors.append(field_error("days", f"between 1 and {CHECK_IN_LINK_MAX_DAYS}"))
    if errors:
        raise ValidationFailed(
            f"A check-in link asks for {', '.join(CHECK_IN_READINGS)} and lasts 1 to "
            f"{CHECK_IN_LINK_MAX_DAYS} days.",
            errors=errors,
        )
    ordered = [code for code in CHECK_IN_READINGS if code in wanted]
    case = (
        Case.objects.filter(client_id=client.pk)
        .exclude(status__in=FINISHED)
        .order_by("created_at")
        .first()
    )
    token = secrets.token_urlsafe(32)
    link = CheckInLink.objects.create(
        organization_id=client.organization_id,
        client=client,
        case=case,
        digest=token_digest(token),
        expires_at=now + timedelta(days=days or _check_in_link_days()),
        readings=ordered,
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=link,
        client_id=client.pk,
        changes={"readings": [None, ordered], "expires_at": [None, link.expires_at]},
    )
    return link, reverse("monitoring:check_in", args=[token])


@transaction.atomic
def check_in_link_revoke(
    *, acting_user: User, link: CheckInLink, expected_version: int | None = None
) -> CheckInLink:
    """Stop a check-in link working (it then answers 410)."""
    if link.revoked_at is not None:
        raise Conflict("This link is already revoked.", code="already_revoked")
    diff = update_versioned(link, expected_version=expected_version, revoked_at=timezone.now())
    audit_record(
        actor=acting_user, action=Action.UPDATE, obj=link, client_id=link.client_id, changes=diff
    )
    return link
