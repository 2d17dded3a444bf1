"""Coverage and authorization services: validation, versions, status moves, usage, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionRefused,
    ValidationFailed,
)
from casework.coverage import services
from casework.coverage.models import Authorization, Coverage
from casework.coverage.selectors import authorization_get, usage_of
from casework.encounters import services as contact_services
from tests import factories
from tests.coverage.conftest import (
    END,
    START,
    authorization_data,
    contact,
    coverage_data,
    on,
    referral,
)

pytestmark = pytest.mark.django_db


def fields_of(exc: pytest.ExceptionInfo) -> set[str]:
    return {error["field"] for error in exc.value.errors}


def test_coverage_add_is_audited_with_new_values(world, chart):
    event = AuditEvent.objects.filter(object_id=str(chart.coverage.pk), action="create").get()
    assert event.client_id == chart.client.pk
    assert event.changes["member_id"] == [None, "M123456"]
    assert chart.coverage.status == "active" and chart.coverage.created_by == world.casey


def test_coverage_validation_names_each_field(world, chart):
    with pytest.raises(ValidationFailed) as exc:
        services.coverage_add(
            acting_user=world.casey,
            client=chart.client,
            data=coverage_data(
                coverage_type="gold",
                payer_name=" ",
                member_id="",
                relationship="cousin",
                order=0,
                period_end=START - timedelta(days=400),
            ),
        )
    assert fields_of(exc) == {
        "coverage_type",
        "payer_name",
        "member_id",
        "relationship",
        "order",
        "period_end",
    }
    assert Coverage.objects.count() == 1


def test_intake_may_record_coverage_at_intake_privacy_officer_may_not(world):
    person = factories.client(world.ian)
    coverage = services.coverage_add(acting_user=world.ian, client=person, data=coverage_data())
    assert coverage.client_id == person.pk
    privacy = factories.staff("petra", org=world.org, role="privacy_officer")
    with pytest.raises((PermissionDenied, NotFound)):
        services.coverage_add(acting_user=privacy, client=person, data=coverage_data())


def test_outsiders_get_not_found(world, chart):
    for user in (world.chris, world.olive):
        with pytest.raises(NotFound):
            services.coverage_add(acting_user=user, client=chart.client, data=coverage_data())
        with pytest.raises(NotFound):
            services.coverage_update(
                acting_user=user, coverage=chart.coverage, expected_version=1, data={}
            )


def test_coverage_update_checks_the_version_and_audits_the_diff(world, chart):
    updated = services.coverage_update(
        acting_user=world.sam,
        coverage=chart.coverage,
        expected_version=1,
        data={"member_id": "M999"},
    )
    assert updated.version == 2
    event = AuditEvent.objects.filter(object_id=str(chart.coverage.pk), action="update").get()
    assert event.changes == {"member_id": ["M123456", "M999"]}
    with pytest.raises(StaleVersion):
        services.coverage_update(
            acting_user=world.casey, coverage=chart.coverage, expected_version=1, data={}
        )


def test_authorization_add_fills_in_a_known_code(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(service_code="t1016", case_id=chart.case.pk),
    )
    assert auth.service_code == "T1016"
    assert auth.service == "Case management, each 15 minutes"
    assert auth.unit_type == "15min" and auth.status == "approved"
    assert AuditEvent.objects.filter(object_id=str(auth.pk), action="create").exists()


def test_authorization_validation(world, chart):
    other_client = factories.client(world.casey)
    other_case = factories.case(world.casey, client=other_client, program=world.program)
    ended = services.coverage_add(
        acting_user=world.casey,
        client=chart.client,
        data=coverage_data(period_start=START, period_end=END - timedelta(days=5)),
    )
    with pytest.raises(ValidationFailed) as exc:
        services.authorization_add(
            acting_user=world.casey,
            coverage=ended,
            data=authorization_data(
                service_code="TX17",
                service="",
                units_approved=0,
                period_start=START - timedelta(days=1),
                case_id=other_case.pk,
            ),
        )
    assert fields_of(exc) == {
        "service_code",
        "service",
        "units_approved",
        "period_start",
        "period_end",
        "case_id",
    }
    with pytest.raises(ValidationFailed) as exc:
        services.authorization_add(
            acting_user=world.casey,
            coverage=chart.coverage,
            data=authorization_data(period_end=START - timedelta(days=1)),
        )
    assert fields_of(exc) == {"period_end"}
    five_digits = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(service_code="99490", service="Chronic care management"),
    )
    assert five_digits.service_code == "99490"
    assert Authorization.objects.count() == 1


def second_case(world, chart):
    program = factories.program("Housing Support", org=world.org, teams=[world.north])
    return factories.case(world.casey, client=chart.client, program=program, to="active")


def test_usage_counts_contacts_in_the_period_of_the_case(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(case_id=chart.case.pk),
    )
    contact(world, chart.case)  # 2 units, in the period
    contact(world, chart.case, when=on(START - timedelta(days=1)))  # before the period
    withdrawn = contact(world, chart.case)
    contact_services.contact_entered_in_error(
        acting_user=world.casey, contact=withdrawn, expected_version=1, reason="wrong client"
    )
    attempted = contact_services.contact_log(
        acting_user=world.casey,
        case=chart.case,
        data={
            "contact_type": "phone",
            "outcome": "attempted",
            "attempt_outcome": "no_answer",
            "started_at": timezone.now() - timedelta(days=1),
            "duration_minutes": 30,
        },
    )
    assert attempted.billable is False
    # Another case of the same client does not count against a case-bound authorization.
    second = second_case(world, chart)
    contact(world, second)
    usage = usage_of(authorization_get(user=world.casey, authorization_id=auth.pk))
    assert usage.used_by_contacts == 2
    assert usage.remaining == 18 and not usage.over


def test_client_wide_authorization_counts_every_case(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    second = second_case(world, chart)
    contact(world, chart.case)
    contact(world, second, minutes=60)  # 4 units
    assert usage_of(auth).used_by_contacts == 6


def test_contacts_do_not_count_unless_the_authorization_says_so(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(counts_contacts=False),
    )
    contact(world, chart.case)
    assert usage_of(auth).used_by_contacts == 0


def test_referral_units_completed_committed_and_cancelled(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(units_approved=10, counts_contacts=False, unit_type="visit"),
    )
    referral(world, chart.case, auth, status="completed", units=3)
    referral(world, chart.case, auth, status="in-progress", units=4)
    referral(world, chart.case, auth, status="requested", units=2)
    referral(world, chart.case, auth, status="cancelled", units=5)
    referral(world, chart.case, auth, status="entered-in-error", units=5)
    usage = usage_of(authorization_get(user=world.sam, authorization_id=auth.pk))
    assert (usage.used_by_referrals, usage.committed_by_referrals) == (3, 6)
    assert usage.used == 3 and usage.remaining == 1 and not usage.over
    referral(world, chart.case, auth, status="accepted", units=2)
    assert usage_of(auth).over


def test_units_approved_cannot_go_below_units_used(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(case_id=chart.case.pk, units_approved=8),
    )
    contact(world, chart.case, minutes=60)  # 4 units
    referral(world, chart.case, auth, status="completed", units=2)
    with pytest.raises(ValidationFailed) as exc:
        services.authorization_update(
            acting_user=world.casey,
            authorization=auth,
            expected_version=1,
            data={"units_approved": 5},
        )
    assert fields_of(exc) == {"units_approved"}
    auth.refresh_from_db()
    assert auth.units_approved == 8 and auth.version == 1
    services.authorization_update(
        acting_user=world.casey, authorization=auth, expected_version=1, data={"units_approved": 6}
    )
    auth.refresh_from_db()
    assert auth.units_approved == 6 and auth.version == 2
    with pytest.raises(StaleVersion):
        services.authorization_update(
            acting_user=world.casey, authorization=auth, expected_version=1, data={"note": "x"}
        )


def test_status_moves_and_reasons(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey,
        coverage=chart.coverage,
        data=authorization_data(status="requested"),
    )
    with pytest.raises(TransitionRefused):
        services.authorization_set_status(
            acting_user=world.casey,
            authorization=auth,
            expected_version=1,
            to_status="cancelled",
            reason="x",
        )
    with pytest.raises(ValidationFailed):
        services.authorization_set_status(
            acting_user=world.casey, authorization=auth, expected_version=1, to_status="denied"
        )
    services.authorization_set_status(
        acting_user=world.casey, authorization=auth, expected_version=1, to_status="approved"
    )
    services.authorization_set_status(
        acting_user=world.sam,
        authorization=auth,
        expected_version=2,
        to_status="cancelled",
        reason="Client moved out of state",
    )
    auth.refresh_from_db()
    assert auth.status == "cancelled" and auth.status_reason == "Client moved out of state"
    event = AuditEvent.objects.filter(object_id=str(auth.pk), action="update").last()
    assert event.changes["status"] == ["approved", "cancelled"]
    services.authorization_set_status(
        acting_user=world.casey,
        authorization=auth,
        expected_version=3,
        to_status="entered-in-error",
        reason="duplicate",
    )
    with pytest.raises(TransitionRefused):
        services.authorization_set_status(
            acting_user=world.casey,
            authorization=auth,
            expected_version=4,
            to_status="entered-in-error",
            reason="again",
        )
    with pytest.raises(Conflict):
        services.authorization_update(
            acting_user=world.casey, authorization=auth, expected_version=4, data={"note": "x"}
        )


def test_coverage_end_keeps_open_authorizations_inside(world, chart):
    services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    with pytest.raises(ValidationFailed) as exc:
        services.coverage_end(
            acting_user=world.casey,
            coverage=chart.coverage,
            expected_version=1,
            period_end=END - timedelta(days=1),
        )
    assert fields_of(exc) == {"period_end"}
    ended = services.coverage_end(
        acting_user=world.casey,
        coverage=chart.coverage,
        expected_version=1,
        period_end=END,
        reason="Lost eligibility",
    )
    assert ended.status == "cancelled" and ended.period_end == END
    with pytest.raises(Conflict):
        services.coverage_end(acting_user=world.casey, coverage=ended, expected_version=2)


def test_coverage_entered_in_error_withdraws_its_authorizations(world, chart):
    auth = services.authorization_add(
        acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
    )
    with pytest.raises(ValidationFailed):
        services.coverage_entered_in_error(
            acting_user=world.casey, coverage=chart.coverage, expected_version=1, reason=" "
        )
    services.coverage_entered_in_error(
        acting_user=world.casey, coverage=chart.coverage, expected_version=1, reason="Wrong person"
    )
    auth.refresh_from_db()
    assert auth.status == "entered-in-error" and "Wrong person" in auth.status_reason
    with pytest.raises(Conflict):
        services.authorization_add(
            acting_user=world.casey, coverage=chart.coverage, data=authorization_data()
        )
