"""Care team: add, update (stale 409), end, access through the team, permissions, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases import services
from casework.cases.models import CareTeamMember
from casework.cases.selectors import cases_visible_to
from casework.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from tests import factories


@pytest.fixture
def case(world):
    person = factories.client(world.casey, given_name="Maria", family_name="Gonzalez")
    return factories.case(world.casey, client=person, program=world.program, to="active")


def sees(user, case):
    return cases_visible_to(user).filter(pk=case.pk).exists()


def test_a_staff_member_added_sees_the_case_and_loses_it_when_ended(world, case):
    assert not sees(world.chris, case)
    member = services.care_team_member_add(
        acting_user=world.casey,
        case=case,
        data={"kind": "staff", "user_id": world.chris.pk, "role": "Housing specialist"},
    )
    assert sees(world.chris, case)
    grant = AuditEvent.objects.get(object_id=str(member.pk), action="create")
    assert grant.detail["access"] == "granted"
    assert grant.detail["user_id"] == str(world.chris.pk)
    assert grant.client_id == case.client_id

    services.care_team_member_end(
        acting_user=world.casey, member=member, expected_version=member.version
    )
    member.refresh_from_db()
    assert member.end_date == timezone.localdate()
    assert not sees(world.chris, case)
    revoke = AuditEvent.objects.filter(object_id=str(member.pk), action="update").last()
    assert revoke is not None and revoke.detail["access"] == "revoked"


def test_a_future_end_date_keeps_access_until_that_day(world, case):
    member = services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.chris.pk}
    )
    services.care_team_member_end(
        acting_user=world.casey,
        member=member,
        expected_version=member.version,
        end_date=timezone.localdate() + timedelta(days=3),
    )
    assert sees(world.chris, case)


def test_an_ended_staff_member_can_be_taken_back(world, case):
    member = services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.chris.pk}
    )
    services.care_team_member_end(
        acting_user=world.casey, member=member, expected_version=member.version
    )
    again = services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.chris.pk}
    )
    assert again.pk == member.pk
    again.refresh_from_db()
    assert again.end_date is None
    assert sees(world.chris, case)


def test_outside_people_need_a_name_and_nothing_is_saved(world, case):
    with pytest.raises(ValidationFailed) as caught:
        services.care_team_member_add(
            acting_user=world.casey,
            case=case,
            data={"kind": "family", "role": "Daughter", "email": "not-an-email"},
        )
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"name", "email"}
    assert not CareTeamMember.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "staff"}, "user_id"),
        ({"kind": "family", "name": "Rosa", "user_id": "x"}, "user_id"),
        ({"kind": "provider", "name": "Dr. Lee", "role_code": "12345"}, "role_code"),
        ({"kind": "alien", "name": "Zed"}, "kind"),
        (
            {
                "kind": "caregiver",
                "name": "Rosa",
                "start_date": timezone.localdate(),
                "end_date": timezone.localdate() - timedelta(days=1),
            },
            "end_date",
        ),
    ],
)
def test_invalid_members_are_refused(world, case, data, field):
    with pytest.raises(ValidationFailed) as caught:
        services.care_team_member_add(acting_user=world.casey, case=case, data=data)
    assert field in {error["field"] for error in caught.value.errors}


def test_staff_must_work_cases_in_the_organization(world, case):
    for user in (world.ian, world.olive, world.casey):
        with pytest.raises(ValidationFailed) as caught:
            services.care_team_member_add(
                acting_user=world.casey, case=case, data={"kind": "staff", "user_id": user.pk}
            )
        assert caught.value.errors[0]["field"] == "user_id"


def test_the_same_staff_member_twice_is_a_conflict(world, case):
    services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.sam.pk}
    )
    with pytest.raises(Conflict) as caught:
        services.care_team_member_add(
            acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.sam.pk}
        )
    assert caught.value.code == "already_on_team"


def test_role_code_fills_the_role_in_words(world, case):
    member = services.care_team_member_add(
        acting_user=world.casey,
        case=case,
        data={"kind": "provider", "name": "Dr. Amal Reyes", "role_code": "80584001"},
    )
    assert member.role == "Psychiatrist"


def test_update_with_a_stale_version_is_refused(world, case):
    member = services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "caregiver", "name": "Rosa"}
    )
    read = member.version
    services.care_team_member_update(
        acting_user=world.sam, member=member, expected_version=read, data={"phone": "555-0100"}
    )
    with pytest.raises(StaleVersion):
        services.care_team_member_update(
            acting_user=world.casey, member=member, expected_version=read, data={"phone": "1"}
        )
    member.refresh_from_db()
    assert member.phone == "555-0100"
    event = AuditEvent.objects.filter(object_id=str(member.pk), action="update").get()
    assert event.changes == {"phone": ["", "555-0100"]}


def test_intake_may_not_edit_a_team(world):
    person = factories.client(world.ian)
    case = factories.case(world.ian, client=person, program=world.program, to="screening")
    assert sees(world.ian, case)
    with pytest.raises(PermissionDenied):
        services.care_team_member_add(
            acting_user=world.ian, case=case, data={"kind": "family", "name": "Rosa"}
        )


def test_ending_twice_is_a_conflict(world, case):
    member = services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "family", "name": "Rosa"}
    )
    services.care_team_member_end(
        acting_user=world.casey, member=member, expected_version=member.version
    )
    with pytest.raises(Conflict):
        services.care_team_member_end(
            acting_user=world.casey, member=member, expected_version=member.version
        )


# ----------------------------------------------------------------------------------------------
# API


def test_api_add_list_patch_end(api, world, case):
    casey = api(world.casey)
    created = casey.post(
        f"/api/v1/cases/{case.pk}/care-team",
        {
            "kind": "provider",
            "name": "Dr. Amal Reyes",
            "role_code": "80584001",
            "organization_name": "Riverside Clinic",
            "phone": "555-0111",
            "is_emergency_contact": False,
        },
    )
    assert created.status_code == 201, created.json()
    member = created.json()
    assert member["role"] == "Psychiatrist"
    assert member["role_code_system"] == "http://snomed.info/sct"
    assert member["is_current"] is True

    listed = casey.get(f"/api/v1/cases/{case.pk}/care-team").json()
    assert listed["case_manager"]["username"] == "casey"
    assert [item["id"] for item in listed["items"]] == [member["id"]]
    read = AuditEvent.objects.filter(object_type="cases.careteammember", action="read").last()
    assert read is not None and read.detail["ids"] == [member["id"]]

    patched = api(world.sam).patch(
        f"/api/v1/care-team/{member['id']}", {"version": member["version"], "phone": "555-0199"}
    )
    assert patched.status_code == 200, patched.json()
    stale = casey.patch(
        f"/api/v1/care-team/{member['id']}", {"version": member["version"], "phone": "1"}
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"

    ended = casey.post(
        f"/api/v1/care-team/{member['id']}/end", {"version": patched.json()["version"]}
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["is_current"] is False
    current_only = casey.get(f"/api/v1/cases/{case.pk}/care-team", include_ended="false")
    assert current_only.json()["items"] == []


def test_api_errors_and_access(api, world, case):
    url = f"/api/v1/cases/{case.pk}/care-team"
    refused = api(world.casey).post(url, {"kind": "family"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "name"
    unknown = api(world.casey).post(url, {"kind": "family", "name": "Rosa", "colour": "red"})
    assert unknown.status_code == 422
    for outsider in (world.chris, world.olive):
        assert api(outsider).get(url).status_code == 404
        assert api(outsider).post(url, {"kind": "family", "name": "Rosa"}).status_code == 404
    member = api(world.casey).post(url, {"kind": "family", "name": "Rosa"}).json()
    assert api(world.chris).get(f"/api/v1/care-team/{member['id']}").status_code == 404
    fixed = api(world.casey).patch(
        f"/api/v1/care-team/{member['id']}", {"version": member["version"], "kind": "staff"}
    )
    assert fixed.status_code == 422


def test_api_staff_member_gains_and_loses_the_case(api, world, case):
    added = api(world.casey).post(
        f"/api/v1/cases/{case.pk}/care-team", {"kind": "staff", "user_id": str(world.chris.pk)}
    )
    assert added.status_code == 201, added.json()
    assert added.json()["user"]["username"] == "chris"
    assert api(world.chris).get(f"/api/v1/cases/{case.pk}").status_code == 200
    api(world.casey).post(
        f"/api/v1/care-team/{added.json()['id']}/end", {"version": added.json()["version"]}
    )
    assert api(world.chris).get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_api_list_query_count_is_constant(api, world, case, django_assert_max_num_queries):
    client = api(world.casey)
    url = f"/api/v1/cases/{case.pk}/care-team"
    for index in range(2):
        services.care_team_member_add(
            acting_user=world.casey, case=case, data={"kind": "family", "name": f"P{index}"}
        )
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for index in range(10):
        services.care_team_member_add(
            acting_user=world.casey, case=case, data={"kind": "provider", "name": f"D{index}"}
        )
    services.care_team_member_add(
        acting_user=world.casey, case=case, data={"kind": "staff", "user_id": world.sam.pk}
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
