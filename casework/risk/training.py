"""The predictive model: an ED visit or inpatient admission in the next 180 days.

Interface used by stratification: :func:`active_model` and :func:`predict_for_clients`.
Training (``casework risk train``) is :func:`risk_model_train`.

How it is trained and evaluated (docs/risk.md has the reasons):

* **Samples** are (client, index date) pairs on a grid of index dates ``INTERVAL_DAYS`` apart,
  ending ``HORIZON_DAYS`` before now (every sample has its full follow-up) and starting
  ``LOOKBACK_DAYS`` after the first recorded encounter (every sample has a full year of history).
* **Label**: an ED visit or inpatient admission starting in the ``HORIZON_DAYS`` after the index
  date.
* **Time-based split**: the latest index date is held out for evaluation; training uses only
  index dates whose follow-up ends on or before it, so no training label looks into the held-out
  period.
* **Model**: missing scores imputed as 0, standardized features, L2 logistic regression --
  explainable, each client's prediction decomposes into coefficient x standardized value. No
  class re-weighting, so probabilities stay calibrated (they feed tier thresholds).
* **Evaluation** on the held-out period: AUROC, Brier score and a calibration table, next to the
  AUROC of the LACE index on the same samples (clients without an admission score LACE 0).
* **Refusal**: with fewer than ``MIN_SAMPLES`` samples, fewer than ``MIN_TRAINING_OUTCOMES``
  positive or negative outcomes in training, or fewer than ``MIN_HELD_OUT_OUTCOMES`` of each in
  the held-out period, nothing is fitted or stored. These floors follow the common rule of
  thumb of at least 10 events per candidate predictor for the events we do have
  (Peduzzi P et al., J Clin Epidemiol 1996;49:1373-1379) scaled down for a regularized model,
  and keep an AUROC from being read off a handful of cases.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
import platform
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import numpy as np
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from casework.accounts.models import Organization, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.clients.models import Client, Utilization
from casework.core.errors import ApplicationError
from casework.risk import features
from casework.risk.lace import LaceResult
from casework.risk.models import RiskModelVersion

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# scikit-learn (with SciPy) takes seconds to import, so it is imported where it is used: the
# web app and `casework stratify` without a trained model never pay for it.

HORIZON_DAYS = 180
INTERVAL_DAYS = 90
LOOKBACK_DAYS = 365
MIN_SAMPLES = 200
MIN_TRAINING_OUTCOMES = 30
MIN_HELD_OUT_OUTCOMES = 10
CALIBRATION_BINS = 5
TOP_CONTRIBUTIONS = 5
# Inverse L2 regularization strength; mild shrinkage keeps the many rare condition flags honest.
REGULARIZATION_C = 0.1
ALGORITHM = "logistic_regression"
ARTIFACT_FORMAT = 2


class InsufficientData(ApplicationError):
    """Too little history to fit and evaluate a model honestly; nothing was stored."""

    status_code = 422
    code = "insufficient_data"


@dataclass
class Prediction:
    probability: float
    # Top contributing features, largest first: [{"feature": "ed_visits_6m", "value": 3,
    # "contribution": 0.42, "label": "3 ED visits in the last 6 months"}, ...]
    contributions: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Samples:
    client_ids: list[UUID]
    index_dates: list[datetime]
    matrix: np.ndarray
    outcomes: np.ndarray

    def select(self, mask: np.ndarray) -> Samples:
        positions = np.flatnonzero(mask)
        return Samples(
            [self.client_ids[i] for i in positions],
            [self.index_dates[i] for i in positions],
            self.matrix[mask],
            self.outcomes[mask],
        )

    @property
    def positives(self) -> int:
        return int(self.outcomes.sum())

    @property
    def negatives(self) -> int:
        return len(self.outcomes) - self.positives


@dataclass
class TrainingResult:
    model_version: RiskModelVersion
    metrics: dict[str, Any]
    metadata: dict[str, Any]


Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


# ----------------------------------------------------------------------------------------------
# Samples


def index_dates(*, history_start: datetime, now: datetime) -> list[datetime]:
    """Index dates (local midnights), oldest first: every ``INTERVAL_DAYS`` back from the last
    date with a full follow-up, down to the first with a full look-back."""
    latest = timezone.localtime(now - timedelta(days=HORIZON_DAYS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    earliest = history_start + timedelta(days=LOOKBACK_DAYS)
    dates = []
    current = latest
    while current >= earliest:
        dates.append(current)
        current = timezone.localtime(current - timedelta(days=INTERVAL_DAYS)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    return sorted(dates)


def build_samples(
    history: features.PopulationHistory, client_ids: Iterable[UUID], dates: Iterable[datetime]
) -> Samples:
    """Every living client at every index date, with features and the 180-day outcome."""
    pairs: list[tuple[UUID, datetime]] = []
    for index in dates:
        day = features.local_date(index)
        for client_id in client_ids:
            record = history.clients.get(client_id)
            if record is None or record.birth_date > day:
                continue
            if record.deceased_date is not None and record.deceased_date <= day:
                continue
            pairs.append((client_id, index))
    matrix = features.feature_matrix(history, pairs)
    outcomes = np.array(
        [
            features.outcome_between(history, client_id, index, HORIZON_DAYS)
            for client_id, index in pairs
        ],
        dtype=int,
    )
    return Samples([c for c, _ in pairs], [i for _, i in pairs], matrix, outcomes)


# ----------------------------------------------------------------------------------------------
# Metrics


def calibration_table(probabilities: np.ndarray, outcomes: np.ndarray) -> list[dict[str, Any]]:
    """Equal-count bins of predicted probability: mean predicted vs observed rate."""
    bins = min(CALIBRATION_BINS, max(1, len(probabilities) // 20))
    order = np.argsort(probabilities, kind="stable")
    rows = []
    for number, positions in enumerate(np.array_split(order, bins), start=1):
        if len(positions) == 0:
            continue
        predicted = probabilities[positions]
        observed = outcomes[positions]
        rows.append(
            {
                "bin": number,
                "n": len(positions),
                "low": round(float(predicted.min()), 4),
                "high": round(float(predicted.max()), 4),
                "mean_predicted": round(float(predicted.mean()), 4),
                "observed": round(float(observed.mean()), 4),
                "events": int(observed.sum()),
            }
        )
    return rows


def _auroc(outcomes: np.ndarray, scores: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(outcomes.tolist())) < 2:
        return None
    return round(float(roc_auc_score(outcomes, scores)), 4)


def evaluate(pipeline: Pipeline, samples: Samples) -> dict[str, Any]:
    """AUROC, Brier score and calibration of the model, and LACE's AUROC, on ``samples``."""
    from sklearn.metrics import brier_score_loss

    probabilities = pipeline.predict_proba(samples.matrix)[:, 1]
    lace = samples.matrix[:, features.FEATURE_INDEX["lace"]]
    scored = lace > 0
    prevalence = samples.positives / max(1, len(samples.outcomes))
    return {
        "samples": len(samples.outcomes),
        "positives": samples.positives,
        "prevalence": round(prevalence, 4),
        "auroc": _auroc(samples.outcomes, probabilities),
        "brier": round(float(brier_score_loss(samples.outcomes, probabilities)), 4),
        # The Brier score of always predicting the prevalence, for comparison.
        "brier_of_prevalence": round(prevalence * (1 - prevalence), 4),
        "calibration": calibration_table(probabilities, samples.outcomes),
        "lace": {
            "auroc": _auroc(samples.outcomes, lace),
            "rule": "LACE of the most recent admission before the index date; 0 without one",
            # The clients who had an admission before the index date, where LACE applies.
            "with_admission": {
                "samples": int(scored.sum()),
                "positives": int(samples.outcomes[scored].sum()),
                "lace_auroc": _auroc(samples.outcomes[scored], lace[scored]),
                "model_auroc": _auroc(samples.outcomes[scored], probabilities[scored]),
            },
        },
    }


