"""Writes of closed-loop referrals: create, send (with the consent rule), move through the Gravity
SDOH referral Task statuses, partner links, and the follow-up of silent referrals.

The statuses and moves are data (``TRANSITIONS``), like the case lifecycle
(``casework/cases/lifecycle.py``). Every change writes a ``ReferralEvent`` and an audit event,
bumps ``version`` (a stale one is a 409), stamps ``last_update_at`` and closes the referral's open
follow-up work items. See docs/referrals.md.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.careplans.models import Intervention, Need
from casework.cases.models import FINISHED, Case
from casework.consent.models import Consent
from casework.consent.selectors import consent_covering
from casework.coordination.models import (
    Appointment,
    AppointmentStatus,
    PartnerLink,
    Referral,
    ReferralEvent,
    ReferralPriority,
    ReferralStatus,
    ResourceService,
)
from casework.coordination.selectors.referrals import referral_case_get, token_digest
from casework.core.errors import Conflict, TransitionRefused, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.coverage.models import Authorization, AuthorizationStatus
from casework.coverage.selectors import REFERRAL_COMMITTED, usage_of, with_usage
from casework.monitoring.models import WorkItem, WorkItemStatus
from casework.monitoring.services import work_items_resolve

S = ReferralStatus

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.REQUESTED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.REQUESTED: {S.ACCEPTED, S.REJECTED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.ACCEPTED: {S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.IN_PROGRESS: {S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.ON_HOLD: {S.IN_PROGRESS, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.REJECTED: {S.ENTERED_IN_ERROR},
    S.CANCELLED: {S.ENTERED_IN_ERROR},
    S.FAILED: {S.ENTERED_IN_ERROR},
    S.COMPLETED: {S.ENTERED_IN_ERROR},
    S.ENTERED_IN_ERROR: set(),
}

# Moves into these statuses need a free-text reason; into completed, an outcome.
REASON_REQUIRED = {S.REJECTED, S.CANCELLED, S.FAILED, S.ON_HOLD, S.ENTERED_IN_ERROR}

# What the service did for the need: a small local code table (the Gravity IG leaves the
# outcome to Task.output / a follow-up Observation; these are the answers case managers report).
OUTCOME_CODES: dict[str, str] = {
    "resolved": "Need resolved",
    "partially_resolved": "Need partially resolved",
    "not_resolved": "Need not resolved",
    "client_declined": "Client declined the service",
}

# Sent and not closed: the partner owes an answer or an update; silence gets a follow-up.
OPEN_STATUSES = [S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD]
# The partner has taken it on and will report again (their next link has purpose "update").
AWAITING_PARTNER = [S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD]
TERMINAL = {S.REJECTED, S.CANCELLED, S.FAILED, S.COMPLETED, S.ENTERED_IN_ERROR}
CLOSED_WITHOUT_SERVICE = {S.REJECTED, S.CANCELLED, S.FAILED}

# Labels of the staff actions on the referral page.
ACTION_LABELS: dict[str, str] = {
    S.REQUESTED: "Send to the provider",
    S.ACCEPTED: "Provider accepted",
    S.REJECTED: "Provider rejected",
    S.IN_PROGRESS: "Service started",
    S.ON_HOLD: "Put on hold",
    S.COMPLETED: "Completed — record the outcome",
    S.FAILED: "Could not be delivered",
    S.CANCELLED: "Cancel the referral",
    S.ENTERED_IN_ERROR: "Entered in error",
}

# What a partner may do through a link, by the link's purpose (None: schedule, no status move).
PARTNER_ACTIONS: dict[str, dict[str, str | None]] = {
    "respond": {"accept": S.ACCEPTED, "reject": S.REJECTED},
    "update": {
        "schedule": None,
        "start": S.IN_PROGRESS,
        "hold": S.ON_HOLD,
        "complete": S.COMPLETED,
        "fail": S.FAILED,
    },
}

# Two weeks: long enough for a small community partner that reads its shared inbox weekly to act
# within one cycle (plus a margin), short enough that a forwarded or leaked link soon stops
# working. It matches the 14-day referral follow-up of most standard models
# (casework/programs/standard_models.py), so a link outlives at most one silence period.
# ``settings.PARTNER_LINK_DAYS`` overrides it.
PARTNER_LINK_DAYS = 14

# An appointment the partner schedules gets this length until the case manager edits it (the
# partner gives only a start; an hour is the common length of a first appointment).
SCHEDULED_APPOINTMENT_MINUTES = 60

FOLLOW_UP_KIND = "referral_follow_up"
FOLLOW_UP_SOURCE = "coordination.referral"


def loop_closed(referral: Referral) -> bool:
    """The loop is closed when the service was delivered and its outcome reported."""
    return referral.status == S.COMPLETED


def closed_without_service(referral: Referral) -> bool:
    return referral.status in CLOSED_WITHOUT_SERVICE


def days_since_update(referral: Referral, now: datetime | None = None) -> int:
    return max(((now or timezone.now()) - referral.last_update_at).days, 0)


def link_purpose_for(status: str) -> str | None:
    """The purpose of a partner link for a referral in ``status``, or None when none may be
    issued (not sent yet, or closed)."""
    if status == S.REQUESTED:
        return "respond"
    if status in AWAITING_PARTNER:
        return "update"
    return None


def allowed_moves(referral: Referral) -> list[str]:
    return [to for to in ReferralStatus.values if to in TRANSITIONS.get(referral.status, set())]


def _link_days() -> int:
    return int(getattr(settings, "PARTNER_LINK_DAYS", PARTNER_LINK_DAYS))


def _consent_for_send(referral: Referral, *, now: datetime) -> Consent | None:
    """The consent that covers sending ``referral``; none needed for an internal provider.

    Raises ``Conflict`` (code ``consent_required``) naming the recipient when none covers it.
    """
    provider = referral.provider
    if provider.is_internal:
        return None
    consent = consent_covering(
        client_id=referral.client_id, provider_id=provider.pk, on=timezone.localdate(now)
    )
    if consent is None:
        raise Conflict(
            f"No active consent covers sharing with {provider.name}; record the client's "
            "consent first.",
            code="consent_required",
            errors=[field_error("consent", "required", recipient=provider.name)],
        )
    return consent


def _resolve_follow_ups(referral: Referral, *, acting_user: User | None, note: str) -> None:
    """Close the open follow-up items of every silence period of this referral."""
    keys = (
        WorkItem.objects.filter(
            kind=FOLLOW_UP_KIND,
            source_type=FOLLOW_UP_SOURCE,
            source_id__startswith=f"{referral.pk}:",
            status=WorkItemStatus.OPEN,
        )
        .values_list("source_id", flat=True)
        .distinct()
    )
    for key in list(keys):
        work_items_resolve(
            kind=FOLLOW_UP_KIND,
            source_type=FOLLOW_UP_SOURCE,
            source_id=key,
            acting_user=acting_user,
            note=note,
        )


def _revoke_stale_links(referral: Referral, *, now: datetime) -> None:
    """Unused links whose purpose no longer fits the referral's status stop working."""
    purpose = link_purpose_for(referral.status)
    stale = PartnerLink.objects.filter(
        referral_id=referral.pk, used_at__isnull=True, revoked_at__isnull=True
    )
    if purpose is not None:
        stale = stale.exclude(purpose=purpose)
    stale.update(revoked_at=now, updated_at=now)


