"""A small population with known risk for the stratification tests (services, API, pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from casework.assessments import services as assessments
from casework.cases.models import Case
from casework.clients.models import Client, Condition, Utilization
from tests import factories

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
PHQ9 = "44249-1"
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
AHC = "96777-8"
# Housing instability, food insecurity (sometimes true), transportation: three social needs.
AHC_POSITIVE = {
    "71802-3": "LA31994-9",
    "88122-7": "LA28397-0",
    "88123-5": "LA28398-8",
    "93030-5": "LA33-6",
    "96779-4": "LA32-8",
}


def phq9(values: list[int]) -> dict[str, int]:
    return dict(zip(PHQ9_ITEMS, values, strict=True))


def condition(client: Client, code: str, display: str = "") -> None:
    Condition.objects.create(client=client, system=ICD, code=code, display=display, source="test")


def hospital_use(
    client: Client, *, ed_days_ago: list[int], admission: tuple[int, int] | None
) -> None:
    """ED visits that many days ago, and an acute admission (days ago, length of stay)."""
    now = timezone.now()
    for days in ed_days_ago:
        start = now - timedelta(days=days)
        Utilization.objects.create(
            client=client, kind="emergency", started_at=start, ended_at=start + timedelta(hours=4)
        )
    if admission:
        days_ago, stay = admission
        start = now - timedelta(days=days_ago)
        Utilization.objects.create(
            client=client,
            kind="inpatient",
            started_at=start,
            ended_at=start + timedelta(days=stay),
            acute=True,
        )


@dataclass
class Population:
    smi: Client  # schizophrenia, frequent hospital use, a recent long acute admission
    item9: Client  # PHQ-9 item 9 positive
    needs: Client  # social needs only
    quiet: Client  # nothing known
    enrolled: Client  # moderate depression, with an open case carried by Casey
    case: Case


def build_population(world: Any) -> Population:
    casey = world.casey
    smi = factories.client(casey, given_name="Sam", family_name="Smi")
    condition(smi, "F20.9", "Schizophrenia, unspecified")
    condition(smi, "I50.9", "Heart failure, unspecified")
    condition(smi, "E11.22", "Type 2 diabetes mellitus with diabetic CKD")
    # Admitted 20 days ago for 8 days through the ED (L 5, A 3), Charlson (LACE weights) heart
    # failure 2 + diabetes with end-organ damage 2 = 4 → C 5, 3 earlier ED visits → E 3.
    hospital_use(smi, ed_days_ago=[60, 90, 120], admission=(20, 8))

    item9 = factories.client(casey, given_name="Ida", family_name="Item")
    assessments.assessment_create(
        acting_user=casey, client=item9, instrument_code=PHQ9, answers=phq9([1] * 8 + [2])
    )

    needs = factories.client(casey, given_name="Ned", family_name="Needs")
    assessments.assessment_create(
        acting_user=casey, client=needs, instrument_code=AHC, answers=AHC_POSITIVE
    )

    quiet = factories.client(casey, given_name="Quinn", family_name="Quiet")

    enrolled = factories.client(casey, given_name="Eve", family_name="Enrolled")
    case = factories.case(casey, client=enrolled, program=world.program, to="assessment")
    assessments.assessment_create(
        acting_user=casey,
        client=enrolled,
        instrument_code=PHQ9,
        answers=phq9([2, 2, 2, 1, 1, 1, 1, 2, 0]),
    )
    return Population(smi, item9, needs, quiet, enrolled, case)
