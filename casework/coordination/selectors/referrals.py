"""Reads of referrals, scoped to staff who may work the case (case manager, care team,
supervisor). Intake workers see the intake pipeline but do not refer clients to services: they
get 404, like for contacts (``casework.encounters.selectors.contact_case_get``)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from casework.accounts.models import Role
from casework.careplans.models import Intervention, Need
from casework.cases.models import Case
from casework.cases.selectors import case_get, cases_visible_to
from casework.coordination.directory import directory_domains_for
from casework.coordination.models import PartnerLink, Referral, ReferralEvent, ResourceService
from casework.core.errors import NotFound

NOT_REFERRERS = {Role.INTAKE}

_RELATED = ("case", "client", "service", "provider", "created_by", "consent", "authorization")


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a partner link's token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def referral_case_get(*, user: Any, case_id: UUID | str, for_update: bool = False) -> Case:
    """A case the user may make referrals on, or 404."""
    if getattr(user, "role", None) in NOT_REFERRERS:
        raise NotFound("Case not found.")
    return case_get(user=user, case_id=case_id, for_update=for_update)


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    if getattr(user, "role", None) in NOT_REFERRERS:
        return Referral.objects.none()
    return Referral.objects.filter(case__in=cases_visible_to(user))


def referral_get(*, user: Any, referral_id: UUID | str, for_update: bool = False) -> Referral:
    queryset = referrals_visible_to(user).select_related(*_RELATED, "case__program")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Referral not found.") from exc


def referrals_for_case(*, case: Case) -> QuerySet[Referral]:
    """The referrals of a case already fetched through an access-scoped selector."""
    return Referral.objects.filter(case_id=case.pk).select_related(*_RELATED)


def referral_list(
    *, user: Any, status: list[str] | None = None, open_only: bool = False, mine: bool = False
) -> QuerySet[Referral]:
    """The user's referrals across the cases they may see; ``mine``: made by them or on their
    own caseload."""
    from casework.coordination.services.referrals import OPEN_STATUSES

    queryset = referrals_visible_to(user).select_related(*_RELATED)
    if status:
        queryset = queryset.filter(status__in=status)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if mine:
        queryset = queryset.filter(Q(created_by_id=user.id) | Q(case__case_manager_id=user.id))
    return queryset


def referral_events(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("by_user").order_by("at", "id")


def referral_services(
    *, user: Any, need_domain: str = "", q: str = "", limit: int = 50
) -> list[ResourceService]:
    """Active services of the user's directory a referral may go to, filtered by the directory
    domains that serve the need's domain (``directory_domains_for``) and a search text (name,
    provider, description)."""
    if user.organization_id is None:
        return []
    rows = ResourceService.objects.filter(
        organization_id=user.organization_id, is_active=True, provider__is_active=True
    ).select_related("provider")
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(provider__name__icontains=q) | Q(description__icontains=q)
        )
    # A need domain the directory does not know (free text in a plan) filters nothing.
    wanted = set(directory_domains_for(need_domain))
    found = []
    for service in rows.order_by("name", "id"):
        if wanted and not wanted & set(service.needs or []):
            continue
        found.append(service)
        if len(found) >= limit:
            break
    return found


def needs_for_case(*, case: Case) -> QuerySet[Need]:
    """Needs of the care plans of a case already fetched through an access-scoped selector."""
    return Need.objects.filter(plan__case_id=case.pk).order_by("priority", "created_at", "id")


def interventions_for_case(*, case: Case) -> QuerySet[Intervention]:
    return Intervention.objects.filter(plan__case_id=case.pk).order_by("created_at", "id")


def partner_link_for_token(token: str) -> PartnerLink:
    """The link a token names (used, expired or revoked ones too), or ``NotFound``. Only the
    digest is stored, so the lookup is by digest."""
    if not token or len(token) > 200:
        raise NotFound("No such link.")
    link = (
        PartnerLink.objects.filter(digest=token_digest(token))
        .select_related(
            "referral",
            "referral__client",
            "referral__service",
            "referral__provider",
            "referral__created_by",
            "referral__case",
            "referral__case__case_manager",
        )
        .first()
    )
    if link is None:
        raise NotFound("No such link.")
    return link


# The minimum necessary for a provider to contact the client and deliver the service (HIPAA
# 45 CFR 164.502(b)): who the client is and how to reach them in their language, what is asked
# and who asks. Not disclosed: date of birth (a strong identifier with no use for booking a
# pantry visit or a class; if the provider must match records it confirms identity with the client
# on the phone), address, diagnoses, the care plan, other referrals.
PARTNER_FIELDS = (
    "client_name",
    "preferred_language",
    "interpreter_needed",
    "client_phone",
    "service",
    "provider",
    "reason",
    "note_to_recipient",
    "priority",
    "status",
    "scheduled_for",
    "scheduled_location",
    "referred_by",
    "referred_by_phone",
    "referred_by_email",
)


def partner_disclosure(link: PartnerLink) -> dict[str, Any]:
    """What the partner page shows of the referral of ``link`` -- exactly ``PARTNER_FIELDS``."""
    referral = link.referral
    client = referral.client
    staff = referral.created_by or referral.case.case_manager
    shown = {
        "client_name": client.full_name,
        "preferred_language": client.preferred_language,
        "interpreter_needed": client.interpreter_needed,
        "client_phone": client.phone,
        "service": referral.service.name,
        "provider": referral.provider.name,
        "reason": referral.reason,
        "note_to_recipient": referral.note_to_recipient,
        "priority": referral.get_priority_display(),
        "status": referral.get_status_display(),
        "scheduled_for": referral.scheduled_for,
        "scheduled_location": referral.scheduled_location,
        "referred_by": staff.display_name if staff else "",
        "referred_by_phone": staff.phone if staff else "",
        "referred_by_email": staff.email if staff else "",
    }
    return shown
