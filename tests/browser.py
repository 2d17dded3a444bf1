"""Shared set-up for the Playwright tests: Debian's Chromium, headless, nothing leaves the box.

Use ``browser_page`` (a fixture registered in tests/conftest.py) and mark the module with
``pytestmark = BROWSER_MARKS``. ``screenshot(page, name)`` saves a full-page PNG when
``CASEWORK_SCREENSHOTS=/some/dir`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def open_page(live_server: Any) -> Iterator[Any]:
    """A page in a fresh headless Chromium; ``page.problems`` collects console errors and any
    request that goes anywhere but the test server."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # while a loop is running unless told it is safe (it is: the test is synchronous).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.problems = []
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


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
