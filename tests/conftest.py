"""Shared fixtures: the named personas every permission test uses.

* ``casey`` -- a case manager on the North team (speaks English and Spanish, holds an LCSW)
* ``sam``   -- the North team's supervisor
* ``ian``   -- an intake worker in the same organization
* ``chris`` -- a case manager on the South team of the same organization (not Casey's team)
* ``olive`` -- an outsider: case manager in another organization
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from casework.accounts.models import Organization, Team, User
from casework.accounts.services import token_create
from casework.programs.models import Program
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, request: Any) -> None:
    """Argon2 is deliberately slow; tests that check hashing itself mark ``real_hashing``."""
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    org: Organization
    other_org: Organization
    north: Team
    south: Team
    casey: User
    sam: User
    ian: User
    chris: User
    olive: User
    program: Program
    other_program: Program


@pytest.fixture
def world(db: Any) -> World:
    org = factories.organization("acme", "Acme Community Services")
    other_org = factories.organization("other", "Other Agency")
    north = factories.team("North", org=org)
    south = factories.team("South", org=org)
    casey = factories.staff(
        "casey",
        org=org,
        team=north,
        languages=["en", "es"],
        credentials=["LCSW"],
        first_name="Casey",
        last_name="Case",
    )
    sam = factories.staff(
        "sam",
        org=org,
        role="supervisor",
        team=north,
        supervisor=True,
        first_name="Sam",
        last_name="Super",
    )
    ian = factories.staff("ian", org=org, role="intake", first_name="Ian", last_name="Intake")
    chris = factories.staff("chris", org=org, team=south, first_name="Chris", last_name="South")
    other_team = factories.team("Elsewhere", org=other_org)
    olive = factories.staff(
        "olive", org=other_org, team=other_team, first_name="Olive", last_name="Outsider"
    )
    program = factories.program("Care Coordination", org=org, teams=[north], min_age=18)
    other_program = factories.program("Other Coordination", org=other_org, teams=[other_team])
    return World(
        org, other_org, north, south, casey, sam, ian, chris, olive, program, other_program
    )


class ApiClient:
    """A tiny JSON client that authenticates with a real bearer token."""

    def __init__(self, user: User) -> None:
        _, self.token = token_create(user=user, name="test")
        self.http = HttpClient()
        self.user = user

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params, **self._headers())

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        import json

        data = raw if raw is not None else json.dumps(body or {})
        return self.http.post(path, data, content_type="application/json", **self._headers())

    def patch(self, path: str, body: Any) -> Any:
        import json

        return self.http.patch(
            path, json.dumps(body), content_type="application/json", **self._headers()
        )


@pytest.fixture
def api(world: World) -> Any:
    """``api(user)`` returns an authenticated JSON client for that persona."""
    return ApiClient


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """In CI (``CASEWORK_NO_SKIPS=1``, set by ``.ci/run``) a skipped test is a failure: browser,
    PostgreSQL and shared-data tests must all run there."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("CASEWORK_NO_SKIPS") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where nothing may be skipped: {reason}"


@pytest.fixture(autouse=True)
def _audit_triggers_off_before_flush(request: Any) -> Any:
    """Transactional tests (``transactional_db``, ``live_server``, ``django_db(transaction=True)``)
    end by emptying every table, which the audit table's append-only triggers refuse. Drop the
    triggers just before that flush. A later test that checks the triggers re-installs them with
    ``casework.audit.triggers.install(connection)``."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not transactional:
        yield
        return
    # Set the database up before this fixture, so its flush runs after this teardown.
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from casework.audit import triggers

    triggers.remove(connection)


@pytest.fixture
def browser_page(live_server: Any) -> Any:
    """A headless Chromium page against the live server (see tests/browser.py)."""
    from tests.browser import open_page

    yield from open_page(live_server)
