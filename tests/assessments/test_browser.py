"""In real Chromium: a case manager fills in a PHQ-9 by clicking the answer labels, saves a draft,
comes back, submits, and sees the score, the band and the urgent flag.

Set ``CASEWORK_SCREENSHOTS=/some/dir`` to also save screenshots of the pages visited.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casework.assessments.models import AssessmentResponse
from casework.monitoring.models import WorkItem
from tests import factories
from tests.browser import BROWSER_MARKS, screenshot

pytestmark = BROWSER_MARKS


def test_fill_in_a_phq9_save_a_draft_and_submit(
    live_server: Any, world: Any, browser_page: Any
) -> None:
    page = browser_page
    client = factories.client(world.casey, given_name="Rosa", family_name="Delgado")
    factories.case(world.casey, client=client, program=world.program, to="assessment")
    page.goto(live_server.url + reverse("web:login"))
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + reverse("assessments:list", args=[client.id]))
    page.get_by_role("link", name="PHQ-9", exact=True).click()
    interest = page.get_by_role("group", name="Little interest or pleasure in doing things?")
    interest.get_by_label("More than half the days").check()
    page.get_by_role("group", name="Feeling down, depressed, or hopeless?").get_by_label(
        "Nearly every day"
    ).check()
    screenshot(page, "assessment-form")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    draft = AssessmentResponse.objects.get(client=client)
    assert draft.status == "draft" and len(draft.answers) == 2

    # Back to the draft: what was saved is still chosen; answer the rest and submit.
    page.goto(live_server.url + reverse("assessments:detail", args=[draft.pk]))
    assert interest.get_by_label("More than half the days").is_checked()
    for group in page.locator("fieldset.question").all()[2:9]:
        group.get_by_label("Several days").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("PHQ-9 submitted.").wait_for()
    screenshot(page, "assessment-result")
    assert page.locator(".score").inner_text() == "12"
    assert page.get_by_text("Moderate depression").is_visible()
    assert page.get_by_text("Urgent:").is_visible()
    assert WorkItem.objects.filter(assignee=world.sam, priority="asap").exists()
    assert page.problems == []
