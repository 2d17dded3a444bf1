"""Care plan services: parts, validation with nothing stored, versions, agreement, approval,
reviews, templates and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.assessments.models import NeedStatus
from casework.audit.models import AuditEvent
from casework.careplans import services
from casework.careplans.diff import plan_versions_diff
from casework.careplans.models import (
    CarePlan,
    Goal,
    GoalReview,
    Intervention,
    Need,
    PlanTemplate,
    PlanVersion,
)
from casework.careplans.selectors import plan_changed_since_agreement
from casework.careplans.templates_seed import templates_seed
from casework.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tests import factories

SIGNATURE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAC"
    "hwGA60e6kgAAAABJRU5ErkJggg=="
)


def planning_case(world, program=None):
    client = factories.client(world.casey)
    return factories.case(
        world.casey, client=client, program=program or world.program, to="planning"
    )


@pytest.fixture
def plan(world):
    case = planning_case(world)
    return services.plan_create(acting_user=world.casey, case=case, title="Rosa's plan")


def add_goal(world, plan, **data):
    return services.goal_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        data={"client_words": "I want enough food for my family", **data},
    )


def fields_of(error):
    return {e["field"] for e in error.errors}


def test_create_starts_a_draft_with_version_one_and_audit(world, plan):
    assert plan.status == "draft" and plan.version == 1
    assert plan.client_id == plan.case.client_id
    first = PlanVersion.objects.get(plan=plan)
    assert first.number == 1 and first.snapshot["plan"]["title"] == "Rosa's plan"
    assert AuditEvent.objects.filter(object_id=str(plan.pk), action="create").exists()


def test_one_open_plan_per_case(world, plan):
    with pytest.raises(Conflict) as refused:
        services.plan_create(acting_user=world.casey, case=plan.case)
    assert refused.value.code == "plan_exists"


@pytest.mark.parametrize("persona", ["ian", "olive"])
def test_intake_and_outsiders_cannot_start_a_plan(world, persona):
    case = planning_case(world)
    with pytest.raises((PermissionDenied, NotFound)):
        services.plan_create(acting_user=getattr(world, persona), case=case)
    assert not CarePlan.objects.filter(case=case).exists()


def test_every_change_bumps_version_and_snapshots(world, plan):
    need = services.need_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"code": "Z59.41", "display": "Food insecurity", "priority": 1},
    )
    assert plan.version == 2
    goal = add_goal(world, plan, need_ids=[str(need.pk)], lifecycle_status="active")
    assert plan.version == 3
    assert list(goal.needs.all()) == [need]
    services.goal_update(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        item=goal,
        data={"target": "3 meals a day"},
    )
    versions = list(PlanVersion.objects.filter(plan=plan).values_list("number", "summary"))
    assert [n for n, _ in versions] == [1, 2, 3, 4]
    assert versions[1][1] == "Need added: Z59.41 Food insecurity"
    assert versions[2][1].startswith("Goal added: I want enough food")
    event = AuditEvent.objects.filter(object_id=str(goal.pk), action="update").get()
    assert event.changes["target"] == ["", "3 meals a day"]


def test_stale_version_is_refused_and_nothing_stored(world, plan):
    add_goal(world, plan)
    with pytest.raises(StaleVersion):
        services.goal_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={"client_words": "Second goal"},
        )
    assert Goal.objects.filter(plan=plan).count() == 1
    assert CarePlan.objects.get(pk=plan.pk).version == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2026-05-01", "target_date": "2026-04-01"}, "target_date"),
        ({"client_words": ""}, "client_words"),
        ({"priority": 4}, "priority"),
        ({"lifecycle_status": "finished"}, "lifecycle_status"),
        ({"achievement_status": "great"}, "achievement_status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_goal_is_refused_naming_the_field(world, plan, data, field):
    with pytest.raises(ValidationFailed) as refused:
        add_goal(world, plan, **data)
    assert field in fields_of(refused.value)
    assert not Goal.objects.filter(plan=plan).exists()
    assert CarePlan.objects.get(pk=plan.pk).version == 1


def test_goal_links_must_stay_within_the_plan(world, plan):
    other = services.plan_create(acting_user=world.casey, case=planning_case(world))
    foreign = services.strength_add(
        acting_user=world.casey,
        plan=other,
        expected_version=1,
        data={"description": "Loves cooking"},
    )
    with pytest.raises(ValidationFailed) as refused:
        add_goal(world, plan, strength_ids=[str(foreign.pk)])
    assert fields_of(refused.value) == {"strength_ids"}


def test_updating_the_target_date_before_the_start_is_refused(world, plan):
    goal = add_goal(world, plan, start_date=date(2026, 5, 1))
    with pytest.raises(ValidationFailed):
        services.goal_update(
            acting_user=world.casey,
            plan=plan,
            expected_version=plan.version,
            item=goal,
            data={"target_date": date(2026, 4, 1)},
        )
    assert Goal.objects.get(pk=goal.pk).target_date is None


def test_need_codes(world, plan):
    with pytest.raises(ValidationFailed) as refused:
        services.need_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={"system": "http://loinc.org", "code": ""},
        )
    assert fields_of(refused.value) == {"system", "code"}
    need = services.need_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={
            "system": "http://snomed.info/sct",
            "code": "733423003",
            "display": "Food insecurity",
        },
    )
    assert need.system == "http://snomed.info/sct"


def test_intervention_owner_must_be_staff_of_the_organization(world, plan):
    with pytest.raises(ValidationFailed) as refused:
        services.intervention_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={
                "description": "Apply for SNAP",
                "owner_type": "case_manager",
                "owner_user_id": str(world.olive.pk),
            },
        )
    assert fields_of(refused.value) == {"owner_user_id"}
    assert not Intervention.objects.filter(plan=plan).exists()


def test_intervention_owners(world, plan):
    with pytest.raises(ValidationFailed) as refused:
        services.intervention_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={"description": "Drive to the pantry", "owner_type": "family"},
        )
    assert fields_of(refused.value) == {"owner_name"}
    with pytest.raises(ValidationFailed) as refused:
        services.intervention_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={"description": "Drive", "owner_type": "neighbour", "owner_name": "Ana"},
        )
    assert fields_of(refused.value) == {"owner_type"}
    by_family = services.intervention_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"description": "Drive to the pantry", "owner_type": "family", "owner_name": "Ana"},
    )
    by_client = services.intervention_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        data={"description": "Call the pantry", "owner_type": "client"},
    )
    by_staff = services.intervention_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        data={
            "description": "Apply for SNAP",
            "owner_type": "case_manager",
            "owner_user_id": str(world.casey.pk),
            "due_date": "2026-12-01",
        },
    )
    assert by_family.owner_name == "Ana"
    assert by_client.owner_name == plan.client.full_name
    assert by_staff.owner_user == world.casey and by_staff.due_date == date(2026, 12, 1)


def test_education_with_teach_back(world, plan):
    with pytest.raises(ValidationFailed) as refused:
        services.education_record(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            data={"topic": "astrology", "method": "verbal", "teach_back": "maybe"},
        )
    assert fields_of(refused.value) == {"topic", "teach_back"}
    given = services.education_record(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"topic": "medications", "method": "written", "teach_back": "understood"},
    )
    assert given.given_by == world.casey and given.given_on is not None


AHC_FOOD_POSITIVE = {
    "71802-3": "LA31994-9",
    "88122-7": "LA28397-0",
    "88123-5": "LA28398-8",
    "93030-5": "LA33-6",
    "96779-4": "LA32-8",
}


def test_proposed_need_is_copied_and_accepted(world, plan):
    from casework.assessments import services as assessments
    from casework.assessments.models import ProposedNeed

    assessments.assessment_create(
        acting_user=world.casey,
        client=plan.client,
        instrument_code="96777-8",
        answers=AHC_FOOD_POSITIVE,
    )
    proposed = ProposedNeed.objects.get(client=plan.client, code="Z59.41")
    need = services.need_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"proposed_need_id": str(proposed.pk), "priority": 1},
    )
    assert (need.code, need.system, need.proposed_need) == ("Z59.41", proposed.system, proposed)
    assert need.snomed_code == proposed.snomed_code
    proposed.refresh_from_db()
    assert proposed.status == NeedStatus.ACCEPTED
    stranger = ProposedNeed.objects.exclude(client=plan.client).first()
    with pytest.raises(ValidationFailed):
        services.need_add(
            acting_user=world.casey,
            plan=plan,
            expected_version=2,
            data={"proposed_need_id": str(stranger.pk) if stranger else str(plan.pk)},
        )


def test_remove_and_diff(world, plan):
    strength = services.strength_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=1,
        data={"domain": "social supports", "description": "Sister nearby"},
    )
    goal = add_goal(world, plan, strength_ids=[str(strength.pk)], priority=2)
    services.goal_update(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        item=goal,
        data={"priority": 1, "lifecycle_status": "active"},
    )
    services.strength_remove(acting_user=world.casey, plan=plan, expected_version=4, item=strength)
    changes = plan_versions_diff(plan, 1, 5)
    assert [(c["section"], c["change"]) for c in changes] == [("goals", "added")]
    changes = plan_versions_diff(plan, 3, 5)
    by_section = {(c["section"], c["change"]): c for c in changes}
    assert set(by_section) == {("goals", "changed"), ("strengths", "removed")}
    fields = {f["field"]: (f["old"], f["new"]) for f in by_section["goals", "changed"]["fields"]}
    assert fields["priority"] == (2, 1)
    assert fields["lifecycle_status"] == ("proposed", "active")
    assert fields["strength_ids"] == ([str(strength.pk)], [])
    with pytest.raises(NotFound):
        plan_versions_diff(plan, 1, 9)


def test_agreement_needs_an_active_goal(world, plan):
    add_goal(world, plan)  # proposed, not active
    with pytest.raises(Conflict) as refused:
        services.plan_agree(
            acting_user=world.casey,
            plan=plan,
            expected_version=2,
            method="verbal",
            agreed_by_name="Rosa",
        )
    assert "active_goal_required" in refused.value.detail
    assert CarePlan.objects.get(pk=plan.pk).agreed_at is None


@pytest.mark.parametrize(
    "signature",
    ["", "not a data url", "data:text/html;base64,PGI+", "data:image/png;base64," + "A" * 210_000],
)
def test_signature_must_be_a_small_image_data_url(world, plan, signature):
    add_goal(world, plan, lifecycle_status="active")
    with pytest.raises(ValidationFailed) as refused:
        services.plan_agree(
            acting_user=world.casey,
            plan=plan,
            expected_version=2,
            method="signature",
            agreed_by_name="Rosa",
            signature=signature,
        )
    assert fields_of(refused.value) == {"signature"}
    assert CarePlan.objects.get(pk=plan.pk).agreed_at is None


def test_signed_agreement_and_changed_since_agreement(world, plan):
    add_goal(world, plan, lifecycle_status="active")
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        method="signature",
        agreed_by_name="Rosa Delgado",
        signature=SIGNATURE,
    )
    plan.refresh_from_db()
    assert plan.agreed_version == 3 and plan.status == "active"
    assert plan.agreement_method == "signature" and plan.witness is None
    assert not plan_changed_since_agreement(plan)
    services.plan_update(
        acting_user=world.casey,
        plan=plan,
        expected_version=3,
        changes={"self_management": "Check the pantry calendar every Monday"},
    )
    assert plan_changed_since_agreement(plan)


def test_verbal_agreement_records_the_witness(world, plan):
    add_goal(world, plan, lifecycle_status="active")
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=2,
        method="verbal",
        agreed_by_name="Luis Delgado",
        relationship="son",
        witness_name="Interpreter M. Ortiz",
        agreed_on=date.today() - timedelta(days=1),
    )
    plan.refresh_from_db()
    assert plan.witness == world.casey and plan.witness_name == "Interpreter M. Ortiz"
    assert plan.agreed_by_relationship == "son"


def test_plan_status_follows_fhir_moves(world, plan):
    with pytest.raises(Conflict):
        services.plan_update(
            acting_user=world.casey, plan=plan, expected_version=1, changes={"status": "active"}
        )
    with pytest.raises(ValidationFailed):
        services.plan_update(
            acting_user=world.casey,
            plan=plan,
            expected_version=1,
            changes={"status": "completed"},
        )
    services.plan_update(
        acting_user=world.casey, plan=plan, expected_version=1, changes={"status": "revoked"}
    )
    with pytest.raises(Conflict):
        add_goal(world, plan)


def test_review_scores_goals_and_sets_next_due(world, plan):
    first = add_goal(world, plan, lifecycle_status="active")
    second = add_goal(world, plan, client_words="I want a job")
    third = add_goal(world, plan, client_words="I want to see my grandchildren")
    review = services.plan_review_record(
        acting_user=world.casey,
        plan=plan,
        expected_version=4,
        reviewed_on=date(2026, 3, 1),
        notes="Good progress",
        scores=[
            {"goal_id": str(first.pk), "attainment": 1, "achievement_status": "improving"},
            {"goal_id": str(second.pk), "attainment": 1},
            {"goal_id": str(third.pk), "attainment": 0, "weight": 1},
        ],
    )
    assert review.gas_t_score == pytest.approx(59.13, abs=0.01)
    assert GoalReview.objects.filter(review=review).count() == 3
    plan.refresh_from_db()
    interval = plan.case.program.model.plan_review_interval_days
    assert plan.next_review_due == date(2026, 3, 1) + timedelta(days=interval)
    assert Goal.objects.get(pk=first.pk).achievement_status == "improving"


def test_review_refuses_out_of_range_and_foreign_goals(world, plan):
    goal = add_goal(world, plan)
    with pytest.raises(ValidationFailed) as refused:
        services.plan_review_record(
            acting_user=world.casey,
            plan=plan,
            expected_version=2,
            reviewed_on=date(2026, 3, 1),
            notes="",
            scores=[
                {"goal_id": str(goal.pk), "attainment": 3},
                {"goal_id": "6f1c4f0e-0000-4000-8000-000000000000", "attainment": 0},
            ],
        )
    assert fields_of(refused.value) == {"scores[0].attainment", "scores[1].goal_id"}
    assert not GoalReview.objects.exists()


def test_approval_only_where_required_and_by_supervisors(world):
    integrated = factories.program(
        "Integrated Care", org=world.org, kind="integrated", teams=[world.north]
    )
    case = planning_case(world, integrated)
    plan = services.plan_create(acting_user=world.casey, case=case)
    add_goal(world, plan, lifecycle_status="active")
    with pytest.raises(PermissionDenied):
        services.plan_approve(acting_user=world.casey, plan=plan, expected_version=2)
    with pytest.raises(PermissionDenied):
        services.plan_approve(acting_user=world.chris, plan=plan, expected_version=2)
    services.plan_approve(acting_user=world.sam, plan=plan, expected_version=2)
    plan.refresh_from_db()
    assert plan.approved_by == world.sam and plan.approved_version == 3

    other = services.plan_create(acting_user=world.casey, case=planning_case(world))
    with pytest.raises(Conflict) as refused:
        services.plan_approve(acting_user=world.sam, plan=other, expected_version=1)
    assert refused.value.code == "approval_not_required"


def test_templates_seed_and_apply(world, plan):
    assert templates_seed(organization=world.org) == 0  # seeded with the organization
    template = PlanTemplate.objects.get(organization=world.org, name="Food insecurity")
    services.plan_apply_template(
        acting_user=world.casey, plan=plan, expected_version=1, template=template
    )
    need = Need.objects.get(plan=plan)
    assert need.code == template.need["code"]
    goal = Goal.objects.get(plan=plan)
    assert goal.client_words == template.goals[0]["client_words"]
    assert goal.target_date == goal.start_date + timedelta(days=template.goals[0]["target_days"])
    assert list(goal.needs.all()) == [need]
    assert Intervention.objects.filter(plan=plan).count() == len(template.goals[0]["interventions"])
    assert plan.template_name == "Food insecurity" and plan.version == 2
    foreign = PlanTemplate.objects.filter(organization=world.other_org).first()
    with pytest.raises(NotFound):
        services.plan_apply_template(
            acting_user=world.casey, plan=plan, expected_version=2, template=foreign
        )


def test_plan_created_from_templates(world):
    case = planning_case(world)
    ids = list(
        PlanTemplate.objects.filter(organization=world.org)
        .order_by("name")
        .values_list("pk", flat=True)[:2]
    )
    plan = services.plan_create(acting_user=world.casey, case=case, template_ids=ids)
    assert plan.version == 3 and Need.objects.filter(plan=plan).count() == 2


def test_program_admin_edits_only_their_organizations_templates(client, world):
    import json

    from django.urls import reverse

    pat = factories.staff("pat", org=world.org, role="program_admin")
    client.force_login(pat)
    listing = client.get(reverse("admin:careplans_plantemplate_changelist"))
    assert listing.status_code == 200
    ours = PlanTemplate.objects.get(organization=world.org, name="Food insecurity")
    theirs = PlanTemplate.objects.get(organization=world.other_org, name="Food insecurity")
    html = listing.content.decode()
    assert str(ours.pk) in html and str(theirs.pk) not in html
    other = reverse("admin:careplans_plantemplate_change", args=[theirs.pk])
    assert client.get(other).status_code == 302
    url = reverse("admin:careplans_plantemplate_change", args=[ours.pk])
    goals = [{**ours.goals[0], "target_days": 45}]
    form = {
        "organization": str(world.org.pk),
        "name": ours.name,
        "model_kind": "",
        "need": json.dumps(ours.need),
        "goals": json.dumps(goals),
        "is_active": "on",
        "expected_version": str(ours.version),
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    ours.refresh_from_db()
    assert ours.goals[0]["target_days"] == 45 and ours.version == 2
    bad = client.post(
        url, {**form, "goals": json.dumps([{"statement": "no words"}]), "expected_version": "2"}
    )
    assert bad.status_code == 200 and "client_words" in bad.content.decode()


def test_agreement_schedules_the_first_review(world):
    from casework.careplans.models import CarePlan

    case = factories.case(
        world.casey, client=factories.client(world.casey), program=world.program, to="active"
    )
    plan = CarePlan.objects.get(case=case)
    interval = world.program.model.plan_review_interval_days
    assert plan.next_review_due is not None
    assert plan.agreed_at is not None
    assert (plan.next_review_due - plan.period_start).days == interval
