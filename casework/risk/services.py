"""Writes for risk: stratifying a population or one client, a supervisor's decision on the
recommended model, and enrolling an identified client (a referral opened from the risk list).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from django.db import connection, connections, transaction
from django.db.models import (
    Count,
    F,
    QuerySet,
)
from django.utils import timezone

from casework.accounts.models import Organization, Role, User
from casework.assessments.models import AssessmentResponse, ResponseStatus
from casework.assessments.selectors import (
    flags_for_clients,
    latest_scores_for_clients,
    open_needs_for_clients,
)
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import FINISHED, Case
from casework.cases.services import case_create
from casework.clients.models import Client, Condition, ConditionStatus, Utilization
from casework.core.bulk import fast_bulk_insert
from casework.core.errors import (
    ApplicationError,
    Conflict,
    PermissionDenied,
    ValidationFailed,
    field_error,
)
from casework.core.versioning import update_versioned
from casework.programs.models import CaseManagementModel, ModelKind, Program
from casework.risk.lace import LaceResult, lace_for_clients
from casework.risk.models import Decision, RiskAssessment, RiskModelVersion
from casework.risk.selectors import thresholds_for
from casework.risk.stratification import (
    SCORE_CODES,
    STRENGTHS_INSTRUMENT,
    TIER_LABELS,
    ClientFacts,
    charlson_from_conditions,
    recommend_model,
    stratify_tier,
)
from casework.risk.training import Prediction, active_model, predict_for_clients

# Who decides on a recommended model (accept or override).
DECIDERS = {Role.SUPERVISOR, Role.PROGRAM_ADMIN}
# Who may run a population stratification on demand (the CLI runs as the system).
POPULATION_RUNNERS = {Role.SUPERVISOR, Role.PROGRAM_ADMIN, Role.SYSTEM_ADMIN}
# Who may recompute one client's assessment.
CLIENT_RUNNERS = {Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN}

# Utilization counted for "high utilization" (recommendation rules): the last 12 months.
UTILIZATION_WINDOW = timedelta(days=365)
ACUTE_KINDS = ("emergency", "inpatient")

Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------------------------
# Stratification


@dataclass
class StratifyResult:
    organization: str
    clients: int = 0
    batches: int = 0
    workers: int = 1
    tiers: Counter[str] = field(default_factory=Counter)
    recommendations: Counter[str] = field(default_factory=Counter)
    cases_updated: int = 0
    decisions_kept: int = 0
    seconds: float = 0.0
    model_version: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.clients / self.seconds if self.seconds else 0.0


@dataclass
class _BatchOutcome:
    clients: int
    tiers: Counter[str]
    recommendations: Counter[str]
    cases_updated: int
    decisions_kept: int


@dataclass
class _BatchInputs:
    """Everything the rules read for one batch, each gathered set-based."""

    lace: dict[UUID, LaceResult]
    predictions: dict[UUID, Prediction]
    flags: dict[UUID, list[dict[str, Any]]]
    scores: dict[UUID, dict[str, float]]
    needs: dict[UUID, list[str]]
    conditions: dict[UUID, list[tuple[str, str, str]]]
    acute_use: dict[UUID, int]
    strengths: set[UUID]
    findings: dict[UUID, list[dict[str, Any]]]


def _check_runner(acting_user: User | None, organization: Organization) -> None:
    if acting_user is None:
        return
    if acting_user.role not in POPULATION_RUNNERS:
        raise PermissionDenied("Your role may not stratify the population.")
    if acting_user.organization_id != organization.pk:
        raise PermissionDenied("You may stratify only your own organization.")


@dataclass
class _Batch:
    """A page of one organization's living clients: their ids and the id range they span.

    Queries select the range (two parameters) and keep the rows of the batch's clients, instead
    of sending thousands of ids as parameters: Django prepares each id one by one, about 40 ms a
    query for 5,000 ids against 3 ms for the range (SQLite, bench/bench_stratify.py).
    """

    organization_id: UUID
    ids: list[UUID]
    id_set: set[UUID] = field(init=False)

    def __post_init__(self) -> None:
        self.id_set = set(self.ids)

    def range(self, queryset: QuerySet[Any], name: str = "client_id") -> QuerySet[Any]:
        return queryset.filter(**{f"{name}__gte": self.ids[0], f"{name}__lte": self.ids[-1]})


def _conditions(batch: _Batch) -> dict[UUID, list[tuple[str, str, str]]]:
    rows = (
        batch.range(Condition.objects.filter(clinical_status=ConditionStatus.ACTIVE))
        .order_by()
        .values_list("client_id", "system", "code", "display")
    )
    found: dict[UUID, list[tuple[str, str, str]]] = defaultdict(list)
    for client_id, system, code, display in rows:
        if client_id in batch.id_set:
            found[client_id].append((system, code, display))
    return found


def _acute_use(batch: _Batch, *, since: datetime, until: datetime) -> dict[UUID, int]:
    """ED visits plus inpatient admissions per client in the window (one aggregate query)."""
    rows = (
        batch.range(
            Utilization.objects.filter(
                kind__in=ACUTE_KINDS, started_at__gte=since, started_at__lte=until
            )
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    return {client_id: n for client_id, n in rows if client_id in batch.id_set}


def _strengths_assessed(batch: _Batch) -> set[UUID]:
    rows = (
        batch.range(
            AssessmentResponse.objects.filter(
                organization_id=batch.organization_id,
                instrument__code=STRENGTHS_INSTRUMENT,
                status=ResponseStatus.COMPLETED,
            )
        )
        .order_by()
        .values_list("client_id", flat=True)
        .distinct()
    )
    return set(rows) & batch.id_set


def _open_cases(batch: _Batch) -> dict[UUID, list[dict[str, Any]]]:
    rows = (
        batch.range(Case.objects.filter(organization_id=batch.organization_id))
        .exclude(status__in=FINISHED)
        .order_by()
        .values("id", "client_id", "program__model_id", "risk_tier", "weight")
    )
    found: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["client_id"] in batch.id_set:
            found[row["client_id"]].append(dict(row))
    return found


def _screening_findings(batch: _Batch) -> dict[UUID, list[dict[str, Any]]]:
    """Coded findings confirmed at screening on the clients' open cases."""
    rows = (
        batch.range(Case.objects.filter(organization_id=batch.organization_id))
        .exclude(status__in=FINISHED)
        .exclude(screening_findings=[])
        .order_by()
        .values_list("client_id", "screening_findings")
    )
    found: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for client_id, findings in rows:
        if client_id in batch.id_set:
            found[client_id].extend(findings or ())
    return found


