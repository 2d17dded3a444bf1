"""Reads of coverage and authorizations, scoped through the clients the acting user may see.

Units used are counted, never typed in: an authorization that ``counts_contacts`` is used by the
billing units of the final, billable contacts of its case (or, with no case, of its client) that
started within its period; any authorization is used by the units of the referrals linked to it --
completed referrals have *used* theirs, open ones (requested … on-hold) have *committed* theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from casework.clients.selectors import clients_visible_to
from casework.coordination.models import Referral, ReferralStatus
from casework.core.errors import NotFound
from casework.coverage.models import Authorization, Coverage
from casework.encounters.models import Contact, ContactStatus

# Referral statuses whose units count: open ones have committed their units, completed ones used.
REFERRAL_COMMITTED = [
    ReferralStatus.REQUESTED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.ON_HOLD,
]
REFERRAL_USED = [ReferralStatus.COMPLETED]


@dataclass(frozen=True)
class Usage:
    approved: int
    used_by_contacts: int
    used_by_referrals: int
    committed_by_referrals: int

    @property
    def used(self) -> int:
        return self.used_by_contacts + self.used_by_referrals

    @property
    def remaining(self) -> int:
        """Approved units not yet used or committed (negative when over the authorization)."""
        return self.approved - self.used - self.committed_by_referrals

    @property
    def over(self) -> bool:
        return self.remaining < 0


def coverages_visible_to(user: Any) -> QuerySet[Coverage]:
    return Coverage.objects.filter(client__in=clients_visible_to(user))


def authorizations_visible_to(user: Any) -> QuerySet[Authorization]:
    return Authorization.objects.filter(client__in=clients_visible_to(user))


def authorization_get(*, user: Any, authorization_id: UUID | str) -> Authorization:
    try:
        return (
            with_usage(authorizations_visible_to(user))
            .select_related("coverage", "case")
            .get(pk=authorization_id)
        )
    except (Authorization.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Authorization not found.") from exc


def _sum(queryset: QuerySet[Any], field: str, group: str) -> Any:
    total = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def with_usage(queryset: QuerySet[Authorization]) -> QuerySet[Authorization]:
    """Annotate ``units_by_contacts``, ``units_by_referrals`` and ``units_committed`` in the same
    query as the authorizations (a list costs one query, not one per row)."""
    # With a case: that case's contacts. With none: every contact of the client.
    by_case = _sum(
        Contact.objects.filter(
            status=ContactStatus.FINAL,
            billable=True,
            case_id=OuterRef("case_id"),
            started_at__date__gte=OuterRef("period_start"),
            started_at__date__lte=OuterRef("period_end"),
        ),
        "billing_units",
        "case_id",
    )
    by_client = _sum(
        Contact.objects.filter(
            status=ContactStatus.FINAL,
            billable=True,
            client_id=OuterRef("client_id"),
            started_at__date__gte=OuterRef("period_start"),
            started_at__date__lte=OuterRef("period_end"),
        ),
        "billing_units",
        "client_id",
    )
    referrals = Referral.objects.filter(authorization_id=OuterRef("pk"))
    return queryset.annotate(
        units_by_case_contacts=by_case,
        units_by_client_contacts=by_client,
        units_by_referrals=_sum(
            referrals.filter(status__in=REFERRAL_USED), "units", "authorization_id"
        ),
        units_committed=_sum(
            referrals.filter(status__in=REFERRAL_COMMITTED), "units", "authorization_id"
        ),
    )


def usage_of(authorization: Authorization) -> Usage:
    """The usage of an authorization fetched through ``with_usage`` (or counted now if not)."""
    if not hasattr(authorization, "units_by_referrals"):
        authorization = with_usage(Authorization.objects.filter(pk=authorization.pk)).get()
    contacts = 0
    if authorization.counts_contacts:
        contacts = (
            authorization.units_by_case_contacts  # type: ignore[attr-defined]
            if authorization.case_id
            else authorization.units_by_client_contacts  # type: ignore[attr-defined]
        )
    return Usage(
        approved=authorization.units_approved,
        used_by_contacts=int(contacts or 0),
        used_by_referrals=int(authorization.units_by_referrals or 0),  # type: ignore[attr-defined]
        committed_by_referrals=int(authorization.units_committed or 0),  # type: ignore[attr-defined]
    )


def coverage_get(*, user: Any, coverage_id: UUID | str) -> Coverage:
    try:
        return coverages_visible_to(user).select_related("client").get(pk=coverage_id)
    except (Coverage.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Coverage not found.") from exc


def coverages_for_client(*, client: Any) -> QuerySet[Coverage]:
    """The coverages of a client already fetched through ``client_get``, primary first."""
    return Coverage.objects.filter(client_id=client.pk).order_by("order", "-period_start", "id")


def authorizations_for_coverage(*, coverage: Coverage) -> QuerySet[Authorization]:
    """The authorizations of a coverage fetched through a scoped selector, with their usage
    counted in the same query."""
    return with_usage(
        Authorization.objects.filter(coverage_id=coverage.pk).select_related("case__program")
    )


def authorizations_for_client(*, client: Any) -> QuerySet[Authorization]:
    """Every authorization of a client fetched through ``client_get``, with usage."""
    return with_usage(
        Authorization.objects.filter(client_id=client.pk).select_related("case__program")
    )


def cases_of_client(*, user: Any, client: Any) -> QuerySet[Any]:
    """The client's cases the user may see, to bind an authorization to one of them."""
    from casework.cases.selectors import cases_visible_to

    return cases_visible_to(user).filter(client_id=client.pk).select_related("program")
