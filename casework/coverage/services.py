"""Writes of payer coverage and authorizations.

Anyone on staff who may see the client records coverage (intake workers too: DESIGN.md lists
the payer among the intake steps); privacy officers and system admins only look. Every write is
atomic and audited with old and new values; updates carry the version they read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Role, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.clients.models import Client
from casework.clients.selectors import client_get
from casework.core.errors import (
    Conflict,
    PermissionDenied,
    TransitionRefused,
    ValidationFailed,
    field_error,
)
from casework.core.versioning import update_versioned
from casework.coverage.codes import SERVICE_CODES, service_code_valid
from casework.coverage.models import (
    Authorization,
    AuthorizationStatus,
    Coverage,
    CoverageStatus,
    CoverageType,
    UnitType,
)
from casework.coverage.selectors import usage_of

COVERAGE_WRITERS = {Role.INTAKE, Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN}
# FHIR R4 subscriber-relationship codes (http://terminology.hl7.org/CodeSystem/subscriber-relationship).
RELATIONSHIPS = ["self", "spouse", "child", "parent", "common", "injured", "other"]

COVERAGE_FIELDS = [
    "coverage_type",
    "payer_name",
    "plan_name",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_name",
    "order",
    "period_start",
    "period_end",
    "payer_phone",
]
AUTHORIZATION_FIELDS = [
    "case_id",
    "number",
    "service",
    "service_code",
    "unit_type",
    "units_approved",
    "period_start",
    "period_end",
    "counts_contacts",
    "note",
]
# The statuses an authorization may be recorded in, and the moves between them. Any status but
# entered-in-error may also become entered-in-error.
AUTHORIZATION_MOVES: dict[str, set[str]] = {
    AuthorizationStatus.REQUESTED: {AuthorizationStatus.APPROVED, AuthorizationStatus.DENIED},
    AuthorizationStatus.APPROVED: {AuthorizationStatus.CANCELLED},
    AuthorizationStatus.DENIED: set(),
    AuthorizationStatus.CANCELLED: set(),
}
REASON_REQUIRED = {
    AuthorizationStatus.DENIED,
    AuthorizationStatus.CANCELLED,
    AuthorizationStatus.ENTERED_IN_ERROR,
}
# Authorizations still in force, whose period must stay within the coverage's.
OPEN_AUTHORIZATIONS = [AuthorizationStatus.REQUESTED, AuthorizationStatus.APPROVED]


def can_record_coverage(user: Any) -> bool:
    return getattr(user, "role", None) in COVERAGE_WRITERS


def _writable_client(acting_user: User, client_id: Any) -> Client:
    """The client, if the acting user may see it (404 otherwise) and record coverage (403)."""
    client = client_get(user=acting_user, client_id=client_id)
    if not can_record_coverage(acting_user):
        raise PermissionDenied("Your role may look at coverage but not record it.")
    return client


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _clean_coverage(data: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    kind = data.get("coverage_type")
    if kind not in CoverageType.values:
        errors.append(field_error("coverage_type", f"must be one of {', '.join(CoverageType)}"))
    for name in ("payer_name", "member_id"):
        if not _text(data, name):
            errors.append(field_error(name, "required"))
    relationship = _text(data, "relationship") or "self"
    if relationship not in RELATIONSHIPS:
        errors.append(field_error("relationship", f"must be one of {', '.join(RELATIONSHIPS)}"))
    order = data.get("order")
    if order is None:
        order = 1
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 9:
        errors.append(field_error("order", "must be 1 (primary) to 9"))
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, date):
        errors.append(field_error("period_start", "required"))
    if end is not None and not isinstance(end, date):
        errors.append(field_error("period_end", "must be a date"))
    elif isinstance(start, date) and end is not None and end < start:
        errors.append(field_error("period_end", "must not be before period_start"))
    if errors:
        raise ValidationFailed("The coverage is not valid; nothing was saved.", errors=errors)
    return {
        "coverage_type": kind,
        "payer_name": _text(data, "payer_name"),
        "plan_name": _text(data, "plan_name"),
        "member_id": _text(data, "member_id"),
        "group_number": _text(data, "group_number"),
        "relationship": relationship,
        "subscriber_name": _text(data, "subscriber_name"),
        "order": order,
        "period_start": start,
        "period_end": end,
        "payer_phone": _text(data, "payer_phone"),
    }


def _check_authorizations_fit(coverage: Coverage, *, start: date, end: date | None) -> None:
    """Open authorizations must stay within a coverage's (new) period."""
    outside = [
        auth
        for auth in coverage.authorizations.filter(status__in=OPEN_AUTHORIZATIONS)
        if auth.period_start < start or (end is not None and auth.period_end > end)
    ]
    if outside:
        raise ValidationFailed(
            "Open authorizations would fall outside the coverage period; change or cancel them "
            "first.",
            errors=[
                field_error(
                    "period_end" if end is not None and auth.period_end > end else "period_start",
                    f"authorization {auth.number or auth.service} runs "
                    f"{auth.period_start} to {auth.period_end}",
                    authorization_id=str(auth.pk),
                )
                for auth in outside
            ],
        )