_CARRIED = ("decision", "decided_model", "decided_by_id", "decided_at", "decision_reason")


def _current_assessments(batch: _Batch) -> dict[UUID, dict[str, Any]]:
    """The batch's clients' current assessments (id, tier, recommendation and decision).

    Selected by the client id range on the (client, is_current) index and kept when the client
    is in the batch: filtering by organization in SQL lets SQLite pick the organization index
    instead and walk every assessment the organization ever had (0.15 s a batch at 100,000
    clients after two runs, against 6 ms).
    """
    rows = (
        batch.range(RiskAssessment.objects.filter(is_current=True))
        .order_by()
        .values("id", "client_id", "tier", "recommended_model", *_CARRIED)
    )
    return {row["client_id"]: row for row in rows if row["client_id"] in batch.id_set}


def _retire(current: dict[UUID, dict[str, Any]]) -> None:
    """The current assessments read in this transaction are current no longer (one UPDATE)."""
    ids = [row["id"] for row in current.values()]
    if ids:
        RiskAssessment.objects.filter(pk__in=ids).update(is_current=False)


def _gather(batch: _Batch, *, model: RiskModelVersion | None, now: datetime) -> _BatchInputs:
    client_ids = batch.ids
    lace = lace_for_clients(client_ids, as_of=now)
    return _BatchInputs(
        lace=lace,
        # The model reads LACE among its features: hand it the results already computed.
        predictions=predict_for_clients(model, client_ids, as_of=now, lace=lace) if model else {},
        flags=flags_for_clients(client_ids),
        scores=latest_scores_for_clients(client_ids, SCORE_CODES),
        needs=open_needs_for_clients(client_ids),
        conditions=_conditions(batch),
        acute_use=_acute_use(batch, since=now - UTILIZATION_WINDOW, until=now),
        strengths=_strengths_assessed(batch),
        findings=_screening_findings(batch),
    )


