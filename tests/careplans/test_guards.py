"""The care plan guards of the case lifecycle: → active needs an agreed plan with an active goal
(and approval where the model requires it); strengths-based plans need strengths to be agreed."""

from __future__ import annotations

import pytest

from casework.careplans import services
from casework.cases.models import Status
from casework.cases.services import case_transition
from casework.core.errors import Conflict, TransitionRefused
from tests import factories


def planning_case(world, program=None):
    return factories.case(
        world.casey,
        client=factories.client(world.casey),
        program=program or world.program,
        to="planning",
    )


def activate(world, case):
    return case_transition(acting_user=world.casey, case=case, to_status="active")


def refusal(world, case):
    with pytest.raises(TransitionRefused) as refused:
        activate(world, case)
    return refused.value


def test_no_plan_no_activation(world):
    case = planning_case(world)
    error = refusal(world, case)
    assert "care_plan_required" in error.detail
    assert [e["guard"] for e in error.errors] == ["care_plan"]


def test_unagreed_plan_is_refused_then_agreed_plan_activates(world):
    case = planning_case(world)
    plan = services.plan_create(acting_user=world.casey, case=case)
    services.goal_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"client_words": "I want a steady job", "lifecycle_status": "active"},
    )
    assert "has not agreed" in refusal(world, case).detail
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        method="verbal",
        agreed_by_name="Client",
    )
    assert activate(world, case).status == Status.ACTIVE


def test_agreed_plan_whose_goals_are_no_longer_active_is_refused(world):
    case = planning_case(world)
    plan = services.plan_create(acting_user=world.casey, case=case)
    goal = services.goal_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"client_words": "I want a steady job", "lifecycle_status": "active"},
    )
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        method="verbal",
        agreed_by_name="Client",
    )
    services.goal_update(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        item=goal,
        data={"lifecycle_status": "on-hold"},
    )
    assert "at least one active goal" in refusal(world, case).detail


def test_strengths_based_plan_cannot_be_agreed_without_strengths(world):
    program = factories.program(
        "Strengths Outreach", org=world.org, kind="strengths", teams=[world.north]
    )
    case = planning_case(world, program)
    plan = services.plan_create(acting_user=world.casey, case=case)
    services.goal_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"client_words": "I want to go back to painting", "lifecycle_status": "active"},
    )
    with pytest.raises(Conflict) as refused:
        services.plan_agree(
            acting_user=world.casey,
            plan=plan,
            expected_version=2,
            method="verbal",
            agreed_by_name="Client",
        )
    assert "strengths_required" in refused.value.detail
    services.strength_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        data={"domain": "leisure", "description": "Talented painter"},
    )
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        method="verbal",
        agreed_by_name="Client",
    )
    # The strengths model also requires supervisor approval of the plan.
    assert "care_plan_approval_required" in refusal(world, case).detail
    services.plan_approve(acting_user=world.sam, plan=plan, expected_version=4)
    assert activate(world, case).status == Status.ACTIVE


def test_approval_required_model(world):
    program = factories.program(
        "Integrated Care", org=world.org, kind="integrated", teams=[world.north]
    )
    case = planning_case(world, program)
    plan = services.plan_create(acting_user=world.casey, case=case)
    services.goal_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"client_words": "I want to keep my sugar down", "lifecycle_status": "active"},
    )
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        method="verbal",
        agreed_by_name="Client",
    )
    error = refusal(world, case)
    assert [e["guard"] for e in error.errors] == ["care_plan"]
    assert "approval" in error.detail
    services.plan_approve(acting_user=world.sam, plan=plan, expected_version=3)
    assert activate(world, case).status == Status.ACTIVE


def test_factory_walks_to_active_in_every_standard_model(world):
    for kind in ("brokerage", "clinical", "strengths", "intensive", "integrated"):
        program = factories.program(
            f"{kind} program", org=world.org, kind=kind, teams=[world.north]
        )
        client = factories.client(world.casey)
        case = factories.case(world.casey, client=client, program=program, to="active")
        assert case.status == Status.ACTIVE
