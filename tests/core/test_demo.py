"""``casework demo``: complete, deterministic, idempotent, consistent, and leaves room for the
person who logs in as ``casemanager`` to take on new cases in every program."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.accounts.models import Credential, Organization, User
from casework.accounts.selectors import is_supervisor_of
from casework.audit.models import AuditEvent
from casework.audit.services import audit_verify
from casework.careplans.gas import gas_t_score
from casework.careplans.guards import current_plan
from casework.careplans.models import CarePlan, Goal, PlanReview, PlanVersion
from casework.cases import services as cases
from casework.cases.models import ON_CASELOAD, Case, Status
from casework.clients.models import Client
from casework.clients.selectors import clients_visible_to
from casework.clients.services import client_create
from casework.core import demo_data
from casework.core.demo import CASEMANAGER_MAX_POINTS, plan_population
from casework.core.validation import primary_language
from casework.programs.models import Program
from tests import factories

CLIENTS = 40
SEED = 7


def run_demo(**options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    options = {"clients": CLIENTS, "seed": SEED, **options}
    call_command("demo", stdout=out, stderr=err, **options)
    return out.getvalue()


@pytest.fixture
def demo(db: Any) -> str:
    return run_demo()


def demo_cases() -> Any:
    return Case.objects.filter(organization__slug="demo")


def test_organizations_staff_and_programs(demo: str) -> None:
    demo_org = Organization.objects.get(slug="demo")
    assert demo_org.name == "Demo County Health & Human Services"
    assert Organization.objects.filter(slug="other").exists()
    roles = dict(User.objects.values_list("username", "role"))
    assert {name: roles[name] for name in roles if name in {
        "casemanager", "supervisor", "intake", "programadmin", "privacy", "admin", "outsider"
    }} == {
        "casemanager": "case_manager",
        "supervisor": "supervisor",
        "intake": "intake",
        "programadmin": "program_admin",
        "privacy": "privacy_officer",
        "admin": "system_admin",
        "outsider": "case_manager",
    }  # fmt: skip
    assert User.objects.get(username="outsider").organization.slug == "other"
    for user in User.objects.all():
        assert user.check_password(settings.CASEWORK_DEMO_PASSWORD), user.username
    # About six case managers besides casemanager, speaking the clients' languages.
    others = User.objects.filter(organization=demo_org, role="case_manager").exclude(
        username="casemanager"
    )
    assert others.count() >= 6
    spoken = {tag for user in others for tag in user.languages}
    assert {"es", "vi", "zh", "so"} <= spoken

    programs = list(Program.objects.filter(organization=demo_org).order_by("name"))
    assert sorted(p.model.kind for p in programs) == [
        "brokerage", "clinical", "integrated", "intensive", "strengths"
    ]  # fmt: skip
    assert programs[0].name == "Adult Care Coordination"
    assert programs[0].required_conditions == [] and programs[0].min_age is None
    with_conditions = [p for p in programs if p.required_conditions]
    assert [p.model.kind for p in with_conditions] == ["intensive"]
    assert with_conditions[0].min_age == 18
    assert {rule["code"] for rule in with_conditions[0].required_conditions} == {
        "F20", "F25", "F31", "F33"
    }  # fmt: skip
    for program in programs:
        eligible = cases.eligible_case_managers(program)
        assert eligible.count() >= 2, program.name
    assert Program.objects.filter(organization__slug="other").count() == 1

    assert "Demo logins" in demo and settings.CASEWORK_DEMO_PASSWORD in demo
    assert "casemanager" in demo and "outsider" in demo


def test_casemanager_is_set_up_for_every_program(demo: str) -> None:
    casemanager = User.objects.get(username="casemanager")
    supervisor = User.objects.get(username="supervisor")
    assert casemanager.languages == ["en", "es"]
    assert Credential.objects.filter(user=casemanager, kind="LCSW").exists()
    delivered = Program.objects.filter(teams__members=casemanager).distinct()
    assert delivered.count() == Program.objects.filter(organization__slug="demo").count() == 5
    assert is_supervisor_of(user=supervisor, case_manager=casemanager)
    mine = demo_cases().filter(case_manager=casemanager)
    points = sum(case.weight for case in mine.filter(status__in=ON_CASELOAD))
    assert 0 < points <= CASEMANAGER_MAX_POINTS
    assert mine.exclude(status__in=["closed", "entered_in_error"]).count() >= 5


def test_casemanager_can_take_a_new_case_in_every_program(demo: str) -> None:
    """What outside checks do: log in as casemanager, register someone, walk a case through."""
    casemanager = User.objects.get(username="casemanager")
    programs = Program.objects.filter(organization__slug="demo").order_by("name")
    for number, program in enumerate(programs):
        client, _ = client_create(
            acting_user=casemanager,
            data={
                "given_name": "Check",
                "family_name": f"Walkthrough{number}x",
                "birth_date": date(1980, 3, 4),
            },
        )
        case = cases.case_create(acting_user=casemanager, client=client, program=program)
        suggested = [load.user.username for load in cases.caseload_suggestions(case=case)]
        assert "casemanager" in suggested, program.name
        case = cases.case_transition(acting_user=casemanager, case=case, to_status="screening")
        if program.required_conditions:
            case = cases.case_record_screening(
                acting_user=casemanager,
                case=case,
                findings=[{"code": "F20.9", "display": "Schizophrenia, unspecified"}],
                expected_version=None,
            )
        for stage in ("intake", "assessment", "planning", "active"):
            if stage == "active":  # the care plan guard on → active
                factories.agreed_plan(casemanager, case=case)
            case = cases.case_transition(acting_user=casemanager, case=case, to_status=stage)
        assert case.status == "active" and case.case_manager_id == casemanager.pk
    assert audit_verify().ok


def test_every_stage_with_a_believable_history(demo: str) -> None:
    statuses = Counter(demo_cases().values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert 1 <= statuses["entered_in_error"] <= 2
    now = timezone.now()
    assert demo_cases().filter(status_changed_at__lt=now - timedelta(days=30)).exists()
    for case in demo_cases().prefetch_related("status_changes"):
        history = list(case.status_changes.all())
        times = [change.changed_at for change in history]
        assert times == sorted(times) and times[-1] <= now
        assert times[0] == case.created_at and times[-1] == case.status_changed_at
        assert history[-1].to_status == case.status
        if case.status in ON_CASELOAD:
            assert case.case_manager_id is not None and case.opened_at is not None
        if case.status == "closed":
            assert case.closed_at == times[-1] and case.closure_reason
        for assignment in case.assignments.all():
            assert times[0] <= assignment.assigned_at <= now
    assert not demo_cases().filter(status="waitlist", case_manager__isnull=False).exists()
    # The intensive program requires a serious mental illness finding before waitlist or intake.
    admitted = demo_cases().filter(
        program__model__kind="intensive", status_changes__to_status__in=["waitlist", "intake"]
    )
    assert admitted.exists()
    for case in admitted.distinct():
        assert any(f["code"][:3] in {"F20", "F25", "F31", "F33"} for f in case.screening_findings)
    # Clients with an earlier, closed case and a newer one.
    planned = sum(1 for plan in plan_population(clients=CLIENTS, seed=SEED) if len(plan.cases) > 1)
    twice = Counter(demo_cases().values_list("client_id", flat=True))
    assert sum(1 for n in twice.values() if n > 1) == planned > 0
    assert audit_verify().ok


def test_same_seed_same_people(db: Any) -> None:
    first = [plan.name for plan in plan_population(clients=60, seed=3)]
    again = [plan.name for plan in plan_population(clients=60, seed=3)]
    other = [plan.name for plan in plan_population(clients=60, seed=4)]
    assert first == again
    assert first != other
    languages = {plan.data["preferred_language"] for plan in plan_population(clients=300)}
    assert {"en", "es", "vi", "so"} <= languages


def test_loaded_clients_are_the_planned_ones(demo: str) -> None:
    planned = sorted(plan.name for plan in plan_population(clients=CLIENTS, seed=SEED))
    loaded = sorted(c.full_name for c in Client.objects.filter(organization__slug="demo"))
    assert loaded == planned
    interpreters = Client.objects.filter(organization__slug="demo", interpreter_needed=True)
    assert not interpreters.filter(preferred_language="en").exists()


def test_running_again_changes_nothing(demo: str) -> None:
    before = (
        Client.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    output = run_demo()
    assert "already loaded" in output
    assert "casemanager" in output
    assert before == (
        Client.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    run_demo(clients=5, seed=99)
    assert Client.objects.count() == before[0]


def test_organizations_do_not_see_each_other(demo: str) -> None:
    outsider = User.objects.get(username="outsider")
    casemanager = User.objects.get(username="casemanager")
    theirs = clients_visible_to(outsider)
    assert theirs.exists()
    assert set(theirs.values_list("organization__slug", flat=True)) == {"other"}
    assert not clients_visible_to(casemanager).filter(organization__slug="other").exists()


def test_existing_demo_user_names_stop_the_load_cleanly(db: Any) -> None:
    elsewhere = factories.organization("elsewhere")
    factories.staff("admin", org=elsewhere, role="system_admin")
    with pytest.raises(CommandError, match="admin"):
        run_demo(clients=5)
    assert not Organization.objects.filter(slug="demo").exists()
    with pytest.raises(CommandError):
        run_demo(clients=-1)


def test_cases_on_a_caseload_have_an_agreed_care_plan(demo: str) -> None:
    """Every case that went active was planned with the client first: needs, an active goal in
    the client's words, agreement, approval where the model requires it; strengths-based plans
    are built on strengths."""
    today = timezone.localdate()
    planned = demo_cases().filter(status__in=["active", "on_hold", "transition"])
    assert planned.filter(status="active").exists()
    for case in planned.select_related("program__model", "client"):
        plan = current_plan(case)
        assert plan is not None, case.pk
        assert plan.agreed_at is not None and plan.agreement_method in {"signature", "verbal"}
        if plan.agreement_method == "signature":
            assert plan.signature.startswith("data:image/png;base64,iVBORw0KGgo")
        assert plan.goals.filter(lifecycle_status="active").exists()
        assert plan.needs.exists() and plan.interventions.exists()
        model = case.program.model
        if model.requires_strengths:
            assert plan.strengths.count() >= 3
        if "care_plan" in model.approvals_required:
            assert plan.approved_at is not None and plan.approved_by is not None
        # Planned before the case went active, agreed on a day that has happened.
        went_active = case.status_changes.filter(to_status="active").order_by("changed_at")
        assert plan.created_at <= went_active.last().changed_at
        assert plan.agreed_at.date() <= today
        for goal in plan.goals.all():
            assert goal.client_words and goal.statement and goal.measure
            start, target = goal.start_date, goal.target_date
            assert start is not None and target is not None and target > start
    # Cases still being planned have a draft; cases never planned have no plan at all.
    for case in demo_cases().filter(status="planning"):
        if case.case_manager_id is not None:
            draft = current_plan(case)
            assert draft is not None and draft.status == "draft"
    not_yet = demo_cases().filter(status__in=["referred", "screening", "waitlist", "intake"])
    assert not CarePlan.objects.filter(case__in=not_yet).exists()
    # Closed cases that had been active keep their finished plan.
    finished = CarePlan.objects.filter(case__organization__slug="demo", case__status="closed")
    assert set(finished.values_list("status", flat=True)) <= {"completed", "revoked"}


def test_goals_are_in_the_clients_own_words_and_language(demo: str) -> None:
    spanish_words = {text for t in demo_data.NEED_TOPICS.values() for text in t.words_es}
    english_words = {text for t in demo_data.NEED_TOPICS.values() for text in t.words_en}
    goals = Goal.objects.filter(plan__organization__slug="demo").select_related("plan__client")
    assert goals.exists()
    for goal in goals:
        spanish = primary_language(goal.plan.client.preferred_language) == "es"
        assert goal.client_words in (spanish_words if spanish else english_words)


def test_care_plan_versions_and_reviews(demo: str) -> None:
    plans = CarePlan.objects.filter(organization__slug="demo").prefetch_related("versions")
    assert plans.exists()
    for plan in plans:
        versions = list(plan.versions.all())
        assert [v.number for v in versions] == list(range(1, plan.version + 1))
        times = [v.created_at for v in versions]
        assert times == sorted(times) and times[-1] <= timezone.now()
        assert versions[-1].snapshot["plan"]["status"] == plan.status
    reviews = PlanReview.objects.filter(plan__organization__slug="demo")
    assert reviews.exists()
    for review in reviews.prefetch_related("goal_scores"):
        scores = [(s.attainment, s.weight) for s in review.goal_scores.all()]
        assert scores and review.gas_t_score == round(gas_t_score(scores), 2)
        assert review.reviewed_on <= timezone.localdate()
    assert PlanVersion.objects.filter(plan__organization__slug="demo").count() > plans.count()
