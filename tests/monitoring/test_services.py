"""Work items: urgent assessment flags reach the case manager and the supervisor at once, never
twice; "my work" lists them; only the assignee completes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.assessments import services as assessments
from casework.assessments.services import SAFETY_WORK_ITEM, _alert
from casework.audit.models import AuditEvent
from casework.core.errors import Conflict, StaleVersion, ValidationFailed
from casework.monitoring import services
from casework.monitoring.models import Priority, WorkItem, WorkItemStatus
from casework.monitoring.selectors import work_items_for
from tests import factories

PHQ9_ITEMS = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]
ITEM9_POSITIVE = {**dict.fromkeys(PHQ9_ITEMS, 0), "44260-8": "LA6570-1"}
SAFETY_POSITIVE = {
    "95618-5": "LA16644-9",  # fairly often, 4
    "95617-7": "LA16644-9",
    "95616-9": "LA10066-1",  # rarely, 2
    "95615-1": "LA10066-1",
}


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(world.casey)
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    return client, case


def _items() -> list[tuple[str, str]]:
    return sorted(WorkItem.objects.values_list("assignee__username", "priority"))


def test_phq9_item9_positive_reaches_case_manager_and_supervisor_due_today(
    world: Any, enrolled: Any
) -> None:
    client, case = enrolled
    response = assessments.assessment_create(
        acting_user=world.casey, client=client, instrument_code="44249-1", answers=ITEM9_POSITIVE
    )
    assert _items() == [("casey", Priority.ASAP), ("sam", Priority.ASAP)]
    end_of_day = services.end_of_today()
    for item in WorkItem.objects.all():
        assert item.kind == SAFETY_WORK_ITEM
        assert item.status == WorkItemStatus.OPEN
        assert item.client == client and item.case == case
        assert item.source_type == "assessments.assessmentresponse"
        assert item.source_id == str(response.pk)
        assert item.due_at == end_of_day
        assert timezone.localtime(item.due_at).date() == timezone.localdate()
        assert "PHQ-9" in item.title and "item 9" in item.detail
        assert item.created_by == world.casey
    assert (
        AuditEvent.objects.filter(object_type="monitoring.workitem", action="create").count() == 2
    )
    # Not to the other team's case manager, nor to the outsider.
    assert not work_items_for(world.chris).exists()
    assert not work_items_for(world.olive).exists()


def test_interpersonal_safety_positive_creates_urgent_items(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    assessments.assessment_create(
        acting_user=world.ian, client=client, instrument_code="96777-8", answers=SAFETY_POSITIVE
    )
    assert _items() == [("casey", Priority.ASAP), ("sam", Priority.ASAP)]
    assert WorkItem.objects.filter(title__contains="AHC HRSN").count() == 2


def test_no_work_item_without_an_urgent_flag(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    # Fairly often (4) twice and never (1) twice: 10, not more than 10.
    below = {**SAFETY_POSITIVE, "95616-9": "LA6270-8", "95615-1": "LA6270-8"}
    assessments.assessment_create(
        acting_user=world.casey, client=client, instrument_code="96777-8", answers=below
    )
    assessments.assessment_create(
        acting_user=world.casey,
        client=client,
        instrument_code="44249-1",
        answers={**ITEM9_POSITIVE, "44260-8": 0, "44250-9": 3},
    )
    assert WorkItem.objects.count() == 0


def test_never_twice_for_the_same_response_even_after_it_is_done(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    response = assessments.assessment_create(
        acting_user=world.casey, client=client, instrument_code="44249-1", answers=ITEM9_POSITIVE
    )
    flags = [flag for flag in response.flags if flag["severity"] == "urgent"]
    _alert(acting_user=world.casey, response=response, flags=flags)
    assert WorkItem.objects.count() == 2
    mine = work_items_for(world.casey).get()
    services.work_item_complete(acting_user=world.casey, work_item=mine)
    _alert(acting_user=world.casey, response=response, flags=flags)
    assert WorkItem.objects.count() == 2
    # A new positive response is a new event: new items.
    assessments.assessment_create(
        acting_user=world.casey, client=client, instrument_code="44249-1", answers=ITEM9_POSITIVE
    )
    assert WorkItem.objects.count() == 4


def test_create_is_idempotent_per_source_and_person(world: Any) -> None:
    kwargs = {
        "acting_user": None,
        "assignee": world.casey,
        "kind": "safety_flag",
        "title": "Call today",
        "priority": Priority.URGENT,
        "source_type": "test",
        "source_id": "1",
    }
    first, created = services.work_item_create(**kwargs)
    again, created_again = services.work_item_create(**kwargs)
    assert created and not created_again and first.pk == again.pk
    other, created_other = services.work_item_create(**{**kwargs, "assignee": world.sam})
    assert created_other and other.pk != first.pk
    with pytest.raises(ValidationFailed):
        services.work_item_create(**{**kwargs, "priority": "whenever", "source_id": "2"})
    with pytest.raises(ValidationFailed):
        services.work_item_create(**{**kwargs, "title": " ", "source_id": "3"})


def test_client_without_a_case_alerts_the_person_who_assessed(world: Any) -> None:
    client = factories.client(world.ian)
    assessments.assessment_create(
        acting_user=world.ian, client=client, instrument_code="44249-1", answers=ITEM9_POSITIVE
    )
    assert _items() == [("ian", Priority.ASAP)]


def test_new_referral_without_a_team_alerts_the_supervisors_delivering_the_program(
    world: Any,
) -> None:
    client = factories.client(world.ian)
    case = factories.case(world.ian, client=client, program=world.program)
    assert case.team_id is None and case.case_manager_id is None
    assessments.assessment_create(
        acting_user=world.ian, client=client, instrument_code="96777-8", answers=SAFETY_POSITIVE
    )
    # No case manager yet: the intake worker who screened gets it too.
    assert _items() == [("ian", Priority.ASAP), ("sam", Priority.ASAP)]


def test_closed_cases_do_not_count(world: Any, enrolled: Any) -> None:
    client, case = enrolled
    case.status = "closed"
    case.save(update_fields=["status"])
    assessments.assessment_create(
        acting_user=world.ian, client=client, instrument_code="44249-1", answers=ITEM9_POSITIVE
    )
    assert _items() == [("ian", Priority.ASAP)]


def test_complete_only_by_the_assignee_once_with_a_current_version(world: Any) -> None:
    item, _ = services.work_item_create(
        acting_user=world.sam, assignee=world.casey, kind="call", title="Call Mrs. Lee"
    )
    with pytest.raises(Conflict):
        services.work_item_complete(acting_user=world.sam, work_item=item)
    with pytest.raises(StaleVersion):
        services.work_item_complete(acting_user=world.casey, work_item=item, expected_version=9)
    done = services.work_item_complete(
        acting_user=world.casey, work_item=item, expected_version=1, note="Spoke with her"
    )
    done.refresh_from_db()
    assert done.status == WorkItemStatus.DONE and done.version == 2
    assert done.closed_by == world.casey and done.closed_at is not None
    event = AuditEvent.objects.filter(object_id=str(item.pk), action="update").get()
    assert event.changes["status"] == ["open", "done"]
    assert event.detail == {"note": "Spoke with her"}
    with pytest.raises(Conflict):
        services.work_item_complete(acting_user=world.casey, work_item=done)


def test_my_work_lists_by_status(world: Any) -> None:
    soon, _ = services.work_item_create(
        acting_user=None,
        assignee=world.casey,
        kind="call",
        title="Soon",
        due_at=timezone.now() + timedelta(hours=1),
    )
    services.work_item_create(acting_user=None, assignee=world.casey, kind="call", title="Later")
    services.work_item_create(acting_user=None, assignee=world.sam, kind="call", title="Sam's")
    services.work_item_complete(acting_user=world.casey, work_item=soon)
    assert [i.title for i in work_items_for(world.casey)] == ["Later"]
    assert [i.title for i in work_items_for(world.casey, "done")] == ["Soon"]
    assert work_items_for(world.casey, "all").count() == 2
    with pytest.raises(ValidationFailed):
        work_items_for(world.casey, "finished")