def _lace_breakdown(lace: LaceResult) -> dict[str, Any]:
    return {
        "points": dict(lace.points),
        "length_of_stay_days": lace.length_of_stay_days,
        "acute": lace.acute,
        "charlson": lace.charlson,
        "ed_visits_6_months": lace.ed_visits_6_months,
        "admission_id": lace.admission_id,
        "comorbidities": list(lace.comorbidities),
        **({"detail": lace.detail} if lace.detail else {}),
    }


def _assess(
    client_id: UUID,
    inputs: _BatchInputs,
    *,
    organization_id: UUID,
    thresholds: dict[str, Any],
    model: RiskModelVersion | None,
    now: datetime,
) -> dict[str, Any]:
    """One client's new assessment as column values (``RiskAssessment`` attribute names)."""
    lace = inputs.lace.get(client_id)
    prediction = inputs.predictions.get(client_id)
    flags = inputs.flags.get(client_id, [])
    scores = inputs.scores.get(client_id, {})
    tier = stratify_tier(
        thresholds=thresholds,
        lace=lace.score if lace else None,
        probability=prediction.probability if prediction else None,
        flags=flags,
        scores=scores,
    )
    conditions = inputs.conditions.get(client_id, ())
    charlson = charlson_from_conditions(conditions) if conditions else 0
    recommendation = recommend_model(
        ClientFacts(
            tier=tier.tier,
            conditions=conditions,
            screening_findings=inputs.findings.get(client_id, ()),
            acute_use_12_months=inputs.acute_use.get(client_id, 0),
            charlson=charlson,
            scores=scores,
            flags=flags,
            social_needs=inputs.needs.get(client_id, ()),
            strengths_assessed=client_id in inputs.strengths,
        ),
        thresholds,
    )
    return {
        "organization_id": organization_id,
        "client_id": client_id,
        "computed_at": now,
        "is_current": True,
        "lace_score": lace.score if lace else None,
        "lace_breakdown": _lace_breakdown(lace) if lace else {},
        "charlson_score": charlson if conditions else None,
        "probability": prediction.probability if prediction else None,
        "model_version_id": model.pk if model and prediction else None,
        "contributions": list(prediction.contributions) if prediction else [],
        "flags": list(flags),
        "tier": tier.tier,
        "tier_reasons": tier.reasons,
        "recommended_model": recommendation.model_kind,
        "recommendation_reasons": recommendation.reasons,
        "decision": Decision.PENDING.value,
        "decided_model": "",
        "decided_by_id": None,
        "decided_at": None,
        "decision_reason": "",
    }


def _carry_decisions(rows: Sequence[dict[str, Any]], current: dict[UUID, dict[str, Any]]) -> int:
    """A supervisor's decision stands while what they decided on (tier and recommended model)
    is unchanged; otherwise the new assessment waits for review again."""
    kept = 0
    for row in rows:
        before = current.get(row["client_id"])
        if (
            before
            and before["decision"] != Decision.PENDING
            and before["tier"] == row["tier"]
            and before["recommended_model"] == row["recommended_model"]
        ):
            for name in _CARRIED:
                row[name] = before[name]
            kept += 1
    return kept


def _insert_assessments(rows: Sequence[dict[str, Any]]) -> None:
    """Insert new assessments with ``fast_bulk_insert`` (``casework/core/bulk.py``): the
    conversions ``bulk_create`` makes, chosen once per column rather than once per value
    (``bulk_create`` spent most of a population run preparing each of the twenty values of every
    row: bench/bench_stratify.py), one ``executemany`` per batch on SQLite and ``COPY`` on
    PostgreSQL. The ids are the database's; nothing reads them back."""
    if rows:
        fast_bulk_insert(RiskAssessment, [SimpleNamespace(**row) for row in rows])


