"""casework.core.bulk: ``fast_values`` reads what ``values()`` reads, and ``fast_bulk_insert``
writes what ``bulk_create`` writes -- on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

from django.db.models import DateTimeField, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.cases.models import Case
from casework.core.bulk import fast_bulk_insert, fast_values, fast_values_list
from casework.monitoring.models import Notification, WorkItem
from tests import factories


def cases(world: Any, count: int = 3) -> list[Case]:
    made = []
    for n in range(count):
        client = factories.client(world.casey, given_name=f"Ada{n}", family_name="Lovelace")
        case = factories.case(world.casey, client=client, program=world.program, to="active")
        Case.objects.filter(pk=case.pk).update(
            last_contact_at=timezone.now() - timedelta(days=n, microseconds=n * 17),
            risk_tier=["low", "high", ""][n % 3],
        )
        made.append(case)
    return made


def test_fast_values_reads_the_same_dicts_and_types_as_values(world):
    cases(world)
    queryset = (
        Case.objects.filter(organization=world.org)
        .annotate(
            seen=Coalesce("last_contact_at", "opened_at", output_field=DateTimeField()),
        )
        .order_by("id")
    )
    fields = (
        "id",
        "client_id",
        "case_manager_id",
        "case_manager__is_active",
        "client__given_name",
        "client__birth_date",
        "program__model_id",
        "weight",
        "risk_tier",
        "seen",
        "last_contact_at",
        "closed_at",
        "screening_findings",
    )
    expected = list(queryset.values(*fields))
    got = list(fast_values(queryset, *fields))
    assert got == expected and len(got) == 3
    for mine, django in zip(got, expected, strict=True):
        assert {key: type(value) for key, value in mine.items()} == {
            key: type(value) for key, value in django.items()
        }
    # values_list order, annotations first or last
    assert list(fast_values_list(queryset, "seen", "id")) == list(
        queryset.values_list("seen", "id")
    )


def test_fast_values_keeps_a_grouped_values_queryset(world):
    cases(world)
    grouped = (
        Case.objects.order_by()
        .values("case_manager_id")
        .annotate(points=Coalesce(Sum("weight"), Value(0), output_field=DecimalField()))
    )
    assert list(fast_values(grouped)) == list(grouped)
    assert isinstance(next(fast_values(grouped))["points"], Decimal)


def test_fast_values_of_an_empty_result(world):
    assert list(fast_values(Case.objects.filter(pk__in=[]), "id")) == []


def item_row(world: Any, case: Case, source_id: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=uuid4(),
        organization_id=world.org.pk,
        assignee_id=world.casey.pk,
        client_id=case.client_id,
        case_id=case.pk,
        kind="contact_due",
        title="Contact due",
        detail="",
        priority="routine",
        due_at=timezone.now() + timedelta(days=1),
        source_type="cases.case",
        source_id=source_id,
        rule_id=None,
        escalated_at=None,
    )


CONSTANTS = {
    "created_at": None,
    "updated_at": None,
    "version": 1,
    "status": "open",
    "closed_at": None,
    "closed_by_id": None,
    "close_reason": "",
    "snoozed_until": None,
    "snooze_reason": "",
    "created_by_id": None,
}


def test_fast_bulk_insert_writes_objects_and_constants(world):
    case = cases(world, 1)[0]
    rows = [item_row(world, case, f"{case.pk}:{n}") for n in range(3)]
    went_in = fast_bulk_insert(WorkItem, rows, constants=CONSTANTS, returning="id")
    assert went_in == {row.id for row in rows}
    stored = {item.pk: item for item in WorkItem.objects.filter(pk__in=went_in)}
    for row in rows:
        item = stored[row.id]
        assert (item.assignee_id, item.case_id, item.client_id) == (
            world.casey.pk,
            case.pk,
            case.client_id,
        )
        assert item.due_at == row.due_at and item.status == "open" and item.version == 1
        assert item.created_at is not None and item.created_at == item.updated_at


def test_fast_bulk_insert_skips_conflicts_and_says_which_went_in(world):
    case = cases(world, 1)[0]
    first = item_row(world, case, f"{case.pk}:same")
    fast_bulk_insert(WorkItem, [first], constants=CONSTANTS)
    again = item_row(world, case, f"{case.pk}:same")  # the open item's key again
    other = item_row(world, case, f"{case.pk}:other")
    went_in = fast_bulk_insert(
        WorkItem, [again, other], constants=CONSTANTS, ignore_conflicts=True, returning="id"
    )
    assert went_in == {other.id}
    assert WorkItem.objects.filter(source_id=f"{case.pk}:same").count() == 1
    # Nothing in the way (PostgreSQL: straight in, no staging table): all of them.
    fresh = [item_row(world, case, f"{case.pk}:fresh-{n}") for n in range(2)]
    assert fast_bulk_insert(
        WorkItem, fresh, constants=CONSTANTS, ignore_conflicts=True, returning="id"
    ) == {row.id for row in fresh}
    # And after a conflict the transaction goes on: the savepoint was rolled back.
    assert WorkItem.objects.filter(case=case).count() == 4


def test_fast_bulk_insert_of_model_instances(world):
    notes = [Notification(user=world.casey, kind="test", title=f"n{n}") for n in range(2)]
    fast_bulk_insert(Notification, notes)
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["n0", "n1"]
    assert all(not note._state.adding for note in notes)


def test_fast_bulk_insert_leaves_an_auto_primary_key_to_the_database(world):
    from casework.assessments.models import Observation

    client = factories.client(world.casey)
    at = timezone.now() - timedelta(hours=1)
    rows = [
        SimpleNamespace(
            client_id=client.pk,
            response_id=None,
            system="http://loinc.org",
            code="29463-7",
            display="Body weight",
            value_decimal=Decimal(value),
            value_code="",
            value_display="",
            unit="kg",
            effective_at=at + timedelta(minutes=n),
            status="final",
            source="remote",
            recorded_by_id=world.casey.pk,
        )
        for n, value in enumerate(["80.5", "81.25"])
    ]
    fast_bulk_insert(Observation, rows)
    stored = list(Observation.objects.filter(client=client).order_by("effective_at"))
    assert [o.value_decimal for o in stored] == [Decimal("80.5"), Decimal("81.25")]
    assert len({o.pk for o in stored}) == 2 and all(o.pk for o in stored)
    assert stored[0].effective_at == at and stored[0].recorded_by == world.casey