# ----------------------------------------------------------------------------------------------
# Training


def _refusal(reasons: list[str], organization: Organization) -> InsufficientData:
    return InsufficientData(
        f"Not enough history to train a trustworthy model for {organization.name}: "
        + "; ".join(reasons)
        + ". Nothing was trained or stored.",
        errors=[{"field": "history", "message": reason} for reason in reasons],
    )


# Utilization counts enter the model as log(1 + count): the tenth ED visit in a year says less
# than the first, and a client with twenty is not predicted with certainty.
LOG_COUNT_FEATURES = ("ed_visits_6m", "ed_visits_12m", "admissions_6m", "admissions_12m")


def log_counts(matrix: np.ndarray) -> np.ndarray:
    """The pipeline's count transform (module level, so a stored model can be unpickled)."""
    result = np.array(matrix, dtype=float, copy=True)
    columns = [features.FEATURE_INDEX[name] for name in LOG_COUNT_FEATURES]
    result[:, columns] = np.log1p(np.clip(result[:, columns], 0, None))
    return result


def fit_pipeline(samples: Samples) -> Pipeline:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    pipeline = Pipeline(
        [
            # keep_empty_features: a feature nobody has yet (no AUDIT-C on record, say) stays a
            # column of zeros instead of vanishing and shifting every coefficient's name.
            (
                "impute",
                SimpleImputer(strategy="constant", fill_value=0.0, keep_empty_features=True),
            ),
            ("counts", FunctionTransformer(log_counts)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=REGULARIZATION_C, max_iter=5000)),
        ]
    )
    pipeline.fit(samples.matrix, samples.outcomes)
    return pipeline