class _WeightTable:
    """Case weight per (model, tier), computed once per run (``CaseManagementModel``)."""

    def __init__(self, organization_id: UUID) -> None:
        self.models = {
            m.pk: m for m in CaseManagementModel.objects.filter(organization_id=organization_id)
        }
        self.cache: dict[tuple[UUID, str], Decimal] = {}

    def weight(self, model_id: UUID, tier: str) -> Decimal:
        key = (model_id, tier)
        if key not in self.cache:
            model = self.models.get(model_id) or CaseManagementModel.objects.get(pk=model_id)
            self.models[model_id] = model
            self.cache[key] = model.case_weight(tier)
        return self.cache[key]


def _update_cases(
    rows: Iterable[dict[str, Any]],
    open_cases: dict[UUID, list[dict[str, Any]]],
    weights: _WeightTable,
    now: datetime,
) -> Counter[str]:
    """Set each open case's risk tier and caseload weight; one UPDATE per (tier, weight) group.

    Bumps ``version`` so that an edit based on the old values is refused as stale.
    """
    groups: dict[tuple[str, Decimal], list[UUID]] = defaultdict(list)
    moves: Counter[str] = Counter()
    for row in rows:
        tier = row["tier"]
        for case in open_cases.get(row["client_id"], ()):
            weight = weights.weight(case["program__model_id"], tier)
            if case["risk_tier"] == tier and case["weight"] == weight:
                continue
            groups[(tier, weight)].append(case["id"])
            moves[f"{case['risk_tier'] or 'none'}→{tier}"] += 1
    for (tier, weight), case_ids in groups.items():
        Case.objects.filter(pk__in=case_ids).update(
            risk_tier=tier, weight=weight, version=F("version") + 1, updated_at=now
        )
    return moves


@transaction.atomic
def _write_batch(
    rows: list[dict[str, Any]],
    batch: _Batch,
    *,
    model: RiskModelVersion | None,
    weights: _WeightTable,
    acting_user: User | None,
    now: datetime,
    batch_number: int,
) -> _BatchOutcome:
    """The write half of a batch, in one short transaction: carry decisions, retire the previous
    assessments (one UPDATE), insert the new ones, update open cases, one audit event."""
    current = _current_assessments(batch)
    kept = _carry_decisions(rows, current)
    _retire(current)
    _insert_assessments(rows)
    moves = _update_cases(rows, _open_cases(batch), weights, now)
    tiers = Counter(row["tier"] for row in rows)
    recommendations = Counter(row["recommended_model"] or "none" for row in rows)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        object_type="risk.riskassessment",
        organization_id=batch.organization_id,
        detail={
            "operation": "stratify",
            "batch": batch_number,
            "clients": len(rows),
            "tiers": dict(tiers),
            "recommended_models": dict(recommendations),
            "model_version": model.version if model else None,
            "cases_updated": sum(moves.values()),
            "case_tier_changes": dict(moves),
            "decisions_kept": kept,
        },
    )
    return _BatchOutcome(len(rows), tiers, recommendations, sum(moves.values()), kept)


def _stratify_batch(
    client_ids: Sequence[UUID],
    *,
    organization_id: UUID,
    thresholds: dict[str, Any],
    model: RiskModelVersion | None,
    weights: _WeightTable,
    acting_user: User | None,
    now: datetime,
    batch_number: int,
) -> _BatchOutcome:
    """Read and compute outside any transaction (readers never wait for the write lock), then
    write in one short transaction that re-reads what must be current: decisions and cases."""
    batch = _Batch(organization_id, list(client_ids))
    inputs = _gather(batch, model=model, now=now)
    rows = [
        _assess(
            client_id,
            inputs,
            organization_id=organization_id,
            thresholds=thresholds,
            model=model,
            now=now,
        )
        for client_id in batch.ids
    ]
    return _write_batch(
        rows,
        batch,
        model=model,
        weights=weights,
        acting_user=acting_user,
        now=now,
        batch_number=batch_number,
    )


