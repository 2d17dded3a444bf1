"""Features of the predictive model, as they stood on the index date (no leakage)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from casework.assessments.models import (
    AssessmentResponse,
    Instrument,
    NeedStatus,
    Observation,
    ProposedNeed,
)
from casework.clients.models import Client, Condition, Utilization, UtilizationKind
from casework.risk import features as F
from casework.risk.charlson import ICD10_CM_SYSTEM, SNOMED_SYSTEM
from tests import factories

INDEX = timezone.make_aware(datetime(2025, 6, 1, 0, 0))


def visit(client: Client, kind: str, at: datetime, days: float = 0.2) -> None:
    Utilization.objects.create(
        client=client,
        kind=kind,
        started_at=at,
        ended_at=at + timedelta(days=days),
        acute=kind == UtilizationKind.INPATIENT,
    )


def score(client: Client, code: str, value: int, at: datetime) -> None:
    Observation.objects.create(
        client=client, code=code, value_decimal=Decimal(value), effective_at=at, source="test"
    )


def need(client: Client, organization: Any, code: str, status: str = NeedStatus.PROPOSED) -> None:
    instrument = Instrument.objects.first() or Instrument.objects.create(
        code="test-screen", name="Test screen", short_name="Test", definition={}
    )
    response = AssessmentResponse.objects.create(
        organization=organization, client=client, instrument=instrument, status="completed"
    )
    ProposedNeed.objects.create(
        client=client,
        response=response,
        domain="food",
        system=ICD10_CM_SYSTEM,
        code=code,
        display=code,
        status=status,
    )


@pytest.fixture
def person(world: Any) -> Client:
    return factories.client(world.casey, birth_date=date(1960, 6, 2), sex="female")


def values(client: Client, index: datetime = INDEX) -> dict[str, float]:
    ids, matrix = F.features_for_clients([client.id], as_of=index)
    assert ids == [client.id]
    return dict(zip(F.FEATURE_NAMES, matrix[0], strict=True))


def test_demographics(person: Client) -> None:
    row = values(person)
    assert row["age"] == 64  # the 65th birthday is the day after the index date
    assert row["female"] == 1.0


def test_utilization_counts_over_6_and_12_months(person: Client) -> None:
    emergency, inpatient = UtilizationKind.EMERGENCY, UtilizationKind.INPATIENT
    visit(person, emergency, INDEX - timedelta(days=10))
    visit(person, emergency, INDEX - timedelta(days=150))
    visit(person, emergency, INDEX - timedelta(days=250))
    visit(person, emergency, INDEX - timedelta(days=400))  # over a year ago
    visit(person, inpatient, INDEX - timedelta(days=200), days=4)
    visit(person, emergency, INDEX + timedelta(days=3))  # after the index date: the outcome
    row = values(person)
    assert row["ed_visits_6m"] == 2
    assert row["ed_visits_12m"] == 3
    assert row["admissions_6m"] == 0
    assert row["admissions_12m"] == 1
    assert row["lace"] == 4 + 3 + 0 + 1  # 4 days, acute, no comorbidity, one ED visit before


def test_condition_categories_active_on_the_index_date(person: Client) -> None:
    def add(code: str, system: str = ICD10_CM_SYSTEM, **dates: Any) -> None:
        Condition.objects.create(client=person, system=system, code=code, **dates)

    add("I50.9", onset_date=date(2020, 1, 1))
    add("88805009", system=SNOMED_SYSTEM, onset_date=date(2021, 1, 1))  # same category
    add("E11.9", onset_date=date(2019, 1, 1))
    add("E11.22", onset_date=date(2024, 1, 1))  # complication: counts instead of diabetes
    add("F20.9", onset_date=date(2015, 1, 1))
    add("F10.20", onset_date=date(2025, 7, 1))  # diagnosed after the index date
    add("J44.9", onset_date=date(2018, 1, 1), abatement_date=date(2024, 1, 1))  # resolved
    add("Z59.00", onset_date=date(2024, 10, 1))  # homelessness: a social need
    row = values(person)
    assert row["congestive_heart_failure"] == 1
    assert row["diabetes_with_complications"] == 1
    assert row["diabetes"] == 0
    assert row["serious_mental_illness"] == 1
    assert row["substance_use"] == 0
    assert row["chronic_pulmonary_disease"] == 0
    assert row["social_needs"] == 1


def test_latest_scores_before_the_index_date(person: Client) -> None:
    score(person, "44261-6", 8, INDEX - timedelta(days=200))
    score(person, "44261-6", 17, INDEX - timedelta(days=20))
    score(person, "44261-6", 3, INDEX + timedelta(days=1))  # later: not seen
    score(person, "75626-2", 6, INDEX - timedelta(days=5))
    row = values(person)
    assert row["phq9"] == 17
    assert row["auditc"] == 6
    assert math.isnan(row["gad7"])  # never screened: missing, imputed by the model
    assert values(person, INDEX + timedelta(days=2))["phq9"] == 3


def test_open_social_needs(world: Any, person: Client) -> None:
    need(person, world.org, "Z59.41")
    need(person, world.org, "Z59.82", status=NeedStatus.ACCEPTED)
    need(person, world.org, "Z59.86", status=NeedStatus.DISMISSED)
    Condition.objects.create(
        client=person, system=ICD10_CM_SYSTEM, code="Z59.41", onset_date=date(2024, 1, 1)
    )  # the same need coded as a condition counts once
    now = timezone.now()
    assert values(person, now)["social_needs"] == 2
    # Needs proposed after the index date are not counted.
    assert values(person, now - timedelta(days=30))["social_needs"] == 1


def test_labels() -> None:
    assert F.describe("ed_visits_6m", 3) == "3 ED visits in the last 6 months"
    assert F.describe("ed_visits_12m", 1) == "1 ED visit in the last 12 months"
    assert F.describe("admissions_12m", 0) == "No hospital admissions in the last 12 months"
    assert F.describe("phq9", 17) == "Latest PHQ-9 score 17"
    assert F.describe("gad7", math.nan) == "No GAD-7 score on record"
    assert F.describe("congestive_heart_failure", 1) == "Congestive heart failure on record"
    assert F.describe("social_needs", 2) == "2 open social needs"
    assert F.describe("age", 71) == "Age 71"
    assert (
        F.describe_group("ed_visits", {"ed_visits_12m": 3, "ed_visits_6m": 2})
        == "3 ED visits in the last 12 months (2 in the last 6 months)"
    )
    assert (
        F.describe_group("hospital_stays", {"admissions_12m": 1, "admissions_6m": 0, "lace": 9})
        == "1 hospital admission in the last 12 months (0 in the last 6 months); LACE 9"
    )


def test_set_based(world: Any, django_assert_max_num_queries: Any) -> None:
    clients = [factories.client(world.casey) for _ in range(5)]
    for client in clients:
        visit(client, UtilizationKind.EMERGENCY, INDEX - timedelta(days=5))
        score(client, "44261-6", 9, INDEX - timedelta(days=5))
    # Clients, encounters, conditions, latest scores, needs; LACE's three (at most).
    with django_assert_max_num_queries(8):
        ids, matrix = F.features_for_clients([client.id for client in clients], as_of=INDEX)
    assert matrix.shape == (5, len(F.FEATURE_NAMES))
    assert set(ids) == {client.id for client in clients}
