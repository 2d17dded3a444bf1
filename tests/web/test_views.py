"""Shared pages: sign-in, layout, my caseload (filters, load, query counts), the team view."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases import services as case_services
from casework.cases.models import Case, Status
from tests import factories

WEB = Path(__file__).resolve().parents[2] / "casework"


def open_cases(user, program, count, **client_data):
    cases = []
    for _ in range(count):
        person = factories.client(user, **client_data)
        cases.append(factories.case(user, client=person, program=program, to="intake"))
    return cases


# ----------------------------------------------------------------------------------------------
# Sign-in, layout, static assets


def test_pages_need_sign_in(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_expired_session_on_an_htmx_request_reloads_the_sign_in_page(client, db):
    response = client.get(
        reverse("web:caseload"),
        {"stage": "intake"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="/?stage=intake",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/%3Fstage%3Dintake"


def test_login_page_has_labelled_fields(client, db):
    response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'class="skip-link"' in html


def test_sign_in_and_out(client, world):
    response = client.post(
        reverse("web:login"), {"username": "casey", "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:caseload")
    page = client.get("/").content.decode()
    assert "Casey Case" in page
    assert 'action="/logout/"' in page and "hx-headers" in page
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error(client, world):
    response = client.post(reverse("web:login"), {"username": "casey", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed").exists()


def test_static_assets_are_vendored_and_no_page_loads_from_elsewhere():
    static = WEB / "web" / "static"
    for path in (
        "vendor/htmx/htmx.min.js",
        "vendor/htmx/LICENSE",
        "vendor/pico/pico.min.css",
        "vendor/pico/LICENSE.md",
        "web/casework.css",
    ):
        assert (static / path).stat().st_size > 0, path
    external = re.compile(r"""(src|href)=["']?(https?:)?//""", re.IGNORECASE)
    for template in WEB.glob("**/templates/**/*.html"):
        assert not external.search(template.read_text()), template


def test_static_files_are_served(client, db):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200


def test_unknown_page_is_a_404_in_the_layout(client, world):
    client.force_login(world.casey)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "My caseload" in response.content.decode()


def test_navigation_marks_the_current_page(client, world):
    client.force_login(world.sam)
    html = client.get(reverse("web:team")).content.decode()
    assert '<a href="/team/" aria-current="page">Team</a>' in html
    client.force_login(world.casey)
    assert 'href="/team/"' not in client.get("/").content.decode()


# ----------------------------------------------------------------------------------------------
# My caseload


