"""Care team pages: the section on the case page, add (per kind, HTMX), edit with version, end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.cases.models import CareTeamMember
from casework.cases.selectors import cases_visible_to
from casework.cases.services import care_team_member_add
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(world):
    person = factories.client(world.casey)
    return factories.case(world.casey, client=person, program=world.program, to="active")


def test_case_page_loads_the_care_team_section(client, world, case):
    client.force_login(world.casey)
    page = client.get(reverse("web:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("web:case_care_team", args=[case.pk]) in page.content.decode()
    fragment = client.get(reverse("web:case_care_team", args=[case.pk]), **HTMX)
    body = fragment.content.decode()
    assert "<html" not in body
    assert "Case manager:</strong> Casey Case" in body
    assert 'id="care-team-form"' in body


def test_add_an_outside_person_and_a_staff_member(client, world, case):
    client.force_login(world.casey)
    url = reverse("web:care_team_add", args=[case.pk])
    family_form = client.get(url, {"kind": "family"}, **HTMX).content.decode()
    assert 'name="name"' in family_form and 'name="user"' not in family_form
    refused = client.post(url, {"kind": "family", "role": "Daughter"})
    assert refused.status_code == 422
    assert not CareTeamMember.objects.filter(case=case).exists()
    added = client.post(
        url, {"kind": "family", "name": "Rosa Ruiz", "role": "Daughter", "phone": "555-0100"}
    )
    assert added.status_code == 302
    staff_form = client.get(url, {"kind": "staff"}, **HTMX).content.decode()
    assert 'name="user"' in staff_form and "Chris South" in staff_form
    in_place = client.post(url, {"kind": "staff", "user": str(world.chris.pk)}, **HTMX)
    assert in_place.status_code == 200
    assert "Chris South is on the care team." in in_place.content.decode()
    page = client.get(reverse("web:case_care_team", args=[case.pk])).content.decode()
    assert "Rosa Ruiz" in page and "Daughter" in page and "Chris South" in page
    assert cases_visible_to(world.chris).filter(pk=case.pk).exists()


def test_edit_with_a_stale_version_says_changed_by_someone_else(client, world, case):
    member = care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "caregiver", "name": "Rosa"}
    )
    client.force_login(world.casey)
    url = reverse("web:care_team_edit", args=[member.pk])
    form = client.get(url)
    assert form.status_code == 200 and f'value="{member.version}"' in form.content.decode()
    saved = client.post(url, {"name": "Rosa", "phone": "555-0101", "version": member.version})
    assert saved.status_code == 302
    stale = client.post(url, {"name": "Rosa", "phone": "555-0999", "version": member.version})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    assert "555-0999" in stale.content.decode()  # the user's input is kept
    member.refresh_from_db()
    assert member.phone == "555-0101"


def test_end_a_staff_membership_takes_the_case_away(client, world, case):
    member = care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.chris.pk}
    )
    client.force_login(world.chris)
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 200
    client.force_login(world.casey)
    ended = client.post(reverse("web:care_team_end", args=[member.pk]), {"version": member.version})
    assert ended.status_code == 302
    client.force_login(world.chris)
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 404


def test_who_may_see_and_edit(client, world, case):
    member = care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "family", "name": "Rosa"}
    )
    client.force_login(world.sam)
    assert client.get(reverse("web:care_team_edit", args=[member.pk])).status_code == 200
    for outsider in (world.chris, world.olive):
        client.force_login(outsider)
        assert client.get(reverse("web:case_care_team", args=[case.pk])).status_code == 404
        assert client.get(reverse("web:care_team_edit", args=[member.pk])).status_code == 404
    intake_case = factories.case(
        world.ian, client=factories.client(world.ian), program=world.program, to="screening"
    )
    client.force_login(world.ian)
    page = client.get(reverse("web:case_care_team", args=[intake_case.pk]))
    assert page.status_code == 200 and 'id="care-team-form"' not in page.content.decode()
    refused = client.post(
        reverse("web:care_team_add", args=[intake_case.pk]), {"kind": "family", "name": "R"}
    )
    # A refused POST goes back with the message (casework.web.errors.web_errors); nothing saved.
    assert refused.status_code == 302
    assert not CareTeamMember.objects.filter(case=intake_case).exists()
    assert client.get(reverse("web:care_team_add", args=[intake_case.pk])).status_code == 403


def test_care_team_page_query_count_is_constant(client, world, case, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.casey)
    url = reverse("web:case_care_team", args=[case.pk])
    care_team_member_add(acting_user=world.casey, case=case, data={"kind": "family", "name": "A"})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(8):
        care_team_member_add(
            acting_user=world.casey, case=case, data={"kind": "provider", "name": f"D{index}"}
        )
    care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.sam.pk}
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
