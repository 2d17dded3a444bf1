"""Appointments: booking rules (422s), versions, attendance and the no-show work item, access."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.coordination.models import Appointment
from casework.coordination.services import appointments as services
from casework.core.errors import Conflict, StaleVersion, ValidationFailed
from casework.monitoring.models import WorkItem
from tests import factories


@pytest.fixture
def case(world):
    person = factories.client(world.casey, given_name="Maria", family_name="Gonzalez")
    return factories.case(world.casey, client=person, program=world.program, to="active")


def data(**overrides):
    start = timezone.now() + timedelta(days=2)
    base = {
        "title": "Dental check-up",
        "with_whom": "Dr. Lee, Riverside Dental",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "location": "12 River Rd",
    }
    base.update(overrides)
    return base


def book(world, case, **overrides):
    return services.appointment_create(acting_user=world.casey, case=case, data=data(**overrides))


def test_book_an_appointment_with_accompaniment_defaulting_to_the_case_manager(world, case):
    appointment = book(world, case, accompaniment_planned=True, transport_needed=True)
    assert appointment.status == "booked"
    assert appointment.accompanied_by == world.casey
    assert appointment.client_id == case.client_id
    event = AuditEvent.objects.get(object_id=str(appointment.pk), action="create")
    assert event.changes["accompanied_by_id"] == [None, str(world.casey.pk)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"with_whom": " "}, "with_whom"),
        ({"ends_at": timezone.now()}, "ends_at"),
        ({"ends_at": timezone.now() + timedelta(days=4)}, "ends_at"),
        ({"mode": "video"}, "video_link"),
        ({"mode": "video", "video_link": "http://meet.example/x"}, "video_link"),
        ({"mode": "carrier pigeon"}, "mode"),
        ({"starts_at": datetime(2030, 1, 1, 10)}, "starts_at"),
        ({"referral_id": "00000000-0000-0000-0000-000000000000"}, "referral_id"),
        ({"care_team_member_id": "00000000-0000-0000-0000-000000000000"}, "care_team_member_id"),
    ],
)
def test_invalid_appointments_are_refused_and_nothing_is_saved(world, case, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        book(world, case, **overrides)
    assert field in {error["field"] for error in caught.value.errors}
    assert not Appointment.objects.filter(case=case).exists()


def test_accompanied_by_must_be_staff_who_sees_the_case(world, case):
    with pytest.raises(ValidationFailed) as caught:
        book(world, case, accompaniment_planned=True, accompanied_by_id=world.chris.pk)
    assert caught.value.errors[0]["field"] == "accompanied_by_id"
    ok = book(world, case, accompaniment_planned=True, accompanied_by_id=world.sam.pk)
    assert ok.accompanied_by == world.sam


def test_care_team_member_of_another_case_is_refused(world, case):
    from casework.cases.services import care_team_member_add

    other = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    member = care_team_member_add(
        acting_user=world.casey, case=other, data={"kind": "provider", "name": "Dr. Lee"}
    )
    with pytest.raises(ValidationFailed):
        book(world, case, care_team_member_id=member.pk)
    mine = care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "provider", "name": "Dr. Lee"}
    )
    assert book(world, case, care_team_member_id=mine.pk).care_team_member == mine


def test_update_checks_the_version_and_revalidates(world, case):
    appointment = book(world, case)
    read = appointment.version
    services.appointment_update(
        acting_user=world.casey,
        appointment=appointment,
        expected_version=read,
        data={"location": "B"},
    )
    with pytest.raises(StaleVersion):
        services.appointment_update(
            acting_user=world.sam, appointment=appointment, expected_version=read, data={}
        )
    with pytest.raises(ValidationFailed):
        services.appointment_update(
            acting_user=world.casey,
            appointment=appointment,
            expected_version=appointment.version,
            data={"ends_at": appointment.starts_at},
        )


def test_a_future_appointment_cannot_be_attended_or_missed(world, case):
    appointment = book(world, case)
    for status in ("fulfilled", "noshow"):
        with pytest.raises(ValidationFailed):
            services.appointment_record_attendance(
                acting_user=world.casey,
                appointment=appointment,
                expected_version=appointment.version,
                status=status,
            )


def test_cancelling_needs_a_reason(world, case):
    appointment = book(world, case)
    with pytest.raises(ValidationFailed):
        services.appointment_cancel(
            acting_user=world.casey, appointment=appointment, expected_version=1, reason=" "
        )
    services.appointment_cancel(
        acting_user=world.casey, appointment=appointment, expected_version=1, reason="Clinic shut"
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.status_reason) == ("cancelled", "Clinic shut")
    with pytest.raises(Conflict):
        services.appointment_update(
            acting_user=world.casey,
            appointment=appointment,
            expected_version=appointment.version,
            data={"title": "x"},
        )


def test_a_no_show_creates_one_work_item_for_the_case_manager(world, case):
    start = timezone.now() - timedelta(hours=3)
    appointment = book(world, case, starts_at=start, ends_at=start + timedelta(hours=1))
    services.appointment_record_attendance(
        acting_user=world.sam,
        appointment=appointment,
        expected_version=appointment.version,
        status="noshow",
    )
    item = WorkItem.objects.get(source_type="coordination.appointment")
    assert item.assignee == world.casey
    assert item.kind == "appointment_no_show"
    assert item.priority == "routine"
    assert item.source_id == str(appointment.pk)
    assert item.case_id == case.pk
    assert item.due_at is not None and item.due_at > timezone.now()
    assert timezone.localtime(item.due_at).weekday() < 5
    with pytest.raises(Conflict) as caught:
        services.appointment_record_attendance(
            acting_user=world.casey,
            appointment=appointment,
            expected_version=appointment.version,
            status="noshow",
        )
    assert caught.value.code == "attendance_recorded"
    assert WorkItem.objects.filter(source_type="coordination.appointment").count() == 1


def test_a_no_show_in_an_intensive_program_is_urgent(world):
    program = factories.program("ACT", org=world.org, kind="intensive", teams=[world.north])
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=program, to="active"
    )
    start = timezone.now() - timedelta(hours=1)
    appointment = book(world, case, starts_at=start, ends_at=start + timedelta(minutes=30))
    services.appointment_record_attendance(
        acting_user=world.casey, appointment=appointment, expected_version=1, status="noshow"
    )
    assert WorkItem.objects.get(source_id=str(appointment.pk)).priority == "urgent"


def test_next_working_day_skips_the_weekend():
    friday = timezone.make_aware(datetime(2026, 3, 6, 15, 0))
    monday = services.next_working_day_end(friday)
    assert timezone.localtime(monday).date().isoformat() == "2026-03-09"
    assert timezone.localtime(monday).hour == 17


def test_attended_is_recorded_once(world, case):
    start = timezone.now() - timedelta(hours=2)
    appointment = book(world, case, starts_at=start, ends_at=start + timedelta(hours=1))
    services.appointment_record_attendance(
        acting_user=world.casey, appointment=appointment, expected_version=1, status="fulfilled"
    )
    appointment.refresh_from_db()
    assert appointment.attendance_recorded_by == world.casey
    with pytest.raises(Conflict):
        services.appointment_record_attendance(
            acting_user=world.casey, appointment=appointment, expected_version=2, status="noshow"
        )
    assert not WorkItem.objects.exists()


def test_entered_in_error_needs_a_reason_and_happens_once(world, case):
    appointment = book(world, case)
    with pytest.raises(ValidationFailed):
        services.appointment_entered_in_error(
            acting_user=world.casey, appointment=appointment, expected_version=1, reason=""
        )
    services.appointment_entered_in_error(
        acting_user=world.casey, appointment=appointment, expected_version=1, reason="Wrong client"
    )
    with pytest.raises(Conflict):
        services.appointment_entered_in_error(
            acting_user=world.casey, appointment=appointment, expected_version=2, reason="again"
        )


# ----------------------------------------------------------------------------------------------
# API


def body(**overrides):
    start = timezone.now() + timedelta(days=2)
    base = {
        "title": "Dental check-up",
        "with_whom": "Dr. Lee",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    base.update(overrides)
    return base


def test_api_create_get_patch_and_stale(api, world, case):
    casey = api(world.casey)
    created = casey.post(f"/api/v1/cases/{case.pk}/appointments", body(transport_needed=True))
    assert created.status_code == 201, created.json()
    appointment = created.json()
    assert appointment["status"] == "booked"
    got = casey.get(f"/api/v1/appointments/{appointment['id']}")
    assert got.status_code == 200
    assert AuditEvent.objects.filter(object_id=appointment["id"], action="read").exists()
    patched = api(world.sam).patch(
        f"/api/v1/appointments/{appointment['id']}",
        {"version": appointment["version"], "location": "Clinic B"},
    )
    assert patched.status_code == 200, patched.json()
    stale = casey.patch(
        f"/api/v1/appointments/{appointment['id']}",
        {"version": appointment["version"], "location": "x"},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"


def test_api_validation_errors_have_the_error_shape(api, world, case):
    url = f"/api/v1/cases/{case.pk}/appointments"
    start = timezone.now() + timedelta(days=1)
    bad = api(world.casey).post(
        url,
        body(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=30)).isoformat()),
    )
    assert bad.status_code == 422
    assert {"detail", "code", "errors"} <= set(bad.json())
    video = api(world.casey).post(url, body(mode="video"))
    assert video.status_code == 422
    assert video.json()["errors"][0]["field"] == "video_link"
    unknown = api(world.casey).post(url, body(colour="red"))
    assert unknown.status_code == 422
    assert not Appointment.objects.exists()


def test_api_access(api, world, case):
    url = f"/api/v1/cases/{case.pk}/appointments"
    created = api(world.casey).post(url, body()).json()
    assert api(world.sam).get(url).status_code == 200
    for outsider in (world.chris, world.olive, world.ian):
        assert api(outsider).get(url).status_code == 404
        assert api(outsider).post(url, body()).status_code == 404
        assert api(outsider).get(f"/api/v1/appointments/{created['id']}").status_code == 404


def test_api_attendance(api, world, case):
    casey = api(world.casey)
    future = casey.post(f"/api/v1/cases/{case.pk}/appointments", body()).json()
    too_soon = casey.post(
        f"/api/v1/appointments/{future['id']}/attendance", {"version": 1, "status": "fulfilled"}
    )
    assert too_soon.status_code == 422
    start = timezone.now() - timedelta(hours=2)
    past = casey.post(
        f"/api/v1/cases/{case.pk}/appointments",
        body(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=1)).isoformat()),
    ).json()
    missed = casey.post(
        f"/api/v1/appointments/{past['id']}/attendance", {"version": 1, "status": "noshow"}
    )
    assert missed.status_code == 200, missed.json()
    assert missed.json()["status"] == "noshow"
    again = casey.post(
        f"/api/v1/appointments/{past['id']}/attendance", {"version": 2, "status": "noshow"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "attendance_recorded"
    assert WorkItem.objects.filter(source_id=past["id"], assignee=world.casey).count() == 1


def test_api_lists_filters_and_my_appointments(api, world, case):
    casey = api(world.casey)
    now = timezone.now()
    for days in (1, 5, 9):
        start = now + timedelta(days=days)
        book(world, case, starts_at=start, ends_at=start + timedelta(hours=1), title=f"D{days}")
    window = casey.get(
        f"/api/v1/cases/{case.pk}/appointments",
        **{
            "from": (now + timedelta(days=2)).isoformat(),
            "to": (now + timedelta(days=8)).isoformat(),
        },
    )
    assert window.status_code == 200, window.json()
    assert [item["title"] for item in window.json()["items"]] == ["D5"]
    first = casey.get(f"/api/v1/cases/{case.pk}/appointments", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = casey.get(f"/api/v1/cases/{case.pk}/appointments", cursor=first["next"]).json()
    assert [item["title"] for item in rest["items"]] == ["D9"]
    bad_status = casey.get(f"/api/v1/cases/{case.pk}/appointments", status="sleeping")
    assert bad_status.status_code == 422
    mine = casey.get("/api/v1/appointments").json()
    assert [item["title"] for item in mine["items"]] == ["D1", "D5", "D9"]
    assert api(world.sam).get("/api/v1/appointments").json()["items"] == []
    accompanied = book(world, case, accompaniment_planned=True, accompanied_by_id=world.sam.pk)
    assert [i["id"] for i in api(world.sam).get("/api/v1/appointments").json()["items"]] == [
        str(accompanied.pk)
    ]


def test_api_list_query_count_is_constant(api, world, case, django_assert_max_num_queries):
    client = api(world.casey)
    url = f"/api/v1/cases/{case.pk}/appointments"
    book(world, case)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(10):
        book(world, case, accompaniment_planned=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
