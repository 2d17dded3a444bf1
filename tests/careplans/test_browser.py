"""In real Chromium: a case manager starts a care plan from the case page, adds a goal inline
(HTMX), the client signs on the canvas with the mouse, the agreement is recorded and the plan
shows "Agreed".

Set ``CASEWORK_SCREENSHOTS=/some/dir`` to also save screenshots of the pages visited.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casework.careplans.models import CarePlan
from tests import factories
from tests.browser import BROWSER_MARKS, screenshot

pytestmark = BROWSER_MARKS


def test_build_a_plan_sign_on_the_canvas_and_agree(
    live_server: Any, world: Any, browser_page: Any
) -> None:
    page = browser_page
    person = factories.client(
        world.casey, given_name="Lucía", family_name="Ortega", preferred_language="es"
    )
    case = factories.case(world.casey, client=person, program=world.program, to="planning")
    page.goto(live_server.url + reverse("web:login"))
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + reverse("web:case_detail", args=[case.id]))
    page.get_by_role("button", name="Start a care plan").click()
    page.get_by_label("Title").fill("Volver a trabajar")
    page.get_by_role("button", name="Start the care plan").click()
    page.get_by_text("Care plan started.").wait_for()

    # One goal, added inline: the editor is swapped in place by HTMX.
    goals = page.locator("#section-goals")
    goals.get_by_role("button", name="New goal").click()
    goals.get_by_label("The goal in the client's own words").fill("Quiero trabajar de nuevo")
    goals.get_by_label("Target", exact=True).fill("20 horas por semana")
    goals.get_by_role("button", name="Add goal").click()
    page.get_by_text("Goal added.").wait_for()
    assert goals.get_by_text("Quiero trabajar de nuevo").is_visible()

    # The client signs with the mouse on the signature pad.
    canvas = page.locator("[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 40, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + step * 20, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()
    page.get_by_text("Signed. Clear the box to sign again.").wait_for()
    signature = page.locator("input[name=signature]").input_value()
    assert signature.startswith("data:image/png;base64,")
    screenshot(page, "care-plan-signed")
    page.get_by_role("button", name="Record agreement").click()
    page.get_by_text("Agreement recorded.").wait_for()
    page.locator("#agreed-badge").wait_for()
    assert page.locator("#agreed-badge").inner_text() == "Agreed"
    screenshot(page, "care-plan-agreed")

    # The printable plan follows the client's language (Spanish) and shows the signature.
    page.get_by_role("link", name="Print", exact=True).click()
    page.get_by_role("heading", name="Plan de atención: Lucía Ortega").wait_for()
    assert page.get_by_role("heading", name="Mis metas").is_visible()
    assert page.get_by_text("Quiero trabajar de nuevo").is_visible()
    assert page.get_by_role("img", name="Firma: Lucía Ortega").is_visible()
    screenshot(page, "care-plan-print")

    plan = CarePlan.objects.get(case=case)
    assert plan.agreement_method == "signature" and plan.agreed_at is not None
    assert plan.signature.startswith("data:image/png;base64,") and len(plan.signature) > 500
    assert page.problems == []
