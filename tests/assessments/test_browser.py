"""In real Chromium: a case manager fills in a PHQ-9 by clicking the answer labels, saves a draft,
comes back, submits, and sees the score, the band and the urgent flag.

Set ``CASEWORK_SCREENSHOTS=/some/dir`` to also save screenshots of the pages visited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from casework.assessments.models import AssessmentResponse
from casework.monitoring.models import WorkItem
from tests import factories

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while a
# loop is running unless told it is safe (it is: the test itself is synchronous).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        opened.problems = []
        opened.on(
            "console",
            lambda message: message.type == "error" and opened.problems.append(message.text),
        )
        try:
            yield opened
        finally:
            context.close()
            browser.close()


def _screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_fill_in_a_phq9_save_a_draft_and_submit(live_server: Any, world: Any, page: Any) -> None:
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
    _screenshot(page, "assessment-form")
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
    _screenshot(page, "assessment-result")
    assert page.locator(".score").inner_text() == "12"
    assert page.get_by_text("Moderate depression").is_visible()
    assert page.get_by_text("Urgent:").is_visible()
    assert WorkItem.objects.filter(assignee=world.sam, priority="asap").exists()
    assert page.problems == []
