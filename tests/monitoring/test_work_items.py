"""Work items for people: snooze, unsnooze, reassign, cancel, complete, tasks by hand -- the
rules and who may (casey the assignee, sam her supervisor, chris on another team, olive
elsewhere)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from casework.monitoring import services
from casework.monitoring.models import CloseReason, Notification, Priority, WorkItem
from casework.monitoring.selectors.work_items import (
    WorkFilters,
    case_work_count_annotations,
    escalation_counts,
    escalations_to,
    my_work,
    team_work,
    team_work_people,
    work_item_get,
)
from tests import factories


@pytest.fixture
def case(world: Any) -> Any:
    client = factories.client(world.casey, given_name="Rosa", family_name="Quintana")
    return factories.case(world.casey, client=client, program=world.program, to="active")


def make_item(world: Any, case: Any, **kwargs: Any) -> WorkItem:
    values = {
        "acting_user": None,
        "assignee": world.casey,
        "kind": "contact_due",
        "title": "Contact due",
        "priority": Priority.ROUTINE,
        "due_at": timezone.now() + timedelta(days=2),
        "client": case.client,
        "case": case,
        "source_type": "cases.case",
        "source_id": f"{case.pk}:{timezone.now().timestamp()}",
    }
    values.update(kwargs)
    item, created = services.work_item_create(**values)
    assert created
    return item


# ----------------------------------------------------------------------------------------------
# Snooze


def test_snooze_hides_the_item_and_stops_it_counting_as_overdue(world, case):
    now = timezone.now()
    item = make_item(world, case, due_at=now - timedelta(days=1))
    assert list(my_work(user=world.casey, filters=WorkFilters(overdue=True), now=now)) == [item]
    services.work_item_snooze(
        acting_user=world.casey,
        work_item=item,
        until=now + timedelta(days=3),
        reason="Client in hospital until Thursday",
        expected_version=item.version,
        now=now,
    )
    item.refresh_from_db()
    assert item.status == "open" and item.snooze_reason == "Client in hospital until Thursday"
    assert list(my_work(user=world.casey, now=now)) == []
    assert list(my_work(user=world.casey, filters=WorkFilters(snoozed=True), now=now)) == [item]
    assert list(my_work(user=world.casey, filters=WorkFilters(overdue=True), now=now)) == []
    event = AuditEvent.objects.filter(object_id=str(item.pk), action="update").get()
    assert "snoozed_until" in event.changes and event.changes["snooze_reason"][1].startswith(
        "Client"
    )
    # When the snooze ends it is back, and overdue again.
    later = now + timedelta(days=3, minutes=1)
    assert list(my_work(user=world.casey, filters=WorkFilters(overdue=True), now=later)) == [item]


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(0, "x", "until"), (-1, "x", "until"), (31, "x", "until"), (2, "  ", "reason")],
)
def test_snooze_refuses_the_past_more_than_30_days_and_no_reason(world, case, days, reason, field):
    now = timezone.now()
    item = make_item(world, case)
    with pytest.raises(ValidationFailed) as refused:
        services.work_item_snooze(
            acting_user=world.casey,
            work_item=item,
            until=now + timedelta(days=days),
            reason=reason,
            now=now,
        )
    assert refused.value.errors[0]["field"] == field
    item.refresh_from_db()
    assert item.snoozed_until is None and item.version == 1


def test_snooze_exactly_30_days_is_allowed_and_only_by_the_assignee(world, case):
    now = timezone.now()
    item = make_item(world, case)
    with pytest.raises(Conflict):
        services.work_item_snooze(
            acting_user=world.sam, work_item=item, until=now + timedelta(days=1), reason="x"
        )
    services.work_item_snooze(
        acting_user=world.casey,
        work_item=item,
        until=now + timedelta(days=30),
        reason="Away",
        now=now,
    )
    assert item.snoozed_until == now + timedelta(days=30)


def test_unsnooze_and_stale_version(world, case):
    now = timezone.now()
    item = make_item(world, case)
    with pytest.raises(Conflict) as not_snoozed:
        services.work_item_unsnooze(acting_user=world.casey, work_item=item)
    assert not_snoozed.value.code == "not_snoozed"
    services.work_item_snooze(
        acting_user=world.casey, work_item=item, until=now + timedelta(days=1), reason="Later"
    )
    with pytest.raises(StaleVersion):
        services.work_item_unsnooze(acting_user=world.casey, work_item=item, expected_version=1)
    services.work_item_unsnooze(acting_user=world.casey, work_item=item, expected_version=2)
    item.refresh_from_db()
    assert item.snoozed_until is None and item.snooze_reason == "" and item.version == 3


# ----------------------------------------------------------------------------------------------
# Complete and cancel


def test_complete_records_completed_and_cannot_run_twice(world, case):
    item = make_item(world, case)
    services.work_item_complete(acting_user=world.casey, work_item=item, note="Called")
    item.refresh_from_db()
    assert (item.status, item.close_reason, item.closed_by) == (
        "done",
        CloseReason.COMPLETED,
        world.casey,
    )
    with pytest.raises(Conflict):
        services.work_item_complete(acting_user=world.casey, work_item=item)


def test_cancel_by_assignee_or_supervisor_with_a_reason(world, case):
    mine = make_item(world, case)
    with pytest.raises(ValidationFailed):
        services.work_item_cancel(acting_user=world.casey, work_item=mine, reason=" ")
    with pytest.raises(Conflict):
        services.work_item_cancel(acting_user=world.chris, work_item=mine, reason="Not mine")
    services.work_item_cancel(
        acting_user=world.sam, work_item=mine, reason="Duplicate of the hospital follow-up"
    )
    mine.refresh_from_db()
    assert (mine.status, mine.close_reason, mine.closed_by) == ("cancelled", "cancelled", world.sam)
    event = AuditEvent.objects.filter(object_id=str(mine.pk), action="update").get()
    assert event.detail == {"reason": "Duplicate of the hospital follow-up"}
    with pytest.raises(Conflict):
        services.work_item_cancel(acting_user=world.casey, work_item=mine, reason="again")


def test_cancel_with_a_stale_version_changes_nothing(world, case):
    item = make_item(world, case)
    with pytest.raises(StaleVersion):
        services.work_item_cancel(
            acting_user=world.casey, work_item=item, reason="x", expected_version=7
        )
    item.refresh_from_db()
    assert item.status == "open"


# ----------------------------------------------------------------------------------------------
# Reassign


def test_supervisor_reassigns_within_the_team_he_supervises(world, case):
    dana = factories.staff("dana", org=world.org, team=world.north)
    factories_care_team(case, dana, by=world.sam)
    item = make_item(world, case, priority=Priority.URGENT)
    new = services.work_item_reassign(
        acting_user=world.sam, work_item=item, to=dana, reason="Casey on leave"
    )
    item.refresh_from_db()
    assert (item.status, item.close_reason) == ("cancelled", CloseReason.REASSIGNED)
    assert new.assignee == dana and new.status == "open"
    assert (new.kind, new.source_type, new.source_id, new.due_at) == (
        item.kind,
        item.source_type,
        item.source_id,
        item.due_at,
    )
    assert Notification.objects.filter(user=dana, work_item=new, kind="work_item_assigned").exists()
    assert AuditEvent.objects.filter(object_id=str(new.pk), action="create").exists()


def factories_care_team(case: Any, user: Any, *, by: Any) -> None:
    from casework.cases.services import care_team_member_add

    care_team_member_add(acting_user=by, case=case, data={"kind": "staff", "user_id": user.pk})


def test_supervisor_may_not_reassign_to_another_team(world, case):
    item = make_item(world, case)
    with pytest.raises(ValidationFailed) as refused:
        services.work_item_reassign(
            acting_user=world.sam, work_item=item, to=world.chris, reason="South has room"
        )
    assert refused.value.errors[0]["field"] == "to"
    item.refresh_from_db()
    assert item.status == "open" and item.assignee == world.casey


def test_reassign_needs_a_new_assignee_who_can_open_the_case(world, case):
    dana = factories.staff("dana", org=world.org, team=world.north)
    item = make_item(world, case)
    with pytest.raises(ValidationFailed) as refused:
        services.work_item_reassign(
            acting_user=world.sam, work_item=item, to=dana, reason="Casey on leave"
        )
    assert "care team" in refused.value.detail


def test_assignee_hands_an_item_to_her_supervisor_but_not_to_a_peer(world, case):
    item = make_item(world, case)
    with pytest.raises(ValidationFailed):
        services.work_item_reassign(
            acting_user=world.casey, work_item=item, to=world.chris, reason="Busy"
        )
    new = services.work_item_reassign(
        acting_user=world.casey, work_item=item, to=world.sam, reason="Needs a supervisor call"
    )
    assert new.assignee == world.sam


def test_someone_elses_item_is_not_found_and_not_reassignable(world, case):
    item = make_item(world, case)
    for outsider in (world.chris, world.olive, world.ian):
        with pytest.raises(NotFound):
            work_item_get(user=outsider, work_item_id=item.pk)
    assert work_item_get(user=world.sam, work_item_id=item.pk) == item
    with pytest.raises(Conflict):
        services.work_item_reassign(
            acting_user=world.chris, work_item=item, to=world.chris, reason="mine now"
        )


def test_reassign_to_someone_who_holds_the_same_item_closes_only_the_old(world, case):
    mine = make_item(world, case, source_id="flag-1", kind="safety_flag")
    his = make_item(world, case, source_id="flag-1", kind="safety_flag", assignee=world.sam)
    result = services.work_item_reassign(
        acting_user=world.casey, work_item=mine, to=world.sam, reason="Sam is calling"
    )
    assert result.pk == his.pk
    assert WorkItem.objects.filter(status="open").count() == 1


def test_reassign_stale_version_is_refused(world, case):
    item = make_item(world, case)
    events = AuditEvent.objects.count()
    with pytest.raises(StaleVersion):
        services.work_item_reassign(
            acting_user=world.casey, work_item=item, to=world.sam, reason="x", expected_version=3
        )
    # Nothing of the handover stays: no item for Sam, no audit event, no notification.
    assert list(WorkItem.objects.values_list("assignee__username", "status")) == [("casey", "open")]
    assert AuditEvent.objects.count() == events
    assert not Notification.objects.filter(user=world.sam).exists()


# ----------------------------------------------------------------------------------------------
# Tasks by hand


def test_reminder_for_myself_and_a_task_for_a_team_member(world, case):
    reminder = services.work_item_assign(
        acting_user=world.casey, assignee=world.casey, title="Bring the forms", case=case
    )
    assert (reminder.kind, reminder.client, reminder.created_by) == (
        "task",
        case.client,
        world.casey,
    )
    assert not Notification.objects.filter(user=world.casey).exists()
    task = services.work_item_assign(
        acting_user=world.sam,
        assignee=world.casey,
        title="Review the transition plan",
        priority=Priority.URGENT,
        due_at=timezone.now() + timedelta(days=1),
        case=case,
    )
    notes = list(Notification.objects.filter(user=world.casey, work_item=task))
    assert [n.kind for n in notes] == ["work_item_assigned"]
    # Two hand-made tasks of one kind are both open.
    assert WorkItem.objects.filter(assignee=world.casey, kind="task", status="open").count() == 2


def test_tasks_only_for_oneself_or_ones_team_and_not_in_the_past(world, case):
    with pytest.raises(ValidationFailed):
        services.work_item_assign(acting_user=world.casey, assignee=world.chris, title="Do it")
    with pytest.raises(ValidationFailed):
        services.work_item_assign(acting_user=world.sam, assignee=world.chris, title="Do it")
    with pytest.raises(ValidationFailed) as past:
        services.work_item_assign(
            acting_user=world.casey,
            assignee=world.casey,
            title="Yesterday",
            due_at=timezone.now() - timedelta(days=2),
        )
    assert past.value.errors[0]["field"] == "due_at"
    dana = factories.staff("dana", org=world.org, team=world.north)
    with pytest.raises(ValidationFailed) as unseen:
        services.work_item_assign(acting_user=world.sam, assignee=dana, title="Visit", case=case)
    assert unseen.value.errors[0]["field"] == "case_id"
    assert WorkItem.objects.count() == 0


# ----------------------------------------------------------------------------------------------
# Team work and counts


def test_team_work_lists_members_items_and_escalations_to_the_supervisor(world, case):
    now = timezone.now()
    overdue = make_item(world, case, due_at=now - timedelta(days=2))
    make_item(world, case, due_at=now + timedelta(days=1))
    make_item(world, case, assignee=world.sam, due_at=now + timedelta(days=1))
    assert team_work(user=world.sam, now=now).first() == overdue
    assert list(escalations_to(user=world.sam, now=now)) == []  # overdue, not escalated yet
    WorkItem.objects.filter(pk=overdue.pk).update(escalated_at=now)
    assert list(escalations_to(user=world.sam, now=now)) == [overdue]
    assert list(team_work(user=world.sam, now=now, filters=WorkFilters(escalated=True))) == [
        overdue
    ]
    people = {p.user.username: (p.open, p.overdue) for p in team_work_people(user=world.sam)}
    assert people == {"casey": (2, 1), "sam": (1, 0)}
    # Nobody else supervises North: not the holder, another team's member, another agency.
    for outsider in (world.casey, world.chris, world.olive):
        assert list(escalations_to(user=outsider, now=now)) == []
    assert list(team_work(user=world.chris, now=now)) == []
    assert list(team_work(user=world.olive, now=now)) == []


def test_escalations_to_cover_items_about_no_case_and_leave_out_snoozed_and_own(world, case):
    now = timezone.now()
    about_casey, _ = services.work_item_create(
        acting_user=None,
        assignee=world.casey,
        kind="credential_expiring",
        title="LCSW expires",
        due_at=now,
        source_type="accounts.credential",
        source_id="lcsw",
    )
    own = make_item(world, case, assignee=world.sam, due_at=now - timedelta(days=5))
    snoozed = make_item(world, case, due_at=now - timedelta(days=5))
    WorkItem.objects.filter(pk__in=[about_casey.pk, own.pk, snoozed.pk]).update(escalated_at=now)
    WorkItem.objects.filter(pk=snoozed.pk).update(snoozed_until=now + timedelta(days=1))
    # Casey's own item (no case) goes to the supervisors of Casey's teams; Sam's own does not
    # escalate to Sam; a snoozed one waits.
    assert list(escalations_to(user=world.sam, now=now)) == [about_casey]
    assert list(escalations_to(user=world.sam, now=now + timedelta(days=2))) == [
        snoozed,
        about_casey,
    ]
    south_boss = factories.staff(
        "sue", org=world.org, role="supervisor", team=world.south, supervisor=True
    )
    assert list(escalations_to(user=south_boss, now=now)) == []
    assert escalation_counts(now=now) == {world.sam.pk: 1}


def test_case_counts_are_annotations(world, case, django_assert_max_num_queries):
    from casework.cases.selectors import caseload_of

    now = timezone.now()
    make_item(world, case, due_at=now - timedelta(hours=1))
    make_item(world, case, due_at=now + timedelta(days=3))
    make_item(world, case, due_at=None)
    make_item(world, case, due_at=now + timedelta(days=20))
    snoozed = make_item(world, case, due_at=now - timedelta(days=1))
    services.work_item_snooze(
        acting_user=world.casey, work_item=snoozed, until=now + timedelta(days=1), reason="x"
    )
    make_item(world, case, assignee=world.sam, due_at=now - timedelta(days=1))
    with django_assert_max_num_queries(1):
        rows = list(caseload_of(user=world.casey).annotate(**case_work_count_annotations(now)))
    assert [(r.work_due, r.work_overdue) for r in rows] == [(2, 1)]