@transaction.atomic
def coverage_add(*, acting_user: User, client: Client, data: dict[str, Any]) -> Coverage:
    """Record a plan the client belongs to (FHIR Coverage, status active)."""
    client = _writable_client(acting_user, client.pk)
    clean = _clean_coverage(data)
    coverage = Coverage.objects.create(
        organization_id=client.organization_id, client=client, created_by=acting_user, **clean
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=coverage,
        client_id=client.pk,
        changes={name: [None, value] for name, value in clean.items()},
    )
    return coverage


def _locked_coverage(acting_user: User, coverage: Coverage) -> Coverage:
    _writable_client(acting_user, coverage.client_id)
    return Coverage.objects.select_for_update().get(pk=coverage.pk)


@transaction.atomic
def coverage_update(
    *, acting_user: User, coverage: Coverage, expected_version: int, data: dict[str, Any]
) -> Coverage:
    """Change a coverage; the merged record is validated again, and open authorizations must
    still fit its period."""
    current = _locked_coverage(acting_user, coverage)
    if current.status == CoverageStatus.ENTERED_IN_ERROR:
        raise Conflict("This coverage was entered in error and can no longer be changed.")
    merged = {name: getattr(current, name) for name in COVERAGE_FIELDS}
    merged.update({name: value for name, value in data.items() if name in COVERAGE_FIELDS})
    clean = _clean_coverage(merged)
    _check_authorizations_fit(current, start=clean["period_start"], end=clean["period_end"])
    changes = update_versioned(current, expected_version=expected_version, **clean)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=current,
        client_id=current.client_id,
        changes=changes,
    )
    return current


@transaction.atomic
def coverage_end(
    *,
    acting_user: User,
    coverage: Coverage,
    expected_version: int,
    period_end: date | None = None,
    reason: str = "",
) -> Coverage:
    """The client left the plan: the coverage ends on ``period_end`` (default today) and is
    cancelled (FHIR: no longer in force). Open authorizations must end by then."""
    current = _locked_coverage(acting_user, coverage)
    if current.status in (CoverageStatus.ENTERED_IN_ERROR, CoverageStatus.CANCELLED):
        raise Conflict(f"This coverage is already {current.get_status_display().lower()}.")
    end = period_end or timezone.localdate()
    if end < current.period_start:
        raise ValidationFailed(
            "The coverage cannot end before it started.",
            errors=[field_error("period_end", "must not be before period_start")],
        )
    _check_authorizations_fit(current, start=current.period_start, end=end)
    changes = update_versioned(
        current,
        expected_version=expected_version,
        period_end=end,
        status=CoverageStatus.CANCELLED,
        status_reason=reason.strip(),
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=current,
        client_id=current.client_id,
        changes=changes,
    )
    return current


