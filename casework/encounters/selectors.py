"""Reads of contacts, scoped to staff who may work the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from casework.accounts.models import Role
from casework.careplans.models import Goal
from casework.cases.models import Case
from casework.cases.selectors import case_get, cases_visible_to
from casework.core.errors import NotFound
from casework.encounters.models import BillingRule, Contact, ContactOutcome, ContactStatus

# Intake workers see the intake pipeline but do not work cases; they log no contacts.
NOT_CASE_WORKERS = {Role.INTAKE}


def contact_case_get(*, user: Any, case_id: UUID | str, for_update: bool = False) -> Case:
    """A case the user may log contacts on (case manager, care team, supervisor), or 404."""
    if getattr(user, "role", None) in NOT_CASE_WORKERS:
        raise NotFound("Case not found.")
    return case_get(user=user, case_id=case_id, for_update=for_update)


def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    if getattr(user, "role", None) in NOT_CASE_WORKERS:
        return Contact.objects.none()
    return Contact.objects.filter(case__in=cases_visible_to(user))


def contact_get(*, user: Any, contact_id: UUID | str) -> Contact:
    try:
        return (
            contacts_visible_to(user)
            .select_related("case", "staff")
            .prefetch_related("goals")
            .get(pk=contact_id)
        )
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Contact not found.") from exc


def contacts_for_case(*, case: Case) -> QuerySet[Contact]:
    """The contacts of a case already fetched through an access-scoped selector."""
    return case.contacts.select_related("staff").prefetch_related("goals")


def goals_for_case(*, case: Case) -> QuerySet[Goal]:
    """The goals a contact on ``case`` (already fetched through a scoped selector) may link."""
    return Goal.objects.filter(plan__case_id=case.pk).order_by("priority", "created_at", "id")


def billing_rule_for(case: Case) -> BillingRule:
    """The program's rule, else the organization's, else an unsaved rule with the defaults."""
    rule = (
        BillingRule.objects.filter(organization_id=case.organization_id)
        .filter(program_id__in=[case.program_id])
        .first()
    )
    if rule is None:
        rule = BillingRule.objects.filter(
            organization_id=case.organization_id, program__isnull=True
        ).first()
    return rule or BillingRule(organization_id=case.organization_id)


def contacts_since_subquery(since: datetime) -> Any:
    """Annotatable on ``Case``: its successful contacts (not entered in error) since ``since``."""
    counts = (
        Contact.objects.filter(
            case_id=OuterRef("pk"),
            outcome=ContactOutcome.SUCCESSFUL,
            status=ContactStatus.FINAL,
            started_at__gte=since,
        )
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))
