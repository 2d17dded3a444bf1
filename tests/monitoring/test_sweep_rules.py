"""The sweep engine, rule by rule, with fixed ``now`` scenarios: exactly the expected work items,
nothing on a second run, items that close by themselves, escalation and snooze."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.accounts.models import Credential
from casework.audit.models import AuditEvent
from casework.audit.services import audit_verify
from casework.careplans.models import CarePlan, Goal
from casework.cases.models import Case
from casework.clients.models import Utilization
from casework.coordination.models import Appointment
from casework.monitoring.models import Notification, PromptRule, WorkItem
from casework.monitoring.selectors.work_items import escalations_to
from casework.monitoring.sweep import sweep_cases, sweep_run, sweeps_paused
from tests import factories


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def intensive(world):
    return factories.program(
        "Assertive outreach", org=world.org, kind="intensive", teams=[world.north]
    )


def active(world, program, **fields):
    person = factories.client(world.casey)
    case = factories.case(world.casey, client=person, program=program, to="active")
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
    return case


def open_items(**filters):
    return WorkItem.objects.filter(status="open", **filters).order_by("kind", "assignee__username")


def kinds(case):
    return sorted(open_items(case=case).values_list("kind", flat=True))


def escalated_to(user, now):
    return list(escalations_to(user=user, now=now))


def rule(world, program, kind):
    return PromptRule.objects.get(organization=world.org, model=program.model, kind=kind)


# ----------------------------------------------------------------------------------------------
# contact due


def test_intensive_client_seen_nine_days_ago_gets_contact_due_and_an_escalation(
    world, intensive, now
):
    seen = now - timedelta(days=9)
    case = active(
        world, intensive, risk_tier="moderate", last_contact_at=seen, last_face_to_face_at=seen
    )
    report = sweep_run(now=now)
    due = open_items(case=case, kind="contact_due").get()
    assert due.assignee == world.casey
    assert due.due_at == seen + timedelta(days=7)  # due two days ago
    assert due.title == "Face-to-face contact due"
    # Overdue beyond the model's limit (intensive: 1 day): escalated to the team's supervisor,
    # who is told; the item itself is what the supervisor sees -- no second item.
    assert due.escalated_at == now
    assert kinds(case) == ["contact_due"]
    assert escalated_to(world.sam, now) == [due]
    assert escalated_to(world.casey, now) == []  # the holder is no supervisor
    assert escalated_to(world.olive, now) == []  # another organization
    note = Notification.objects.get(user=world.sam, kind="work_item_escalation")
    assert note.work_item == due and note.title == "Escalated to you: Face-to-face contact due"
    assert report.of("contact_due").created == 1
    assert report.of("contact_due").escalated == 1
    assert report.of("escalation").escalated == 1 and report.escalated == 1
    # A second sweep adds nothing and tells nobody again.
    again = sweep_run(now=now)
    assert (again.created, again.resolved, again.escalated) == (0, 0, 0)
    assert open_items(case=case).count() == 1
    assert Notification.objects.filter(kind="work_item_escalation").count() == 1


def test_only_face_to_face_counts_in_face_to_face_tiers(world, intensive, now):
    case = active(
        world,
        intensive,
        risk_tier="low",
        last_contact_at=now - timedelta(days=1),  # a phone call yesterday
        last_face_to_face_at=now - timedelta(days=8),
    )
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 1


def test_on_time_client_gets_nothing(world, intensive, now):
    seen = now - timedelta(days=3)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    report = sweep_run(now=now)
    assert kinds(case) == []
    assert report.created == 0


def test_no_contact_counts_from_intake_and_no_tier_is_moderate(world, now):
    # Brokerage: 30 days at moderate; a case opened 31 days ago and never seen.
    case = active(world, world.program, risk_tier="", opened_at=now - timedelta(days=31))
    sweep_run(now=now)
    item = open_items(case=case, kind="contact_due").get()
    assert item.title == "Contact due" and item.due_at == case.opened_at + timedelta(days=30)
    assert "no contact since intake" in item.detail


def test_on_hold_cases_need_no_contact(world, now):
    case = active(world, world.program, status="on_hold", opened_at=now - timedelta(days=60))
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 0


def test_logging_the_contact_through_the_api_closes_the_item_at_once(api, world, intensive, now):
    seen = now - timedelta(days=9)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    sweep_run(now=now)
    due = open_items(case=case, kind="contact_due").get()
    assert escalated_to(world.sam, now) == [due]
    response = api(world.casey).post(
        f"/api/v1/cases/{case.pk}/contacts",
        {
            "contact_type": "home_visit",
            "outcome": "successful",
            "started_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "duration_minutes": 40,
            "note_format": "dap",
            "note": {"data": "Seen at home", "assessment": "Settled", "plan": "Next week"},
        },
    )
    assert response.status_code == 201, response.json()
    due.refresh_from_db()
    assert (due.status, due.close_reason, due.closed_by) == ("done", "resolved", world.casey)
    assert escalated_to(world.sam, now) == []  # a closed item is no longer escalated
    case.refresh_from_db()
    assert case.last_face_to_face_at is not None
    assert kinds(case) == []
    assert AuditEvent.objects.filter(
        object_id=str(due.pk), action="update", changes__close_reason=["", "resolved"]
    ).exists()


def test_a_phone_call_does_not_close_a_face_to_face_item(world, intensive, now):
    case = active(world, intensive)
    Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=20))
    factories_contact(world, case, now - timedelta(days=9), contact_type="home_visit")
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 1
    factories_contact(world, case, now - timedelta(hours=1))
    assert open_items(case=case, kind="contact_due").count() == 1
    factories_contact(world, case, now - timedelta(minutes=30), contact_type="office")
    assert open_items(case=case, kind="contact_due").count() == 0


def test_paused_sweeps_leave_the_item_for_the_next_full_sweep(world, intensive, now):
    """A bulk load (the demo) pauses the per-case re-sweeps and runs one sweep at the end."""
    case = active(world, intensive)
    Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=20))
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 1
    with sweeps_paused():
        factories_contact(world, case, now - timedelta(minutes=30), contact_type="office")
        assert open_items(case=case, kind="contact_due").count() == 1
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 0


def test_a_disabled_rule_makes_no_items_and_retuned_days_change_the_outcome(world, intensive, now):
    seen = now - timedelta(days=9)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    contact_rule = rule(world, intensive, "contact_due")
    PromptRule.objects.filter(pk=contact_rule.pk).update(enabled=False)
    sweep_run(now=now)
    assert open_items(case=case).count() == 0
    PromptRule.objects.filter(pk=contact_rule.pk).update(enabled=True, days=10)
    sweep_run(now=now)
    assert open_items(case=case).count() == 0  # due in a day
    PromptRule.objects.filter(pk=contact_rule.pk).update(days=None, lead_days=0)
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 1
    # Disabling it again closes what it had opened.
    PromptRule.objects.filter(pk=contact_rule.pk).update(enabled=False)
    sweep_run(now=now)
    assert open_items(case=case, kind="contact_due").count() == 0


def test_snooze_stops_escalation_until_it_ends(world, intensive, now):
    seen = now - timedelta(days=9)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    PromptRule.objects.filter(pk=rule(world, intensive, "contact_due").pk).update(
        escalate_after_days=3
    )
    sweep_run(now=now)
    item = open_items(case=case, kind="contact_due").get()
    assert item.escalated_at is None
    WorkItem.objects.filter(pk=item.pk).update(
        snoozed_until=now + timedelta(days=2), snooze_reason="Client away"
    )
    sweep_run(now=now + timedelta(days=1))
    item.refresh_from_db()
    assert item.status == "open" and item.escalated_at is None  # snoozed items stay open
    assert escalated_to(world.sam, now + timedelta(days=1)) == []
    later = now + timedelta(days=3)
    sweep_run(now=later)
    item.refresh_from_db()
    assert item.escalated_at == later
    assert escalated_to(world.sam, later) == [item]
    # Snoozed again by its holder, it leaves the supervisor's list while the snooze lasts.
    WorkItem.objects.filter(pk=item.pk).update(snoozed_until=later + timedelta(days=2))
    assert escalated_to(world.sam, later) == []
    assert escalated_to(world.sam, later + timedelta(days=3)) == [item]


def test_a_completed_item_is_not_made_again_for_the_same_period(world, intensive, now):
    seen = now - timedelta(days=9)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    sweep_run(now=now)
    item = open_items(case=case, kind="contact_due").get()
    WorkItem.objects.filter(pk=item.pk).update(status="done", closed_at=now)
    assert sweep_run(now=now).of("contact_due").created == 0


def test_the_sweep_never_moves_or_doubles_an_item_held_by_someone_else(world, intensive, now):
    seen = now - timedelta(days=9)
    case = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    sweep_run(now=now)
    item = open_items(case=case, kind="contact_due").get()
    # Reassigned by hand (the work item service's way): the old half cancelled, a new open one.
    WorkItem.objects.filter(pk=item.pk).update(status="cancelled", close_reason="reassigned")
    moved = WorkItem.objects.create(
        organization=world.org,
        assignee=world.sam,
        case=case,
        client=case.client,
        kind="contact_due",
        title=item.title,
        due_at=item.due_at,
        source_type=item.source_type,
        source_id=item.source_id,
    )
    report = sweep_run(now=now)
    assert report.of("contact_due").created == 0 and report.of("contact_due").resolved == 0
    assert open_items(case=case, kind="contact_due").get() == moved
    # Sam completes it: not made again for the same period, for anyone.
    WorkItem.objects.filter(pk=moved.pk).update(status="done", close_reason="completed")
    assert sweep_run(now=now).of("contact_due").created == 0


# ----------------------------------------------------------------------------------------------
# reassessment, plan review, goals


def test_reassessment_due_from_intake_when_never_assessed(world, now):
    # Brokerage reassesses every 180 days; on the queue 14 days early.
    case = active(world, world.program, opened_at=now - timedelta(days=170))
    sweep_run(now=now)
    item = open_items(case=case, kind="reassessment_due").get()
    assert item.due_at == case.opened_at + timedelta(days=180)
    case2 = active(world, world.program, opened_at=now - timedelta(days=100))
    sweep_run(now=now)
    assert open_items(case=case2, kind="reassessment_due").count() == 0


def test_plan_review_due_from_the_plans_next_review_date(world, now):
    case = active(world, world.program)
    plan = CarePlan.objects.get(case=case)
    CarePlan.objects.filter(pk=plan.pk).update(next_review_due=now.date() + timedelta(days=10))
    sweep_run(now=now)
    item = open_items(case=case, kind="plan_review_due").get()
    assert item.source_id == f"{plan.pk}:{(now.date() + timedelta(days=10)).isoformat()}"
    # Reviewed: the next date moves on and the item closes.
    CarePlan.objects.filter(pk=plan.pk).update(next_review_due=now.date() + timedelta(days=90))
    report = sweep_run(now=now)
    assert report.of("plan_review_due").resolved == 1
    assert open_items(case=case, kind="plan_review_due").count() == 0


def test_goal_target_near_then_passed_then_achieved(world, now):
    case = active(world, world.program)
    goal = Goal.objects.get(plan__case=case)
    today = timezone.localdate(now)
    Goal.objects.filter(pk=goal.pk).update(target_date=today + timedelta(days=10))
    sweep_run(now=now)
    assert kinds(case) == ["goal_target_near"]
    Goal.objects.filter(pk=goal.pk).update(target_date=today - timedelta(days=1))
    sweep_run(now=now)
    assert kinds(case) == ["goal_target_passed"]
    Goal.objects.filter(pk=goal.pk).update(achievement_status="achieved")
    sweep_run(now=now)
    assert kinds(case) == []


# ----------------------------------------------------------------------------------------------
# post-discharge


def discharge(case, ended_at):
    return Utilization.objects.create(
        client=case.client,
        kind="inpatient",
        started_at=ended_at - timedelta(days=3),
        ended_at=ended_at,
        facility="General Hospital",
    )


def test_discharged_eight_days_ago_gets_exactly_the_two_follow_ups(world, now):
    case = active(world, world.program, last_contact_at=now - timedelta(days=12))
    stay = discharge(case, now - timedelta(days=8))
    report = sweep_run(now=now)
    seven = open_items(case=case, kind="post_discharge_7").get()
    thirty = open_items(case=case, kind="post_discharge_30").get()
    assert seven.due_at == stay.ended_at + timedelta(days=7) < now  # overdue
    assert thirty.due_at == stay.ended_at + timedelta(days=30) > now
    assert (seven.priority, thirty.priority) == ("urgent", "routine")
    assert report.of("post_discharge_7").created == 1
    assert report.of("post_discharge_30").created == 1
    assert sorted(k for k in kinds(case) if k.startswith("post_")) == [
        "post_discharge_30",
        "post_discharge_7",
    ]
    assert sweep_run(now=now).created == 0


def test_a_contact_after_the_discharge_satisfies_both(world, now):
    case = active(world, world.program)
    discharge(case, now - timedelta(days=3))
    sweep_run(now=now)
    assert open_items(case=case, kind__startswith="post_discharge").count() == 2
    factories_contact(world, case, now - timedelta(days=1))
    assert open_items(case=case, kind__startswith="post_discharge").count() == 0


def test_a_case_closed_after_the_discharge_still_owes_the_follow_up(world, now):
    case = active(world, world.program)
    discharge(case, now - timedelta(days=2))
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=now - timedelta(days=1))
    sweep_run(now=now)
    assert open_items(case=case, kind="post_discharge_7").count() == 1


def factories_contact(world, case, started_at, contact_type="phone"):
    from casework.encounters.services import contact_log

    return contact_log(
        acting_user=world.casey,
        case=case,
        data={
            "contact_type": contact_type,
            "outcome": "successful",
            "started_at": started_at,
            "duration_minutes": 15,
            "note_format": "dap",
            "note": {"data": "Called", "assessment": "Home", "plan": "Visit"},
        },
    )


# ----------------------------------------------------------------------------------------------
# appointments


def appointment(world, case, *, starts_at, status="booked"):
    return Appointment.objects.create(
        organization=world.org,
        case=case,
        client=case.client,
        title="Dental check-up",
        with_whom="Dr Molar",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=status,
    )


def test_booked_appointment_without_attendance_after_a_day(world, now):
    case = active(world, world.program)
    old = appointment(world, case, starts_at=now - timedelta(hours=30))
    appointment(world, case, starts_at=now - timedelta(hours=5))  # not yet
    sweep_run(now=now)
    item = open_items(case=case, kind="appointment_follow_up").get()
    assert item.source_id == str(old.pk)
    Appointment.objects.filter(pk=old.pk).update(status="fulfilled")
    sweep_run(now=now)
    assert open_items(case=case, kind="appointment_follow_up").count() == 0


def test_no_show_item_from_the_service_is_kept_not_duplicated_and_closed_by_a_contact(world, now):
    from casework.coordination.services.appointments import appointment_record_attendance

    case = active(world, world.program)
    booked = appointment(world, case, starts_at=now - timedelta(hours=2))
    appointment_record_attendance(
        acting_user=world.casey,
        appointment=booked,
        expected_version=booked.version,
        status="noshow",
    )
    item = open_items(case=case, kind="appointment_no_show").get()
    assert sweep_run().of("appointment_no_show").created == 0
    assert open_items(case=case, kind="appointment_no_show").get() == item
    factories_contact(world, case, timezone.now() - timedelta(minutes=5))
    item.refresh_from_db()
    assert (item.status, item.close_reason) == ("done", "resolved")


# ----------------------------------------------------------------------------------------------
# staff rules


def test_credential_expiring_and_expired(world, now):
    today = timezone.localdate(now)
    soon = Credential.objects.create(user=world.casey, kind="CCM", expires_on=today + timedelta(30))
    Credential.objects.create(user=world.casey, kind="RN", expires_on=today + timedelta(days=90))
    lapsed = Credential.objects.create(
        user=world.chris, kind="LPC", expires_on=today - timedelta(3)
    )
    sweep_run(now=now)
    mine = open_items(assignee=world.casey, kind="credential_expiring").get()
    assert mine.source_id == f"{soon.pk}:{soon.expires_on.isoformat()}"
    assert mine.priority == "routine"
    theirs = open_items(assignee=world.chris, kind="credential_expiring").get()
    assert theirs.priority == "urgent" and "expired" in theirs.title
    assert theirs.source_id.startswith(str(lapsed.pk))
    # Renewed: a new expiry date closes the item.
    Credential.objects.filter(pk=soon.pk).update(expires_on=today + timedelta(days=700))
    sweep_run(now=now)
    assert open_items(assignee=world.casey, kind="credential_expiring").count() == 0


def test_over_capacity_goes_to_the_team_supervisor_and_clears(world, now):
    from decimal import Decimal

    for _ in range(3):
        active(world, world.program)
    world.casey.caseload_capacity = Decimal("5")
    world.casey.save(update_fields=["caseload_capacity"])
    sweep_run(now=now)
    item = open_items(kind="over_capacity").get()
    assert item.assignee == world.sam and "Casey" in item.title
    world.casey.caseload_capacity = Decimal("100")
    world.casey.save(update_fields=["caseload_capacity"])
    sweep_run(now=now)
    assert open_items(kind="over_capacity").count() == 0


# ----------------------------------------------------------------------------------------------
# the engine


def test_sweep_cases_only_touches_those_cases(world, intensive, now):
    seen = now - timedelta(days=9)
    one = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    two = active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    sweep_cases(case_ids=[one.pk], now=now)
    assert kinds(one) == ["contact_due"]
    assert [item.case for item in escalated_to(world.sam, now)] == [one]
    assert kinds(two) == []


def test_organization_option_limits_the_sweep(world, now):
    mine = active(world, world.program, opened_at=now - timedelta(days=40))
    other_client = factories.client(world.olive)
    theirs = factories.case(
        world.olive, client=other_client, program=world.other_program, to="active"
    )
    Case.objects.filter(pk=theirs.pk).update(opened_at=now - timedelta(days=40))
    sweep_run(now=now, organization=world.other_org)
    assert kinds(mine) == [] and "contact_due" in kinds(theirs)


def test_audit_chain_stays_valid_after_a_bulk_sweep(world, intensive, now):
    seen = now - timedelta(days=9)
    for _ in range(4):
        active(world, intensive, last_contact_at=seen, last_face_to_face_at=seen)
    sweep_run(now=now)
    created = AuditEvent.objects.filter(object_type="monitoring.workitem", action="create")
    # One event per batch of new items naming every item and its client (and which of them
    # escalated as they were made).
    assert created.count() == 1
    assert len(created.get().detail["escalated_ids"]) == 4
    named = {
        (item_id, client_id)
        for event in created
        for item_id, client_id in zip(event.detail["ids"], event.detail["client_ids"], strict=True)
    }
    assert named == {(str(item.pk), str(item.client_id)) for item in WorkItem.objects.all()}
    # Each item's assignee, rule and source, in the order of the ids.
    for event in created:
        assert len(event.detail["assignees"]) == len(event.detail["ids"])
        assert len(event.detail["rule_ids"]) == len(event.detail["ids"])
        assert event.changes["status"] == [None, "open"]
    contact = created.get(changes__kind=[None, "contact_due"])
    assert set(contact.detail["assignees"]) == {"casey"}
    assert audit_verify().ok


@pytest.mark.parametrize("cases", [5, 50])
def test_sweep_query_count_does_not_grow_with_cases(
    world, intensive, now, cases, django_assert_max_num_queries
):
    seen = now - timedelta(days=9)
    people = [
        Case(
            organization=world.org,
            client=factories.client(world.casey),
            program=intensive,
            status="active",
            status_changed_at=seen,
            opened_at=seen,
            case_manager=world.casey,
            team=world.north,
            last_contact_at=seen,
            last_face_to_face_at=seen,
        )
        for _ in range(cases)
    ]
    Case.objects.bulk_create(people)
    with django_assert_max_num_queries(200):
        report = sweep_run(now=now)
    assert report.of("contact_due").created == cases
    assert report.of("escalation").escalated == cases


def test_audit_records_of_the_item_name_the_client(world, now):
    case = active(world, world.program, opened_at=now - timedelta(days=31))
    sweep_run(now=now)
    item = open_items(case=case, kind="contact_due").get()
    event = AuditEvent.objects.get(object_id=str(item.pk), action="create")
    assert event.client_id == case.client_id
    assert event.detail["assignee"] == "casey"
    assert event.changes["kind"] == [None, "contact_due"]
