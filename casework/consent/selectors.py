"""Reads of consents, scoped through the clients the acting user may see."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.clients.models import Client
from casework.clients.selectors import clients_visible_to
from casework.consent.models import Consent, ConsentPurpose, ConsentStatus
from casework.coordination.models import ResourceOrganization
from casework.core.errors import NotFound

# Purposes of use that cover sending a referral: care management, coordination of care, and
# treatment (HL7 v3 ActReason). Payment alone does not.
REFERRAL_PURPOSES = {ConsentPurpose.CAREMGT, ConsentPurpose.COC, ConsentPurpose.TREAT}


def consents_visible_to(user: Any) -> QuerySet[Consent]:
    return Consent.objects.filter(client__in=clients_visible_to(user))


def consent_get(*, user: Any, consent_id: UUID | str) -> Consent:
    """A consent of a client the user may see, or ``NotFound``."""
    try:
        return (
            consents_visible_to(user)
            .select_related("client", "recorded_by")
            .prefetch_related("recipients")
            .get(pk=consent_id)
        )
    except (Consent.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Consent not found.") from exc


def consents_for_client(*, client: Client) -> QuerySet[Consent]:
    """The consents of a client already fetched through an access-scoped selector."""
    return (
        Consent.objects.filter(client_id=client.pk)
        .select_related("recorded_by")
        .prefetch_related("recipients")
    )


def consent_covers(consent: Consent, *, provider_id: Any, on: date) -> bool:
    """Whether ``consent`` permits disclosure to the directory organization on day ``on``."""
    if consent.status != ConsentStatus.ACTIVE:
        return False
    if consent.period_start > on or (consent.period_end is not None and consent.period_end < on):
        return False
    if not REFERRAL_PURPOSES.intersection(consent.purposes or []):
        return False
    if consent.all_directory_recipients:
        return True
    return any(recipient.pk == provider_id for recipient in consent.recipients.all())


def consent_covering(*, client_id: Any, provider_id: Any, on: date | None = None) -> Consent | None:
    """The client's active consent that covers sharing with ``provider_id`` today (``on``), for
    a care-management, coordination-of-care or treatment purpose; the most recently signed wins.

    Purposes are checked in Python: a client has a handful of consents, and JSON ``contains`` is
    not available on SQLite.
    """
    day = on or timezone.localdate()
    candidates = (
        Consent.objects.filter(client_id=client_id, status=ConsentStatus.ACTIVE)
        .filter(period_start__lte=day)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=day))
        .filter(Q(all_directory_recipients=True) | Q(recipients__id=provider_id))
        .distinct()
        .prefetch_related("recipients")
        .order_by("-signed_on", "-created_at")
    )
    for consent in candidates:
        if consent_covers(consent, provider_id=provider_id, on=day):
            return consent
    return None


def directory_providers(*, user: Any) -> QuerySet[ResourceOrganization]:
    """Active organizations of the user's resource directory a consent may name."""
    if getattr(user, "organization_id", None) is None:
        return ResourceOrganization.objects.none()
    return ResourceOrganization.objects.filter(
        organization_id=user.organization_id, is_active=True
    ).order_by("name", "id")
