"""Client pages: search, register with the duplicate check, chart, edit with version, refer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.clients.models import Client, ClientIdentifier
from casework.clients.services import client_update
from tests import factories

NEW_CLIENT = {
    "given_name": "María",
    "family_name": "García",
    "birth_date": "1975-03-14",
    "sex": "female",
    "gender_identity": "",
    "pronouns": "she/her",
    "preferred_language": "es-mx",
    "interpreter_needed": "on",
    "phone": "555-0100",
    "email": "maria@example.org",
    "address_line": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "identifier_type": "MR",
    "identifier_value": "MRN-1001",
}


def chart(client_record):
    return reverse("web:client_detail", args=[client_record.id])


# ----------------------------------------------------------------------------------------------
# Search


def test_search_page_lists_my_clients_with_labelled_box(client, world):
    factories.client(world.casey, given_name="Ana", family_name="Lopez")
    client.force_login(world.casey)
    response = client.get(reverse("web:client_search"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_q"' in html and "Ana Lopez" in html
    assert 'href="/clients/new/"' in html


def test_live_search_returns_the_results_fragment_and_is_audited(client, world):
    factories.client(world.casey, given_name="Ana", family_name="Lopez")
    factories.client(world.casey, given_name="Ben", family_name="Okafor")
    client.force_login(world.casey)
    response = client.get(reverse("web:client_search"), {"q": "lopez"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="client-results"')
    assert "Ana Lopez" in html and "Ben Okafor" not in html
    event = AuditEvent.objects.filter(action="search").last()
    assert event is not None and event.detail["query"] == {"search": "lopez"}


def test_search_never_shows_clients_i_cannot_see(client, world):
    factories.client(world.chris, given_name="Hidden", family_name="Person")
    factories.client(world.olive, given_name="Hidden", family_name="Outsider")
    client.force_login(world.casey)
    html = client.get(reverse("web:client_search"), {"q": "hidden"}).content.decode()
    assert "Hidden Person" not in html and "Hidden Outsider" not in html
    assert "No clients you can see match" in html


def test_search_with_an_overlong_query_is_a_form_error(client, world):
    client.force_login(world.casey)
    response = client.get(reverse("web:client_search"), {"q": "x" * 500})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


# ----------------------------------------------------------------------------------------------
# Register


def test_new_client_form_has_every_field_labelled(client, world):
    client.force_login(world.casey)
    html = client.get(reverse("web:client_create")).content.decode()
    for name in [*NEW_CLIENT, "middle_name", "preferred_name"]:
        assert f'for="id_{name}"' in html, name
    assert '<datalist id="language-options">' in html
    assert '<option value="es">Spanish</option>' in html


def test_register_a_client(client, world):
    client.force_login(world.casey)
    response = client.post(reverse("web:client_create"), NEW_CLIENT)
    created = Client.objects.get(family_name="García")
    assert response.status_code == 302 and response["Location"] == chart(created)
    assert created.preferred_language == "es-MX"
    assert created.interpreter_needed is True
    assert created.created_by == world.casey
    assert ClientIdentifier.objects.get(client=created).value == "MRN-1001"
    page = client.get(response["Location"]).content.decode()
    assert "María García is registered." in page
    assert "Medical record number" in page and "MRN-1001" in page


def test_likely_duplicate_is_shown_and_nothing_is_created(client, world):
    existing = factories.client(
        world.casey, given_name="Maria", family_name="Garcia", birth_date=date(1975, 3, 14)
    )
    client.force_login(world.casey)
    data = {**NEW_CLIENT, "identifier_type": "", "identifier_value": ""}
    response = client.post(reverse("web:client_create"), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "This person may already be registered" in html
    assert chart(existing) in html
    assert "This is a different person — create anyway" in html
    assert Client.objects.filter(birth_date=date(1975, 3, 14)).count() == 1
    # The form keeps what was typed, so the user can override without retyping.
    assert 'value="María"' in html


def test_override_creates_a_second_record_never_a_merge(client, world):
    factories.client(
        world.casey, given_name="Maria", family_name="Garcia", birth_date=date(1975, 3, 14)
    )
    client.force_login(world.casey)
    data = {**NEW_CLIENT, "identifier_type": "", "identifier_value": "", "create_anyway": "on"}
    response = client.post(reverse("web:client_create"), data)
    assert response.status_code == 302
    assert Client.objects.filter(birth_date=date(1975, 3, 14)).count() == 2


def test_candidates_i_cannot_open_are_only_counted(client, world):
    hidden = factories.client(
        world.chris, given_name="Maria", family_name="Garcia", birth_date=date(1975, 3, 14)
    )
    client.force_login(world.casey)
    data = {**NEW_CLIENT, "identifier_type": "", "identifier_value": ""}
    html = client.post(reverse("web:client_create"), data).content.decode()
    assert "1 possible match(es) in records you cannot open" in html
    assert str(hidden.id) not in html
    assert Client.objects.filter(birth_date=date(1975, 3, 14)).count() == 1


def test_identifier_in_use_is_never_overridden(client, world):
    factories.client(world.casey, given_name="Someone", family_name="Else")
    other = Client.objects.get(family_name="Else")
    ClientIdentifier.objects.create(
        client=other, organization=world.org, type="MR", value="MRN-1001"
    )
    client.force_login(world.casey)
    response = client.post(reverse("web:client_create"), {**NEW_CLIENT, "create_anyway": "on"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "This identifier belongs to another client." in html
    assert chart(other) in html
    assert not Client.objects.filter(family_name="García").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", (date.today() + timedelta(days=3)).isoformat(), "Must not be in the future"),
        ("birth_date", "31/31/1999", "Enter a valid date."),
        ("preferred_language", "not a language", "Must be a BCP 47 language tag"),
        ("given_name", "", "This field is required."),
        ("sex", "robot", "Select a valid choice."),
        ("identifier_type", "", "Identifiers[0].type"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(client, world, field, value, message):
    client.force_login(world.casey)
    response = client.post(reverse("web:client_create"), {**NEW_CLIENT, field: value})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html
    if field == "identifier_type":
        assert "Must be one of" in html
    else:
        assert message in html
    assert not Client.objects.filter(family_name="García").exists()


def test_outsider_cannot_register_into_my_organization(client, world):
    client.force_login(world.olive)
    client.post(reverse("web:client_create"), NEW_CLIENT)
    created = Client.objects.get(family_name="García")
    assert created.organization == world.other_org


# ----------------------------------------------------------------------------------------------
# Chart


@pytest.fixture
def record(world):
    person = factories.client(
        world.casey, given_name="Ana", family_name="Lopez", pronouns="she/her"
    )
    ClientIdentifier.objects.create(client=person, organization=world.org, type="MA", value="MA77")
    factories.case(world.casey, client=person, program=world.program, to="intake")
    return person


def test_chart_shows_demographics_identifiers_and_cases(client, world, record):
    client.force_login(world.casey)
    response = client.get(chart(record))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana Lopez" in html and "she/her" in html
    assert "Medicaid ID" in html and "MA77" in html
    assert "Care Coordination" in html and "Intake" in html and "Casey Case" in html
    assert 'name="version" value="1"' in html
    assert "Refer to a program" in html


def test_chart_read_is_audited(client, world, record):
    client.force_login(world.casey)
    client.get(chart(record))
    event = AuditEvent.objects.filter(action="read", object_id=str(record.id)).last()
    assert event is not None
    assert event.actor_username == "casey" and event.client_id == record.id


@pytest.mark.parametrize("persona", ["olive", "chris"])
def test_people_without_access_get_404_on_every_client_page(client, world, record, persona):
    client.force_login(getattr(world, persona))
    assert client.get(chart(record)).status_code == 404
    edit = client.post(reverse("web:client_update", args=[record.id]), {**NEW_CLIENT, "version": 1})
    assert edit.status_code == 404
    refer = client.post(
        reverse("web:client_refer", args=[record.id]), {"program": str(world.program.id)}
    )
    assert refer.status_code == 404
    record.refresh_from_db()
    assert record.version == 1 and record.given_name == "Ana"


def test_supervisor_sees_the_chart(client, world, record):
    client.force_login(world.sam)
    assert client.get(chart(record)).status_code == 200


def test_not_a_uuid_is_a_404(client, world):
    client.force_login(world.casey)
    assert client.get("/clients/12345/").status_code == 404


# ----------------------------------------------------------------------------------------------
# Edit


def edit_data(record, **changes):
    data = {
        name: getattr(record, name)
        for name in (
            "given_name",
            "family_name",
            "sex",
            "preferred_language",
            "pronouns",
            "phone",
            "city",
        )
    }
    data["birth_date"] = record.birth_date.isoformat()
    data["version"] = record.version
    data.update(changes)
    return data


def test_edit_saves_and_bumps_the_version(client, world, record):
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_update", args=[record.id]), edit_data(record, phone="555-0199")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.phone == "555-0199" and record.version == 2


def test_stale_edit_says_changed_by_someone_else_and_changes_nothing(client, world, record):
    read_version = record.version
    client_update(
        acting_user=world.sam, client=record, expected_version=read_version, changes={"city": "Elm"}
    )
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_update", args=[record.id]),
        edit_data(record, phone="555-0199", city="Oak", version=read_version),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This record was changed by someone else" in html
    assert "reload" in html.lower()
    record.refresh_from_db()
    assert record.city == "Elm" and record.phone == "" and record.version == read_version + 1


def test_edit_with_bad_input_is_a_form_error(client, world, record):
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_update", args=[record.id]),
        edit_data(record, preferred_language="??", version="abc"),
    )
    assert response.status_code == 422
    record.refresh_from_db()
    assert record.version == 1


# ----------------------------------------------------------------------------------------------
# Refer


def test_refer_to_a_program_opens_a_case(client, world):
    person = factories.client(world.casey, given_name="Ana", family_name="Lopez")
    second = factories.program("Housing Support", org=world.org, teams=[world.north])
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_refer", args=[person.id]),
        {"program": str(second.id), "referral_source": "self", "priority": "2"},
    )
    case = Case.objects.get(client=person, program=second)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.id])
    assert case.status == "referred" and case.priority == 2 and case.referral_source == "self"


def test_refer_twice_shows_the_open_case_error(client, world, record):
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_refer", args=[record.id]), {"program": str(world.program.id)}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "already has an open case in Care Coordination" in html
    assert Case.objects.filter(client=record).count() == 1


def test_refer_to_another_organizations_program_is_refused(client, world, record):
    client.force_login(world.casey)
    response = client.post(
        reverse("web:client_refer", args=[record.id]), {"program": str(world.other_program.id)}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Case.objects.filter(client=record).count() == 1