def prepare(
    *, organization: Organization, now: datetime, progress: Progress = _quiet
) -> tuple[Samples, Samples, dict[str, Any]]:
    """Training and held-out samples, or :class:`InsufficientData` saying what is missing."""
    client_ids = list(
        Client.objects.filter(organization=organization).order_by("id").values_list("id", flat=True)
    )
    span = Utilization.objects.filter(client__organization=organization).aggregate(
        first=Min("started_at"), last=Max("started_at")
    )
    if not client_ids or span["first"] is None:
        raise _refusal(["no ED visits or hospital admissions are on record"], organization)
    dates = index_dates(history_start=span["first"], now=now)
    held_out_date = dates[-1] if dates else now
    training_dates = [d for d in dates if d + timedelta(days=HORIZON_DAYS) <= held_out_date]
    needed_days = LOOKBACK_DAYS + 2 * HORIZON_DAYS
    if not training_dates:
        covered = (now - span["first"]).days
        raise _refusal(
            [
                f"the history covers {covered} days (from {features.local_date(span['first'])}); a "
                f"time-based split needs at least {needed_days} days ({LOOKBACK_DAYS} of "
                f"look-back, {HORIZON_DAYS} of follow-up for training, {HORIZON_DAYS} held out)"
            ],
            organization,
        )
    progress(
        f"{len(client_ids):,} clients; index dates every {INTERVAL_DAYS} days from "
        f"{features.local_date(dates[0])} to {features.local_date(held_out_date)}"
    )
    history = features.load_history(client_ids, until=now)
    progress("Building samples…")
    training = build_samples(history, client_ids, training_dates)
    held_out = build_samples(history, client_ids, [held_out_date])

    reasons = []
    total = len(training.outcomes) + len(held_out.outcomes)
    if total < MIN_SAMPLES:
        reasons.append(f"{total} samples (at least {MIN_SAMPLES} are needed)")
    if training.positives < MIN_TRAINING_OUTCOMES or training.negatives < MIN_TRAINING_OUTCOMES:
        reasons.append(
            f"{training.positives} clients with and {training.negatives} without an ED visit or "
            f"admission in the training period (at least {MIN_TRAINING_OUTCOMES} of each)"
        )
    if held_out.positives < MIN_HELD_OUT_OUTCOMES or held_out.negatives < MIN_HELD_OUT_OUTCOMES:
        reasons.append(
            f"{held_out.positives} with and {held_out.negatives} without an outcome in the "
            f"held-out period (at least {MIN_HELD_OUT_OUTCOMES} of each)"
        )
    if reasons:
        raise _refusal(reasons, organization)

    metadata = {
        "outcome": f"ED visit or inpatient admission within {HORIZON_DAYS} days",
        "horizon_days": HORIZON_DAYS,
        "interval_days": INTERVAL_DAYS,
        "lookback_days": LOOKBACK_DAYS,
        "history": {"first": span["first"].isoformat(), "last": span["last"].isoformat()},
        "training_window": {
            "first_index_date": features.local_date(training_dates[0]).isoformat(),
            "last_index_date": features.local_date(training_dates[-1]).isoformat(),
            "index_dates": [features.local_date(d).isoformat() for d in training_dates],
        },
        "held_out": {
            "index_date": features.local_date(held_out_date).isoformat(),
            "follow_up_until": features.local_date(
                held_out_date + timedelta(days=HORIZON_DAYS)
            ).isoformat(),
        },
        "skipped_index_dates": [
            features.local_date(d).isoformat()
            for d in dates
            if d not in training_dates and d != held_out_date
        ],
        "clients": len(client_ids),
        "samples": {"training": len(training.outcomes), "held_out": len(held_out.outcomes)},
        "positives": {"training": training.positives, "held_out": held_out.positives},
        "prevalence": {
            "training": round(training.positives / len(training.outcomes), 4),
            "held_out": round(held_out.positives / len(held_out.outcomes), 4),
        },
    }
    return training, held_out, metadata


