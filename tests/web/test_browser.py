"""One end-to-end run in real Chromium: sign in, register a client, refer them to a program, move
the case to screening and then intake.

Set ``CASEWORK_SCREENSHOTS=/some/dir`` to also save screenshots of the pages visited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while a
# loop is running unless told it is safe (it is: the test itself is synchronous).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.problems = []  # console errors and requests that leave the test server
        page.on(
            "console",
            lambda message: message.type == "error" and page.problems.append(message.text),
        )
        page.on(
            "request",
            lambda request: (
                request.url.startswith(("data:", live_server.url))
                or page.problems.append(f"request to {request.url}")
            ),
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_case_manager_registers_refers_and_moves_a_case(live_server, world, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Given name").fill("Rosa")
    page.get_by_label("Family name").fill("Delgado")
    page.get_by_label("Date of birth").fill("1970-02-03")
    page.get_by_label("Administrative sex").select_option("female")
    page.get_by_label("Preferred language").fill("es")
    page.get_by_label("Needs an interpreter").check()
    page.get_by_label("Phone").fill("555-0142")
    page.get_by_label("Identifier type").select_option("MR")
    page.get_by_label("Identifier", exact=True).fill("MRN-4242")
    page.get_by_role("button", name="Register client").click()
    expect(page.get_by_role("heading", name="Rosa Delgado")).to_be_visible()
    expect(page.get_by_text("Rosa Delgado is registered.")).to_be_visible()

    # Live search (HTMX) finds her as the user types.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_label("Search clients").press_sequentially("delg", delay=30)
    expect(page.locator("#client-results")).to_contain_text("Clients matching “delg”")
    page.locator("#client-results").get_by_role("link", name="Rosa Delgado").click()

    page.get_by_text("Refer to a program").click()
    page.get_by_label("Program").select_option(label="Care Coordination")
    page.get_by_label("Reason for referral").fill("Lives alone after a fall")
    page.get_by_role("button", name="Refer", exact=True).click()
    stage = page.locator("#case-stage")
    expect(stage).to_have_text("Referred")

    page.get_by_role("button", name="Start screening").click()
    expect(stage).to_have_text("Screening")
    page.get_by_role("button", name="Eligible — start intake").click()
    expect(stage).to_have_text("Intake")
    expect(page.get_by_text("The case is now in Intake.")).to_be_visible()
    _screenshot(page, "case")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    row = page.get_by_role("row").filter(has_text="Rosa Delgado")
    expect(row).to_contain_text("Intake")
    expect(page.get_by_text("2 of 100 caseload points")).to_be_visible()
    _screenshot(page, "caseload")

    # Filtering refreshes the table in place.
    page.get_by_label("Stage").select_option("active")
    expect(page.locator("#caseload-table")).to_contain_text("No open cases match these filters")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Stage").select_option("")
    expect(row).to_be_visible()
    _screenshot(page, "caseload-phone")

    assert page.problems == []
