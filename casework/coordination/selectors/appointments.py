"""Reads of appointments and calendar feeds, scoped to staff who may work the case.

Intake workers see the intake pipeline but do not work cases, so they see no appointments
(the same rule as contacts).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.accounts.models import Role, User
from casework.cases.models import CareTeamMember, CareTeamMemberKind, Case
from casework.cases.selectors import care_team_current_q, case_get, cases_visible_to
from casework.coordination.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    Referral,
    ReferralStatus,
)
from casework.core.errors import NotFound

NOT_CASE_WORKERS = {Role.INTAKE}
CASE_WORKER_ROLES = [Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN]

# The calendar feed's window. A month back keeps last weeks' appointments on a phone for
# reference; six months ahead covers the appointments specialists book (typically weeks to a few
# months out) without publishing a client's whole future.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180

# "Needs attendance": booked appointments that started within this many days and nobody has
# marked attended, no-show or cancelled yet (older ones are still listed on the appointments page).
ATTENDANCE_LOOKBACK_DAYS = 60

APPOINTMENT_RELATED = ("case", "client", "accompanied_by", "care_team_member", "service")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def appointment_case_get(*, user: Any, case_id: UUID | str, for_update: bool = False) -> Case:
    """A case the user may book appointments on (case manager, care team, supervisor), or 404."""
    if getattr(user, "role", None) in NOT_CASE_WORKERS:
        raise NotFound("Case not found.")
    return case_get(user=user, case_id=case_id, for_update=for_update)


def appointments_visible_to(user: Any) -> QuerySet[Appointment]:
    if getattr(user, "role", None) in NOT_CASE_WORKERS:
        return Appointment.objects.none()
    return Appointment.objects.filter(case__in=cases_visible_to(user))


def appointment_get(
    *, user: Any, appointment_id: UUID | str, for_update: bool = False
) -> Appointment:
    queryset = appointments_visible_to(user).select_related(
        *APPOINTMENT_RELATED, "case__program", "case__program__model", "case__case_manager"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Appointment not found.") from exc


def appointments_for_case(
    *,
    case: Case,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    status: list[str] | None = None,
) -> QuerySet[Appointment]:
    """The appointments of a case already fetched through an access-scoped selector."""
    queryset = Appointment.objects.filter(case_id=case.pk).select_related(*APPOINTMENT_RELATED)
    if starts_from is not None:
        queryset = queryset.filter(starts_at__gte=starts_from)
    if starts_to is not None:
        queryset = queryset.filter(starts_at__lt=starts_to)
    if status:
        queryset = queryset.filter(status__in=status)
    return queryset


def appointments_of(
    *, user: Any, starts_from: datetime | None = None, starts_to: datetime | None = None
) -> QuerySet[Appointment]:
    """The user's own appointments across cases: those of the cases they manage and those they
    accompany, on cases they may see. Entered-in-error ones are left out."""
    queryset = (
        appointments_visible_to(user)
        .filter(Q(case__case_manager_id=user.pk) | Q(accompanied_by_id=user.pk))
        .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
        .select_related(*APPOINTMENT_RELATED)
    )
    if starts_from is not None:
        queryset = queryset.filter(starts_at__gte=starts_from)
    if starts_to is not None:
        queryset = queryset.filter(starts_at__lt=starts_to)
    return queryset.order_by("starts_at", "id")


def feed_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - timedelta(days=FEED_DAYS_BACK), now + timedelta(days=FEED_DAYS_AHEAD)


def calendar_feed_active(*, user: Any) -> CalendarFeed | None:
    """The user's feed in force (creating one revokes the others), if any."""
    return (
        CalendarFeed.objects.filter(user_id=user.pk, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def calendar_feed_for_token(token: str) -> CalendarFeed:
    """The feed a secret URL names, or ``NotFound`` (unknown, revoked, or its user inactive)."""
    try:
        return CalendarFeed.objects.select_related("user").get(
            digest=token_digest(token), revoked_at__isnull=True, user__is_active=True
        )
    except CalendarFeed.DoesNotExist as exc:
        raise NotFound("Calendar feed not found.") from exc


def accompaniment_candidates(*, case: Case) -> QuerySet[User]:
    """Staff who could go with the client: the case manager, staff on the care team, and the
    members of the team holding the case (the service checks that they may see the case)."""
    on_team = CareTeamMember.objects.filter(
        care_team_current_q(), case_id=case.pk, kind=CareTeamMemberKind.STAFF
    ).values("user_id")
    return (
        User.objects.filter(
            organization_id=case.organization_id, is_active=True, role__in=CASE_WORKER_ROLES
        )
        .filter(
            Q(pk=case.case_manager_id)
            | Q(pk__in=on_team)
            | Q(team_memberships__team_id=case.team_id)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def care_team_choices(*, case: Case) -> QuerySet[CareTeamMember]:
    return (
        CareTeamMember.objects.filter(care_team_current_q(), case_id=case.pk)
        .select_related("user")
        .order_by("kind", "name", "created_at")
    )


def referral_choices(*, case: Case) -> QuerySet[Referral]:
    """Referrals of a case (already fetched through a scoped selector) an appointment may follow."""
    return (
        Referral.objects.filter(case_id=case.pk)
        .exclude(status=ReferralStatus.ENTERED_IN_ERROR)
        .select_related("service")
        .order_by("-created_at")
    )
