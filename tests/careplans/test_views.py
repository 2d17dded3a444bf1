"""Care plan pages: start from the case, the HTMX editor (add/edit/remove per section, stale
versions, field errors), agreement and approval, reviews with GAS T-scores, versions and diffs,
and who may see them (Casey edits, Sam approves, Chris and Olive get 404)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from casework.assessments import services as assessment_services
from casework.audit.models import AuditEvent
from casework.careplans import services
from casework.careplans.models import CarePlan, Goal, Need, PlanTemplate, PlanVersion
from casework.web.errors import STALE_MESSAGE
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}
# A 1x1 transparent PNG, as the signature pad would send (smaller, same shape).
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def case(world: Any) -> Any:
    person = factories.client(
        world.casey, given_name="Ana", family_name="Lopez", preferred_language="es"
    )
    return factories.case(world.casey, client=person, program=world.program, to="planning")


@pytest.fixture
def plan(world: Any, case: Any) -> CarePlan:
    return services.plan_create(acting_user=world.casey, case=case, title="Getting settled")


def detail(plan: CarePlan) -> str:
    return reverse("careplans:detail", args=[plan.pk])


def add(plan: CarePlan, section: str) -> str:
    return reverse("careplans:add", args=[plan.pk, section])


def fresh(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.get(pk=plan.pk)


def add_goal(user: Any, plan: CarePlan, words: str = "Quiero volver a trabajar") -> Goal:
    plan = fresh(plan)
    return services.goal_add(
        acting_user=user,
        plan=plan,
        expected_version=plan.version,
        data={"client_words": words, "lifecycle_status": "active", "priority": 1},
    )


# ----------------------------------------------------------------------------------------------
# Starting a plan


def test_case_page_offers_to_start_a_plan_then_links_to_it(client, world, case):
    client.force_login(world.casey)
    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "Start a care plan" in html
    assert reverse("careplans:case_plan", args=[case.pk]) in html

    start = client.get(reverse("careplans:case_plan", args=[case.pk]))
    assert start.status_code == 200
    assert 'for="id_title"' in start.content.decode()
    response = client.post(reverse("careplans:case_plan", args=[case.pk]), {"title": "Mi plan"})
    plan = CarePlan.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == detail(plan)
    assert plan.title == "Mi plan" and plan.version >= 1

    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "Open the care plan" in html and detail(plan) in html
    # The start page now leads to the plan.
    again = client.get(reverse("careplans:case_plan", args=[case.pk]))
    assert again.status_code == 302 and again["Location"] == detail(plan)


def test_start_from_a_template(client, world, case):
    template = PlanTemplate.objects.filter(
        organization=world.org, model_kind__in=["", case.program.model.kind], is_active=True
    ).first()
    if template is None:
        pytest.skip("no starter template for this model")
    client.force_login(world.casey)
    page = client.get(reverse("careplans:case_plan", args=[case.pk])).content.decode()
    assert template.name in page and 'name="templates"' in page
    response = client.post(
        reverse("careplans:case_plan", args=[case.pk]), {"title": "", "templates": [template.pk]}
    )
    assert response.status_code == 302
    plan = CarePlan.objects.get(case=case)
    assert plan.needs.filter(code=template.need["code"]).exists()
    assert plan.goals.count() == len(template.goals)


def test_start_refuses_an_unknown_template_without_a_500(client, world, case):
    client.force_login(world.casey)
    response = client.post(
        reverse("careplans:case_plan", args=[case.pk]), {"templates": ["not-a-uuid"]}
    )
    assert response.status_code == 422
    assert not CarePlan.objects.filter(case=case).exists()


def test_editor_shows_every_section_with_labelled_controls(client, world, plan):
    client.force_login(world.casey)
    response = client.get(detail(plan))
    html = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Needs and problems",
        "Goals",
        "Strengths",
        "Barriers",
        "Self-management plan",
        "Interventions: who does what, by when",
        "Education given",
        "Client agreement",
        "Reviews",
    ):
        assert heading in html, heading
    assert f'name="version" value="{plan.version}"' in html
    assert 'for="goals-new-id_client_words"' not in html  # auto ids carry the section
    assert 'for="goals-new-client_words"' in html
    assert "data-signature-canvas" in html and "careplans/careplans.js" in html
    event = AuditEvent.objects.filter(action="read", object_id=str(plan.pk)).last()
    assert event is not None and event.client_id == plan.client_id


# ----------------------------------------------------------------------------------------------
# Editing through HTMX


def test_casey_builds_the_plan_section_by_section(client, world, plan):
    client.force_login(world.casey)
    version = plan.version
    response = client.post(
        add(plan, "needs"),
        {
            "version": version,
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "Z59.41",
            "display": "Food insecurity",
            "priority": 1,
            "status": "active",
        },
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="plan-editor"')  # a fragment, not a page
    assert "Need added." in html and "Food insecurity" in html
    plan = fresh(plan)
    assert plan.version == version + 1
    assert f'name="version" value="{plan.version}"' in html

    need = Need.objects.get(plan=plan)
    client.post(
        add(plan, "strengths"),
        {"version": plan.version, "description": "Cocina muy bien", "domain": "skills"},
        **HX,
    )
    plan = fresh(plan)
    strength = plan.strengths.get()
    response = client.post(
        add(plan, "goals"),
        {
            "version": plan.version,
            "client_words": "Quiero comer tres veces al día",
            "statement": "Client will have three meals a day within 60 days",
            "measure": "Meals per day",
            "baseline": "1",
            "target": "3",
            "start_date": "2026-01-05",
            "target_date": "2026-03-05",
            "priority": 1,
            "lifecycle_status": "active",
            "achievement_status": "in-progress",
            "needs": [need.pk],
            "strengths": [strength.pk],
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    goal = Goal.objects.get(plan=plan)
    assert list(goal.needs.all()) == [need] and list(goal.strengths.all()) == [strength]
    html = response.content.decode()
    assert "Quiero comer tres veces al día" in html and "Meals per day" in html

    plan = fresh(plan)
    client.post(
        add(plan, "barriers"),
        {"version": plan.version, "description": "No car", "goal": goal.pk},
        **HX,
    )
    plan = fresh(plan)
    response = client.post(
        add(plan, "interventions"),
        {
            "version": plan.version,
            "description": "Apply for SNAP together",
            "goal": goal.pk,
            "owner_type": "case_manager",
            "owner_user": world.casey.pk,
            "due_date": "2026-02-01",
            "status": "not-started",
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    assert "Apply for SNAP together" in response.content.decode()
    plan = fresh(plan)
    response = client.post(
        add(plan, "education"),
        {
            "version": plan.version,
            "topic": "lifestyle",
            "detail": "Budget meals",
            "method": "verbal",
            "teach_back": "understood",
            "given_on": date.today().isoformat(),
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    plan = fresh(plan)
    response = client.post(
        reverse("careplans:self_management", args=[plan.pk]),
        {"version": plan.version, "self_management": "Plan meals on Sunday", "crisis_plan": ""},
        **HX,
    )
    assert response.status_code == 200
    plan = fresh(plan)
    assert plan.self_management == "Plan meals on Sunday"
    assert plan.barriers.get().goal == goal
    intervention = plan.interventions.get()
    assert intervention.owner_user == world.casey
    assert plan.education.get().teach_back == "understood"
    assert plan.version == version + 7
    assert PlanVersion.objects.filter(plan=plan).count() >= 7


def test_without_htmx_a_change_redirects_back_to_the_editor(client, world, plan):
    client.force_login(world.casey)
    response = client.post(
        add(plan, "strengths"), {"version": plan.version, "description": "Family nearby"}
    )
    assert response.status_code == 302 and response["Location"] == detail(plan)
    page = client.get(detail(plan)).content.decode()
    assert "Strength added." in page and "Family nearby" in page


def test_field_errors_are_shown_and_nothing_is_saved(client, world, plan):
    client.force_login(world.casey)
    version = plan.version
    response = client.post(
        add(plan, "goals"),
        {"version": version, "client_words": "", "priority": 1, "lifecycle_status": "active"},
        **HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html and "Nothing was saved" in html
    # The service's own rule (target before start) lands on its field.
    response = client.post(
        add(plan, "goals"),
        {
            "version": version,
            "client_words": "Dormir mejor",
            "start_date": "2026-03-01",
            "target_date": "2026-02-01",
            "priority": 2,
            "lifecycle_status": "active",
        },
        **HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field-error"' in html and "Dormir mejor" in html  # input kept
    assert fresh(plan).version == version and not Goal.objects.filter(plan=plan).exists()


def test_bad_choices_and_unknown_sections_are_4xx_not_500(client, world, plan):
    client.force_login(world.casey)
    response = client.post(
        add(plan, "interventions"),
        {"version": plan.version, "description": "x", "owner_type": "wizard", "due_date": "soon"},
        **HX,
    )
    assert response.status_code == 422
    assert client.post(add(plan, "nonsense"), {"version": plan.version}).status_code == 404
    response = client.post(add(plan, "strengths"), {"version": "abc", "description": "x"}, **HX)
    assert response.status_code == 422
    bogus = reverse("careplans:edit", args=[plan.pk, "goals", plan.pk])
    assert client.get(bogus).status_code == 404


def test_stale_version_says_changed_by_someone_else_and_saves_nothing(client, world, plan):
    client.force_login(world.casey)
    old = plan.version
    add_goal(world.casey, plan)  # someone else's change in between
    current = fresh(plan).version
    response = client.post(
        add(plan, "strengths"), {"version": old, "description": "Paciente"}, **HX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE_MESSAGE in html and "changed by someone else" in html
    assert fresh(plan).version == current and not plan.strengths.exists()


def test_edit_and_remove_an_item(client, world, plan):
    goal = add_goal(world.casey, plan, "Caminar cada día")
    plan = fresh(plan)
    client.force_login(world.casey)
    edit = reverse("careplans:edit", args=[plan.pk, "goals", goal.pk])
    form = client.get(edit, **HX).content.decode()
    assert 'value="Caminar cada día"' not in form  # textarea, not input
    assert "Caminar cada día</textarea>" in form and "Cancel" in form
    response = client.post(
        edit,
        {
            "version": plan.version,
            "client_words": "Caminar treinta minutos cada día",
            "priority": 1,
            "lifecycle_status": "active",
        },
        **HX,
    )
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.client_words == "Caminar treinta minutos cada día"
    plan = fresh(plan)
    stale = client.post(
        reverse("careplans:remove", args=[plan.pk, "goals", goal.pk]),
        {"version": plan.version - 1},
        **HX,
    )
    assert stale.status_code == 409 and Goal.objects.filter(pk=goal.pk).exists()
    response = client.post(
        reverse("careplans:remove", args=[plan.pk, "goals", goal.pk]),
        {"version": plan.version},
        **HX,
    )
    assert response.status_code == 200 and "Goal removed." in response.content.decode()
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_add_a_need_from_the_clients_screening(client, world, plan):
    assessment_services.assessment_create(
        acting_user=world.casey,
        client=plan.client,
        instrument_code="96777-8",
        answers={"88122-7": "LA28397-0", "88123-5": "LA28398-8"},
    )
    client.force_login(world.casey)
    html = client.get(detail(plan)).content.decode()
    assert "Add from proposed needs" in html
    proposed = plan.client.proposed_needs.get(code="Z59.41")
    response = client.post(
        reverse("careplans:needs_from_proposed", args=[plan.pk]),
        {"version": plan.version, "proposed_need": proposed.pk, "priority": 1},
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    need = Need.objects.get(plan=plan)
    assert (need.code, need.proposed_need_id) == ("Z59.41", proposed.pk)


# ----------------------------------------------------------------------------------------------
# Who may see and change plans


@pytest.mark.parametrize("who", ["chris", "olive"])
def test_others_get_404_everywhere(client, world, plan, who):
    goal = add_goal(world.casey, plan)
    plan = fresh(plan)
    client.force_login(getattr(world, who))
    for url in (
        detail(plan),
        reverse("careplans:case_plan", args=[plan.case_id]),
        reverse("careplans:edit", args=[plan.pk, "goals", goal.pk]),
        reverse("careplans:review_new", args=[plan.pk]),
        reverse("careplans:reviews", args=[plan.pk]),
        reverse("careplans:versions", args=[plan.pk]),
        reverse("careplans:diff", args=[plan.pk]) + "?from=1&to=2",
        reverse("careplans:print", args=[plan.pk]),
        reverse("careplans:pdf", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(add(plan, "strengths"), {"version": plan.version, "description": "x"})
    assert response.status_code == 404
    assert not plan.strengths.exists()


def test_sam_approves_where_the_model_requires_it(client, world, plan):
    model = plan.case.program.model
    model.approvals_required = ["care_plan"]
    model.save()
    add_goal(world.casey, plan)
    plan = fresh(plan)
    client.force_login(world.casey)
    html = client.get(detail(plan)).content.decode()
    assert "Needs supervisor approval" in html and "Approve this plan" not in html
    refused = client.post(reverse("careplans:approve", args=[plan.pk]), {"version": plan.version})
    assert refused.status_code == 403 and fresh(plan).approved_at is None

    client.force_login(world.sam)
    html = client.get(detail(plan)).content.decode()
    assert "Approve this plan" in html
    response = client.post(
        reverse("careplans:approve", args=[plan.pk]), {"version": plan.version}, **HX
    )
    assert response.status_code == 200
    plan = fresh(plan)
    assert plan.approved_by == world.sam
    assert "Approved by Sam Super" in response.content.decode()


# ----------------------------------------------------------------------------------------------
# Agreement


def test_signed_agreement(client, world, plan):
    add_goal(world.casey, plan)
    plan = fresh(plan)
    client.force_login(world.casey)
    response = client.post(
        reverse("careplans:agree", args=[plan.pk]),
        {
            "version": plan.version,
            "method": "signature",
            "agreed_by_name": "Ana Lopez",
            "relationship": "self",
            "signature": PNG,
            "agreed_on": date.today().isoformat(),
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    assert "Agreed" in html and 'alt="Signature of Ana Lopez"' in html
    plan = fresh(plan)
    assert plan.agreement_method == "signature" and plan.signature == PNG


def test_verbal_agreement_needs_a_witness_and_an_active_goal(client, world, plan):
    client.force_login(world.casey)
    url = reverse("careplans:agree", args=[plan.pk])
    posted = {
        "version": plan.version,
        "method": "verbal",
        "agreed_by_name": "Ana Lopez",
        "relationship": "self",
        "witness_name": "",
        "agreed_on": date.today().isoformat(),
    }
    response = client.post(url, posted, **HX)
    assert response.status_code == 422
    assert "A verbal agreement needs a witness." in response.content.decode()
    posted["witness_name"] = "Casey Case"
    response = client.post(url, posted, **HX)
    assert response.status_code == 409
    assert "The plan needs at least one active goal" in response.content.decode()
    assert fresh(plan).agreed_at is None
    add_goal(world.casey, plan)
    posted["version"] = fresh(plan).version
    response = client.post(url, posted, **HX)
    assert response.status_code == 200
    assert 'id="agreed-badge"' in response.content.decode()


def test_signature_method_without_a_drawing_is_refused(client, world, plan):
    add_goal(world.casey, plan)
    plan = fresh(plan)
    client.force_login(world.casey)
    response = client.post(
        reverse("careplans:agree", args=[plan.pk]),
        {
            "version": plan.version,
            "method": "signature",
            "agreed_by_name": "Ana Lopez",
            "relationship": "self",
            "signature": "javascript:alert(1)",
            "agreed_on": date.today().isoformat(),
        },
        **HX,
    )
    assert response.status_code == 422
    assert fresh(plan).agreed_at is None


# ----------------------------------------------------------------------------------------------
# Reviews


def test_review_with_gas_scores_shows_the_t_score(client, world, plan):
    first = add_goal(world.casey, plan, "Trabajar")
    second = add_goal(world.casey, plan, "Dormir bien")
    plan = fresh(plan)
    client.force_login(world.casey)
    url = reverse("careplans:review_new", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "Much less than expected" in page and "Much more than expected" in page
    assert f'name="attainment-{first.pk}"' in page and "Trabajar" in page
    missing = client.post(url, {"version": plan.version, "reviewed_on": date.today()})
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()
    response = client.post(
        url,
        {
            "version": plan.version,
            "reviewed_on": date.today().isoformat(),
            "notes": "Good month",
            f"attainment-{first.pk}": "1",
            f"weight-{first.pk}": "1",
            f"attainment-{second.pk}": "0",
            f"weight-{second.pk}": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    review = fresh(plan).reviews.get()
    # Kiresuk & Sherman, rho 0.3: 50 + 10 * 1 / sqrt(0.7 * 2 + 0.3 * 4) = 56.2
    assert review.gas_t_score == pytest.approx(56.20, abs=0.01)
    assert "GAS T-score 56.2" in html and "Good month" in html


def test_future_review_date_is_a_field_error(client, world, plan):
    goal = add_goal(world.casey, plan)
    plan = fresh(plan)
    client.force_login(world.casey)
    response = client.post(
        reverse("careplans:review_new", args=[plan.pk]),
        {
            "version": plan.version,
            "reviewed_on": (date.today() + timedelta(days=3)).isoformat(),
            f"attainment-{goal.pk}": "0",
            f"weight-{goal.pk}": "1",
        },
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert not fresh(plan).reviews.exists()


# ----------------------------------------------------------------------------------------------
# Versions


def test_versions_and_a_diff(client, world, plan):
    start = fresh(plan).version
    goal = add_goal(world.casey, plan, "Encontrar vivienda")
    plan = fresh(plan)
    need = services.need_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        data={"code": "Z59.01", "display": "Sheltered homelessness"},
    )
    plan = fresh(plan)
    services.intervention_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        data={
            "description": "Housing application",
            "owner_type": "case_manager",
            "owner_user_id": str(world.casey.pk),
            "goal_id": str(goal.pk),
        },
    )
    plan = fresh(plan)
    goal.refresh_from_db()
    services.goal_update(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        item=goal,
        data={"target": "Un apartamento", "need_ids": [str(need.pk)]},
    )
    end = fresh(plan).version
    client.force_login(world.casey)
    html = client.get(reverse("careplans:versions", args=[plan.pk])).content.decode()
    assert 'id="version-list"' in html and f"?from={end - 1}&amp;to={end}" in html
    response = client.get(reverse("careplans:diff", args=[plan.pk]), {"from": start, "to": end})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Added" in html and "Encontrar vivienda" in html and "Un apartamento" in html
    response = client.get(reverse("careplans:diff", args=[plan.pk]), {"from": end - 1, "to": end})
    html = response.content.decode()
    assert "Changed" in html and "Target" in html and "Un apartamento" in html
    # Linked rows and staff by name, not by id.
    assert "Z59.01 Sheltered homelessness" in html and str(need.pk) not in html
    html = client.get(
        reverse("careplans:diff", args=[plan.pk]), {"from": start, "to": end}
    ).content.decode()
    assert "Casey Case" in html and str(world.casey.pk) not in html
    assert "Case manager" in html and "Owner user" in html


@pytest.mark.parametrize(
    "query", [{"from": "abc", "to": "1"}, {"from": "1", "to": "99"}, {}, {"from": "0", "to": "1"}]
)
def test_bad_diff_requests_are_422(client, world, plan, query):
    client.force_login(world.casey)
    response = client.get(reverse("careplans:diff", args=[plan.pk]), query)
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()


def _grow(user: Any, plan: CarePlan, n: int) -> None:
    for index in range(n):
        goal = add_goal(user, plan, f"Meta {index}")
        for function, data in (
            (services.need_add, {"code": f"Z59.{index}", "display": f"Need {index}"}),
            (services.strength_add, {"description": f"Strength {index}"}),
            (services.barrier_add, {"description": f"Barrier {index}", "goal_id": str(goal.pk)}),
            (
                services.intervention_add,
                {
                    "description": f"Action {index}",
                    "owner_type": "case_manager",
                    "owner_user_id": str(user.pk),
                    "goal_id": str(goal.pk),
                },
            ),
        ):
            current = fresh(plan)
            function(acting_user=user, plan=current, expected_version=current.version, data=data)


def test_editor_queries_do_not_grow_with_the_plan(client, world, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = services.plan_create(acting_user=world.casey, case=case)
    _grow(world.casey, small, 1)
    other = factories.client(world.casey, given_name="Big", family_name="Plan")
    other_case = factories.case(world.casey, client=other, program=world.program, to="planning")
    big = services.plan_create(acting_user=world.casey, case=other_case)
    _grow(world.casey, big, 5)
    client.force_login(world.casey)
    client.get(detail(small))
    with CaptureQueriesContext(connection) as one:
        assert client.get(detail(small)).status_code == 200
    with CaptureQueriesContext(connection) as five:
        assert client.get(detail(big)).status_code == 200
    assert len(five) == len(one), [q["sql"][:120] for q in five.captured_queries]


def test_empty_posts_are_refused_with_a_message(client, world, case, plan):
    client.force_login(world.casey)
    add_goal(world.casey, plan)
    response = client.post(reverse("careplans:review_new", args=[plan.pk]), {})
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    for name in ("agree", "approve", "self_management", "needs_from_proposed"):
        response = client.post(reverse(f"careplans:{name}", args=[plan.pk]), {}, **HX)
        assert response.status_code == 422, name
