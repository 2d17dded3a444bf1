"""Case lifecycle guards, stage timestamps, caseload weights, capacity, assignment, waitlist."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases import services
from casework.cases.models import Case, CaseStatusChange, Status
from casework.core.errors import PermissionDenied, StaleVersion, TransitionRefused
from tests import factories


def walk(user, case, *steps):
    for step in steps:
        case = services.case_transition(acting_user=user, case=case, to_status=step)
    return case


def test_referral_starts_referred_with_history_and_audit(world):
    client = factories.client(world.casey)
    case = services.case_create(acting_user=world.casey, client=client, program=world.program)
    assert case.status == Status.REFERRED
    assert case.status_changed_at is not None
    assert [c.to_status for c in case.status_changes.all()] == ["referred"]
    assert AuditEvent.objects.filter(object_id=str(case.id), action="create").exists()


def test_full_walk_to_closure_stamps_every_stage(world):
    client = factories.client(world.casey)
    case = services.case_create(acting_user=world.casey, client=client, program=world.program)
    case = walk(world.casey, case, "screening", "intake", "assessment", "planning")
    factories.agreed_plan(world.casey, case=case)  # the care plan guard on → active
    case = walk(world.casey, case, "active")
    case = services.case_transition(
        acting_user=world.casey, case=case, to_status="on_hold", reason="Client in hospital"
    )
    case = walk(world.casey, case, "active", "transition")
    case = services.case_transition(
        acting_user=world.casey,
        case=case,
        to_status="closed",
        reason="Connected to clinic",
        closure_reason="goals_met",
        discharge_summary="Goals met; linked to primary care.",
    )
    assert case.status == Status.CLOSED
    assert case.closed_at is not None and case.opened_at is not None
    assert case.closure_reason == "goals_met"
    assert case.discharge_summary == "Goals met; linked to primary care."
    stages = list(case.status_changes.values_list("to_status", flat=True))
    assert stages == [
        "referred",
        "screening",
        "intake",
        "assessment",
        "planning",
        "active",
        "on_hold",
        "active",
        "transition",
        "closed",
    ]
    times = list(case.status_changes.values_list("changed_at", flat=True))
    assert times == sorted(times)
    assert AuditEvent.objects.filter(object_id=str(case.id), action="transition").count() == 9


def test_invalid_transition_is_refused_and_changes_nothing(world):
    case = factories.case(world.casey, client=factories.client(world.casey), program=world.program)
    before = (case.status, case.version, CaseStatusChange.objects.count())
    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(acting_user=world.casey, case=case, to_status="active")
    assert refused.value.code == "invalid_transition"
    assert "referred to active" in refused.value.detail
    case.refresh_from_db()
    assert (case.status, case.version, CaseStatusChange.objects.count()) == before


def test_closing_needs_reason_code_and_summary(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(acting_user=world.casey, case=case, to_status="closed")
    guards = {e["guard"] for e in refused.value.errors}
    assert {"closure", "reason"} <= guards
    with pytest.raises(TransitionRefused) as unknown:
        services.case_transition(
            acting_user=world.casey,
            case=case,
            to_status="closed",
            reason="done",
            closure_reason="finished-ish",
        )
    assert "closure_reason_unknown" in unknown.value.detail
    case.refresh_from_db()
    assert case.status == Status.ACTIVE


def test_screening_closure_needs_no_discharge_summary_but_a_fitting_reason(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="screening"
    )
    with pytest.raises(TransitionRefused):
        services.case_transition(
            acting_user=world.casey,
            case=case,
            to_status="closed",
            reason="x",
            closure_reason="goals_met",
        )
    closed = services.case_transition(
        acting_user=world.casey,
        case=case,
        to_status="closed",
        reason="Client declined at screening",
        closure_reason="declined",
    )
    assert closed.status == Status.CLOSED and closed.discharge_summary == ""


def test_hold_reopen_and_entered_in_error_need_a_reason(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    with pytest.raises(TransitionRefused, match="reason_required"):
        services.case_transition(acting_user=world.casey, case=case, to_status="on_hold")
    case = services.case_transition(
        acting_user=world.casey,
        case=case,
        to_status="closed",
        reason="Moved away",
        closure_reason="moved",
    )
    with pytest.raises(TransitionRefused, match="reason_required"):
        services.case_transition(acting_user=world.casey, case=case, to_status="assessment")
    reopened = services.case_transition(
        acting_user=world.casey, case=case, to_status="assessment", reason="Came back to the county"
    )
    assert reopened.status == Status.ASSESSMENT
    assert reopened.closed_at is None and reopened.closure_reason == ""
    with pytest.raises(TransitionRefused):
        services.case_transition(
            acting_user=world.casey, case=reopened, to_status="entered_in_error"
        )
    gone = services.case_transition(
        acting_user=world.casey, case=reopened, to_status="entered_in_error", reason="Wrong client"
    )
    with pytest.raises(TransitionRefused):
        services.case_transition(
            acting_user=world.casey, case=gone, to_status="assessment", reason="undo"
        )


def test_eligibility_by_age_and_required_condition(world):
    young = factories.client(
        world.casey, birth_date=timezone.localdate() - timedelta(days=365 * 16)
    )
    case = factories.case(world.casey, client=young, program=world.program, to="screening")
    with pytest.raises(TransitionRefused, match="below the program minimum of 18"):
        services.case_transition(acting_user=world.casey, case=case, to_status="intake")

    smi = factories.program(
        "ICM",
        org=world.org,
        kind="intensive",
        teams=[world.north],
        required_conditions=[
            {
                "system": "http://hl7.org/fhir/sid/icd-10-cm",
                "code": "F20",
                "display": "Schizophrenia",
            }
        ],
    )
    adult = factories.client(world.casey)
    case = factories.case(world.casey, client=adult, program=smi, to="screening")
    with pytest.raises(TransitionRefused, match="no screening finding matches"):
        services.case_transition(acting_user=world.casey, case=case, to_status="intake")
    case = services.case_record_screening(
        acting_user=world.casey, case=case, findings=[{"code": "F20.9"}], expected_version=None
    )
    case = services.case_transition(acting_user=world.casey, case=case, to_status="intake")
    assert case.status == Status.INTAKE


def test_stale_version_on_transition_is_refused(world):
    case = factories.case(world.casey, client=factories.client(world.casey), program=world.program)
    services.case_transition(acting_user=world.casey, case=case, to_status="screening")
    with pytest.raises(StaleVersion):
        services.case_transition(
            acting_user=world.casey,
            case=case,
            to_status="closed",
            reason="x",
            closure_reason="declined",
            expected_version=1,
        )


def test_roles_limit_transitions(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="intake"
    )
    # Intake may work the pipeline but not move an enrolled case forward.
    with pytest.raises(PermissionDenied):
        services.case_transition(acting_user=world.ian, case=case, to_status="assessment")


# --- caseloads --------------------------------------------------------------------------------


def test_case_weight_follows_model_and_tier(world):
    brokerage = factories.model(world.org, "brokerage")
    intensive = factories.model(world.org, "intensive")
    assert brokerage.case_weight() == Decimal("2.00")  # 100 / 50
    assert intensive.case_weight() == Decimal("10.00")  # 100 / 10
    assert intensive.case_weight("very_high") == Decimal("15.00")
    assert brokerage.case_weight("low") == Decimal("1.50")


def test_intake_assigns_acting_case_manager_and_counts_weight(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="intake"
    )
    assert case.case_manager == world.casey
    assert case.team == world.north
    assert case.weight == Decimal("2.00")
    assert case.assignments.count() == 1


def test_suggestion_prefers_language_then_least_loaded(world):
    dana = factories.staff("dana", org=world.org, team=world.north, languages=["en"])
    spanish = factories.client(world.ian, preferred_language="es")
    case = factories.case(world.ian, client=spanish, program=world.program, to="screening")
    names = [s.user.username for s in services.caseload_suggestions(case=case)]
    assert names[0] == "casey"  # speaks Spanish
    english = factories.client(world.ian)
    # Load casey with three cases; dana is empty and should come first for an English speaker.
    for _ in range(3):
        factories.case(
            world.casey, client=factories.client(world.casey), program=world.program, to="intake"
        )
    case2 = factories.case(world.ian, client=english, program=world.program, to="screening")
    suggestions = services.caseload_suggestions(case=case2)
    assert suggestions[0].user == dana
    assert {s.user.username for s in suggestions} == {"casey", "dana"}  # chris is not on North
    assert dana.pk != world.chris.pk


def test_capacity_blocks_assignment_and_intake_then_waitlist(world):
    world.casey.caseload_capacity = Decimal("4")  # room for two brokerage cases (2 points each)
    world.casey.save()
    for _ in range(2):
        factories.case(
            world.casey, client=factories.client(world.casey), program=world.program, to="intake"
        )
    third = factories.case(
        world.ian, client=factories.client(world.ian), program=world.program, to="screening"
    )
    with pytest.raises(TransitionRefused) as full:
        services.case_transition(acting_user=world.ian, case=third, to_status="intake")
    assert full.value.code == "no_capacity"
    third.refresh_from_db()
    assert third.status == Status.SCREENING and third.case_manager is None
    waiting = services.case_transition(
        acting_user=world.ian, case=third, to_status="waitlist", reason="No capacity"
    )
    assert waiting.status == Status.WAITLIST
    with pytest.raises(TransitionRefused):
        services.case_assign(acting_user=world.sam, case=waiting, case_manager=world.casey)
    # A supervisor may override capacity, with a reason recorded.
    assigned = services.case_assign(
        acting_user=world.sam,
        case=waiting,
        case_manager=world.casey,
        override_capacity=True,
        reason="Urgent",
    )
    assert assigned.case_manager == world.casey


def test_assignment_requires_eligibility_and_supervisor_role(world):
    case = factories.case(
        world.ian, client=factories.client(world.ian), program=world.program, to="screening"
    )
    from casework.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):  # chris's team does not deliver the program
        services.case_assign(acting_user=world.sam, case=case, case_manager=world.chris)
    with pytest.raises(PermissionDenied):
        services.case_assign(acting_user=world.casey, case=case, case_manager=world.casey)


def test_credentials_decide_eligibility(world):
    clinical = factories.program("Clinical CM", org=world.org, kind="clinical", teams=[world.north])
    dana = factories.staff("dana", org=world.org, team=world.north)  # no clinical credential
    eligible = set(services.eligible_case_managers(clinical).values_list("username", flat=True))
    assert eligible == {"casey"}
    from casework.accounts.models import Credential

    Credential.objects.create(user=dana, kind="LPC", expires_on=date(2000, 1, 1))  # expired
    eligible = set(services.eligible_case_managers(clinical).values_list("username", flat=True))
    assert eligible == {"casey"}


def test_reassign_requires_reason_and_bulk_is_all_or_nothing(world):
    dana = factories.staff("dana", org=world.org, team=world.north, languages=["en"])
    cases = [
        factories.case(
            world.casey, client=factories.client(world.casey), program=world.program, to="active"
        )
        for _ in range(3)
    ]
    from casework.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.case_assign(acting_user=world.sam, case=cases[0], case_manager=dana)
    dana.caseload_capacity = Decimal("4")  # room for two of the three
    dana.save()
    with pytest.raises(TransitionRefused) as refused:
        services.cases_reassign_bulk(acting_user=world.sam, cases=cases, reason="Casey leaves")
    assert "nothing was changed" in refused.value.detail
    assert Case.objects.filter(case_manager=world.casey).count() == 3
    dana.caseload_capacity = Decimal("100")
    dana.save()
    result = services.cases_reassign_bulk(acting_user=world.sam, cases=cases, reason="Casey leaves")
    assert len(result.moved) == 3
    assert Case.objects.filter(case_manager=dana).count() == 3
    last = cases[0].assignments.order_by("-id").first()
    assert last.previous_case_manager == world.casey and last.reason == "Casey leaves"


def test_one_open_case_per_client_and_program(world):
    client = factories.client(world.casey)
    factories.case(world.casey, client=client, program=world.program)
    with pytest.raises(TransitionRefused) as refused:
        services.case_create(acting_user=world.casey, client=client, program=world.program)
    assert refused.value.code == "case_already_open"


def test_reopened_case_needs_a_new_discharge_summary(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    case = services.case_transition(
        acting_user=world.casey,
        case=case,
        to_status="closed",
        reason="Goals met",
        closure_reason="goals_met",
        discharge_summary="Linked to clinic.",
    )
    case = services.case_transition(
        acting_user=world.casey, case=case, to_status="assessment", reason="Relapse"
    )
    assert case.discharge_summary == ""


def test_screening_findings_only_while_screening(world):
    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="intake"
    )
    with pytest.raises(TransitionRefused):
        services.case_record_screening(
            acting_user=world.casey, case=case, findings=[{"code": "F20.9"}], expected_version=None
        )