def _move(
    referral: Referral,
    to_status: str,
    *,
    acting_user: User | None,
    expected_version: int | None,
    reason: str = "",
    outcome: str = "",
    outcome_code: str = "",
    partner_name: str = "",
    partner_link: PartnerLink | None = None,
    now: datetime,
) -> Referral:
    """Apply one status move (the caller holds the referral's row lock and is atomic)."""
    from_status = referral.status
    if to_status not in ReferralStatus.values:
        raise ValidationFailed(
            "Unknown referral status.",
            errors=[field_error("to", f"one of {', '.join(ReferralStatus.values)}")],
        )
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise TransitionRefused(
            f"A referral cannot move from {S(from_status).label.lower()} to "
            f"{S(to_status).label.lower()}.",
            errors=[field_error("to", f"not allowed from {from_status}")],
        )
    reason, outcome = reason.strip(), outcome.strip()
    errors = []
    if to_status in REASON_REQUIRED and not reason:
        errors.append(field_error("reason", f"required to move to {to_status}"))
    if to_status == S.COMPLETED:
        if not outcome:
            errors.append(field_error("outcome", "say what the service did"))
        if outcome_code not in OUTCOME_CODES:
            errors.append(field_error("outcome_code", f"one of {', '.join(OUTCOME_CODES)}"))
    if errors:
        raise ValidationFailed(
            "The referral could not be updated; nothing was saved.", errors=errors
        )
    changes: dict[str, Any] = {"status": to_status, "last_update_at": now}
    if to_status in REASON_REQUIRED or reason:
        changes["status_reason"] = reason
    if to_status == S.COMPLETED:
        changes.update(outcome=outcome, outcome_code=outcome_code)
    if to_status == S.REQUESTED:
        changes["consent"] = _consent_for_send(referral, now=now)
        changes["requested_at"] = now
    if to_status in TERMINAL and referral.closed_at is None:
        changes["closed_at"] = now
    diff = update_versioned(referral, expected_version=expected_version, **changes)
    ReferralEvent.objects.create(
        referral=referral,
        at=now,
        from_status=from_status,
        to_status=to_status,
        kind="status",
        by_user=acting_user,
        by_partner=partner_name,
        partner_link=partner_link,
        reason=reason,
        detail={"outcome": outcome, "outcome_code": outcome_code} if outcome else {},
    )
    if "consent" in diff:
        diff["consent"] = [None, str(referral.consent_id) if referral.consent_id else None]
    audit_record(
        actor=acting_user,
        action=Action.TRANSITION,
        obj=referral,
        client_id=referral.client_id,
        organization_id=referral.organization_id,
        changes=diff,
        detail=_partner_detail(partner_name, partner_link),
    )
    _revoke_stale_links(referral, now=now)
    _resolve_follow_ups(
        referral, acting_user=acting_user, note=f"Referral updated: {from_status} → {to_status}"
    )
    return referral