def _batches(population: QuerySet[Client], batch_size: int) -> list[list[UUID]]:
    """The population's client ids in id order, cut into batches.

    One query: paging with ``id > last`` costs SQLite a sort of the whole organization per page
    (it filters on the organization index), 1.2 s for 100,000 clients against 0.35 s for one
    sorted read. 100,000 ids take about 10 MB.
    """
    ids = list(population.order_by("id").values_list("id", flat=True))
    return [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]


# State of a worker process (set once by _worker_start, used by each batch it runs).
_worker: dict[str, Any] = {}


def _worker_start(
    organization_id: UUID,
    thresholds: dict[str, Any],
    model_id: int | None,
    acting_user_id: UUID | None,
    now: datetime,
) -> None:
    _worker.update(
        organization_id=organization_id,
        thresholds=thresholds,
        model=RiskModelVersion.objects.get(pk=model_id) if model_id else None,
        weights=_WeightTable(organization_id),
        acting_user=User.objects.get(pk=acting_user_id) if acting_user_id else None,
        now=now,
    )


def _worker_batch(client_ids: list[UUID], batch_number: int) -> _BatchOutcome:
    return _stratify_batch(client_ids, batch_number=batch_number, **_worker)


def population_stratify(
    *,
    organization: Organization,
    acting_user: User | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
    as_of: datetime | None = None,
    workers: int = 1,
) -> StratifyResult:
    """Recompute every living client's tier and recommended model, set-based in batches.

    Per batch, a constant number of queries: the rule scores, predictions, flags, scores and
    needs through their set-based interfaces, conditions and utilization as aggregates; then, in
    one short transaction, one UPDATE that retires the previous assessments, one INSERT run for
    the new ones, one UPDATE per (tier, weight) group of open cases and **one** audit event with
    the counts.

    Each batch writes in its own transaction: a population run does not hold the database's
    write lock for minutes, and an interrupted run leaves every client either fully restratified
    or untouched (running it again finishes the job). A supervisor's decision is carried to the
    new assessment when the tier and the recommended model are unchanged; otherwise it returns to
    "pending" for review. ``acting_user`` is ``None`` when the system runs it (CLI, worker).

    ``workers`` > 1 runs batches in that many forked processes (each with its own database
    connection; writes still take turns). It needs committed data, so inside a transaction (as in
    tests) the batches run in this process.
    """
    _check_runner(acting_user, organization)
    if batch_size < 1:
        raise ValidationFailed("batch_size must be at least 1.")
    started = time.perf_counter()
    thresholds = thresholds_for(organization)
    now = as_of or timezone.now()
    model, warning = _usable_model(organization, now)
    population = Client.objects.filter(organization=organization, deceased_date__isnull=True)
    _retire_deceased(organization, acting_user)
    batches = _batches(population, batch_size)
    total = sum(len(batch) for batch in batches)
    # Several processes pay off only with several batches, and need committed data.
    parallel = (
        workers > 1
        and len(batches) > 1
        and not connection.in_atomic_block
        and "fork" in _start_methods()
    )
    result = StratifyResult(
        organization=organization.slug,
        workers=workers if parallel else 1,
        model_version=model.version if model else None,
        warnings=[warning] if warning else [],
    )

    def record(outcome: _BatchOutcome) -> None:
        result.clients += outcome.clients
        result.tiers.update(outcome.tiers)
        result.recommendations.update(outcome.recommendations)
        result.cases_updated += outcome.cases_updated
        result.decisions_kept += outcome.decisions_kept
        if progress is not None:
            progress(result.clients, total)

    if parallel:
        # Children must open their own connections: never share one across fork.
        connections.close_all()
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(
                organization.pk,
                thresholds,
                model.pk if model else None,
                acting_user.pk if acting_user else None,
                now,
            ),
        ) as pool:
            futures = [
                pool.submit(_worker_batch, client_ids, number)
                for number, client_ids in enumerate(batches, start=1)
            ]
            result.batches = len(futures)
            try:
                for future in as_completed(futures):
                    record(future.result())
            except BaseException:
                # A failed batch or an interrupt: start no further batch (those done stay done).
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    else:
        weights = _WeightTable(organization.pk)
        for number, client_ids in enumerate(batches, start=1):
            result.batches = number
            record(
                _stratify_batch(
                    client_ids,
                    organization_id=organization.pk,
                    thresholds=thresholds,
                    model=model,
                    weights=weights,
                    acting_user=acting_user,
                    now=now,
                    batch_number=number,
                )
            )
    result.seconds = time.perf_counter() - started
    return result


