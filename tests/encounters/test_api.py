"""Contacts through the API: validation with nothing stored, last contact, goals, access, 409."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.careplans.models import Goal
from casework.cases.models import Case
from casework.encounters.models import BillingRule, Contact
from tests import factories


@pytest.fixture
def active_case(world):
    person = factories.client(world.casey)
    return factories.case(world.casey, client=person, program=world.program, to="active")


def body(**overrides):
    data = {
        "contact_type": "home_visit",
        "outcome": "successful",
        "started_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "duration_minutes": 38,
        "participants": [{"name": "Ana", "role": "client"}],
        "note_format": "dap",
        "note": {"data": "Seen at home", "assessment": "Settled", "plan": "Call next week"},
    }
    data.update(overrides)
    return data


def test_log_a_successful_contact_bills_and_moves_last_contact(api, world, active_case):
    goal = Goal.objects.get(plan__case=active_case)
    response = api(world.casey).post(
        f"/api/v1/cases/{active_case.pk}/contacts", body(goal_ids=[str(goal.pk)])
    )
    assert response.status_code == 201, response.json()
    contact = response.json()
    assert contact["billing_units"] == 3
    assert contact["goal_ids"] == [str(goal.pk)]
    active_case.refresh_from_db()
    assert active_case.last_contact_at is not None
    assert active_case.last_contact_at.isoformat()[:19] == contact["started_at"][:19]
    listed = api(world.casey).get(f"/api/v1/cases/{active_case.pk}/contacts").json()
    assert [item["id"] for item in listed["items"]] == [contact["id"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"started_at": (timezone.now() + timedelta(days=1)).isoformat()}, "started_at"),
        ({"contact_type": "video"}, "video_link"),
        ({"contact_type": "video", "video_link": "http://meet.example/x"}, "video_link"),
        ({"contact_type": "collateral"}, "collateral_with"),
        ({"note": {"data": "x", "assessment": "y"}}, "note.plan"),
        ({"note_format": "soap"}, "note.subjective"),
        ({"outcome": "attempted"}, "attempt_outcome"),
    ],
)
def test_invalid_contacts_store_nothing(api, world, active_case, overrides, field):
    response = api(world.casey).post(f"/api/v1/cases/{active_case.pk}/contacts", body(**overrides))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Contact.objects.exists()
    active_case.refresh_from_db()
    assert active_case.last_contact_at is None


def test_attempted_contact_needs_no_note_bills_nothing_and_is_not_a_last_contact(
    api, world, active_case
):
    response = api(world.casey).post(
        f"/api/v1/cases/{active_case.pk}/contacts",
        body(contact_type="phone", outcome="attempted", attempt_outcome="no_answer", note={}),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["billing_units"] == 0
    assert response.json()["billable"] is False
    active_case.refresh_from_db()
    assert active_case.last_contact_at is None


def test_a_program_rule_changes_units_and_collateral_billing(api, world, active_case):
    BillingRule.objects.create(
        organization=world.org,
        program=world.program,
        first_unit_minutes=15,
        bill_collateral=False,
    )
    phone = api(world.casey).post(
        f"/api/v1/cases/{active_case.pk}/contacts", body(contact_type="phone", duration_minutes=14)
    )
    assert phone.json()["billing_units"] == 0
    collateral = api(world.casey).post(
        f"/api/v1/cases/{active_case.pk}/contacts",
        body(contact_type="collateral", collateral_with="Mother (caregiver)"),
    )
    assert collateral.status_code == 201
    assert collateral.json()["billable"] is False


def test_goals_of_another_plan_are_refused(api, world, active_case):
    other = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    foreign = Goal.objects.get(plan__case=other)
    response = api(world.casey).post(
        f"/api/v1/cases/{active_case.pk}/contacts", body(goal_ids=[str(foreign.pk)])
    )
    assert response.status_code == 422
    assert not Contact.objects.exists()


def test_last_contact_follows_updates_and_entered_in_error(api, world, active_case):
    casey = api(world.casey)
    early = timezone.now() - timedelta(days=3)
    late = timezone.now() - timedelta(days=1)
    first = casey.post(
        f"/api/v1/cases/{active_case.pk}/contacts", body(started_at=early.isoformat())
    ).json()
    second = casey.post(
        f"/api/v1/cases/{active_case.pk}/contacts", body(started_at=late.isoformat())
    ).json()
    active_case.refresh_from_db()
    assert active_case.last_contact_at == late

    moved = casey.patch(
        f"/api/v1/contacts/{second['id']}",
        {"version": second["version"], "outcome": "attempted", "attempt_outcome": "not_home"},
    )
    assert moved.status_code == 200, moved.json()
    active_case.refresh_from_db()
    assert active_case.last_contact_at == early

    withdrawn = casey.post(
        f"/api/v1/contacts/{first['id']}/entered-in-error",
        {"version": first["version"], "reason": "Wrong client"},
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "entered_in_error"
    active_case.refresh_from_db()
    assert active_case.last_contact_at is None


def test_stale_version_is_409(api, world, active_case):
    casey = api(world.casey)
    contact = casey.post(f"/api/v1/cases/{active_case.pk}/contacts", body()).json()
    ok = casey.patch(
        f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "duration_minutes": 20}
    )
    assert ok.status_code == 200
    assert ok.json()["billing_units"] == 1
    stale = casey.patch(
        f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "duration_minutes": 30}
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"


@pytest.mark.parametrize(
    ("persona", "status"), [("sam", 201), ("ian", 404), ("chris", 404), ("olive", 404)]
)
def test_who_may_log_contacts(api, world, active_case, persona, status):
    response = api(getattr(world, persona)).post(f"/api/v1/cases/{active_case.pk}/contacts", body())
    assert response.status_code == status


def test_outsiders_cannot_read_a_contact(api, world, active_case):
    contact = api(world.casey).post(f"/api/v1/cases/{active_case.pk}/contacts", body()).json()
    for persona in (world.ian, world.chris, world.olive):
        assert api(persona).get(f"/api/v1/contacts/{contact['id']}").status_code == 404
        assert api(persona).get(f"/api/v1/cases/{active_case.pk}/contacts").status_code == 404
    assert Case.objects.get(pk=active_case.pk).last_contact_at is not None