def _partner_detail(partner_name: str, partner_link: PartnerLink | None) -> dict[str, Any] | None:
    if partner_link is None:
        return None
    return {"by_partner": partner_name, "partner_link_id": str(partner_link.pk)}


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("provider", "service", "client", "case")
        .get(pk=referral.pk)
    )


def _check_authorization(
    *,
    case: Case,
    authorization: Authorization | None,
    units: int | None,
    already_committed: int = 0,
    errors: list[dict[str, Any]],
) -> None:
    if authorization is None:
        if units is not None:
            errors.append(field_error("authorization_id", "units count against an authorization"))
        return
    locked = (
        Authorization.objects.select_for_update().filter(pk=authorization.pk).first()
        if authorization.pk
        else None
    )
    if locked is None or locked.client_id != case.client_id:
        errors.append(field_error("authorization_id", "not an authorization of this client"))
        return
    if locked.status != AuthorizationStatus.APPROVED:
        errors.append(field_error("authorization_id", "the authorization is not approved"))
        return
    if units is None or units < 1:
        errors.append(field_error("units", "say how many units of the authorization it uses"))
        return
    usage = usage_of(with_usage(Authorization.objects.filter(pk=locked.pk)).get())
    remaining = usage.remaining + already_committed
    if units > remaining:
        errors.append(
            field_error("units", f"only {max(remaining, 0)} units of the authorization remain")
        )


