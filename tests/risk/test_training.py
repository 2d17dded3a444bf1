"""The predictive model, trained on a synthetic population from the demo history generator: it
must beat chance clearly, report LACE on the same held-out samples, explain its predictions, and
refuse (storing nothing) when there is too little data."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.accounts.models import Organization
from casework.audit.models import AuditEvent
from casework.clients.models import Client, Utilization
from casework.risk.demo_history import generate_history
from casework.risk.models import RiskModelVersion
from casework.risk.training import (
    InsufficientData,
    active_model,
    predict_for_clients,
    risk_model_train,
)
from tests import factories

NOW = timezone.make_aware(timezone.datetime(2026, 1, 15, 9, 0))


def population(organization: Organization, size: int, seed: int = 5) -> list[Client]:
    rng = random.Random(seed)
    clients = [
        Client(
            organization=organization,
            given_name=f"Given{number}",
            family_name=f"Family{number}",
            birth_date=date(2025 - rng.randint(18, 90), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice(["female", "male"]),
        )
        for number in range(size)
    ]
    return Client.objects.bulk_create(clients)


@pytest.fixture
def trained(world: Any) -> Any:
    population(world.org, 250)
    summary = generate_history(organization=world.org, seed=11, now=NOW)
    assert summary.admissions > 0 and summary.ed_visits > 0 and summary.observations > 0
    return risk_model_train(organization=world.org, acting_user=world.sam, now=NOW)


def test_train_stores_an_active_version_with_its_evaluation(world: Any, trained: Any) -> None:
    version = trained.model_version
    assert version.version == 1
    assert version.is_active
    assert active_model(world.org.id) == version
    assert active_model(world.other_org.id) is None

    metrics = trained.metrics
    assert metrics["auroc"] > 0.6
    assert 0 < metrics["brier"] < metrics["brier_of_prevalence"]
    assert metrics["lace"]["auroc"] is not None
    assert metrics["lace"]["with_admission"]["samples"] > 0
    assert sum(row["n"] for row in metrics["calibration"]) == metrics["samples"]
    assert metrics["samples"] == trained.metadata["samples"]["held_out"]

    meta = trained.metadata
    # Time-based split: every training outcome window ends before the held-out index date.
    last_training = date.fromisoformat(meta["training_window"]["last_index_date"])
    held_out = date.fromisoformat(meta["held_out"]["index_date"])
    assert last_training + timedelta(days=180) <= held_out
    assert date.fromisoformat(meta["held_out"]["follow_up_until"]) <= NOW.date()
    assert meta["positives"]["training"] >= 30
    assert meta["sklearn_version"]
    assert {row["name"] for row in version.features} >= {"age", "ed_visits_6m", "lace", "phq9"}

    stored = RiskModelVersion.objects.get(pk=version.pk)
    assert stored.trained_by == world.sam
    assert stored.metrics["auroc"] == metrics["auroc"]
    event = AuditEvent.objects.get(object_type="risk.riskmodelversion", object_id=str(version.pk))
    assert event.action == "create"
    assert event.actor_username == "sam"
    assert event.detail["auroc"] == metrics["auroc"]


def test_retraining_makes_a_new_active_version(world: Any, trained: Any) -> None:
    again = risk_model_train(organization=world.org, acting_user=None, now=NOW)
    assert again.model_version.version == 2
    versions = {
        v.version: v.is_active for v in RiskModelVersion.objects.filter(organization=world.org)
    }
    assert versions == {1: False, 2: True}
    assert active_model(world.org.id) == again.model_version


def test_predictions_with_contributions(
    world: Any, trained: Any, django_assert_max_num_queries: Any
) -> None:
    ids = list(Client.objects.filter(organization=world.org).values_list("id", flat=True))
    model = active_model(world.org.id)
    assert model is not None
    predict_for_clients(model, ids[:1], as_of=NOW)  # the artifact is unpickled once
    with django_assert_max_num_queries(8):
        predictions = predict_for_clients(model, ids, as_of=NOW)
    assert set(predictions) == set(ids)
    probabilities = [p.probability for p in predictions.values()]
    assert all(0 < p < 1 for p in probabilities)
    assert max(probabilities) - min(probabilities) > 0.3
    riskiest = max(predictions.values(), key=lambda p: p.probability)
    assert 3 <= len(riskiest.contributions) <= 5
    top = riskiest.contributions[0]
    assert top["direction"] == "raises"
    assert isinstance(top["label"], str) and top["label"]
    sizes = [abs(float(str(c["contribution"]))) for c in riskiest.contributions]
    assert sizes == sorted(sizes, reverse=True)
    # Utilization is explained as one group, e.g. "3 ED visits in the last 12 months (...)".
    labels = [c["label"] for p in predictions.values() for c in p.contributions]
    assert any("ED visit" in str(label) for label in labels)


def test_too_little_data_is_refused_and_nothing_is_stored(world: Any) -> None:
    population(world.org, 12)
    generate_history(organization=world.org, seed=3, now=NOW)
    with pytest.raises(InsufficientData) as refused:
        risk_model_train(organization=world.org, acting_user=world.sam, now=NOW)
    message = refused.value.detail
    assert message.startswith("Not enough history to train a trustworthy model")
    assert "at least 200" in message
    assert "Nothing was trained or stored" in message
    assert not RiskModelVersion.objects.exists()
    assert not AuditEvent.objects.filter(object_type="risk.riskmodelversion").exists()


def test_no_history_at_all_is_refused(world: Any) -> None:
    factories.client(world.casey)
    with pytest.raises(InsufficientData, match="no ED visits or hospital admissions"):
        risk_model_train(organization=world.org, acting_user=None, now=NOW)


def test_short_history_is_refused(world: Any) -> None:
    population(world.org, 250)
    generate_history(organization=world.org, seed=3, now=NOW)
    Utilization.objects.filter(started_at__lt=NOW - timedelta(days=500)).delete()
    with pytest.raises(InsufficientData, match="time-based split needs at least 725 days"):
        risk_model_train(organization=world.org, acting_user=None, now=NOW)


def test_command_prints_model_next_to_lace(world: Any) -> None:
    population(world.org, 250)
    generate_history(organization=world.org, seed=11)  # up to now: the command trains as of now
    out = StringIO()
    call_command("risk", "train", "--org", world.org.slug, stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "Model version 1 stored and active" in report
    assert "held-out AUROC" in report and "LACE" in report
    assert "Brier score" in report
    assert "Calibration" in report
    out = StringIO()
    call_command("risk", "evaluate", "--org", world.org.slug, stdout=out, stderr=StringIO())
    assert "AUROC model" in out.getvalue()


def test_command_refuses_clearly(world: Any) -> None:
    population(world.org, 12)
    with pytest.raises(CommandError, match="No model was trained"):
        call_command("risk", "train", "--org", world.org.slug, stdout=StringIO(), stderr=StringIO())
    assert not RiskModelVersion.objects.exists()


def test_demo_history_is_deterministic(world: Any) -> None:
    """The same seed gives the same history, whatever order the clients are read in."""

    def history(organization: Organization) -> list[tuple[str, str, Any]]:
        population(organization, 40, seed=9)
        generate_history(organization=organization, seed=4, now=NOW)
        rows = Utilization.objects.filter(client__organization=organization).values_list(
            "client__family_name", "kind", "started_at"
        )
        return sorted(rows)

    first, second = history(world.org), history(world.other_org)
    assert first == second
    assert len(first) > 20
    # Running it again for the same organization adds nothing.
    assert generate_history(organization=world.org, seed=4, now=NOW).already_present


def test_a_feature_nobody_has_yet_keeps_its_column() -> None:
    import numpy as np

    from casework.risk import features
    from casework.risk.training import Samples, fit_pipeline

    rng = np.random.default_rng(3)
    size = len(features.FEATURE_NAMES)
    matrix = rng.normal(size=(60, size))
    matrix[:, 0] = np.nan  # no value at all for one feature
    outcomes = (rng.random(60) > 0.5).astype(int)
    pipeline = fit_pipeline(Samples([], [], matrix, outcomes))
    assert pipeline.named_steps["model"].coef_.shape == (1, size)