@transaction.atomic
def coverage_entered_in_error(
    *, acting_user: User, coverage: Coverage, expected_version: int, reason: str
) -> Coverage:
    """Withdraw a coverage recorded by mistake (kept, never deleted); its authorizations are
    withdrawn with it, so nothing counts against a plan that never was."""
    current = _locked_coverage(acting_user, coverage)
    if not reason.strip():
        raise ValidationFailed(
            "Say why the coverage was entered in error.",
            errors=[field_error("reason", "required")],
        )
    if current.status == CoverageStatus.ENTERED_IN_ERROR:
        raise Conflict("This coverage is already marked entered in error.")
    changes = update_versioned(
        current,
        expected_version=expected_version,
        status=CoverageStatus.ENTERED_IN_ERROR,
        status_reason=reason.strip(),
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=current,
        client_id=current.client_id,
        changes=changes,
    )
    for authorization in current.authorizations.exclude(
        status=AuthorizationStatus.ENTERED_IN_ERROR
    ).select_for_update():
        auth_changes = update_versioned(
            authorization,
            expected_version=None,
            status=AuthorizationStatus.ENTERED_IN_ERROR,
            status_reason=f"Coverage entered in error: {reason.strip()}",
        )
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            obj=authorization,
            client_id=current.client_id,
            changes=auth_changes,
        )
    return current


def _clean_authorization(coverage: Coverage, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    code = _text(data, "service_code").upper()
    known = SERVICE_CODES.get(code)
    if code and not service_code_valid(code):
        errors.append(
            field_error("service_code", "must be an HCPCS or CPT code: a letter and 4 digits, or 5")
        )
    service = _text(data, "service") or (known.description if known else "")
    if not service:
        errors.append(field_error("service", "required"))
    unit_type = data.get("unit_type") or (known.unit_type if known else UnitType.FIFTEEN_MINUTES)
    if unit_type not in UnitType.values:
        errors.append(field_error("unit_type", f"must be one of {', '.join(UnitType)}"))
    units = data.get("units_approved")
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        errors.append(field_error("units_approved", "must be a whole number, at least 1"))
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, date):
        errors.append(field_error("period_start", "required"))
    if not isinstance(end, date):
        errors.append(field_error("period_end", "required"))
    if isinstance(start, date) and isinstance(end, date):
        if end < start:
            errors.append(field_error("period_end", "must not be before period_start"))
        if start < coverage.period_start:
            errors.append(
                field_error(
                    "period_start", f"must be within the coverage (from {coverage.period_start})"
                )
            )
        if coverage.period_end is not None and end > coverage.period_end:
            errors.append(
                field_error("period_end", f"must be within the coverage (to {coverage.period_end})")
            )
    case_id = None
    if data.get("case_id"):
        try:
            case_id = (
                Case.objects.filter(pk=data["case_id"], client_id=coverage.client_id)
                .values_list("pk", flat=True)
                .first()
            )
        except (ValueError, DjangoValidationError):
            case_id = None
        if case_id is None:
            errors.append(field_error("case_id", "must be one of this client's cases"))
    counts_contacts = data.get("counts_contacts", False)
    if not isinstance(counts_contacts, bool):
        errors.append(field_error("counts_contacts", "must be true or false"))
    if errors:
        raise ValidationFailed("The authorization is not valid; nothing was saved.", errors=errors)
    return {
        "case_id": case_id,
        "number": _text(data, "number"),
        "service": service,
        "service_code": code,
        "unit_type": unit_type,
        "units_approved": units,
        "period_start": start,
        "period_end": end,
        "counts_contacts": counts_contacts,
        "note": _text(data, "note"),
    }


