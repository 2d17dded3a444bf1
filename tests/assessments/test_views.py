"""Assessment pages: the one-page form rendered from the Questionnaire, save draft and reopen,
submit and see the result, refusals shown on the items, 404 for outsiders, the trend table."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from casework.assessments.models import AssessmentResponse, Observation
from casework.monitoring.models import WorkItem
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
ANSWER = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}


@pytest.fixture
def setup(world: Any) -> Any:
    client = factories.client(world.casey, sex="female")
    factories.case(world.casey, client=client, program=world.program, to="assessment")
    browser = Browser()
    browser.force_login(world.casey)
    return client, browser


def _new(client: Any, code: str = "44249-1") -> str:
    return reverse("assessments:new", args=[client.id]) + f"?instrument={code}"


def _post(values: list[int], action: str = "submit") -> dict[str, Any]:
    data: dict[str, Any] = {"action": action, "instrument": "44249-1"}
    for code, value in zip(PHQ9_ITEMS, values, strict=False):
        data[f"item-{code}"] = ANSWER[value]
    return data


def test_form_renders_labelled_radio_groups_from_the_questionnaire(setup: Any) -> None:
    client, browser = setup
    page = browser.get(_new(client))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<fieldset") == 10
    assert "<legend>Little interest or pleasure in doing things?" in html
    assert 'type="radio" name="item-44250-9" value="LA6568-5"' in html
    assert "Not at all" in html and "Nearly every day" in html
    assert 'value="draft"' in html and 'value="submit"' in html
    assert browser.get(_new(client, "nope")).status_code == 404


def test_submit_shows_score_band_flags_and_creates_work_items(world: Any, setup: Any) -> None:
    client, browser = setup
    posted = browser.post(_new(client), _post([3, 3, 2, 2, 2, 2, 2, 2, 1]))
    assert posted.status_code == 302
    response = AssessmentResponse.objects.get(client=client)
    assert posted["Location"] == reverse("assessments:detail", args=[response.pk])
    page = browser.get(posted["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert ">19<" in html and "Moderately severe depression" in html
    assert "Urgent:" in html and "item 9" in html
    assert "Work items due today for:" in html and "Sam Super" in html
    assert WorkItem.objects.count() == 2


def test_missing_answers_are_shown_on_the_items_and_nothing_is_stored(setup: Any) -> None:
    client, browser = setup
    page = browser.post(_new(client), _post([1, 1, 1, 1, 1, 1, 1]))
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="e-44253-3"' in html and 'id="e-44260-8"' in html
    assert "Required" in html
    # What was answered stays selected.
    assert 'value="LA6569-3" checked' in html
    assert AssessmentResponse.objects.count() == 0


def test_save_draft_reopen_and_submit(setup: Any) -> None:
    client, browser = setup
    saved = browser.post(_new(client), _post([2, 2], action="draft"))
    assert saved.status_code == 302
    draft = AssessmentResponse.objects.get(client=client)
    assert draft.status == "draft" and set(draft.answers) == {"44250-9", "44255-8"}
    reopened = browser.get(saved["Location"]).content.decode()
    assert 'name="item-44250-9" value="LA6570-1" checked' in reopened
    assert 'name="version" value="1"' in reopened
    # Change one answer, clear another, save again.
    data = _post([1], action="draft") | {"version": "1"}
    assert browser.post(saved["Location"], data).status_code == 302
    draft.refresh_from_db()
    assert draft.version == 2 and set(draft.answers) == {"44250-9"}
    # A stale version is refused with the "changed by someone else" message.
    stale = browser.post(saved["Location"], _post([0] * 9) | {"version": "1"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    done = browser.post(saved["Location"], _post([0] * 9) | {"version": "2"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "completed" and draft.score == 0
    assert "Minimal depression" in browser.get(saved["Location"]).content.decode()


def test_ahc_form_groups_items_by_domain_and_multi_select(setup: Any) -> None:
    client, browser = setup
    html = browser.get(_new(client, "96777-8")).content.decode()
    assert "<h2" in html and "Interpersonal safety" in html
    assert 'type="checkbox" name="item-96778-6"' in html
    posted = browser.post(
        _new(client, "96777-8"),
        {
            "action": "submit",
            "item-96778-6": ["LA28580-1", "LA32001-2"],
            "item-88122-7": "LA6729-3",
        },
    )
    assert posted.status_code == 302
    result = browser.get(posted["Location"]).content.decode()
    assert "Z59.10" in result and "Z59.41" in result and "Food insecurity" in result


def test_initial_assessment_form_has_every_section(setup: Any) -> None:
    client, browser = setup
    html = browser.get(_new(client, "casework-initial-assessment")).content.decode()
    assert html.count("<h2") >= 10 and "Caregiver resources" in html
    posted = browser.post(
        _new(client, "casework-initial-assessment"),
        {"action": "submit", "item-cia-pain": "true", "item-cia-ed-visits-6m": "2"},
    )
    assert posted.status_code == 302
    assert "2 of" in browser.get(posted["Location"]).content.decode()


def test_list_shows_assessments_and_first_vs_latest(setup: Any) -> None:
    client, browser = setup
    for values in ([3, 3, 3, 3, 2, 2, 2, 2, 0], [1, 1, 1, 1, 0, 0, 0, 0, 0]):
        browser.post(_new(client), _post(values))
    assert Observation.objects.filter(client=client, code="44261-6").count() == 2
    html = browser.get(reverse("assessments:list", args=[client.id])).content.decode()
    assert "44261-6" in html
    assert "20" in html and "4" in html and "-16" in html
    assert html.count("PHQ-9</a>") >= 2


def test_outsiders_get_404(world: Any, setup: Any) -> None:
    client, browser = setup
    browser.post(_new(client), _post([0] * 9))
    response = AssessmentResponse.objects.get()
    for person in (world.olive, world.chris):
        other = Browser()
        other.force_login(person)
        assert other.get(reverse("assessments:list", args=[client.id])).status_code == 404
        assert other.get(_new(client)).status_code == 404
        assert other.post(_new(client), _post([0] * 9)).status_code == 404
        assert other.get(reverse("assessments:detail", args=[response.pk])).status_code == 404
    assert AssessmentResponse.objects.count() == 1
    anonymous = Browser().get(reverse("assessments:list", args=[client.id]))
    assert anonymous.status_code == 302