def risk_model_train(
    *,
    organization: Organization,
    acting_user: User | None,
    now: datetime | None = None,
    progress: Progress = _quiet,
) -> TrainingResult:
    """Fit, evaluate and store a new model version for ``organization`` and make it the active
    one; audited. Raises :class:`InsufficientData` (and stores nothing) on too little history."""
    import sklearn

    now = now or timezone.now()
    training, held_out, metadata = prepare(organization=organization, now=now, progress=progress)
    progress(
        f"Fitting on {len(training.outcomes):,} samples ({training.positives:,} with an outcome)…"
    )
    pipeline = fit_pipeline(training)
    progress(f"Evaluating on {len(held_out.outcomes):,} held-out samples…")
    metrics = evaluate(pipeline, held_out)
    training_probabilities = pipeline.predict_proba(training.matrix)[:, 1]
    metrics["training_auroc"] = _auroc(training.outcomes, training_probabilities)
    metadata.update(
        {
            "algorithm": "StandardScaler + LogisticRegression (L2)",
            "regularization_c": REGULARIZATION_C,
            "class_weight": None,
            "missing_scores": "imputed as 0",
            "count_transform": "log(1 + count) for " + ", ".join(LOG_COUNT_FEATURES),
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
        }
    )
    scaler = pipeline.named_steps["scale"]
    model = pipeline.named_steps["model"]
    feature_rows = [
        {
            "name": feature.name,
            "description": feature.description,
            "transform": "log(1 + x)" if feature.name in LOG_COUNT_FEATURES else "",
            "coefficient": round(float(coefficient), 5),
            "mean": round(float(mean), 5),
            "scale": round(float(scale), 5),
        }
        for feature, coefficient, mean, scale in zip(
            features.FEATURES, model.coef_[0], scaler.mean_, scaler.scale_, strict=True
        )
    ]
    artifact = pickle.dumps(
        {"format": ARTIFACT_FORMAT, "features": list(features.FEATURE_NAMES), "pipeline": pipeline}
    )
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        latest = RiskModelVersion.objects.filter(organization=organization).aggregate(
            number=Max("version")
        )["number"]
        RiskModelVersion.objects.filter(organization=organization, is_active=True).update(
            is_active=False
        )
        version = RiskModelVersion.objects.create(
            organization=organization,
            version=(latest or 0) + 1,
            algorithm=ALGORITHM,
            outcome=metadata["outcome"],
            features=feature_rows,
            metrics=metrics,
            metadata=metadata,
            artifact=artifact,
            trained_at=now,
            trained_by=acting_user,
            is_active=True,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=version,
            organization_id=organization.id,
            changes={"is_active": [None, True]},
            detail={
                "version": version.version,
                "auroc": metrics["auroc"],
                "brier": metrics["brier"],
                "lace_auroc": metrics["lace"]["auroc"],
                "samples": metadata["samples"],
                "positives": metadata["positives"],
                "previous_active_deactivated": latest is not None,
            },
        )
    return TrainingResult(version, metrics, metadata)