@transaction.atomic
def referral_create(
    *,
    acting_user: User,
    case: Case,
    service: ResourceService,
    need: Need | None = None,
    intervention: Intervention | None = None,
    reason: str,
    note_to_recipient: str = "",
    priority: str = ReferralPriority.ROUTINE,
    authorization: Authorization | None = None,
    units: int | None = None,
    send: bool = False,
    now: datetime | None = None,
) -> Referral:
    """Refer the client of ``case`` to a directory service (a draft; ``send=True`` also sends it,
    under the consent rule of :func:`referral_transition`).

    Staff who work the case may (case manager, care team, supervisor); intake workers and other
    teams get 404. The service is an active one of the organization's own directory; the need and
    intervention belong to the case's care plan; the need domain comes from the need, else the
    service's first need. An authorization must be the client's, approved, with ``units`` no more
    than it has left. An intervention given becomes linked to the referral.
    """
    now = now or timezone.now()
    case = referral_case_get(user=acting_user, case_id=case.pk, for_update=True)
    if case.status in FINISHED:
        raise Conflict(
            "This case is closed; reopen it before referring the client.", code="case_closed"
        )
    errors: list[dict[str, Any]] = []
    found = (
        ResourceService.objects.filter(
            pk=service.pk,
            organization_id=case.organization_id,
            is_active=True,
            provider__is_active=True,
        )
        .select_related("provider")
        .first()
    )
    if found is None:
        errors.append(field_error("service_id", "not an active service of your directory"))
    if need is not None and not Need.objects.filter(pk=need.pk, plan__case_id=case.pk).exists():
        errors.append(field_error("need_id", "not a need of this case's care plan"))
    if intervention is not None and not (
        Intervention.objects.filter(pk=intervention.pk, plan__case_id=case.pk).exists()
    ):
        errors.append(field_error("intervention_id", "not an intervention of this case's plan"))
    reason = reason.strip()
    if not reason:
        errors.append(field_error("reason", "say what the client needs from the service"))
    if priority not in ReferralPriority.values:
        errors.append(field_error("priority", f"one of {', '.join(ReferralPriority.values)}"))
    _check_authorization(case=case, authorization=authorization, units=units, errors=errors)
    if errors or found is None:
        raise ValidationFailed("The referral is not valid; nothing was saved.", errors=errors)
    need_domain = (need.domain if need is not None else "") or next(iter(found.needs or []), "")
    referral = Referral.objects.create(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        service=found,
        provider=found.provider,
        need=need,
        intervention=intervention,
        need_domain=need_domain,
        status=S.DRAFT,
        priority=priority,
        reason=reason,
        note_to_recipient=note_to_recipient.strip(),
        authorization=authorization,
        units=units if authorization is not None else None,
        last_update_at=now,
        created_by=acting_user,
    )
    ReferralEvent.objects.create(
        referral=referral, at=now, from_status="", to_status=S.DRAFT, by_user=acting_user
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=referral,
        client_id=case.client_id,
        changes={
            "service": [None, str(found.pk)],
            "provider": [None, found.provider.name],
            "need": [None, str(need.pk) if need else None],
            "intervention": [None, str(intervention.pk) if intervention else None],
            "need_domain": [None, need_domain],
            "status": [None, S.DRAFT],
            "priority": [None, priority],
            "reason": [None, reason],
            "authorization": [None, str(authorization.pk) if authorization else None],
            "units": [None, referral.units],
        },
    )
    if intervention is not None:
        _link_intervention(acting_user=acting_user, intervention=intervention, referral=referral)
    if send:
        _move(referral, S.REQUESTED, acting_user=acting_user, expected_version=None, now=now)
    return referral


def _link_intervention(
    *, acting_user: User, intervention: Intervention, referral: Referral
) -> None:
    """The intervention "becomes" this referral (``link_type``/``link_id``): through the care
    plan service (a new plan version), or -- on a finished plan, which that service refuses --
    by a direct audited update, since the link only records what happened."""
    from casework.careplans.models import CarePlan
    from casework.careplans.services import FINISHED_PLAN, intervention_update

    plan = CarePlan.objects.select_related("case").get(pk=intervention.plan_id)
    data = {"link_type": "referral", "link_id": str(referral.pk)}
    if plan.status not in FINISHED_PLAN:
        intervention_update(
            acting_user=acting_user,
            plan=plan,
            expected_version=plan.version,
            item=intervention,
            data=data,
        )
        return
    old = {"link_type": intervention.link_type, "link_id": intervention.link_id}
    Intervention.objects.filter(pk=intervention.pk).update(**data, updated_at=timezone.now())
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=intervention,
        client_id=referral.client_id,
        changes={name: [old[name], value] for name, value in data.items()},
    )


