"""When a case changes case manager, its open items follow the case; personal ones stay."""

from __future__ import annotations

from typing import Any

from casework.audit.models import AuditEvent
from casework.cases.services import case_assign
from casework.monitoring.models import WorkItem, WorkItemStatus
from casework.monitoring.services import work_item_create
from tests import factories


def test_open_case_items_move_to_the_new_case_manager(world: Any) -> None:
    dana = factories.staff("dana", org=world.org, team=world.north, first_name="Dana")
    client = factories.client(world.casey)
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    assert case.case_manager_id == world.casey.pk
    follow_up, _ = work_item_create(
        acting_user=None,
        assignee=world.casey,
        kind="contact_due",
        title="Contact due",
        client=client,
        case=case,
        source_type="cases.case",
        source_id=f"{case.pk}:2026-12-01",
    )
    personal, _ = work_item_create(
        acting_user=world.sam,
        assignee=world.casey,
        kind="task",
        title="Bring the form to the office",
        client=client,
        case=case,
    )
    done, _ = work_item_create(
        acting_user=None,
        assignee=world.casey,
        kind="referral_follow_up",
        title="Follow up",
        client=client,
        case=case,
        source_type="coordination.referral",
        source_id="r1:1",
    )
    WorkItem.objects.filter(pk=done.pk).update(status=WorkItemStatus.DONE)

    case_assign(acting_user=world.sam, case=case, case_manager=dana, reason="Casey on leave")

    follow_up.refresh_from_db()
    personal.refresh_from_db()
    done.refresh_from_db()
    assert follow_up.assignee_id == dana.pk and follow_up.status == WorkItemStatus.OPEN
    assert personal.assignee_id == world.casey.pk  # a task made for Casey stays hers
    assert done.assignee_id == world.casey.pk  # closed items keep their history
    moved = AuditEvent.objects.get(object_id=str(follow_up.pk), action="assign")
    assert moved.changes["assignee"] == ["casey", "dana"]
    assert moved.actor_id == world.sam.pk


def test_an_item_the_new_case_manager_already_holds_is_not_doubled(world: Any) -> None:
    dana = factories.staff("dana", org=world.org, team=world.north, first_name="Dana")
    client = factories.client(world.casey)
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    key = {"kind": "contact_due", "source_type": "cases.case", "source_id": f"{case.pk}:x"}
    old, _ = work_item_create(
        acting_user=None, assignee=world.casey, title="Contact due", client=client, case=case, **key
    )
    work_item_create(
        acting_user=None, assignee=dana, title="Contact due", client=client, case=case, **key
    )

    case_assign(acting_user=world.sam, case=case, case_manager=dana, reason="Casey on leave")

    old.refresh_from_db()
    assert old.status == WorkItemStatus.CANCELLED and old.close_reason == "reassigned"
    assert WorkItem.objects.filter(status="open", assignee=dana, **key).count() == 1
