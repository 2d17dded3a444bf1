"""Stratification services end to end, with the real rule scores, assessment selectors and (when
trained) model: tiers, reasons and recommendations stored; previous assessments retired; open
cases' risk tier and caseload weight updated; decisions (accept, override) audited; enrollment."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.assessments import services as assessments
from casework.audit.models import AuditEvent
from casework.clients.models import Client
from casework.core.errors import Conflict, PermissionDenied, ValidationFailed
from casework.risk import services
from casework.risk.models import RiskAssessment, RiskSettings
from tests import factories
from tests.risk.population import PHQ9, Population, build_population, phq9


@pytest.fixture
def population(world: Any) -> Population:
    return build_population(world)


def current(client: Client) -> RiskAssessment:
    return RiskAssessment.objects.get(client=client, is_current=True)


def stratify_events() -> Any:
    return AuditEvent.objects.filter(
        object_type="risk.riskassessment", detail__operation="stratify"
    )


# ----------------------------------------------------------------------------------------------
# Population stratification


def test_stratify_population_end_to_end(world: Any, population: Population) -> None:
    result = services.population_stratify(organization=world.org)

    assert result.clients == 5
    assert sum(result.tiers.values()) == 5

    smi = current(population.smi)
    assert smi.lace_score == 16
    assert smi.lace_breakdown["points"] == {"L": 5, "A": 3, "C": 5, "E": 3}
    assert smi.tier == "high"
    assert smi.tier_reasons[0] == "LACE 16 (≥10: high)"
    assert smi.charlson_score == 3  # 1987 weights: heart failure 1 + diabetes with damage 2
    assert smi.recommended_model == "intensive"
    assert (
        smi.recommendation_reasons[1] == "Serious mental illness: F20.9 Schizophrenia, unspecified"
    )
    assert smi.recommendation_reasons[2] == (
        "High utilization: 4 ED visits or inpatient admissions in 12 months (≥2)"
    )
    assert smi.decision == "pending"

    item9 = current(population.item9)
    assert item9.tier == "very_high"
    assert item9.tier_reasons[0].startswith("PHQ-9 item 9")
    assert item9.tier_reasons[0].endswith("(at least very high)")
    assert "phq9_item9_positive" in {flag["code"] for flag in item9.flags}
    assert item9.lace_score is None and item9.lace_breakdown == {}

    needs = current(population.needs)
    assert needs.tier == "low"
    assert needs.recommended_model == "brokerage"
    assert "Social needs: food, housing, transportation" in needs.recommendation_reasons

    quiet = current(population.quiet)
    assert quiet.tier == "low"
    assert quiet.recommended_model == ""
    assert quiet.tier_reasons == ["No rule score, prediction or instrument finding above low"]

    enrolled = current(population.enrolled)
    assert enrolled.tier == "low"  # PHQ-9 12: moderate depression, below the tier bands
    assert enrolled.recommended_model == "clinical"

    # One audit event for the batch, with counts, not one per client.
    events = list(stratify_events())
    assert len(events) == 1
    assert events[0].action == "update" and events[0].client_id is None
    assert events[0].detail["clients"] == 5
    assert events[0].detail["tiers"] == {"high": 1, "very_high": 1, "low": 3}


def test_batches_each_write_one_audit_event(world: Any, population: Population) -> None:
    seen: list[tuple[int, int]] = []
    result = services.population_stratify(
        organization=world.org,
        batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.batches == 3
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert stratify_events().count() == 3
    assert RiskAssessment.objects.filter(is_current=True).count() == 5


def test_previous_assessments_are_no_longer_current(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    first = current(population.smi)
    services.population_stratify(organization=world.org, batch_size=2)
    assert RiskAssessment.objects.filter(client=population.smi).count() == 2
    assert RiskAssessment.objects.filter(is_current=True).count() == 5
    assert RiskAssessment.objects.count() == 10
    first.refresh_from_db()
    assert not first.is_current
    assert current(population.smi).pk != first.pk


def test_only_the_organization_and_living_clients(world: Any, population: Population) -> None:
    outsider_client = factories.client(world.olive)
    services.population_stratify(organization=world.org)
    assert not RiskAssessment.objects.filter(client=outsider_client).exists()
    # A client who died leaves the list at the next run.
    Client.objects.filter(pk=population.quiet.pk).update(deceased_date=timezone.localdate())
    result = services.population_stratify(organization=world.org)
    assert result.clients == 4
    assert not RiskAssessment.objects.filter(client=population.quiet, is_current=True).exists()


def test_open_case_risk_tier_and_weight_follow_the_tier(world: Any, population: Population) -> None:
    case = population.case
    assert (case.risk_tier, case.weight) == ("", Decimal("2.00"))
    version = case.version
    services.population_stratify(organization=world.org)
    case.refresh_from_db()
    model = world.program.model
    assert case.risk_tier == "low"
    assert case.weight == model.case_weight("low") == Decimal("1.50")
    assert case.version == version + 1

    # A severe PHQ-9 raises the tier; the case weighs more on Casey's caseload.
    assessments.assessment_create(
        acting_user=world.casey,
        client=population.enrolled,
        instrument_code=PHQ9,
        answers=phq9([3, 3, 3, 3, 3, 2, 2, 2, 0]),
    )
    services.population_stratify(organization=world.org)
    case.refresh_from_db()
    assert case.risk_tier == "high"
    assert case.weight == model.case_weight("high") == Decimal("2.50")
    # Nothing changed: no write, no new version.
    services.population_stratify(organization=world.org)
    case.refresh_from_db()
    assert case.version == version + 2


def test_thresholds_come_from_the_organizations_settings(
    world: Any, population: Population
) -> None:
    RiskSettings.objects.create(organization=world.org, thresholds={"lace": {"high": 17}})
    services.population_stratify(organization=world.org)
    assert current(population.smi).tier == "moderate"
    assert current(population.smi).tier_reasons[0] == "LACE 16 (5\u201316: moderate)"


def test_unusable_settings_stop_the_run_before_any_write(
    world: Any, population: Population
) -> None:
    RiskSettings.objects.create(organization=world.org, thresholds={"lace": {"high": "ten"}})
    with pytest.raises(ValidationFailed) as refused:
        services.population_stratify(organization=world.org)
    assert refused.value.code == "invalid_risk_settings"
    assert not RiskAssessment.objects.exists()


def test_only_supervisors_admins_or_the_system_run_a_population(
    world: Any, population: Population
) -> None:
    with pytest.raises(PermissionDenied):
        services.population_stratify(organization=world.org, acting_user=world.casey)
    with pytest.raises(PermissionDenied):
        services.population_stratify(organization=world.other_org, acting_user=world.sam)
    result = services.population_stratify(organization=world.org, acting_user=world.sam)
    assert result.clients == 5
    assert stratify_events().get().actor_id == world.sam.pk


def test_client_stratify_recomputes_one_client(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    before = current(population.needs)
    assessments.assessment_create(
        acting_user=world.casey,
        client=population.needs,
        instrument_code=PHQ9,
        answers=phq9([3, 3, 3, 3, 3, 3, 2, 2, 0]),
    )
    after = services.client_stratify(client=population.needs, acting_user=world.casey)
    assert after.is_current and after.tier == "high"
    before.refresh_from_db()
    assert not before.is_current
    event = AuditEvent.objects.filter(object_id=str(after.pk)).get()
    assert event.client_id == population.needs.pk
    assert event.changes == {"tier": ["low", "high"]}
    with pytest.raises(PermissionDenied):
        services.client_stratify(client=population.needs, acting_user=world.olive)


# ----------------------------------------------------------------------------------------------
# Decisions


def test_supervisor_accepts_the_recommendation(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    assessment = current(population.smi)
    services.risk_decide(acting_user=world.sam, assessment=assessment, decision="accept")
    assessment.refresh_from_db()
    assert assessment.decision == "accepted"
    assert assessment.decided_model == "intensive"
    assert assessment.decided_by == world.sam and assessment.decided_at is not None
    event = AuditEvent.objects.filter(
        object_id=str(assessment.pk), detail__operation="decide"
    ).get()
    assert event.actor_id == world.sam.pk and event.client_id == population.smi.pk
    assert event.changes["decision"] == ["pending", "accepted"]
    assert event.changes["decided_model"] == ["", "intensive"]


def test_override_needs_a_model_and_a_reason(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    assessment = current(population.smi)
    with pytest.raises(ValidationFailed) as refused:
        services.risk_decide(acting_user=world.sam, assessment=assessment, decision="override")
    assert {e["field"] for e in refused.value.errors} == {"model_kind", "reason"}
    with pytest.raises(ValidationFailed):
        services.risk_decide(
            acting_user=world.sam,
            assessment=assessment,
            decision="override",
            model_kind="intensive",
            reason="same as recommended",
        )
    with pytest.raises(ValidationFailed):
        services.risk_decide(
            acting_user=world.sam,
            assessment=assessment,
            decision="override",
            model_kind="teleportation",
            reason="x",
        )
    assert current(population.smi).decision == "pending"
    services.risk_decide(
        acting_user=world.sam,
        assessment=assessment,
        decision="override",
        model_kind="clinical",
        reason="Stable on clozapine; the ACT team has no room.",
    )
    assessment.refresh_from_db()
    assert (assessment.decision, assessment.decided_model) == ("overridden", "clinical")
    assert assessment.decision_reason == "Stable on clozapine; the ACT team has no room."
    event = AuditEvent.objects.filter(
        object_id=str(assessment.pk), detail__operation="decide"
    ).get()
    assert event.changes["decided_model"] == ["", "clinical"]
    assert event.changes["decision_reason"][1].startswith("Stable")


def test_case_managers_may_not_decide(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    assessment = current(population.smi)
    with pytest.raises(PermissionDenied):
        services.risk_decide(acting_user=world.casey, assessment=assessment, decision="accept")
    outsider_supervisor = factories.staff("otto", org=world.other_org, role="supervisor")
    with pytest.raises(PermissionDenied):
        services.risk_decide(
            acting_user=outsider_supervisor, assessment=assessment, decision="accept"
        )
    assert current(population.smi).decision == "pending"


def test_only_the_current_assessment_is_decided(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    old = current(population.smi)
    services.population_stratify(organization=world.org)
    with pytest.raises(Conflict) as refused:
        services.risk_decide(acting_user=world.sam, assessment=old, decision="accept")
    assert refused.value.code == "assessment_superseded"


def test_a_decision_stands_while_tier_and_recommendation_do_not_change(
    world: Any, population: Population
) -> None:
    services.population_stratify(organization=world.org)
    services.risk_decide(
        acting_user=world.sam,
        assessment=current(population.smi),
        decision="override",
        model_kind="integrated",
        reason="Medical needs dominate",
    )
    services.risk_decide(
        acting_user=world.sam, assessment=current(population.needs), decision="accept"
    )
    # Needs changes: a severe PHQ-9 makes the tier high.
    assessments.assessment_create(
        acting_user=world.casey,
        client=population.needs,
        instrument_code=PHQ9,
        answers=phq9([3, 3, 3, 3, 3, 3, 2, 2, 0]),
    )
    result = services.population_stratify(organization=world.org)
    assert result.decisions_kept == 1
    kept = current(population.smi)
    assert (kept.decision, kept.decided_model, kept.decided_by) == (
        "overridden",
        "integrated",
        world.sam,
    )
    assert current(population.needs).decision == "pending"


# ----------------------------------------------------------------------------------------------
# Enrollment


def test_enroll_opens_a_referred_case_with_the_tier(world: Any, population: Population) -> None:
    services.population_stratify(organization=world.org)
    case = services.risk_enroll(acting_user=world.sam, client=population.smi, program=world.program)
    assert case.status == "referred"
    assert case.referral_source == "Population risk list"
    assert case.referral_reason.startswith("Identified from the population risk list: high risk.")
    assert "LACE 16" in case.referral_reason
    assert case.priority == 2
    case.refresh_from_db()
    assert case.risk_tier == "high"
    assert case.weight == world.program.model.case_weight("high")


def test_parallel_workers_give_the_same_result(
    transactional_db: Any, world: Any, population: Population
) -> None:
    result = services.population_stratify(organization=world.org, workers=2, batch_size=2)
    assert result.workers == 2
    assert result.clients == 5 and result.batches == 3
    assert RiskAssessment.objects.filter(is_current=True).count() == 5
    assert current(population.smi).tier == "high"
    assert current(population.item9).tier == "very_high"
    assert stratify_events().count() == 3


# ----------------------------------------------------------------------------------------------
# The command


def test_stratify_command_reports_progress_and_counts(world: Any, population: Population) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("stratify", "--org", "acme", "--batch-size", "2", stdout=out, stderr=err)
    progress = err.getvalue()
    assert "Stratifying Acme Community Services (acme)" in progress
    assert "acme:         2 / 5 clients" in progress and "5 / 5 clients" in progress
    assert "clients/s" in progress
    summary = out.getvalue()
    assert summary.startswith("acme: 5 clients in ")
    assert "very high 1" in summary and "no model" in summary
    assert RiskAssessment.objects.filter(is_current=True).count() == 5
    with pytest.raises(CommandError):
        call_command("stratify", "--org", "nowhere", stdout=out, stderr=err)