@transaction.atomic
def referral_transition(
    *,
    acting_user: User,
    referral: Referral,
    to_status: str,
    expected_version: int,
    reason: str = "",
    outcome: str = "",
    outcome_code: str = "",
    now: datetime | None = None,
) -> Referral:
    """Move a referral to ``to_status`` (staff; also to record what a partner said by phone).

    Refusals: a move not in ``TRANSITIONS`` (409 ``transition_refused``); no reason for rejected,
    cancelled, failed, on hold or entered in error, or no outcome for completed (422); sending
    (``→ requested``) to a provider outside the organization without an active consent of the
    client that covers it today for care management, coordination of care or treatment (409
    ``consent_required``, naming the recipient). The consent used is stored on the referral.
    """
    referral_case_get(user=acting_user, case_id=referral.case_id, for_update=True)
    locked = _lock(referral)
    _move(
        locked,
        to_status,
        acting_user=acting_user,
        expected_version=expected_version,
        reason=reason,
        outcome=outcome,
        outcome_code=outcome_code,
        now=now or timezone.now(),
    )
    return locked


EDITABLE_STATUSES = {S.DRAFT, S.REQUESTED}


@transaction.atomic
def referral_update(
    *,
    acting_user: User,
    referral: Referral,
    expected_version: int,
    data: dict[str, Any],
    now: datetime | None = None,
) -> Referral:
    """Change the reason, note to the recipient, priority or units while the referral is a draft
    or awaits the provider's answer (afterwards the provider has acted on what it read)."""
    now = now or timezone.now()
    case = referral_case_get(user=acting_user, case_id=referral.case_id, for_update=True)
    locked = _lock(referral)
    if locked.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"This referral is {locked.get_status_display().lower()}; only a draft or a sent "
            "referral awaiting an answer can be changed.",
            code="referral_not_editable",
        )
    allowed = {"reason", "note_to_recipient", "priority", "units"}
    errors: list[dict[str, Any]] = [
        field_error(name, "unknown field") for name in sorted(set(data) - allowed)
    ]
    changes: dict[str, Any] = {}
    if "reason" in data:
        changes["reason"] = str(data["reason"] or "").strip()
        if not changes["reason"]:
            errors.append(field_error("reason", "say what the client needs from the service"))
    if "note_to_recipient" in data:
        changes["note_to_recipient"] = str(data["note_to_recipient"] or "").strip()
    if "priority" in data:
        changes["priority"] = data["priority"]
        if data["priority"] not in ReferralPriority.values:
            errors.append(field_error("priority", f"one of {', '.join(ReferralPriority.values)}"))
    if "units" in data:
        changes["units"] = data["units"]
        committed = (locked.units or 0) if locked.status in REFERRAL_COMMITTED else 0
        _check_authorization(
            case=case,
            authorization=locked.authorization,
            units=data["units"],
            already_committed=committed,
            errors=errors,
        )
    if errors:
        raise ValidationFailed("The referral is not valid; nothing was saved.", errors=errors)
    diff = update_versioned(
        locked, expected_version=expected_version, **changes, last_update_at=now
    )
    diff.pop("last_update_at", None)
    ReferralEvent.objects.create(
        referral=locked,
        at=now,
        from_status=locked.status,
        to_status=locked.status,
        kind="note",
        by_user=acting_user,
        detail={"changed": sorted(diff)},
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=locked,
        client_id=locked.client_id,
        changes=diff,
    )
    _resolve_follow_ups(locked, acting_user=acting_user, note="Referral updated")
    return locked


def _issue_link(
    referral: Referral,
    *,
    purpose: str,
    created_by: User | None,
    sent_to: str,
    days: int | None,
    issued_after: PartnerLink | None,
    now: datetime,
) -> tuple[PartnerLink, str]:
    token = secrets.token_urlsafe(32)
    PartnerLink.objects.filter(
        referral_id=referral.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now, updated_at=now)
    link = PartnerLink.objects.create(
        referral=referral,
        digest=token_digest(token),
        purpose=purpose,
        expires_at=now + timedelta(days=days or _link_days()),
        sent_to=sent_to.strip()[:200],
        created_by=created_by,
        issued_after=issued_after,
    )
    ReferralEvent.objects.create(
        referral=referral,
        at=now,
        from_status=referral.status,
        to_status=referral.status,
        kind="link_sent",
        by_user=created_by,
        partner_link=link,
        detail={"purpose": purpose, "expires_at": link.expires_at.isoformat(), "sent_to": sent_to},
    )
    audit_record(
        actor=created_by,
        action=Action.CREATE,
        obj=link,
        client_id=referral.client_id,
        organization_id=referral.organization_id,
        changes={
            "referral": [None, str(referral.pk)],
            "purpose": [None, purpose],
            "expires_at": [None, link.expires_at],
            "sent_to": [None, link.sent_to],
            "issued_after": [None, str(issued_after.pk) if issued_after else None],
        },
    )
    return link, reverse("coordination:partner", args=[token])


