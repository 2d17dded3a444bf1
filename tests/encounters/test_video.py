"""Virtual consultations: a contact logged from a video appointment of the same case takes the
appointment's link; another case's appointment is refused; a video contact still needs an https
link from somewhere; the form offers "From appointment"; the appointment page shows its contacts
and the "Join video visit" link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.coordination.services import appointments as appointment_services
from casework.core.errors import ValidationFailed
from casework.encounters import services
from tests import factories

LINK = "https://video.example.org/room/abc123"


@pytest.fixture
def case(world: Any) -> Any:
    person = factories.client(world.casey, given_name="Vera", family_name="Video")
    return factories.case(world.casey, client=person, program=world.program, to="active")


def _appointment(world: Any, case: Any, **extra: Any) -> Any:
    start = timezone.now() - timedelta(hours=2)
    data = {
        "title": "Video check-in",
        "with_whom": "Casey",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=30),
        "mode": "video",
        "video_link": LINK,
        **extra,
    }
    return appointment_services.appointment_create(acting_user=world.casey, case=case, data=data)


def _contact(**extra: Any) -> dict[str, Any]:
    return {
        "contact_type": "video",
        "started_at": timezone.now() - timedelta(hours=2),
        "duration_minutes": 30,
        "note": {"data": "Talked", "assessment": "Stable", "plan": "Next week"},
        **extra,
    }


def test_a_video_contact_takes_the_appointment_link(world: Any, case: Any) -> None:
    appointment = _appointment(world, case)
    contact = services.contact_log(
        acting_user=world.casey, case=case, data=_contact(appointment_id=appointment.pk)
    )
    assert (contact.appointment_id, contact.video_link) == (appointment.pk, LINK)
    own = services.contact_log(
        acting_user=world.casey,
        case=case,
        data=_contact(appointment_id=appointment.pk, video_link="https://other.example/x"),
    )
    assert own.video_link == "https://other.example/x"


def test_the_appointment_must_be_of_the_same_case(world: Any, case: Any) -> None:
    other_client = factories.client(world.casey)
    other_case = factories.case(
        world.casey, client=other_client, program=world.program, to="active"
    )
    appointment = _appointment(world, other_case)
    with pytest.raises(ValidationFailed) as caught:
        services.contact_log(
            acting_user=world.casey, case=case, data=_contact(appointment_id=appointment.pk)
        )
    assert "appointment_id" in [e["field"] for e in caught.value.errors]


def test_a_video_contact_still_needs_a_link_from_somewhere(world: Any, case: Any) -> None:
    appointment = _appointment(world, case, mode="in_person", video_link="", location="Office")
    with pytest.raises(ValidationFailed) as caught:
        services.contact_log(
            acting_user=world.casey, case=case, data=_contact(appointment_id=appointment.pk)
        )
    assert "video_link" in [e["field"] for e in caught.value.errors]


def test_api_takes_appointment_id_and_returns_it(world: Any, api: Any, case: Any) -> None:
    appointment = _appointment(world, case)
    body = {
        **_contact(appointment_id=str(appointment.pk)),
        "started_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    }
    response = api(world.casey).post(f"/api/v1/cases/{case.pk}/contacts", body)
    assert response.status_code == 201, response.json()
    assert response.json()["appointment_id"] == str(appointment.pk)
    assert response.json()["video_link"] == LINK
    other = api(world.casey).post(
        f"/api/v1/cases/{case.pk}/contacts",
        {**body, "appointment_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert other.status_code == 422


def test_form_offers_from_appointment_and_the_page_joins_and_lists(
    client: Any, world: Any, case: Any
) -> None:
    appointment = _appointment(world, case)
    client.force_login(world.casey)
    form_url = reverse("encounters:contact_new", args=[case.pk])
    page = client.get(form_url).content.decode()
    assert "From appointment" in page and "Video check-in" in page
    posted = client.post(
        form_url,
        {
            "contact_type": "video",
            "outcome": "successful",
            "started_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "appointment": str(appointment.pk),
            "note_format": "dap",
            "data": "Talked",
            "assessment": "Stable",
            "plan": "Next week",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    detail = client.get(reverse("coordination:appointment_detail", args=[appointment.pk]))
    html = detail.content.decode()
    assert 'id="join-video-link"' in html and LINK in html
    assert 'id="appointment-contacts"' in html and "Video" in html
