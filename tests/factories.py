"""Plain factory functions for tests: each builds one real record through the services."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from casework.accounts.models import Credential, Organization, Team, TeamMembership, User
from casework.accounts.services import organization_get_or_create, team_add_member, user_create
from casework.careplans.models import CarePlan
from casework.careplans.services import (
    goal_add,
    plan_agree,
    plan_approve,
    plan_create,
    strength_add,
)
from casework.cases.models import Case
from casework.cases.services import case_create, case_transition
from casework.clients.models import Client
from casework.clients.services import client_create
from casework.programs.models import CaseManagementModel, Program
from casework.programs.services import program_create

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def organization(slug: str = "acme", name: str | None = None) -> Organization:
    return organization_get_or_create(slug=slug, name=name or slug.title())


def staff(
    username: str,
    *,
    org: Organization,
    role: str = "case_manager",
    team: Team | None = None,
    supervisor: bool = False,
    languages: list[str] | None = None,
    credentials: list[str] | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    user = user_create(
        username=username,
        role=role,
        organization=org,
        password=PASSWORD,
        first_name=first_name or username.title(),
        last_name=last_name,
        languages=languages or ["en"],
    )
    if team is not None:
        team_add_member(team=team, user=user, is_supervisor=supervisor)
    for kind in credentials or []:
        Credential.objects.create(user=user, kind=kind)
    return user


def team(name: str, *, org: Organization) -> Team:
    return Team.objects.create(organization=org, name=name)


def model(org: Organization, kind: str = "brokerage") -> CaseManagementModel:
    return CaseManagementModel.objects.get(organization=org, kind=kind)


def program(
    name: str = "Care Coordination",
    *,
    org: Organization,
    kind: str = "brokerage",
    teams: list[Team] | None = None,
    **kwargs: Any,
) -> Program:
    created = program_create(
        organization=org, name=name, model=model(org, kind), acting_user=None, **kwargs
    )
    for item in teams or []:
        created.teams.add(item)
    return created


def client(
    by: User,
    *,
    given_name: str | None = None,
    family_name: str | None = None,
    birth_date: date = date(1980, 5, 1),
    **data: Any,
) -> Client:
    n = next(_counter)
    created, _ = client_create(
        acting_user=by,
        data={
            "given_name": given_name or f"Given{n:04d}",
            "family_name": family_name or f"Zfamily{n:04d}x",
            "birth_date": birth_date,
            **data,
        },
    )
    return created


def case(by: User, *, client: Client, program: Program, to: str | None = None) -> Case:
    """A case for ``client`` in ``program``, walked forward to status ``to`` by ``by``."""
    created = case_create(acting_user=by, client=client, program=program)
    path = ["screening", "intake", "assessment", "planning", "active"]
    if to and to != "referred":
        for step in path:
            if step == "active":
                agreed_plan(by, case=created)
            created = case_transition(acting_user=by, case=created, to_status=step)
            if step == to:
                break
    return created


def agreed_plan(by: User, *, case: Case, goal: str = "I want to feel settled at home") -> CarePlan:
    """The least plan the ``→ active`` guard accepts, built through the care plan services: one
    active goal (and a strength where the model requires one), agreed verbally, and approved
    by the team's supervisor (or a program admin) when the model requires approval."""
    plan = plan_create(acting_user=by, case=case, title="Care plan")
    goal_add(
        acting_user=by,
        plan=plan,
        expected_version=plan.version,
        data={"client_words": goal, "lifecycle_status": "active", "priority": 1},
    )
    model = case.program.model
    if model.requires_strengths:
        strength_add(
            acting_user=by,
            plan=plan,
            expected_version=plan.version,
            data={"domain": "social supports", "description": "Close to a sister nearby"},
        )
    plan_agree(
        acting_user=by,
        plan=plan,
        expected_version=plan.version,
        method="verbal",
        agreed_by_name=case.client.full_name,
    )
    if "care_plan" in (model.approvals_required or []):
        approver = _plan_approver(case, by)
        plan_approve(acting_user=approver, plan=plan, expected_version=plan.version)
    return plan


def _plan_approver(case: Case, by: User) -> User:
    supervisor = TeamMembership.objects.filter(
        team=case.team, is_supervisor=True, user__is_active=True
    ).first()
    if supervisor is not None:
        return supervisor.user
    admin = User.objects.filter(
        organization_id=case.organization_id, role="program_admin", is_active=True
    ).first()
    if admin is not None:
        return admin
    return staff(f"planadmin{next(_counter)}", org=case.organization, role="program_admin")