@transaction.atomic
def partner_link_issue(
    *,
    acting_user: User,
    referral: Referral,
    sent_to: str = "",
    days: int | None = None,
    now: datetime | None = None,
) -> tuple[PartnerLink, str]:
    """Issue a single-use link for the provider to act on the referral without an account.

    Purpose ``respond`` (accept or reject) while the referral is requested, ``update`` (schedule,
    start, hold, complete, fail) once accepted, in progress or on hold; refused otherwise (409
    ``link_not_allowed``). It expires after ``PARTNER_LINK_DAYS`` (14 days; see the constant) and
    earlier unused links of the referral stop working. Only the token's SHA-256 digest is kept:
    the returned URL path ``/partner/<token>/`` is shown once.
    """
    now = now or timezone.now()
    referral_case_get(user=acting_user, case_id=referral.case_id, for_update=True)
    locked = _lock(referral)
    purpose = link_purpose_for(locked.status)
    if purpose is None:
        raise Conflict(
            f"A partner link can only be made for a sent or accepted referral; this one is "
            f"{locked.get_status_display().lower()}.",
            code="link_not_allowed",
            errors=[field_error("status", locked.status)],
        )
    if days is not None and not 1 <= days <= 60:
        raise ValidationFailed(
            "A link lasts 1 to 60 days.", errors=[field_error("days", "between 1 and 60")]
        )
    return _issue_link(
        locked,
        purpose=purpose,
        created_by=acting_user,
        sent_to=sent_to,
        days=days,
        issued_after=None,
        now=now,
    )


@dataclass
class PartnerResult:
    referral: Referral
    link: PartnerLink
    next_link: PartnerLink | None
    next_url: str | None


