"""The LACE index from real Utilization and Condition rows, on the worked examples of
/work/shared/data/risk-scores.md section 1 (LACE 14 and 2 from the ``cliot`` documentation, the
maximum 19, zero, and the Charlson 3 → 3 / 4 → 5 jump)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.clients.models import Client, Condition, Utilization, UtilizationKind
from casework.risk.charlson import ICD10_CM_SYSTEM, SNOMED_SYSTEM
from casework.risk.lace import (
    comorbidity_points,
    lace_band,
    lace_for_clients,
    length_of_stay_points,
)
from tests import factories

ADMITTED = timezone.make_aware(datetime(2025, 3, 10, 14, 0))
AS_OF = ADMITTED + timedelta(days=40)


def admission(
    client: Client, *, days: int, acute: bool, start: datetime = ADMITTED, **extra: Any
) -> Utilization:
    return Utilization.objects.create(
        client=client,
        kind=UtilizationKind.INPATIENT,
        started_at=start,
        ended_at=start + timedelta(days=days, hours=3),
        acute=acute,
        **extra,
    )


def ed_visit(client: Client, at: datetime) -> Utilization:
    return Utilization.objects.create(
        client=client,
        kind=UtilizationKind.EMERGENCY,
        started_at=at,
        ended_at=at + timedelta(hours=4),
    )


def condition(
    client: Client,
    code: str,
    *,
    system: str = ICD10_CM_SYSTEM,
    onset: date | None = date(2020, 1, 1),
    abated: date | None = None,
) -> Condition:
    return Condition.objects.create(
        client=client, system=system, code=code, onset_date=onset, abatement_date=abated
    )


@pytest.fixture
def person(world: Any) -> Client:
    return factories.client(world.casey)


def lace_of(client: Client, as_of: datetime = AS_OF) -> Any:
    return lace_for_clients([client.id], as_of=as_of)[client.id]


def test_worked_example_lace_14(person: Client) -> None:
    """Stay of 5 days (L 4), acute (A 3), Charlson 5 (C 5), 2 ED visits (E 2) → 14, high."""
    stay = admission(person, days=5, acute=True)
    # Comorbidity total 5 with the LACE weights: heart failure 2 + COPD 2 + old MI 1.
    condition(person, "I50.9")
    condition(person, "J44.9")
    condition(person, "I25.2")
    # Two ED visits in the six months before, one more too long ago, and the visit that led to
    # this admission (not counted).
    ed_visit(person, ADMITTED - timedelta(days=30))
    ed_visit(person, ADMITTED - timedelta(days=150))
    ed_visit(person, ADMITTED - timedelta(days=200))
    leading = ed_visit(person, ADMITTED - timedelta(hours=5))

    result = lace_of(person)
    assert result.points == {"L": 4, "A": 3, "C": 5, "E": 2}
    assert result.score == 14
    assert lace_band(result.score) == "high"
    assert result.length_of_stay_days == 5
    assert result.acute is True
    assert result.charlson == 5
    assert result.ed_visits_6_months == 2
    assert result.admission_id == str(stay.id)
    assert result.comorbidities == [
        "Chronic pulmonary disease",
        "Congestive heart failure",
        "Myocardial infarction",
    ]
    assert result.detail["ed_visit_leading_to_admission"] == leading.started_at.isoformat()
    assert len(result.detail["ed_visits"]) == 2
    assert result.detail["charlson_index"] == 3  # the 1987 weights: 1 + 1 + 1
    assert result.detail["band"] == "high"


def test_worked_example_lace_2(person: Client) -> None:
    """Stay of 2 days (L 2), elective (A 0), Charlson 0, no ED visits → 2, low."""
    admission(person, days=2, acute=False)
    result = lace_of(person)
    assert result.points == {"L": 2, "A": 0, "C": 0, "E": 0}
    assert result.score == 2
    assert lace_band(result.score) == "low"
    assert result.comorbidities == []


def test_maximum_is_19(person: Client) -> None:
    """14 days, emergent, Charlson 4, four or more ED visits → 7 + 3 + 5 + 4 = 19."""
    admission(person, days=14, acute=True)
    condition(person, "G30.9")  # dementia, LACE weight 3
    condition(person, "E11.9")  # diabetes, weight 1 → total 4 → C 5
    for days in (10, 40, 70, 100, 130):
        ed_visit(person, ADMITTED - timedelta(days=days))
    result = lace_of(person)
    assert result.points == {"L": 7, "A": 3, "C": 5, "E": 4}
    assert result.score == 19
    assert result.ed_visits_6_months == 5


def test_zero(person: Client) -> None:
    """Same-day discharge, elective, no comorbidity, no ED visits → 0."""
    Utilization.objects.create(
        client=person,
        kind=UtilizationKind.INPATIENT,
        started_at=ADMITTED,
        ended_at=ADMITTED + timedelta(hours=6),
        acute=False,
    )
    result = lace_of(person)
    assert result.length_of_stay_days == 0
    assert result.score == 0
    assert result.points == {"L": 0, "A": 0, "C": 0, "E": 0}


def test_charlson_3_gives_3_but_4_gives_5(world: Any) -> None:
    three, four = factories.client(world.casey), factories.client(world.casey)
    for client in (three, four):
        admission(client, days=1, acute=False)
        condition(client, "F03.90")  # dementia: LACE weight 3
    condition(four, "I63.9")  # + cerebrovascular disease, weight 1
    results = lace_for_clients([three.id, four.id], as_of=AS_OF)
    assert results[three.id].charlson == 3
    assert results[three.id].points["C"] == 3
    assert results[four.id].charlson == 4
    assert results[four.id].points["C"] == 5
    assert [comorbidity_points(total) for total in range(7)] == [0, 1, 2, 3, 5, 5, 5]


def test_length_of_stay_table() -> None:
    expected = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 6: 4, 7: 5, 13: 5, 14: 7, 40: 7}
    assert {days: length_of_stay_points(days) for days in expected} == expected


def test_snomed_conditions_and_the_hierarchy(person: Client) -> None:
    admission(person, days=3, acute=False)
    condition(person, "44054006", system=SNOMED_SYSTEM)  # type 2 diabetes
    condition(person, "127013003", system=SNOMED_SYSTEM)  # diabetic kidney disease
    condition(person, "88805009", system=SNOMED_SYSTEM)  # chronic heart failure
    result = lace_of(person)
    # Diabetes with end-organ damage (2) replaces diabetes (1); heart failure 2.
    assert result.charlson == 4
    assert result.points["C"] == 5
    assert result.comorbidities == ["Congestive heart failure", "Diabetes with end-organ damage"]


def test_only_conditions_active_at_admission_count(person: Client) -> None:
    admission(person, days=3, acute=False)
    condition(person, "I50.9", onset=ADMITTED.date() + timedelta(days=1))  # diagnosed later
    condition(person, "J44.9", abated=ADMITTED.date() - timedelta(days=1))  # resolved before
    condition(person, "I25.2", onset=ADMITTED.date())  # same day counts
    condition(person, "E11.9", onset=None)  # unknown onset counts
    resolved = condition(person, "G30.9", onset=date(2019, 1, 1))
    resolved.clinical_status = "resolved"  # resolved, date unknown: not counted
    resolved.save()
    result = lace_of(person)
    assert sorted(result.comorbidities) == [
        "Diabetes without complications",
        "Myocardial infarction",
    ]
    assert result.charlson == 2


def test_admitted_through_the_ed_is_acute(person: Client) -> None:
    """An admission not flagged acute is still emergent when the client came in through the ED;
    that ED visit is not counted in E."""
    admission(person, days=2, acute=False)
    ed_visit(person, ADMITTED - timedelta(hours=3))
    result = lace_of(person)
    assert result.acute is True
    assert result.points == {"L": 2, "A": 3, "C": 0, "E": 0}
    assert result.detail["acute_source"] == "admitted through the ED"


def test_ed_window_is_six_calendar_months(person: Client) -> None:
    admission(person, days=2, acute=False)
    ed_visit(person, timezone.make_aware(datetime(2024, 9, 10, 15, 0)))  # exactly 6 months
    ed_visit(person, timezone.make_aware(datetime(2024, 9, 10, 13, 0)))  # just before the window
    assert lace_of(person).ed_visits_6_months == 1


def test_most_recent_admission_as_of(person: Client) -> None:
    admission(person, days=10, acute=True, start=ADMITTED - timedelta(days=100))
    latest = admission(person, days=2, acute=False)
    # Before the latest admission, the earlier one is scored.
    earlier = lace_of(person, as_of=ADMITTED - timedelta(days=1))
    assert earlier.length_of_stay_days == 10
    assert earlier.admission_id != str(latest.id)
    assert lace_of(person).admission_id == str(latest.id)
    # A stay still open at as_of is measured up to as_of.
    during = lace_of(person, as_of=ADMITTED + timedelta(days=1))
    assert during.admission_id == str(latest.id)
    assert during.length_of_stay_days == 1
    assert during.detail["in_progress"] is True
    # Before any admission: no LACE.
    assert lace_for_clients([person.id], as_of=ADMITTED - timedelta(days=200)) == {}


def test_clients_without_an_admission_are_absent(world: Any) -> None:
    only_ed = factories.client(world.casey)
    ed_visit(only_ed, ADMITTED)
    nothing = factories.client(world.casey)
    assert lace_for_clients([only_ed.id, nothing.id], as_of=AS_OF) == {}
    assert lace_for_clients([], as_of=AS_OF) == {}


def test_constant_number_of_queries(world: Any, django_assert_num_queries: Any) -> None:
    clients = [factories.client(world.casey) for _ in range(6)]
    for number, client in enumerate(clients):
        admission(client, days=number + 1, acute=bool(number % 2))
        ed_visit(client, ADMITTED - timedelta(days=20))
        condition(client, "I50.9")
    ids = [client.id for client in clients]
    with django_assert_num_queries(3):
        results = lace_for_clients(ids, as_of=AS_OF)
    assert len(results) == 6
    with django_assert_num_queries(3):
        lace_for_clients(ids[:2], as_of=AS_OF)