def _usable_model(organization: Organization, now: datetime) -> tuple[RiskModelVersion | None, str]:
    """The active model, if it can predict. A model this casework can no longer use (trained on
    other features) must not stop the night's stratification: the run goes on with the rule
    scores and flags, and says why the probabilities are missing."""
    model = active_model(organization.pk)
    if model is None:
        return None, ""
    try:
        predict_for_clients(model, [], as_of=now)
    except ApplicationError as exc:
        return None, f"Model version {model.version} not used: {exc.detail}"
    return model, ""


@transaction.atomic
def _retire_deceased(organization: Organization, acting_user: User | None) -> None:
    """Clients who died leave the risk list: their current assessment is no longer current."""
    deceased = list(
        Client.objects.filter(organization=organization, deceased_date__isnull=False).values_list(
            "id", flat=True
        )
    )
    retired = RiskAssessment.objects.filter(client_id__in=deceased, is_current=True).update(
        is_current=False
    )
    if retired:
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            object_type="risk.riskassessment",
            organization_id=organization.pk,
            detail={"operation": "retire_deceased", "clients": retired},
        )


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


@transaction.atomic
def client_stratify(
    *, client: Client, acting_user: User | None = None, as_of: datetime | None = None
) -> RiskAssessment:
    """Recompute one client's assessment now (same rules and writes as a population run)."""
    if acting_user is not None:
        if acting_user.role not in CLIENT_RUNNERS:
            raise PermissionDenied("Your role may not recompute risk assessments.")
        if acting_user.organization_id != client.organization_id:
            raise PermissionDenied("The client belongs to another organization.")
    organization = Organization.objects.get(pk=client.organization_id)
    now = as_of or timezone.now()
    model = active_model(organization.pk)
    thresholds = thresholds_for(organization)
    batch = _Batch(organization.pk, [client.pk])
    inputs = _gather(batch, model=model, now=now)
    row = _assess(
        client.pk,
        inputs,
        organization_id=organization.pk,
        thresholds=thresholds,
        model=model,
        now=now,
    )
    current = _current_assessments(batch)
    _carry_decisions([row], current)
    previous_tier = current[client.pk]["tier"] if client.pk in current else None
    _retire(current)
    assessment = RiskAssessment.objects.create(**row)
    moves = _update_cases([row], _open_cases(batch), _WeightTable(organization.pk), now)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=assessment,
        client_id=client.pk,
        organization_id=organization.pk,
        changes={"tier": [previous_tier, assessment.tier]},
        detail={
            "operation": "stratify",
            "recommended_model": assessment.recommended_model,
            "cases_updated": sum(moves.values()),
        },
    )
    return assessment


# ----------------------------------------------------------------------------------------------
# Supervisor decision


DECISION_CHOICES = {"accept": Decision.ACCEPTED, "override": Decision.OVERRIDDEN}