def partner_link_use(
    *,
    link: PartnerLink,
    action: str,
    partner_name: str,
    reason: str = "",
    outcome: str = "",
    outcome_code: str = "",
    scheduled_for: datetime | None = None,
    location: str = "",
    now: datetime | None = None,
) -> PartnerResult:
    """A partner acts through a link (from ``selectors.partner_link_for_token``).

    The link is consumed by one ``UPDATE … WHERE used_at IS NULL AND revoked_at IS NULL AND
    expires_at > now``: of two concurrent uses exactly one wins, and an expired, revoked or used
    link is refused (409 ``link_gone``; the page answers 410) with nothing changed. Invalid input
    rolls the consumption back, so the partner can correct it. While the referral still awaits the
    partner (accepted, in progress, on hold) the next link (purpose ``update``) is issued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        consumed = PartnerLink.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, used_for=action[:20], updated_at=now, version=F("version") + 1)
        if consumed != 1:
            raise Conflict(
                "This link has expired or has already been used; ask the case manager for a "
                "new one.",
                code="link_gone",
            )
        link.refresh_from_db()
        partner_name = partner_name.strip()[:200]
        errors = []
        actions = PARTNER_ACTIONS.get(link.purpose, {})
        if action not in actions:
            errors.append(field_error("action", f"one of {', '.join(actions)}"))
        if not partner_name:
            errors.append(field_error("partner_name", "say who is responding"))
        if errors:
            raise ValidationFailed("Nothing was saved.", errors=errors)
        referral = _lock(link.referral)
        to_status = actions[action]
        if to_status is None:
            _schedule(
                referral,
                scheduled_for=scheduled_for,
                location=location,
                partner_name=partner_name,
                link=link,
                now=now,
            )
        else:
            _move(
                referral,
                to_status,
                acting_user=None,
                expected_version=None,
                reason=reason,
                outcome=outcome,
                outcome_code=outcome_code,
                partner_name=partner_name,
                partner_link=link,
                now=now,
            )
        audit_record(
            actor=None,
            action=Action.UPDATE,
            obj=link,
            client_id=referral.client_id,
            organization_id=referral.organization_id,
            changes={"used_at": [None, now], "used_for": ["", action]},
            detail={"by_partner": partner_name, "referral_id": str(referral.pk)},
        )
        next_link, next_url = None, None
        if referral.status in AWAITING_PARTNER:
            next_link, next_url = _issue_link(
                referral,
                purpose="update",
                created_by=None,
                sent_to=link.sent_to,
                days=None,
                issued_after=link,
                now=now,
            )
    return PartnerResult(referral=referral, link=link, next_link=next_link, next_url=next_url)


def _schedule(
    referral: Referral,
    *,
    scheduled_for: datetime | None,
    location: str,
    partner_name: str,
    link: PartnerLink,
    now: datetime,
) -> None:
    """The partner booked the client: the time and place go on the referral and on a booked
    Appointment of the case (``referral`` set, with the provider), kept as one row per referral."""
    location = location.strip()[:300]
    if scheduled_for is None:
        raise ValidationFailed(
            "Give the date and time of the appointment.",
            errors=[field_error("scheduled_for", "required")],
        )
    diff = update_versioned(
        referral,
        expected_version=None,
        scheduled_for=scheduled_for,
        scheduled_location=location,
        last_update_at=now,
    )
    diff.pop("last_update_at", None)
    ReferralEvent.objects.create(
        referral=referral,
        at=now,
        from_status=referral.status,
        to_status=referral.status,
        kind="scheduled",
        by_partner=partner_name,
        partner_link=link,
        detail={"scheduled_for": scheduled_for.isoformat(), "location": location},
    )
    audit_record(
        actor=None,
        action=Action.UPDATE,
        obj=referral,
        client_id=referral.client_id,
        organization_id=referral.organization_id,
        changes=diff,
        detail=_partner_detail(partner_name, link),
    )
    _appointment_for_referral(referral, starts_at=scheduled_for, location=location)
    _resolve_follow_ups(referral, acting_user=None, note="Partner scheduled the client")


def _appointment_for_referral(referral: Referral, *, starts_at: datetime, location: str) -> None:
    ends_at = starts_at + timedelta(minutes=SCHEDULED_APPOINTMENT_MINUTES)
    existing = Appointment.objects.filter(
        referral_id=referral.pk, status=AppointmentStatus.BOOKED
    ).first()
    if existing is not None:
        diff = update_versioned(
            existing, expected_version=None, starts_at=starts_at, ends_at=ends_at, location=location
        )
        audit_record(
            actor=None,
            action=Action.UPDATE,
            obj=existing,
            client_id=referral.client_id,
            organization_id=referral.organization_id,
            changes=diff,
            detail={"referral_id": str(referral.pk)},
        )
        return
    appointment = Appointment.objects.create(
        organization_id=referral.organization_id,
        case_id=referral.case_id,
        client_id=referral.client_id,
        title=referral.service.name[:200],
        with_whom=referral.provider.name[:200],
        service=referral.service,
        referral=referral,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        status=AppointmentStatus.BOOKED,
    )
    audit_record(
        actor=None,
        action=Action.CREATE,
        obj=appointment,
        client_id=referral.client_id,
        organization_id=referral.organization_id,
        changes={
            "referral": [None, str(referral.pk)],
            "starts_at": [None, starts_at],
            "ends_at": [None, ends_at],
            "with_whom": [None, appointment.with_whom],
            "location": [None, location],
            "status": [None, AppointmentStatus.BOOKED],
        },
    )


def referral_follow_ups_create(*, now: datetime | None = None) -> int:
    """Put a follow-up on the queue for every open referral (requested, accepted, in progress, on
    hold) with no update for longer than its program's model says (``referral_followup_days``:
    7 days for brokerage and intensive, 10 for integrated, 14 for clinical and strengths-based --
    see casework/programs/standard_models.py and docs/models.md).

    The rule now runs in the monitoring sweep engine (``casework.monitoring.rules.coordination``,
    its days from the model's ``referral_follow_up`` prompt rule); this runs that rule alone.
    One item
    per referral per silence period: the source id is ``<referral id>:<version>``, so a second
    run makes nothing, and a referral that is updated (a new version) and goes silent again gets
    a new one. It goes to the case manager, or the team's supervisor when there is none.
    Returns how many were created.
    """
    from casework.monitoring.sweep import sweep_run

    report = sweep_run(now=now, kinds=[FOLLOW_UP_KIND])
    return report.of(FOLLOW_UP_KIND).created
