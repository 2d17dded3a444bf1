"""One end-to-end run in real Chromium: sign in, register a client, refer them to a program, move
the case to screening and then intake.

Set ``CASEWORK_SCREENSHOTS=/some/dir`` to also save screenshots of the pages visited.
"""

from __future__ import annotations

from tests import factories
from tests.browser import BROWSER_MARKS, screenshot

pytestmark = BROWSER_MARKS


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
    screenshot(page, "case")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    row = page.get_by_role("row").filter(has_text="Rosa Delgado")
    expect(row).to_contain_text("Intake")
    expect(page.get_by_text("2 of 100 caseload points")).to_be_visible()
    screenshot(page, "caseload")

    # Filtering refreshes the table in place.
    page.get_by_label("Stage").select_option("active")
    expect(page.locator("#caseload-table")).to_contain_text("No open cases match these filters")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Stage").select_option("")
    expect(row).to_be_visible()
    screenshot(page, "caseload-phone")

    assert page.problems == []
