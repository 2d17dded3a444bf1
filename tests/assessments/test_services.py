"""Assessment services: what is stored, what is refused (and then nothing is stored), drafts,
observations, proposed needs, audit, and the set-based selectors stratification uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.assessments import selectors, services
from casework.assessments.models import (
    AssessmentResponse,
    NeedStatus,
    Observation,
    ProposedNeed,
    ResponseStatus,
)
from casework.audit.models import AuditEvent
from casework.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from casework.monitoring.models import WorkItem
from tests import factories

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


def phq9(values: list[int]) -> dict[str, int]:
    return dict(zip(PHQ9_ITEMS, values, strict=True))


def _counts() -> tuple[int, ...]:
    return (
        AssessmentResponse.objects.count(),
        Observation.objects.count(),
        ProposedNeed.objects.count(),
        WorkItem.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def enrolled(world: Any) -> Any:
    """A client with an open case carried by Casey on the North team."""
    client = factories.client(world.casey, sex="female")
    case = factories.case(world.casey, client=client, program=world.program, to="assessment")
    assert case.case_manager_id == world.casey.pk and case.team_id == world.north.pk
    return client, case


def test_completed_phq9_is_scored_and_kept_as_coded_observations(world: Any, enrolled: Any) -> None:
    client, case = enrolled
    response = services.assessment_create(
        acting_user=world.casey,
        client=client,
        case=case,
        instrument_code=PHQ9,
        answers=phq9([3, 3, 2, 2, 1, 1, 1, 1, 0]),
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETED
    assert response.version == 1
    assert response.score == Decimal(14) and response.band == "moderate"
    assert response.completed_by == world.casey and response.completed_at is not None
    assert response.answers["44250-9"]["code"] == "LA6571-9"
    observations = {o.code: o for o in Observation.objects.filter(response=response)}
    assert observations["44261-6"].value_decimal == Decimal(14)
    assert observations["44261-6"].system == "http://loinc.org"
    assert observations["44261-6"].effective_at == response.completed_at
    assert observations["55758-7"].value_decimal == Decimal(6)
    events = AuditEvent.objects.filter(object_id=str(response.pk))
    assert [e.action for e in events] == ["create"]
    assert events[0].changes["score"] == "14"
    assert events[0].client_id == client.pk


@pytest.mark.parametrize(
    "answers",
    [
        phq9([1, 1, 1, 1, 1, 1, 1, 1, 4]),  # outside the options
        {**phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]), "99999-9": 1},  # unknown item
        dict(list(phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]).items())[:8]),  # item 9 missing
        {**phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]), "44260-8": "LA6569-3x"},
    ],
)
def test_invalid_answers_store_nothing(world: Any, enrolled: Any, answers: Any) -> None:
    client, _case = enrolled
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_create(
            acting_user=world.casey, client=client, instrument_code=PHQ9, answers=answers
        )
    assert refused.value.errors and all(e["field"] for e in refused.value.errors)
    assert _counts() == before


def test_unknown_instrument_wrong_case_and_role_are_refused(world: Any, enrolled: Any) -> None:
    client, _case = enrolled
    with pytest.raises(ValidationFailed) as unknown:
        services.assessment_create(
            acting_user=world.casey, client=client, instrument_code="00000-0", answers={}
        )
    assert unknown.value.errors[0]["field"] == "instrument"
    other = factories.client(world.casey)
    other_case = factories.case(world.casey, client=other, program=world.program)
    with pytest.raises(ValidationFailed) as wrong_case:
        services.assessment_create(
            acting_user=world.casey,
            client=client,
            case=other_case,
            instrument_code=PHQ9,
            answers=phq9([0] * 9),
        )
    assert wrong_case.value.errors[0]["field"] == "case_id"
    privacy = factories.staff("priv", org=world.org, role="privacy_officer")
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            acting_user=privacy, client=client, instrument_code=PHQ9, answers=phq9([0] * 9)
        )


def test_short_name_finds_the_instrument(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    response = services.assessment_create(
        acting_user=world.casey,
        client=client,
        instrument_code="phq-2",
        answers={
            "44250-9": 2,
            "44255-8": 1,
        },
    )
    assert response.instrument.code == "55757-9" and response.band == "positive"
    for written in (
        "http://loinc.org|55757-9",
        "http://loinc.org/q/55757-9",
        "https://casework.example/fhir/Questionnaire/phq-2",
    ):
        assert selectors.instrument_find(written) == response.instrument, written
    assert selectors.instrument_find("http://loinc.org|00000-0") is None


def test_draft_then_change_then_complete(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    draft = services.assessment_create(
        acting_user=world.casey,
        client=client,
        instrument_code=PHQ9,
        answers={"44250-9": 2, "44255-8": 2},
        status="draft",
    )
    assert draft.status == ResponseStatus.DRAFT and draft.score is None
    assert not Observation.objects.filter(response=draft).exists()
    assert draft.result["completeness"]["answered"] == 2
    # Refused: an impossible answer in a draft, and a stale version.
    with pytest.raises(ValidationFailed):
        services.assessment_update_draft(
            acting_user=world.casey, response=draft, expected_version=1, answers={"44259-0": 9}
        )
    services.assessment_update_draft(
        acting_user=world.casey,
        response=draft,
        expected_version=1,
        answers={"44259-0": 1, "44255-8": None},
    )
    draft.refresh_from_db()
    assert draft.version == 2 and set(draft.answers) == {"44250-9", "44259-0"}
    with pytest.raises(StaleVersion):
        services.assessment_update_draft(
            acting_user=world.casey, response=draft, expected_version=1, answers={}
        )
    # Completing with required items missing is refused and leaves the draft as it was.
    with pytest.raises(ValidationFailed) as missing:
        services.assessment_complete(acting_user=world.casey, response=draft)
    assert "44255-8" in {e["field"] for e in missing.value.errors}
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT and draft.version == 2
    done = services.assessment_complete(
        acting_user=world.sam,
        response=draft,
        expected_version=2,
        answers=phq9([2, 2, 1, 0, 0, 0, 0, 0, 0]),
    )
    assert done.status == ResponseStatus.COMPLETED and done.score == 5 and done.band == "mild"
    assert done.started_by == world.casey and done.completed_by == world.sam
    assert Observation.objects.filter(response=done, code="44261-6").count() == 1
    with pytest.raises(Conflict):
        services.assessment_complete(acting_user=world.casey, response=done)
    with pytest.raises(Conflict):
        services.assessment_update_draft(
            acting_user=world.casey, response=done, expected_version=done.version, answers={}
        )


def test_stale_version_on_complete(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    draft = services.assessment_create(
        acting_user=world.casey, client=client, instrument_code=PHQ9, answers={}, status="draft"
    )
    with pytest.raises(StaleVersion):
        services.assessment_complete(
            acting_user=world.casey,
            response=draft,
            expected_version=7,
            answers=phq9([0] * 9),
        )
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT


AHC_POSITIVE = {
    "71802-3": "LA31994-9",
    "88122-7": "LA28397-0",
    "88123-5": "LA28398-8",
    "93030-5": "LA33-6",
    "96779-4": "LA32-8",
}


def test_positive_screening_proposes_coded_needs_once_per_code(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    first = services.assessment_create(
        acting_user=world.casey, client=client, instrument_code="96777-8", answers=AHC_POSITIVE
    )
    needs = {n.code: n for n in ProposedNeed.objects.filter(client=client)}
    assert set(needs) == {"Z59.811", "Z59.41", "Z59.82"}
    food = needs["Z59.41"]
    assert (food.system, food.snomed_code, food.domain, food.category) == (
        "http://hl7.org/fhir/sid/icd-10-cm",
        "733423003",
        "food",
        "food-insecurity",
    )
    assert food.status == NeedStatus.PROPOSED and food.response == first
    assert [n["code"] for n in first.result["needs"]] == ["Z59.811", "Z59.41", "Z59.82"]
    assert all(n["new"] for n in first.result["needs"])
    # The same needs screened again: no second row, the evidence is added to the open one.
    second = services.assessment_create(
        acting_user=world.casey, client=client, instrument_code="96777-8", answers=AHC_POSITIVE
    )
    assert ProposedNeed.objects.filter(client=client).count() == 3
    food.refresh_from_db()
    assert [e["response"] for e in food.evidence] == [str(first.pk), str(second.pk)]
    assert not any(n["new"] for n in second.result["needs"])
    assert {n["id"] for n in second.result["needs"]} == {str(n.pk) for n in needs.values()}
    # A dismissed need is proposed anew by the next positive screen.
    ProposedNeed.objects.filter(pk=food.pk).update(status=NeedStatus.DISMISSED)
    services.assessment_create(
        acting_user=world.casey, client=client, instrument_code="96777-8", answers=AHC_POSITIVE
    )
    assert ProposedNeed.objects.filter(client=client, code="Z59.41").count() == 2


# ----------------------------------------------------------------------------------------------
# The interface for stratification and the predictive model


def test_set_based_selectors(world: Any) -> None:
    clients = [factories.client(world.casey) for _ in range(4)]
    a, b, c, d = clients
    services.assessment_create(
        acting_user=world.casey, client=a, instrument_code=PHQ9, answers=phq9([3] * 8 + [2])
    )
    later = services.assessment_create(
        acting_user=world.casey, client=a, instrument_code=PHQ9, answers=phq9([2] * 8 + [0])
    )
    services.assessment_create(
        acting_user=world.casey, client=b, instrument_code=PHQ9, answers=phq9([0] * 8 + [1])
    )
    services.assessment_create(
        acting_user=world.casey,
        client=b,
        instrument_code="69737-5",
        answers=dict.fromkeys(
            ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"], 2
        ),
    )
    services.assessment_create(
        acting_user=world.casey, client=c, instrument_code="96777-8", answers=AHC_POSITIVE
    )
    ids = [client.pk for client in clients]

    flags = selectors.flags_for_clients(ids)
    # a's latest PHQ-9 has no item-9 answer above 0: its earlier flag no longer counts.
    assert [f["code"] for f in flags[a.pk]] == ["phq9_moderate_or_more"]
    assert later.flags[0]["code"] == "phq9_moderate_or_more"
    assert {f["code"] for f in flags[b.pk]} == {"phq9_item9_positive", "gad7_moderate_or_more"}
    assert {f["instrument"] for f in flags[b.pk]} == {PHQ9, "69737-5"}
    assert d.pk not in flags
    assert {"code", "label", "severity", "instrument"} <= set(flags[b.pk][0])

    scores = selectors.latest_scores_for_clients(ids, ["44261-6", "70274-6"])
    assert scores[a.pk] == {"44261-6": 16.0}
    assert scores[b.pk] == {"44261-6": 1.0, "70274-6": 14.0}
    assert c.pk not in scores and d.pk not in scores

    needs = selectors.open_needs_for_clients(ids)
    assert needs == {c.pk: ["food", "housing", "transportation"]}

    assert selectors.flags_for_clients([]) == {}
    assert selectors.latest_scores_for_clients(ids, []) == {}


def test_set_based_selectors_use_one_query_each_for_any_number_of_clients(world: Any) -> None:
    def run(n: int) -> list[int]:
        clients = [factories.client(world.casey) for _ in range(n)]
        for client in clients:
            services.assessment_create(
                acting_user=world.casey,
                client=client,
                instrument_code="96777-8",
                answers=AHC_POSITIVE,
            )
            services.assessment_create(
                acting_user=world.casey, client=client, instrument_code=PHQ9, answers=phq9([1] * 9)
            )
        ids = [client.pk for client in clients]
        counts = []
        for call in (
            lambda: selectors.flags_for_clients(ids),
            lambda: selectors.latest_scores_for_clients(ids, ["44261-6"]),
            lambda: selectors.open_needs_for_clients(ids),
        ):
            with CaptureQueriesContext(connection) as queries:
                result = call()
            assert len(result) == n
            counts.append(len(queries))
        return counts

    assert run(1) == run(6) == [1, 1, 1]
