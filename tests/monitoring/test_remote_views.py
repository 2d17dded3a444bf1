"""Remote monitoring on the client chart: the HTMX section with open alerts first and one inline
SVG trend per reading (title, threshold lines, a table fallback) at a constant query count;
acknowledge in place (stale: changed by someone else); the check-in link shown once; 404s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.clients.services import condition_add
from casework.monitoring.models import Alert, AlertStatus, CheckInLink
from casework.monitoring.services import remote as services
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(world.casey, given_name="Rosa", family_name="Remote")
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    condition_add(acting_user=world.casey, client=client, data={"code": "I10"})
    return client, case


def _readings(world: Any, client: Any, count: int, *, start: int = 0) -> None:
    now = timezone.now()
    services.observation_record(
        acting_user_or_link=world.casey,
        client=client,
        readings=[
            r
            for n in range(start, start + count)
            for r in (
                {
                    "code": "85354-9",
                    "systolic": 120 + n % 30,
                    "diastolic": 80,
                    "effective_at": now - timedelta(days=n, hours=1),
                },
                {"code": "29463-7", "value": 80 + n % 5, "effective_at": now - timedelta(days=n)},
            )
        ],
    )


def test_the_chart_loads_the_section_by_htmx(client: Any, world: Any, enrolled: Any) -> None:
    person, _ = enrolled
    client.force_login(world.casey)
    html = client.get(reverse("web:client_detail", args=[person.pk])).content.decode()
    url = reverse("monitoring:client_remote", args=[person.pk])
    assert f'hx-get="{url}"' in html and 'id="remote-section"' in html


def test_a_weight_trend_names_the_heart_failure_rises(
    client: Any, world: Any, enrolled: Any
) -> None:
    person, _ = enrolled
    condition_add(acting_user=world.casey, client=person, data={"code": "I50.9"})
    services.observation_record(
        acting_user_or_link=world.casey,
        client=person,
        readings=[
            {"code": "29463-7", "value": 80, "effective_at": timezone.now() - timedelta(days=2)},
            {"code": "29463-7", "value": 83, "effective_at": timezone.now() - timedelta(hours=1)},
        ],
    )
    client.force_login(world.casey)
    html = client.get(
        reverse("monitoring:client_remote", args=[person.pk]), **HTMX
    ).content.decode()
    assert "alert on a rise of ≥ 0.907 kg in a day" in html
    assert "alert on a rise of ≥ 2.268 kg in 7 days" in html
    assert "up 3 kg in 7 days" in html  # the alert the second reading raised


def test_section_shows_alerts_first_and_svg_trends(client: Any, world: Any, enrolled: Any) -> None:
    person, _ = enrolled
    _readings(world, client=person, count=3)
    services.observation_record(
        acting_user_or_link=world.casey,
        client=person,
        readings=[
            {"code": "85354-9", "systolic": 190, "diastolic": 90, "effective_at": timezone.now()}
        ],
    )
    client.force_login(world.casey)
    response = client.get(reverse("monitoring:client_remote", args=[person.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the section alone
    assert html.index("Systolic 190 mm[Hg] ≥ 180 (critical)") < html.index("Trends")
    assert html.count("<svg") == 3  # systolic, diastolic, weight
    assert "<title" in html and "Readings as a table" in html
    assert "≥ 160 alert" in html and "≥ 180 critical" in html  # I10 threshold lines
    page = client.get(reverse("monitoring:client_remote", args=[person.pk]))
    assert "<html" in page.content.decode()


def test_section_query_count_does_not_grow_with_readings(
    client: Any, world: Any, enrolled: Any
) -> None:
    person, _ = enrolled
    client.force_login(world.casey)
    url = reverse("monitoring:client_remote", args=[person.pk])
    _readings(world, person, 3)
    client.get(url, **HTMX)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **HTMX).status_code == 200
    _readings(world, person, 30, start=3)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url, **HTMX).content.decode()
    assert "33 readings" in html
    assert len(many) == len(few)


def test_acknowledge_in_place_and_stale_says_changed_by_someone_else(
    client: Any, world: Any, enrolled: Any
) -> None:
    person, _ = enrolled
    alert = services.observation_record(
        acting_user_or_link=world.casey,
        client=person,
        readings=[{"code": "2339-0", "value": 40, "effective_at": timezone.now()}],
    )
    assert alert.alerts == []  # no diabetes: no glucose threshold
    alert = services.observation_record(
        acting_user_or_link=world.casey,
        client=person,
        readings=[
            {"code": "85354-9", "systolic": 200, "diastolic": 95, "effective_at": timezone.now()}
        ],
    ).alerts[0]
    client.force_login(world.casey)
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    prefix = f"a{alert.pk}"
    stale = client.post(url, {f"{prefix}-version": alert.version + 1, f"{prefix}-note": "x"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    done = client.post(
        url, {f"{prefix}-version": alert.version, f"{prefix}-note": "Called"}, **HTMX
    )
    assert done.status_code == 200
    assert 'id="no-open-alerts"' in done.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.note) == (AlertStatus.ACKNOWLEDGED, "Called")


def test_check_in_link_is_shown_once_then_revoked(client: Any, world: Any, enrolled: Any) -> None:
    person, _ = enrolled
    client.force_login(world.casey)
    response = client.post(
        reverse("monitoring:check_in_link_new", args=[person.pk]),
        {"readings": ["85354-9"], "days": "14"},
        **HTMX,
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert "http://testserver/check-in/" in html
    link = CheckInLink.objects.get(client=person)
    assert link.readings == ["85354-9"]
    section = client.get(reverse("monitoring:client_remote", args=[person.pk])).content.decode()
    assert "/check-in/" not in section.replace("check-in-link", "")  # never shown again
    revoked = client.post(
        reverse("monitoring:check_in_link_revoke", args=[link.pk]), {"version": link.version}
    )
    assert revoked.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


@pytest.mark.parametrize("persona", ["ian", "chris", "olive"])
def test_staff_who_may_not_see_the_client_get_404(
    client: Any, world: Any, enrolled: Any, persona: str
) -> None:
    person, _ = enrolled
    alert = services.observation_record(
        acting_user_or_link=world.casey,
        client=person,
        readings=[{"code": "59408-5", "value": 80, "effective_at": timezone.now()}],
    ).alerts[0]
    client.force_login(getattr(world, persona))
    assert client.get(reverse("monitoring:client_remote", args=[person.pk])).status_code == 404
    assert (
        client.post(
            reverse("monitoring:alert_acknowledge", args=[alert.pk]),
            {f"a{alert.pk}-version": alert.version},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("monitoring:check_in_link_new", args=[person.pk]), {}).status_code
        == 404
    )
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
