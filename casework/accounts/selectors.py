"""Reads about staff: who supervises what, who can carry a program's cases."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.accounts.models import Role, Team, TeamMembership, User


def teams_supervised_by(user: User) -> QuerySet[Team]:
    return Team.objects.filter(
        memberships__user=user, memberships__is_supervisor=True, organization=user.organization_id
    )


def team_members(team: Team) -> QuerySet[User]:
    return User.objects.filter(team_memberships__team=team, is_active=True).order_by(
        "last_name", "first_name"
    )


def is_supervisor_of(*, user: User, case_manager: User) -> bool:
    return TeamMembership.objects.filter(
        team__memberships__user=case_manager,
        user=user,
        is_supervisor=True,
    ).exists()


def staff_of_organization(user: User) -> QuerySet[User]:
    return User.objects.filter(organization=user.organization_id, is_active=True)


def can_manage_assignments(user: User) -> bool:
    return user.role in {Role.SUPERVISOR, Role.PROGRAM_ADMIN, Role.INTAKE}


def staff_supervised_by(user: User) -> QuerySet[User]:
    """Active members of the teams ``user`` supervises (themselves included)."""
    return (
        User.objects.filter(
            team_memberships__team__in=teams_supervised_by(user).values("pk"), is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
