"""The population risk page and a client's risk page: filters, reasons, the supervisor's
decision form, the enroll button, access (404), audit and the query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.risk import services
from casework.risk.models import RiskAssessment
from tests import factories
from tests.risk.population import Population, build_population

LIST = reverse("risk:population")


@pytest.fixture
def population(world: Any) -> Population:
    built = build_population(world)
    services.population_stratify(organization=world.org)
    return built


def current(client: Any) -> RiskAssessment:
    return RiskAssessment.objects.get(client=client, is_current=True)


def test_list_shows_tiers_reasons_and_recommendations(
    client: Any, world: Any, population: Population
) -> None:
    client.force_login(world.casey)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Population risk" in html
    assert "Sam Smi" in html and "Ida Item" in html and "Eve Enrolled" in html
    assert "LACE 16 (≥10: high)" in html
    assert "Serious mental illness: F20.9 Schizophrenia, unspecified" in html
    assert html.index("Ida Item") < html.index("Sam Smi") < html.index("Quinn Quiet")
    assert "Unassigned" in html
    # Casey is a case manager: she may enroll (refer) but not decide.
    assert "Save decision" not in html
    assert "Enroll" in html


def test_list_read_is_audited(client: Any, world: Any, population: Population) -> None:
    client.force_login(world.casey)
    client.get(LIST)
    event = AuditEvent.objects.filter(action="read", object_type="risk.riskassessment").last()
    assert event is not None and event.actor_id == world.casey.pk
    assert str(current(population.smi).pk) in event.detail["ids"]


def test_filters_and_htmx_fragment(client: Any, world: Any, population: Population) -> None:
    client.force_login(world.casey)
    html = client.get(LIST, {"tier": "very_high"}).content.decode()
    assert "Ida Item" in html and "Sam Smi" not in html
    html = client.get(LIST, {"program": str(world.program.pk)}).content.decode()
    assert "Eve Enrolled" in html and "Ida Item" not in html
    html = client.get(LIST, {"unassigned": "on"}).content.decode()
    assert "Eve Enrolled" not in html and "Ned Needs" in html
    fragment = client.get(LIST, {"tier": "high"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b'id="risk-table"' in fragment.content and b"<html" not in fragment.content
    ignored = client.get(LIST, {"tier": "extreme"}).content.decode()
    assert "Some filters were not valid" in ignored and "Ida Item" in ignored


def test_enroll_defaults_to_the_recommended_models_program(
    client: Any, world: Any, population: Population
) -> None:
    intensive = factories.program("Assertive Outreach", org=world.org, kind="intensive")
    client.force_login(world.sam)
    html = client.get(LIST).content.decode()
    row = html[html.index(f'id="risk-row-{current(population.smi).pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'<option value="{intensive.pk}" selected>' in row


def test_supervisor_accepts_and_overrides(client: Any, world: Any, population: Population) -> None:
    client.force_login(world.sam)
    assessment = current(population.smi)
    html = client.get(LIST).content.decode()
    assert "Save decision" in html
    url = reverse("risk:decision", args=[assessment.pk])
    response = client.post(url, {"decision": "accept", "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    assessment.refresh_from_db()
    assert assessment.decision == "accepted" and assessment.decided_model == "intensive"
    # An override without a reason is shown again with the errors (422), nothing saved.
    refused = client.post(url, {"decision": "override", "model_kind": "clinical"})
    assert refused.status_code == 422
    assert "An override needs a reason" in refused.content.decode()
    assessment.refresh_from_db()
    assert assessment.decision == "accepted"
    done = client.post(
        url, {"decision": "override", "model_kind": "clinical", "reason": "Stable, no ACT room"}
    )
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.decision, assessment.decided_model) == ("overridden", "clinical")
    page = client.get(LIST).content.decode()
    assert "Overridden: Clinical" in page and "Stable, no ACT room" in page


def test_case_manager_cannot_decide(client: Any, world: Any, population: Population) -> None:
    client.force_login(world.casey)
    assessment = current(population.smi)
    response = client.post(
        reverse("risk:decision", args=[assessment.pk]), {"decision": "accept", "next": LIST}
    )
    assert response.status_code == 403
    assert "Only supervisors and program admins decide" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.decision == "pending"


def test_enroll_from_the_list(client: Any, world: Any, population: Population) -> None:
    client.force_login(world.sam)
    response = client.post(
        reverse("risk:enroll", args=[population.needs.pk]), {"program": str(world.program.pk)}
    )
    case = Case.objects.get(client=population.needs)
    assert case.status == "referred" and case.referral_source == "Population risk list"
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.pk])
    again = client.post(
        reverse("risk:enroll", args=[population.needs.pk]), {"program": str(world.program.pk)}
    )
    assert again.status_code == 409
    assert "already has an open case" in again.content.decode()
    assert Case.objects.filter(client=population.needs).count() == 1


def test_client_risk_page(client: Any, world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    client.force_login(world.casey)
    response = client.get(reverse("risk:client", args=[population.smi.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Risk: Sam Smi" in html
    assert "LACE breakdown" in html and "L: 5 points" in html
    assert "History" in html
    event = AuditEvent.objects.filter(client_id=population.smi.pk, action="read").last()
    assert event is not None and event.object_type == "risk.riskassessment"


def test_pages_hide_what_the_user_may_not_see(
    client: Any, world: Any, population: Population
) -> None:
    client.force_login(world.olive)
    html = client.get(LIST).content.decode()
    assert "Sam Smi" not in html and "No risk assessments yet" in html
    assert client.get(reverse("risk:client", args=[population.smi.pk])).status_code == 404
    assessment = current(population.smi)
    assert (
        client.post(reverse("risk:decision", args=[assessment.pk]), {"decision": "accept"})
    ).status_code == 404
    assert (
        client.post(reverse("risk:enroll", args=[population.smi.pk]), {"program": "x"})
    ).status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Any, world: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_page_query_count_does_not_grow(client: Any, world: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured.captured_queries)

    client.force_login(world.sam)
    for _ in range(2):
        person = factories.client(world.casey)
        factories.case(world.casey, client=person, program=world.program, to="intake")
    services.population_stratify(organization=world.org)
    queries()
    few = queries()
    for _ in range(6):
        person = factories.client(world.casey)
        factories.case(world.casey, client=person, program=world.program, to="intake")
        factories.client(world.chris)
    services.population_stratify(organization=world.org)
    assert queries() == few