@transaction.atomic
def risk_decide(
    *,
    acting_user: User,
    assessment: RiskAssessment,
    decision: str,
    model_kind: str | None = None,
    reason: str = "",
) -> RiskAssessment:
    """A supervisor or program admin accepts the recommended model or overrides it.

    Rules: only supervisors and program admins decide; only the current assessment can be
    decided (a newer stratification supersedes older ones); an override names a different model
    kind and gives a reason. The decision may be revisited; the audit event keeps old and new.
    """
    if acting_user.role not in DECIDERS:
        raise PermissionDenied(
            "Only supervisors and program admins decide on the recommended model."
        )
    if assessment.organization_id != acting_user.organization_id:
        raise PermissionDenied("The assessment belongs to another organization.")
    if decision not in DECISION_CHOICES:
        raise ValidationFailed(
            "The decision is accept or override.",
            errors=[field_error("decision", "must be accept or override")],
        )
    locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_current:
        raise Conflict(
            "A newer risk assessment has replaced this one; decide on the current one.",
            code="assessment_superseded",
        )
    reason = (reason or "").strip()
    model_kind = (model_kind or "").strip()
    if decision == "accept":
        if model_kind and model_kind != locked.recommended_model:
            raise ValidationFailed(
                "Accepting keeps the recommended model; choose override to pick another.",
                errors=[field_error("model_kind", "differs from the recommendation")],
            )
        decided_model = locked.recommended_model
    else:
        errors = []
        if model_kind not in ModelKind.values:
            kinds = ", ".join(ModelKind.values)
            errors.append(field_error("model_kind", f"must be one of {kinds}"))
        elif model_kind == locked.recommended_model:
            errors.append(field_error("model_kind", "is the recommended model; accept it instead"))
        if not reason:
            errors.append(field_error("reason", "an override needs a reason"))
        if errors:
            raise ValidationFailed("The override is not complete.", errors=errors)
        decided_model = model_kind
    new = {
        "decision": DECISION_CHOICES[decision].value,
        "decided_model": decided_model,
        "decision_reason": reason,
    }
    changes = {
        name: [getattr(locked, name), value]
        for name, value in new.items()
        if getattr(locked, name) != value
    }
    now = timezone.now()
    RiskAssessment.objects.filter(pk=locked.pk).update(
        **new, decided_by=acting_user, decided_at=now
    )
    changes["decided_by"] = [
        str(locked.decided_by_id) if locked.decided_by_id else None,
        str(acting_user.pk),
    ]
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=locked,
        client_id=locked.client_id,
        changes=changes,
        detail={
            "operation": "decide",
            "tier": locked.tier,
            "recommended_model": locked.recommended_model,
        },
    )
    for name, value in new.items():
        setattr(assessment, name, value)
    assessment.decided_by = acting_user
    assessment.decided_at = now
    return assessment


# ----------------------------------------------------------------------------------------------
# Enrollment from the risk list


def _referral_reason(assessment: RiskAssessment | None) -> str:
    if assessment is None:
        return "Identified from the population risk list."
    lines = [f"Identified from the population risk list: {TIER_LABELS[assessment.tier]} risk."]
    lines += [f"- {reason}" for reason in assessment.tier_reasons[:5]]
    model = assessment.decided_model or assessment.recommended_model
    if model:
        lines.append(f"Recommended model: {model}.")
    return "\n".join(lines)


@transaction.atomic
def risk_enroll(*, acting_user: User, client: Client, program: Program) -> Case:
    """Open a referred case for an identified client (identification from data).

    The referral goes through ``case_create`` (its role, eligibility-to-refer and duplicate rules
    apply) and carries the current tier, its reasons and the recommended model; the new case
    takes the current tier and the program model's weight for it at once.
    """
    assessment = (
        RiskAssessment.objects.filter(client=client, is_current=True).order_by("-id").first()
    )
    case = case_create(
        acting_user=acting_user,
        client=client,
        program=program,
        referral_source="Population risk list",
        referral_reason=_referral_reason(assessment),
        # High and very high risk go ahead of the default priority 3 (casework judgement).
        priority=2 if assessment and assessment.tier in {"high", "very_high"} else 3,
    )
    if assessment is not None:
        diff = update_versioned(
            case,
            expected_version=None,
            risk_tier=assessment.tier,
            weight=program.model.case_weight(assessment.tier),
        )
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            obj=case,
            client_id=client.pk,
            changes=diff,
            detail={"operation": "enroll_from_risk_list", "risk_assessment": assessment.pk},
        )
    return case


def decided_or_recommended(assessment: RiskAssessment) -> str:
    """The model the client should get: the supervisor's decision, else the recommendation."""
    if assessment.decision != Decision.PENDING:
        return assessment.decided_model
    return assessment.recommended_model