def risk_model_evaluate(
    *, model: RiskModelVersion, now: datetime | None = None, progress: Progress = _quiet
) -> dict[str, Any]:
    """Evaluate a stored model on the latest index date with a full follow-up (read only)."""
    now = now or timezone.now()
    organization = model.organization
    client_ids = list(
        Client.objects.filter(organization=organization).order_by("id").values_list("id", flat=True)
    )
    latest = timezone.localtime(now - timedelta(days=HORIZON_DAYS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    history = features.load_history(client_ids, until=now)
    samples = build_samples(history, client_ids, [latest])
    if samples.positives < MIN_HELD_OUT_OUTCOMES or samples.negatives < MIN_HELD_OUT_OUTCOMES:
        raise _refusal(
            [
                f"{samples.positives} with and {samples.negatives} without an outcome after "
                f"{features.local_date(latest)} (at least {MIN_HELD_OUT_OUTCOMES} of each)"
            ],
            organization,
        )
    progress(f"Evaluating version {model.version} on {len(samples.outcomes):,} samples…")
    result = evaluate(_pipeline(model), samples)
    result["index_date"] = features.local_date(latest).isoformat()
    return result


# ----------------------------------------------------------------------------------------------
# Prediction (interface for stratification)


def active_model(organization_id: UUID) -> RiskModelVersion | None:
    return (
        RiskModelVersion.objects.filter(organization_id=organization_id, is_active=True)
        .order_by("-version")
        .first()
    )


_PIPELINES: dict[str, Pipeline] = {}


def _pipeline(model: RiskModelVersion) -> Pipeline:
    """The fitted pipeline of a stored version (unpickled once per artifact)."""
    data = bytes(model.artifact)
    key = hashlib.sha256(data).hexdigest()
    if key not in _PIPELINES:
        # The artifact is written by risk_model_train into our own database, never uploaded.
        try:
            payload = pickle.load(io.BytesIO(data))  # noqa: S301
        except (AttributeError, ImportError, ModuleNotFoundError, pickle.UnpicklingError):
            payload = {}
        if payload.get("format") != ARTIFACT_FORMAT or payload.get("features") != list(
            features.FEATURE_NAMES
        ):
            raise ApplicationError(
                f"Model version {model.version} was trained by another version of casework (other "
                "features or code); retrain it with `casework risk train`.",
                code="model_outdated",
            )
        if len(_PIPELINES) > 16:
            _PIPELINES.clear()
        _PIPELINES[key] = payload["pipeline"]
    return _PIPELINES[key]


def explain(pipeline: Pipeline, matrix: np.ndarray) -> np.ndarray:
    """Per-feature contributions to the log-odds: coefficient x standardized (transformed)
    value, i.e. how far this client's value moves the log-odds from the average client's."""
    transformed = pipeline[:-1].transform(matrix)
    return transformed * pipeline.named_steps["model"].coef_[0]


def _explanation_columns() -> tuple[list[str], list[list[int]]]:
    """Explanation items (feature groups first, then the other features) and their columns."""
    names: list[str] = []
    columns: list[list[int]] = []
    for group, members in features.EXPLANATION_GROUPS.items():
        names.append(group)
        columns.append([features.FEATURE_INDEX[name] for name in members])
    for position, name in enumerate(features.FEATURE_NAMES):
        if name not in features.GROUP_OF:
            names.append(name)
            columns.append([position])
    return names, columns


def top_contributions(
    matrix: np.ndarray, contributions: np.ndarray
) -> list[list[dict[str, object]]]:
    """For each row, the ``TOP_CONTRIBUTIONS`` largest contributions (by size, either sign),
    grouped features summed; contributions under 0.01 are left out."""
    names, columns = _explanation_columns()
    combined = np.column_stack([contributions[:, cols].sum(axis=1) for cols in columns])
    order = np.argsort(-np.abs(combined), axis=1, kind="stable")[:, :TOP_CONTRIBUTIONS]
    result: list[list[dict[str, object]]] = []
    for row, positions in enumerate(order):
        items: list[dict[str, object]] = []
        for position in positions:
            contribution = float(combined[row, position])
            if abs(contribution) < 0.01:
                continue
            name = names[position]
            item: dict[str, object] = {"feature": name}
            if name in features.EXPLANATION_GROUPS:
                members = features.EXPLANATION_GROUPS[name]
                parts = {
                    member: float(matrix[row, features.FEATURE_INDEX[member]]) for member in members
                }
                item.update(value=parts[members[0]], parts=parts)
                item["label"] = features.describe_group(name, parts)
            else:
                value = float(matrix[row, columns[position][0]])
                item["value"] = None if math.isnan(value) else value
                item["label"] = features.describe(name, value)
            item["contribution"] = round(contribution, 3)
            item["direction"] = "raises" if contribution > 0 else "lowers"
            items.append(item)
        result.append(items)
    return result


def predict_for_clients(
    model: RiskModelVersion,
    client_ids: Iterable[UUID],
    *,
    as_of: datetime | None = None,
    lace: Mapping[UUID, LaceResult] | None = None,
) -> dict[UUID, Prediction]:
    """Probability of an ED visit or admission in the next 180 days for each client, with the
    top contributing features.

    Set-based: five queries per batch of up to 5,000 clients, plus LACE's three unless the
    caller passes the :func:`casework.risk.lace.lace_for_clients` result it already has for the
    same ``as_of``.
    """
    as_of = as_of or timezone.now()
    pipeline = _pipeline(model)
    ids, matrix = features.features_for_clients(client_ids, as_of=as_of, lace=lace)
    if not ids:
        return {}
    probabilities = pipeline.predict_proba(matrix)[:, 1]
    explained = top_contributions(matrix, explain(pipeline, matrix))
    return {
        client_id: Prediction(
            probability=round(float(probabilities[row]), 4), contributions=explained[row]
        )
        for row, client_id in enumerate(ids)
    }
