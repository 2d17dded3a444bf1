"""Appointment pages: the case section, book and edit forms, attendance buttons, My calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.coordination.models import Appointment, CalendarFeed
from casework.coordination.services import appointments as services
from casework.monitoring.models import WorkItem
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def case(world):
    person = factories.client(world.casey, given_name="Maria", family_name="Gonzalez")
    return factories.case(world.casey, client=person, program=world.program, to="active")


def book(world, case, *, hours=48, **extra):
    start = timezone.now() + timedelta(hours=hours)
    data = {
        "title": "Dental check-up",
        "with_whom": "Dr. Lee",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        **extra,
    }
    return services.appointment_create(acting_user=world.casey, case=case, data=data)


def test_book_from_the_form_and_see_it_in_the_case_section(client, world, case):
    client.force_login(world.casey)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert reverse("coordination:case_appointments", args=[case.pk]) in page
    url = reverse("coordination:appointment_new", args=[case.pk])
    assert client.get(url).status_code == 200
    start = timezone.localtime(timezone.now() + timedelta(days=3))
    form = {
        "title": "Psychiatry review",
        "with_whom": "Dr. Reyes",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(minutes=45)).strftime(FMT),
        "mode": "in_person",
        "location": "Riverside Clinic",
        "accompaniment_planned": "on",
        "transport_needed": "on",
    }
    refused = client.post(url, {**form, "ends_at": start.strftime(FMT)})
    assert refused.status_code == 422
    assert "must be after the start" in refused.content.decode().lower()
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    appointment = Appointment.objects.get(case=case)
    assert appointment.accompanied_by == world.casey
    fragment = client.get(
        reverse("coordination:case_appointments", args=[case.pk]), **HTMX
    ).content.decode()
    assert "<html" not in fragment
    assert "Psychiatry review" in fragment and "Transport needed" in fragment


def test_attendance_buttons_in_place_and_the_no_show_follow_up(client, world, case):
    missed = book(world, case, hours=-3)
    client.force_login(world.casey)
    fragment = client.get(
        reverse("coordination:case_appointments", args=[case.pk]), **HTMX
    ).content.decode()
    assert "Needs attendance" in fragment and "No-show" in fragment
    url = reverse("coordination:appointment_attendance", args=[missed.pk])
    answer = client.post(url, {"status": "noshow", "version": missed.version}, **HTMX)
    assert answer.status_code == 200
    assert "work queue" in answer.content.decode()
    assert WorkItem.objects.filter(source_id=str(missed.pk)).count() == 1
    again = client.post(url, {"status": "noshow", "version": missed.version + 1}, **HTMX)
    assert "already recorded" in again.content.decode()
    assert WorkItem.objects.filter(source_id=str(missed.pk)).count() == 1


def test_detail_page_offers_log_the_contact_after_an_attended_accompaniment(client, world, case):
    appointment = book(world, case, hours=-2, accompaniment_planned=True)
    client.force_login(world.casey)
    detail_url = reverse("coordination:appointment_detail", args=[appointment.pk])
    assert "Attended" in client.get(detail_url).content.decode()
    client.post(
        reverse("coordination:appointment_attendance", args=[appointment.pk]),
        {"status": "fulfilled", "version": appointment.version},
    )
    page = client.get(detail_url).content.decode()
    assert "contact_type=accompaniment" in page
    contact_form = client.get(
        reverse("encounters:contact_new", args=[case.pk]),
        {"contact_type": "accompaniment", "duration_minutes": "60"},
    )
    assert contact_form.status_code == 200


def test_edit_keeps_the_version_and_refuses_stale(client, world, case):
    appointment = book(world, case)
    client.force_login(world.casey)
    url = reverse("coordination:appointment_edit", args=[appointment.pk])
    assert f'value="{appointment.version}"' in client.get(url).content.decode()
    start = timezone.localtime(appointment.starts_at)
    form = {
        "title": "Dental check-up",
        "with_whom": "Dr. Lee",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(hours=1)).strftime(FMT),
        "mode": "in_person",
        "location": "Clinic B",
        "version": appointment.version,
    }
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "location": "Clinic C"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    appointment.refresh_from_db()
    assert appointment.location == "Clinic B"


def test_pages_are_404_for_people_without_access(client, world, case):
    appointment = book(world, case)
    for outsider in (world.chris, world.olive, world.ian):
        client.force_login(outsider)
        assert (
            client.get(reverse("coordination:case_appointments", args=[case.pk])).status_code == 404
        )
        detail = reverse("coordination:appointment_detail", args=[appointment.pk])
        assert client.get(detail).status_code == 404
    client.force_login(world.sam)
    assert client.get(reverse("coordination:case_appointments", args=[case.pk])).status_code == 200


def test_my_calendar_lists_by_day_and_manages_the_feed(client, world, case):
    book(world, case, hours=30, title="Housing interview")
    client.force_login(world.casey)
    page = client.get(reverse("coordination:calendar"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Housing interview" in body and "You have no feed URL." in body
    assert 'href="/calendar/"' in body  # the Calendar menu item
    created = client.post(reverse("coordination:calendar_feed_new")).content.decode()
    assert "/calendar/feed/" in created and ".ics" in created
    feed = CalendarFeed.objects.get(user=world.casey, revoked_at__isnull=True)
    assert feed.prefix in created
    reloaded = client.get(reverse("coordination:calendar")).content.decode()
    assert ".ics" not in reloaded  # shown once
    client.post(reverse("coordination:calendar_feed_revoke"))
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_calendar_page_query_count_is_constant(client, world, case, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.casey)
    book(world, case)
    client.get(reverse("coordination:calendar"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("coordination:calendar"))
    for hours in range(50, 300, 25):
        book(world, case, hours=hours, accompaniment_planned=True)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("coordination:calendar"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("coordination:case_appointments", args=[case.pk]), **HTMX)
    book(world, case, hours=-5)
    with django_assert_num_queries(len(many.captured_queries)):
        client.get(reverse("coordination:case_appointments", args=[case.pk]), **HTMX)