@transaction.atomic
def authorization_add(
    *, acting_user: User, coverage: Coverage, data: dict[str, Any]
) -> Authorization:
    """Record units a payer approved (or that were asked for: ``status`` requested) for a
    period within the coverage's. ``service_code``, when given, has the HCPCS/CPT shape; a
    known code (casework/coverage/codes.py) fills in the service and unit when left out."""
    current = _locked_coverage(acting_user, coverage)
    if current.status == CoverageStatus.ENTERED_IN_ERROR:
        raise Conflict("This coverage was entered in error; record the authorization on another.")
    status = data.get("status") or AuthorizationStatus.APPROVED
    if status not in OPEN_AUTHORIZATIONS:
        raise ValidationFailed(
            "A new authorization is requested or approved.",
            errors=[field_error("status", "must be requested or approved")],
        )
    clean = _clean_authorization(current, data)
    authorization = Authorization.objects.create(
        organization_id=current.organization_id,
        coverage=current,
        client_id=current.client_id,
        status=status,
        created_by=acting_user,
        **clean,
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=authorization,
        client_id=current.client_id,
        changes={name: [None, value] for name, value in {**clean, "status": status}.items()},
    )
    return authorization


def _locked_authorization(acting_user: User, authorization: Authorization) -> Authorization:
    _writable_client(acting_user, authorization.client_id)
    return (
        Authorization.objects.select_for_update()
        .select_related("coverage")
        .get(pk=authorization.pk)
    )


@transaction.atomic
def authorization_update(
    *,
    acting_user: User,
    authorization: Authorization,
    expected_version: int,
    data: dict[str, Any],
) -> Authorization:
    """Change an authorization; validated again as a whole. Units approved may not go below
    the units already used (counted after the change, so a changed period counts too)."""
    current = _locked_authorization(acting_user, authorization)
    if current.status == AuthorizationStatus.ENTERED_IN_ERROR:
        raise Conflict("This authorization was entered in error and can no longer be changed.")
    merged = {name: getattr(current, name) for name in AUTHORIZATION_FIELDS}
    merged.update({name: value for name, value in data.items() if name in AUTHORIZATION_FIELDS})
    clean = _clean_authorization(current.coverage, merged)
    old_units = current.units_approved
    changes = update_versioned(current, expected_version=expected_version, **clean)
    if clean["units_approved"] < old_units:
        used = usage_of(Authorization.objects.get(pk=current.pk)).used
        if clean["units_approved"] < used:
            # Raising rolls the update back (atomic).
            raise ValidationFailed(
                f"{used} units are already used; units approved cannot be fewer.",
                errors=[field_error("units_approved", f"must be at least {used} (units used)")],
            )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=current,
        client_id=current.client_id,
        changes=changes,
    )
    return current


@transaction.atomic
def authorization_set_status(
    *,
    acting_user: User,
    authorization: Authorization,
    expected_version: int,
    to_status: str,
    reason: str = "",
) -> Authorization:
    """Move an authorization: requested → approved or denied, approved → cancelled, and any
    status → entered-in-error. Denying, cancelling and withdrawing need a reason."""
    current = _locked_authorization(acting_user, authorization)
    if to_status not in AuthorizationStatus.values:
        raise ValidationFailed(
            "Unknown authorization status.",
            errors=[field_error("status", f"must be one of {', '.join(AuthorizationStatus)}")],
        )
    allowed = AUTHORIZATION_MOVES.get(current.status, set())
    if current.status != AuthorizationStatus.ENTERED_IN_ERROR:
        allowed = allowed | {AuthorizationStatus.ENTERED_IN_ERROR}
    if to_status not in allowed:
        raise TransitionRefused(
            f"An authorization that is {current.get_status_display().lower()} cannot become "
            f"{AuthorizationStatus(to_status).label.lower()}.",
            errors=[field_error("status", f"not allowed from {current.status}")],
        )
    if to_status in REASON_REQUIRED and not reason.strip():
        raise ValidationFailed(
            "Say why.", errors=[field_error("reason", "required for this status")]
        )
    changes = update_versioned(
        current,
        expected_version=expected_version,
        status=to_status,
        status_reason=reason.strip(),
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=current,
        client_id=current.client_id,
        changes=changes,
    )
    return current
