"""The client's check-in page: first name only, English or Spanish, observations and an alert
for a bad reading, reusable until it expires, 410 expired or revoked, 404 unknown, CSRF on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from casework.assessments.models import Observation
from casework.monitoring.models import Alert, CheckInLink, WorkItem
from casework.monitoring.services import remote as services
from tests import factories


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(
        world.casey, given_name="Rosalind", family_name="Zebulon", preferred_language="en"
    )
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    return client, case


def _link(world: Any, client: Any, **options: Any) -> tuple[CheckInLink, str]:
    return services.check_in_link_create(acting_user=world.casey, client=client, **options)


def test_get_greets_by_first_name_only_with_private_headers(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    _, path = _link(world, client, readings=["85354-9", "55758-7"])
    response = HttpClient().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello, Rosalind" in html
    assert "Zebulon" not in html
    assert 'name="systolic"' in html and 'name="phq_interest"' in html
    assert 'name="glucose"' not in html
    assert 'name="robots" content="noindex' in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "casework</a>" not in html  # no navigation


def test_spanish_speakers_get_the_page_in_spanish(world: Any) -> None:
    client = factories.client(world.casey, given_name="Lucía", preferred_language="es-MX")
    factories.case(world.casey, client=client, program=world.program, to="active")
    _, path = _link(world, client)
    html = HttpClient().get(path).content.decode()
    assert "Hola, Lucía" in html and "¿Cómo se siente hoy?" in html
    assert 'lang="es"' in html


def test_post_records_readings_and_a_bad_one_raises_an_alert(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    link, path = _link(world, client, readings=["85354-9", "55758-7", "29463-7"])
    http = HttpClient()
    response = http.post(
        path,
        {
            "mood": "2",
            "systolic": "185",
            "diastolic": "100",
            "weight": "150",
            "weight_unit": "lb",
            "phq_interest": "2",
            "phq_down": "2",
        },
    )
    assert response.status_code == 200, response.content.decode()
    assert "your case manager will see this" in response.content.decode()
    stored = dict(Observation.objects.filter(client=client).values_list("code", "value_decimal"))
    assert {code: float(value) for code, value in stored.items()} == {
        "how-are-you-today": 2.0,
        "8480-6": 185.0,
        "8462-4": 100.0,
        "29463-7": 68.039,
        "55758-7": 4.0,  # 2 + 2
    }
    assert set(Observation.objects.values_list("source", flat=True)) == {"check-in"}
    assert sorted(Alert.objects.values_list("code", "severity")) == [
        ("55758-7", "alert"),
        ("8480-6", "critical"),
    ]
    assert WorkItem.objects.filter(assignee=world.casey, priority="asap").count() == 1
    link.refresh_from_db()
    assert link.last_used_at is not None
    # Reusable: the client reports again the next day.
    assert http.post(path, {"mood": "4"}).status_code == 200
    assert Observation.objects.filter(code="how-are-you-today").count() == 2


def test_invalid_answers_show_the_form_again(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    _, path = _link(world, client, readings=["85354-9", "59408-5"])
    missing = HttpClient().post(path, {"systolic": "120"})
    assert missing.status_code == 422
    html = missing.content.decode()
    assert "Please choose one." in html and "Enter both numbers, or neither." in html
    implausible = HttpClient().post(path, {"mood": "3", "spo2": "20"})
    assert implausible.status_code == 422
    assert "plausible range" in implausible.content.decode()
    assert not Observation.objects.exists()


def test_expired_and_revoked_links_are_410_and_unknown_404(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    link, path = _link(world, client)
    CheckInLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert HttpClient().get(path).status_code == 410
    assert HttpClient().post(path, {"mood": "3"}).status_code == 410
    other, other_path = _link(world, client)
    services.check_in_link_revoke(acting_user=world.casey, link=other)
    gone = HttpClient().get(other_path)
    assert gone.status_code == 410 and gone["Cache-Control"] == "no-store"
    assert HttpClient().get("/check-in/not-a-real-token/").status_code == 404
    assert not Observation.objects.exists()


def test_csrf_is_enforced(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    _, path = _link(world, client)
    assert HttpClient(enforce_csrf_checks=True).post(path, {"mood": "3"}).status_code == 403