def test_caseload_lists_my_open_cases_only(client, world):
    mine = factories.client(world.casey, given_name="Marta", family_name="Lindqvist")
    factories.case(world.casey, client=mine, program=world.program, to="intake")
    closed_client = factories.client(world.casey, given_name="Closed", family_name="Person")
    closed = factories.case(world.casey, client=closed_client, program=world.program)
    case_services.case_transition(
        acting_user=world.casey,
        case=closed,
        to_status="closed",
        reason="duplicate",
        closure_reason="duplicate",
    )
    program_south = factories.program("South Support", org=world.org, teams=[world.south])
    theirs = factories.client(world.chris, given_name="Other", family_name="Client")
    factories.case(world.chris, client=theirs, program=program_south, to="intake")

    client.force_login(world.casey)
    response = client.get(reverse("web:caseload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Marta Lindqvist" in html
    assert "Closed Person" not in html
    assert "Other Client" not in html
    assert "Brokerage" in html and "Intake" in html


def test_caseload_shows_load_against_capacity(client, world):
    open_cases(world.casey, world.program, 3)
    client.force_login(world.casey)
    html = client.get(reverse("web:caseload")).content.decode()
    # Brokerage: 50 cases per full-time case manager, so a case weighs 2 points.
    assert "<strong>6</strong> of 100 caseload points" in html
    assert "(6%)" in html
    assert "<strong>3</strong> cases on caseload" in html
    assert '<progress value="6" max="100"' in html


def test_caseload_filters_by_program_and_stage(client, world):
    second = factories.program("Housing Support", org=world.org, teams=[world.north])
    [first_case] = open_cases(world.casey, world.program, 1, given_name="Alma", family_name="One")
    person = factories.client(world.casey, given_name="Bruno", family_name="Two")
    factories.case(world.casey, client=person, program=second, to="assessment")
    client.force_login(world.casey)

    html = client.get(reverse("web:caseload"), {"program": str(second.id)}).content.decode()
    assert "Bruno Two" in html and "Alma One" not in html

    html = client.get(reverse("web:caseload"), {"stage": "intake"}).content.decode()
    assert "Alma One" in html and "Bruno Two" not in html

    both = client.get(reverse("web:caseload"), {"program": str(second.id), "stage": "intake"})
    assert "No open cases match these filters" in both.content.decode()
    assert first_case.status == Status.INTAKE


def test_caseload_htmx_request_gets_only_the_table(client, world):
    open_cases(world.casey, world.program, 1, given_name="Alma", family_name="One")
    client.force_login(world.casey)
    response = client.get(reverse("web:caseload"), {"stage": "intake"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="caseload-table"')
    assert "<html" not in html and "Alma One" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params", [{"program": "not-a-uuid"}, {"stage": "nonsense"}, {"program": "0" * 32}]
)
def test_caseload_bad_filters_are_ignored_not_500(client, world, params):
    open_cases(world.casey, world.program, 1, given_name="Alma", family_name="One")
    client.force_login(world.casey)
    response = client.get(reverse("web:caseload"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not valid" in html and "Alma One" in html


def test_caseload_read_is_audited(client, world):
    cases = open_cases(world.casey, world.program, 2)
    client.force_login(world.casey)
    client.get(reverse("web:caseload"))
    event = AuditEvent.objects.filter(action="read", object_type="cases.case").last()
    assert event is not None and event.actor_username == "casey"
    assert set(event.detail["ids"]) == {str(case.id) for case in cases}


def _caseload_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:caseload"))
    assert response.status_code == 200
    return len(queries)


def test_caseload_query_count_does_not_grow_with_cases(client, world):
    client.force_login(world.casey)
    open_cases(world.casey, world.program, 3)
    with_three = _caseload_queries(client)
    open_cases(world.casey, world.program, 9)
    with_twelve = _caseload_queries(client)
    assert Case.objects.filter(case_manager=world.casey).count() == 12
    assert with_twelve == with_three


def test_caseload_query_budget(client, world, django_assert_max_num_queries):
    open_cases(world.casey, world.program, 5)
    client.force_login(world.casey)
    with django_assert_max_num_queries(15):
        client.get(reverse("web:caseload"), {"program": str(world.program.id), "stage": "intake"})


def _work_item(user, case, *, due_at, key, snoozed=False):
    from datetime import timedelta

    from django.utils import timezone

    from casework.monitoring import services as monitoring

    item, _ = monitoring.work_item_create(
        acting_user=None,
        assignee=user,
        kind="contact_due",
        title="Contact due",
        due_at=due_at,
        client=case.client,
        case=case,
        source_type="cases.case",
        source_id=f"{case.pk}:{key}",
    )
    if snoozed:
        monitoring.work_item_snooze(
            acting_user=user,
            work_item=item,
            until=timezone.now() + timedelta(days=1),
            reason="Client away",
        )
    return item


def test_caseload_shows_due_and_overdue_work_per_case(client, world):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    first, second = open_cases(world.casey, world.program, 2)
    _work_item(world.casey, first, due_at=now - timedelta(days=1), key="a")
    _work_item(world.casey, first, due_at=now + timedelta(days=2), key="b")
    _work_item(world.casey, first, due_at=now - timedelta(days=3), key="c", snoozed=True)
    _work_item(world.sam, second, due_at=now - timedelta(days=1), key="d")  # not casey's
    client.force_login(world.casey)
    html = client.get(reverse("web:caseload")).content.decode()
    assert "Work due" in html
    assert f'?case={first.pk}&amp;overdue=on" class="badge badge-warning">1 overdue' in html
    assert f'?case={first.pk}">1</a>' in html
    assert f"?case={second.pk}" not in html


def test_caseload_work_counts_keep_the_query_count_constant(client, world):
    from django.utils import timezone

    client.force_login(world.casey)
    cases = open_cases(world.casey, world.program, 3)
    for index, case in enumerate(cases):
        _work_item(world.casey, case, due_at=timezone.now(), key=str(index))
    with_three = _caseload_queries(client)
    for index, case in enumerate(open_cases(world.casey, world.program, 9)):
        _work_item(world.casey, case, due_at=None, key=f"x{index}")
    assert _caseload_queries(client) == with_three


def test_team_view_shows_open_and_overdue_work_per_member(client, world):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    (case,) = open_cases(world.casey, world.program, 1)
    _work_item(world.casey, case, due_at=now - timedelta(days=1), key="a")
    _work_item(world.casey, case, due_at=now + timedelta(days=1), key="b")
    client.force_login(world.sam)
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("web:team")).content.decode()
    assert "Open work" in html and "1 overdue" in html
    assert reverse("monitoring:team_work") in html
    dana = factories.staff("dana", org=world.org, team=world.north)
    (other,) = open_cases(dana, world.program, 1)
    _work_item(dana, other, due_at=now - timedelta(days=1), key="c")
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("web:team"))
    assert len(more.captured_queries) == len(few.captured_queries)


# ----------------------------------------------------------------------------------------------
# Team view


def _waitlisted(user, program, **client_data):
    person = factories.client(user, **client_data)
    case = case_services.case_create(acting_user=user, client=person, program=program)
    case = case_services.case_transition(acting_user=user, case=case, to_status="screening")
    return case_services.case_transition(
        acting_user=user, case=case, to_status="waitlist", reason="No room this month"
    )


def test_team_view_shows_load_unassigned_and_waitlist(client, world):
    open_cases(world.casey, world.program, 2)
    referred = factories.client(world.ian, given_name="Nuevo", family_name="Referido")
    case_services.case_create(acting_user=world.ian, client=referred, program=world.program)
    _waitlisted(world.ian, world.program, given_name="Espera", family_name="Lista")

    client.force_login(world.sam)
    response = client.get(reverse("web:team"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "North" in html and "Casey Case" in html and "Sam Super" in html
    assert "4 of 100 points (4%)" in html
    assert "Intake 2" in html
    assert "Nuevo Referido" in html  # unassigned referral in a program North delivers
    assert "Espera Lista" in html  # on the waitlist
    assert reverse("web:program_waitlist", args=[world.program.id]) in html
    assert "Reassign a whole caseload" in html


def test_team_view_for_someone_who_supervises_no_team(client, world):
    client.force_login(world.casey)
    response = client.get(reverse("web:team"))
    assert response.status_code == 200
    assert "You do not supervise a team" in response.content.decode()


def test_team_view_query_count_does_not_grow_with_cases(client, world):
    client.force_login(world.sam)
    open_cases(world.casey, world.program, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:team"))
    open_cases(world.casey, world.program, 6)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:team"))
    assert len(many) == len(few)


def test_bulk_reassign_moves_a_whole_caseload(client, world):
    dana = factories.staff("dana", org=world.org, team=world.north, first_name="Dana")
    cases = open_cases(world.casey, world.program, 3)
    client.force_login(world.sam)
    response = client.post(
        reverse("web:team_reassign"),
        {"from_case_manager": str(world.casey.id), "to_case_manager": "", "reason": "Casey leaves"},
    )
    assert response.status_code == 302
    assert all(Case.objects.get(pk=case.pk).case_manager_id == dana.id for case in cases)
    page = client.get(response["Location"]).content.decode()
    assert "3 cases moved from Casey Case" in page


def test_bulk_reassign_is_all_or_nothing_and_says_so(client, world):
    dana = factories.staff("dana", org=world.org, team=world.north, first_name="Dana")
    dana.caseload_capacity = 3  # room for one brokerage case (2 points)
    dana.save()
    cases = open_cases(world.casey, world.program, 2, given_name="Ruth", family_name="Stay")
    client.force_login(world.sam)
    response = client.post(
        reverse("web:team_reassign"),
        {
            "from_case_manager": str(world.casey.id),
            "to_case_manager": str(dana.id),
            "reason": "Casey leaves",
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "nothing was changed" in html
    assert "These cases could not be placed" in html and "Ruth Stay" in html
    assert all(Case.objects.get(pk=case.pk).case_manager_id == world.casey.id for case in cases)


def test_bulk_reassign_needs_a_reason(client, world):
    open_cases(world.casey, world.program, 1)
    client.force_login(world.sam)
    response = client.post(
        reverse("web:team_reassign"), {"from_case_manager": str(world.casey.id), "reason": ""}
    )
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


def test_bulk_reassign_refuses_people_outside_my_teams(client, world):
    client.force_login(world.sam)
    response = client.post(
        reverse("web:team_reassign"),
        {"from_case_manager": str(world.chris.id), "reason": "Chris leaves"},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


# ----------------------------------------------------------------------------------------------
# Accessibility basics on every page


class _Controls(HTMLParser):
    """Collects form controls and the ids that a <label for> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labelled: set[str] = set()
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.labelled.add(attributes["for"])
        elif tag in {"input", "select", "textarea"}:
            if attributes.get("type") in {"hidden", "submit", "button"}:
                return
            attributes["wrapped"] = "yes" if self.label_depth else ""
            self.controls.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def unlabelled_controls(html: str) -> list[dict[str, str]]:
    parser = _Controls()
    parser.feed(html)
    return [
        control
        for control in parser.controls
        if not control["wrapped"]
        and control.get("id") not in parser.labelled
        and not control.get("aria-label")
    ]


def test_every_form_control_has_a_label(client, world):
    [case] = open_cases(world.casey, world.program, 1)
    pages = [
        (None, reverse("web:login")),
        (world.casey, reverse("web:caseload")),
        (world.casey, reverse("web:client_search")),
        (world.casey, reverse("web:client_create")),
        (world.casey, reverse("web:client_detail", args=[case.client_id])),
        (world.casey, reverse("web:case_detail", args=[case.id])),
        (world.sam, reverse("web:case_detail", args=[case.id])),
        (world.sam, reverse("web:team")),
        (world.sam, reverse("web:program_waitlist", args=[world.program.id])),
    ]
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert unlabelled_controls(html) == [], url
        assert 'id="main"' in html and 'href="#main"' in html, url
        assert '<meta name="viewport"' in html, url
