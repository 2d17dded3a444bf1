"""The case page: details, lifecycle buttons and refusals, history, the assignment panel."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases import services
from casework.cases.models import Case, Status
from tests import factories


def page(case):
    return reverse("web:case_detail", args=[case.id])


def move(case):
    return reverse("web:case_transition", args=[case.id])


@pytest.fixture
def referred(world):
    person = factories.client(world.casey, given_name="Ana", family_name="Lopez")
    return services.case_create(
        acting_user=world.casey,
        client=person,
        program=world.program,
        referral_source="Primary care",
        referral_reason="Frequent ED visits",
    )


@pytest.fixture
def enrolled(world):
    person = factories.client(world.casey, given_name="Ben", family_name="Okafor")
    return factories.case(world.casey, client=person, program=world.program, to="active")


def test_case_page_shows_the_case(client, world, referred):
    client.force_login(world.casey)
    response = client.get(page(referred))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana Lopez" in html and "Care Coordination" in html and "Brokerage" in html
    assert "Referred" in html and "Primary care" in html and "Frequent ED visits" in html
    assert "Start screening" in html
    assert "Close the case" in html and "Mark as entered in error" in html
    assert "Screening findings" in html and "None recorded." in html
    assert "History" in html


def test_case_page_read_is_audited(client, world, referred):
    client.force_login(world.casey)
    client.get(page(referred))
    event = AuditEvent.objects.filter(action="read", object_id=str(referred.id)).last()
    assert event is not None and event.client_id == referred.client_id


@pytest.mark.parametrize("persona", ["olive", "chris"])
def test_people_without_access_get_404_on_every_case_page(client, world, enrolled, persona):
    client.force_login(getattr(world, persona))
    assert client.get(page(enrolled)).status_code == 404
    response = client.post(move(enrolled), {"to": "on_hold", "version": 1, "reason": "x"})
    assert response.status_code == 404
    response = client.post(
        reverse("web:case_assign", args=[enrolled.id]),
        {"case_manager": str(world.casey.id), "version": enrolled.version},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=enrolled.pk).status == Status.ACTIVE


def test_supervisor_sees_the_case_and_the_assignment_panel(client, world, enrolled):
    client.force_login(world.sam)
    html = client.get(page(enrolled)).content.decode()
    assert "Ben Okafor" in html
    assert "Assignment" in html and "Reassign" in html
    assert "Assign even if over capacity" in html


def test_case_manager_has_no_assignment_panel(client, world, enrolled):
    client.force_login(world.casey)
    html = client.get(page(enrolled)).content.decode()
    assert 'id="assign-heading"' not in html


def test_moving_through_screening_and_intake(client, world, referred):
    client.force_login(world.casey)
    response = client.post(move(referred), {"to": "screening", "version": referred.version})
    assert response.status_code == 302 and response["Location"] == page(referred)
    referred.refresh_from_db()
    assert referred.status == Status.SCREENING
    html = client.get(page(referred)).content.decode()
    assert "The case is now in Screening." in html
    assert "Eligible — start intake" in html

    response = client.post(move(referred), {"to": "intake", "version": referred.version})
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == Status.INTAKE and referred.case_manager == world.casey


def test_refused_transition_shows_the_guard(client, world):
    young = factories.client(
        world.casey, given_name="Kid", family_name="Young", birth_date=date(2015, 1, 1)
    )
    case = factories.case(world.casey, client=young, program=world.program, to="screening")
    client.force_login(world.casey)
    response = client.post(move(case), {"to": "intake", "version": case.version})
    html = response.content.decode()
    assert response.status_code == 409
    assert "The case could not move to Intake" in html
    assert "below the program minimum of 18" in html
    assert "not_eligible:" not in html
    assert Case.objects.get(pk=case.pk).status == Status.SCREENING


def test_reason_is_asked_for_and_required(client, world, enrolled):
    client.force_login(world.casey)
    html = client.get(page(enrolled)).content.decode()
    assert 'for="reason-on_hold"' in html
    response = client.post(move(enrolled), {"to": "on_hold", "version": enrolled.version})
    assert response.status_code == 409
    assert "A reason is required for this change" in response.content.decode()
    response = client.post(
        move(enrolled), {"to": "on_hold", "version": enrolled.version, "reason": "In hospital"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=enrolled.pk).status == Status.ON_HOLD


def test_closing_needs_a_closure_reason_and_summary(client, world, enrolled):
    client.force_login(world.casey)
    html = client.get(page(enrolled)).content.decode()
    assert 'name="closure_reason"' in html and 'name="discharge_summary"' in html
    assert "Goals met / services completed" in html

    response = client.post(
        move(enrolled), {"to": "closed", "version": enrolled.version, "reason": "Done"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "A closure reason code is required" in html
    # What was typed comes back, so nothing has to be retyped.
    assert ">Done</textarea>" in html

    response = client.post(
        move(enrolled),
        {
            "to": "closed",
            "version": enrolled.version,
            "reason": "Done",
            "closure_reason": "goals_met",
            "discharge_summary": "Linked to primary care.",
        },
    )
    assert response.status_code == 302
    closed = Case.objects.get(pk=enrolled.pk)
    assert closed.status == Status.CLOSED and closed.closure_reason == "goals_met"
    html = client.get(page(closed)).content.decode()
    assert "Reopen" in html and "Linked to primary care." in html


def test_stale_version_on_a_move_changes_nothing(client, world, enrolled):
    read_version = enrolled.version
    services.case_transition(
        acting_user=world.casey, case=enrolled, to_status="on_hold", reason="Travelling"
    )
    client.force_login(world.casey)
    response = client.post(
        move(enrolled), {"to": "transition", "version": read_version, "reason": ""}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert Case.objects.get(pk=enrolled.pk).status == Status.ON_HOLD


@pytest.mark.parametrize(
    "data",
    [
        {"to": "flying", "version": "1"},
        {"to": "screening", "version": "abc"},
        {"to": "screening"},
        {},
    ],
)
def test_malformed_move_is_a_clear_error_not_a_500(client, world, referred, data):
    client.force_login(world.casey)
    response = client.post(move(referred), data)
    assert response.status_code == 422
    assert "The case could not move" in response.content.decode()
    assert Case.objects.get(pk=referred.pk).status == Status.REFERRED


def test_move_not_allowed_from_this_stage_is_refused(client, world, referred):
    client.force_login(world.casey)
    response = client.post(move(referred), {"to": "active", "version": referred.version})
    assert response.status_code == 409
    assert "cannot move from referred to active" in response.content.decode()


def test_get_on_a_post_only_page_is_405(client, world, referred):
    client.force_login(world.casey)
    assert client.get(move(referred)).status_code == 405


def test_history_lists_each_stage_with_days(client, world, enrolled):
    client.force_login(world.casey)
    html = client.get(page(enrolled)).content.decode()
    for stage in ("Referred", "Screening", "Intake", "Assessment", "Planning", "Active"):
        assert f"<strong>{stage}</strong>" in html
    assert "Days in stage" in html and '<span class="badge">now</span>' in html


def test_supervisor_assigns_from_suggestions(client, world, referred):
    client.force_login(world.sam)
    html = client.get(page(referred)).content.decode()
    assert "Case managers with room for this case" in html
    assert "Casey Case" in html
    response = client.post(
        reverse("web:case_assign", args=[referred.id]),
        {"case_manager": str(world.casey.id), "version": referred.version},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=referred.pk).case_manager == world.casey


def test_reassign_needs_a_reason(client, world, enrolled):
    dana = factories.staff("dana", org=world.org, team=world.north, first_name="Dana")
    client.force_login(world.sam)
    url = reverse("web:case_assign", args=[enrolled.id])
    response = client.post(url, {"case_manager": str(dana.id), "version": enrolled.version})
    assert response.status_code == 422
    assert "Say why the case is being reassigned." in response.content.decode()
    response = client.post(
        url, {"case_manager": str(dana.id), "version": enrolled.version, "reason": "Language"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=enrolled.pk).case_manager == dana


def test_case_manager_cannot_assign(client, world, enrolled):
    client.force_login(world.casey)
    response = client.post(
        reverse("web:case_assign", args=[enrolled.id]),
        {"case_manager": str(world.casey.id), "version": enrolled.version},
    )
    assert response.status_code == 403
    assert "Only supervisors, program admins and intake may assign" in response.content.decode()


def test_assign_to_someone_not_eligible_is_a_form_error(client, world, referred):
    client.force_login(world.sam)
    response = client.post(
        reverse("web:case_assign", args=[referred.id]),
        {"case_manager": str(world.chris.id), "version": referred.version},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Case.objects.get(pk=referred.pk).case_manager is None


def test_screening_findings_recorded_from_the_case_page(world, client):
    from casework.cases.models import Case

    icm = factories.program(
        "ICM web",
        org=world.org,
        kind="intensive",
        teams=[world.north],
        required_conditions=[{"code": "F20", "display": "Schizophrenia"}],
    )
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=icm, to="screening"
    )
    client.force_login(world.casey)
    page = client.get(f"/cases/{case.id}/")
    assert b"Record screening findings" in page.content and b"F20" in page.content
    response = client.post(
        f"/cases/{case.id}/screening/",
        {"findings": "f20.9 Schizophrenia, unspecified\n", "version": case.version},
    )
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.screening_findings == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "F20.9",
            "display": "Schizophrenia, unspecified",
        }
    ]
    stale = client.post(f"/cases/{case.id}/screening/", {"findings": "F25", "version": 1})
    assert stale.status_code == 409
    assert Case.objects.get(pk=case.pk).screening_findings[0]["code"] == "F20.9"
