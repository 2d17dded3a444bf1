"""Writes of consents: record a client's consent to share, and revoke it.

A consent (FHIR R4 Consent, provision ``permit``) lets the agency disclose the client's
information to the listed directory organizations -- or to any organization of its directory --
for the listed purposes within a period. Revoking it does not undo disclosures already made
(referrals already sent stay sent), but every later send is checked again and refused.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.clients.models import Client
from casework.clients.selectors import client_get
from casework.consent.models import Consent, ConsentMethod, ConsentPurpose, ConsentStatus
from casework.coordination.models import ResourceOrganization
from casework.core.errors import Conflict, ValidationFailed, field_error
from casework.core.versioning import update_versioned


@transaction.atomic
def consent_record(
    *,
    acting_user: User,
    client: Client,
    purposes: list[str],
    method: str,
    signed_on: date,
    period_start: date | None = None,
    period_end: date | None = None,
    recipient_ids: list[Any] | None = None,
    all_directory_recipients: bool = False,
    witness_name: str = "",
    note: str = "",
) -> Consent:
    """Record a consent the client gave. Whoever may see the client may record it (intake
    workers too: consent is part of intake).

    Rules: at least one purpose of use (HL7 v3 ActReason); recipients are organizations of the
    agency's own resource directory, at least one unless the client permits any directory
    organization; the period starts on the day signed unless given, and ends on or after it; the
    signature is not in the future; a verbal consent names its witness.
    """
    client = client_get(user=acting_user, client_id=client.pk)
    errors: list[dict[str, Any]] = []
    purposes = list(dict.fromkeys(purposes or []))
    if not purposes:
        errors.append(field_error("purposes", "choose at least one purpose"))
    for code in purposes:
        if code not in ConsentPurpose.values:
            known = ", ".join(ConsentPurpose.values)
            errors.append(field_error("purposes", f"unknown purpose {code}; one of {known}"))
    if method not in ConsentMethod.values:
        errors.append(field_error("method", f"must be one of {', '.join(ConsentMethod)}"))
    today = timezone.localdate()
    if signed_on > today:
        errors.append(field_error("signed_on", "cannot be in the future"))
    start = period_start or signed_on
    if period_end is not None and period_end < start:
        errors.append(field_error("period_end", "must be on or after the start"))
    wanted = {str(pk) for pk in recipient_ids or []}
    recipients = list(
        ResourceOrganization.objects.filter(organization_id=client.organization_id, pk__in=wanted)
    )
    if len(recipients) != len(wanted):
        errors.append(field_error("recipient_ids", "recipients must be in your resource directory"))
    if not recipients and not all_directory_recipients:
        errors.append(
            field_error("recipient_ids", "name a recipient, or permit any directory organization")
        )
    if method == ConsentMethod.VERBAL and not witness_name.strip():
        errors.append(field_error("witness_name", "a verbal consent needs its witness"))
    if errors:
        raise ValidationFailed("The consent is not valid; nothing was saved.", errors=errors)
    consent = Consent.objects.create(
        organization_id=client.organization_id,
        client=client,
        status=ConsentStatus.ACTIVE,
        purposes=purposes,
        all_directory_recipients=all_directory_recipients,
        period_start=start,
        period_end=period_end,
        method=method,
        signed_on=signed_on,
        witness_name=witness_name.strip(),
        note=note.strip(),
        recorded_by=acting_user,
    )
    consent.recipients.set(recipients)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=consent,
        client_id=client.pk,
        changes={
            "status": [None, consent.status],
            "purposes": [None, purposes],
            "recipients": [None, sorted(str(r.pk) for r in recipients)],
            "all_directory_recipients": [None, all_directory_recipients],
            "period_start": [None, start],
            "period_end": [None, period_end],
            "method": [None, method],
            "signed_on": [None, signed_on],
        },
    )
    return consent


@transaction.atomic
def consent_revoke(
    *,
    acting_user: User,
    consent: Consent,
    expected_version: int,
    reason: str,
    now: datetime | None = None,
) -> Consent:
    """The client withdraws a consent: it becomes inactive from now on (a stale version is a
    409). Referrals already sent under it stay sent; new sends are refused."""
    client_get(user=acting_user, client_id=consent.client_id)
    if not reason.strip():
        raise ValidationFailed(
            "Say why the consent was revoked.", errors=[field_error("reason", "required")]
        )
    if consent.status != ConsentStatus.ACTIVE:
        raise Conflict(
            f"This consent is {consent.get_status_display().lower()}, not active.",
            code="consent_not_active",
            errors=[field_error("status", consent.status)],
        )
    changes = update_versioned(
        consent,
        expected_version=expected_version,
        status=ConsentStatus.INACTIVE,
        revoked_at=now or timezone.now(),
        revoked_reason=reason.strip(),
    )
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=consent,
        client_id=consent.client_id,
        changes=changes,
    )
    return consent
