"""The iCalendar writer and the secret feed, parsed by a standard parser (icalendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from casework.audit.models import AuditEvent
from casework.coordination import ical
from casework.coordination.models import CalendarFeed
from casework.coordination.services import appointments as services
from tests import factories


def test_text_is_escaped_and_long_unicode_lines_fold_at_75_octets():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "LOCATION:" + "Straße über den Fluss — café 日本語 " * 6
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 2
    for index, part in enumerate(parts):
        raw = part.encode("utf-8")
        assert len(raw) <= 75
        raw.decode("utf-8")  # never a split UTF-8 sequence
        if index:
            assert part.startswith(" ")
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_calendar_round_trips_through_icalendar():
    start = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
    text = ical.calendar(
        name="Casey — ACT",
        events=[
            ical.Event(
                uid="abc@casework",
                stamp=start,
                start=start,
                end=start + timedelta(hours=1),
                summary="M G · Check-up; bring meds, card",
                sequence=3,
                status="CANCELLED",
            )
        ],
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    parsed = Calendar.from_ical(text)
    assert str(parsed["X-WR-CALNAME"]) == "Casey — ACT"
    (event,) = parsed.walk("VEVENT")
    assert str(event["SUMMARY"]) == "M G · Check-up; bring meds, card"
    assert event["DTSTART"].dt == start
    assert int(event["SEQUENCE"]) == 3
    assert str(event["STATUS"]) == "CANCELLED"


# ----------------------------------------------------------------------------------------------
# The feed


@pytest.fixture
def case(world):
    person = factories.client(
        world.casey, given_name="Maria", family_name="Gonzalez", birth_date=date(1971, 4, 2)
    )
    return factories.case(world.casey, client=person, program=world.program, to="active")


def book(world, case, *, days=2, **extra):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    data = {
        "title": "Dental check-up",
        "with_whom": "Dr. Lee",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        **extra,
    }
    return services.appointment_create(acting_user=world.casey, case=case, data=data)


def fetch(client, token):
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200, response.content
    return response, Calendar.from_ical(response.content)


def test_the_feed_serves_the_case_managers_appointments_minimum_necessary(client, world, case):
    long_place = "Centre de santé communautaire Île-de-Montréal, 1234 rue Saint-Denis, " * 3
    kept = book(world, case, location=long_place, transport_needed=True)
    cancelled = book(world, case, days=3)
    services.appointment_cancel(
        acting_user=world.casey, appointment=cancelled, expected_version=1, reason="Clinic shut"
    )
    wrong = book(world, case, days=4)
    services.appointment_entered_in_error(
        acting_user=world.casey, appointment=wrong, expected_version=1, reason="Wrong client"
    )
    book(world, case, days=200)  # beyond the window
    _, token = services.calendar_feed_create(acting_user=world.casey)

    response, parsed = fetch(client, token)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert str(parsed["VERSION"]) == "2.0"
    assert "casework" in str(parsed["PRODID"])
    events = {str(event["UID"]): event for event in parsed.walk("VEVENT")}
    assert set(events) == {f"{kept.pk}@casework", f"{cancelled.pk}@casework"}
    event = events[f"{kept.pk}@casework"]
    assert event["DTSTART"].dt == kept.starts_at
    assert event["DTEND"].dt == kept.ends_at
    assert response.content.decode().count("DTSTART:") == 2
    assert str(event["SUMMARY"]) == "MG · Dental check-up"
    assert str(event["LOCATION"]) == long_place.strip()
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"{cancelled.pk}@casework"]["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == kept.version
    assert str(event["URL"]).endswith(f"/appointments/{kept.pk}/")
    assert "Transport: NOT arranged" in str(event["DESCRIPTION"])
    body = response.content.decode()
    for secret in ("Gonzalez", "Maria", "1971"):
        assert secret not in body
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75

    audit = AuditEvent.objects.filter(detail__purpose="calendar feed", action="read").get()
    assert audit.actor_id == world.casey.pk
    assert sorted(audit.detail["ids"]) == sorted([str(kept.pk), str(cancelled.pk)])
    assert CalendarFeed.objects.get(user=world.casey).last_fetched_at is not None


def test_uid_is_stable_and_sequence_follows_the_version(client, world, case):
    appointment = book(world, case)
    _, token = services.calendar_feed_create(acting_user=world.casey)
    _, first = fetch(client, token)
    services.appointment_update(
        acting_user=world.casey,
        appointment=appointment,
        expected_version=appointment.version,
        data={"location": "Clinic B"},
    )
    _, second = fetch(client, token)
    (before,) = first.walk("VEVENT")
    (after,) = second.walk("VEVENT")
    assert str(before["UID"]) == str(after["UID"]) == f"{appointment.pk}@casework"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_accompanied_appointments_are_on_the_companions_feed(client, world, case):
    appointment = book(world, case, accompaniment_planned=True, accompanied_by_id=world.sam.pk)
    book(world, case, days=5)
    _, token = services.calendar_feed_create(acting_user=world.sam)
    _, parsed = fetch(client, token)
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [f"{appointment.pk}@casework"]


def test_unknown_and_revoked_tokens_are_404(client, world, case):
    assert client.get("/calendar/feed/not-a-real-token-at-all.ics").status_code == 404
    _, old = services.calendar_feed_create(acting_user=world.casey)
    _, new = services.calendar_feed_create(acting_user=world.casey)
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200
    services.calendar_feed_revoke(acting_user=world.casey)
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 404
    feed = CalendarFeed.objects.filter(user=world.casey).first()
    assert feed is not None and new not in (feed.digest, feed.prefix + "x")


def test_feed_query_count_is_constant(client, world, case, django_assert_num_queries):
    book(world, case)
    _, token = services.calendar_feed_create(acting_user=world.casey)
    client.get(f"/calendar/feed/{token}.ics")  # warm up (session-free, but caches settle)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/calendar/feed/{token}.ics")
    for days in range(3, 12):
        book(world, case, days=days, accompaniment_planned=True)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(f"/calendar/feed/{token}.ics")
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 10


def test_api_creates_and_revokes_the_feed(api, client, world, case):
    book(world, case)
    created = api(world.casey).post("/api/v1/me/calendar-feed")
    assert created.status_code == 201, created.json()
    url = created.json()["url"]
    assert url.startswith("http") and url.endswith(".ics")
    path = url[url.index("/calendar/") :]
    assert client.get(path).status_code == 200
    revoked = api(world.casey).post("/api/v1/me/calendar-feed/revoke")
    assert revoked.json() == {"revoked": 1}
    assert client.get(path).status_code == 404
    again = api(world.casey).post("/api/v1/me/calendar-feed").json()
    client_api = api(world.casey)
    deleted = client_api.http.delete("/api/v1/me/calendar-feed", **client_api._headers())
    assert deleted.json() == {"revoked": 1}
    assert client.get(again["url"][again["url"].index("/calendar/") :]).status_code == 404
