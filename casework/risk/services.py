"""Writes for risk: stratifying a population or one client, a supervisor's decision on the
recommended model, and enrolling an identified client (a referral opened from the risk list).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Count, F
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
from casework.core.errors import Conflict, PermissionDenied, ValidationFailed, field_error
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
    tiers: Counter[str] = field(default_factory=Counter)
    recommendations: Counter[str] = field(default_factory=Counter)
    cases_updated: int = 0
    decisions_kept: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.clients / self.seconds if self.seconds else 0.0


@dataclass
class _BatchInputs:
    """Everything stratification reads for one batch, each gathered set-based."""

    lace: dict[UUID, LaceResult]
    predictions: dict[UUID, Prediction]
    flags: dict[UUID, list[dict[str, Any]]]
    scores: dict[UUID, dict[str, float]]
    needs: dict[UUID, list[str]]
    conditions: dict[UUID, list[tuple[str, str, str]]]
    acute_use: dict[UUID, int]
    strengths: set[UUID]
    open_cases: dict[UUID, list[dict[str, Any]]]
    previous: dict[UUID, dict[str, Any]]


def _check_runner(acting_user: User | None, organization: Organization) -> None:
    if acting_user is None:
        return
    if acting_user.role not in POPULATION_RUNNERS:
        raise PermissionDenied("Your role may not stratify the population.")
    if acting_user.organization_id != organization.pk:
        raise PermissionDenied("You may stratify only your own organization.")


def _conditions(client_ids: Sequence[UUID]) -> dict[UUID, list[tuple[str, str, str]]]:
    rows = (
        Condition.objects.filter(client_id__in=client_ids, clinical_status=ConditionStatus.ACTIVE)
        .order_by()
        .values_list("client_id", "system", "code", "display")
    )
    found: dict[UUID, list[tuple[str, str, str]]] = defaultdict(list)
    for client_id, system, code, display in rows:
        found[client_id].append((system, code, display))
    return found


def _acute_use(client_ids: Sequence[UUID], *, since: datetime, until: datetime) -> dict[UUID, int]:
    """ED visits plus inpatient admissions per client in the window (one aggregate query)."""
    rows = (
        Utilization.objects.filter(
            client_id__in=client_ids,
            kind__in=ACUTE_KINDS,
            started_at__gte=since,
            started_at__lte=until,
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    return dict(rows)


def _strengths_assessed(client_ids: Sequence[UUID]) -> set[UUID]:
    return set(
        AssessmentResponse.objects.filter(
            client_id__in=client_ids,
            instrument__code=STRENGTHS_INSTRUMENT,
            status=ResponseStatus.COMPLETED,
        )
        .order_by()
        .values_list("client_id", flat=True)
        .distinct()
    )


def _open_cases(client_ids: Sequence[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    rows = (
        Case.objects.filter(client_id__in=client_ids)
        .exclude(status__in=FINISHED)
        .order_by()
        .values("id", "client_id", "program__model_id", "risk_tier", "weight", "screening_findings")
    )
    found: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row["client_id"]].append(dict(row))
    return found


_CARRIED = ("decision", "decided_model", "decided_by_id", "decided_at", "decision_reason")


def _previous(client_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """Current assessments that carry a supervisor's decision (the only ones worth reading)."""
    rows = (
        RiskAssessment.objects.filter(client_id__in=client_ids, is_current=True)
        .exclude(decision=Decision.PENDING)
        .order_by()
        .values("client_id", "tier", "recommended_model", *_CARRIED)
    )
    return {row["client_id"]: row for row in rows}


def _gather(
    client_ids: Sequence[UUID], *, model: RiskModelVersion | None, now: datetime
) -> _BatchInputs:
    return _BatchInputs(
        lace=lace_for_clients(client_ids, as_of=now),
        predictions=predict_for_clients(model, client_ids, as_of=now) if model else {},
        flags=flags_for_clients(client_ids),
        scores=latest_scores_for_clients(client_ids, SCORE_CODES),
        needs=open_needs_for_clients(client_ids),
        conditions=_conditions(client_ids),
        acute_use=_acute_use(client_ids, since=now - UTILIZATION_WINDOW, until=now),
        strengths=_strengths_assessed(client_ids),
        open_cases=_open_cases(client_ids),
        previous=_previous(client_ids),
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
) -> RiskAssessment:
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
    cases = inputs.open_cases.get(client_id, ())
    findings = [finding for case in cases for finding in case["screening_findings"] or ()]
    recommendation = recommend_model(
        ClientFacts(
            tier=tier.tier,
            conditions=conditions,
            screening_findings=findings,
            acute_use_12_months=inputs.acute_use.get(client_id, 0),
            charlson=charlson,
            scores=scores,
            flags=flags,
            social_needs=inputs.needs.get(client_id, ()),
            strengths_assessed=client_id in inputs.strengths,
        ),
        thresholds,
    )
    assessment = RiskAssessment(
        organization_id=organization_id,
        client_id=client_id,
        computed_at=now,
        is_current=True,
        lace_score=lace.score if lace else None,
        lace_breakdown=_lace_breakdown(lace) if lace else {},
        charlson_score=charlson if conditions else None,
        probability=prediction.probability if prediction else None,
        model_version=model if prediction else None,
        contributions=list(prediction.contributions) if prediction else [],
        flags=list(flags),
        tier=tier.tier,
        tier_reasons=tier.reasons,
        recommended_model=recommendation.model_kind,
        recommendation_reasons=recommendation.reasons,
    )
    # A supervisor's decision stands while what they decided on is unchanged.
    previous = inputs.previous.get(client_id)
    if (
        previous
        and previous["tier"] == assessment.tier
        and previous["recommended_model"] == assessment.recommended_model
    ):
        for name in _CARRIED:
            setattr(assessment, name, previous[name])
    return assessment


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
    assessments: Iterable[RiskAssessment],
    inputs: _BatchInputs,
    weights: _WeightTable,
    now: datetime,
) -> Counter[str]:
    """Set each open case's risk tier and caseload weight; one UPDATE per (tier, weight) group.

    Bumps ``version`` so that an edit based on the old values is refused as stale.
    """
    groups: dict[tuple[str, Decimal], list[UUID]] = defaultdict(list)
    moves: Counter[str] = Counter()
    for assessment in assessments:
        for case in inputs.open_cases.get(assessment.client_id, ()):
            weight = weights.weight(case["program__model_id"], assessment.tier)
            if case["risk_tier"] == assessment.tier and case["weight"] == weight:
                continue
            groups[(assessment.tier, weight)].append(case["id"])
            moves[f"{case['risk_tier'] or 'none'}→{assessment.tier}"] += 1
    for (tier, weight), case_ids in groups.items():
        Case.objects.filter(pk__in=case_ids).update(
            risk_tier=tier, weight=weight, version=F("version") + 1, updated_at=now
        )
    return moves


@transaction.atomic
def _stratify_batch(
    client_ids: Sequence[UUID],
    *,
    organization: Organization,
    thresholds: dict[str, Any],
    model: RiskModelVersion | None,
    weights: _WeightTable,
    acting_user: User | None,
    now: datetime,
    batch_number: int,
) -> tuple[list[RiskAssessment], Counter[str], int]:
    inputs = _gather(client_ids, model=model, now=now)
    assessments = [
        _assess(
            client_id,
            inputs,
            organization_id=organization.pk,
            thresholds=thresholds,
            model=model,
            now=now,
        )
        for client_id in client_ids
    ]
    RiskAssessment.objects.filter(client_id__in=client_ids, is_current=True).update(
        is_current=False
    )
    RiskAssessment.objects.bulk_create(assessments, batch_size=1000)
    moves = _update_cases(assessments, inputs, weights, now)
    tiers = Counter(a.tier for a in assessments)
    kept = sum(1 for a in assessments if a.decision != Decision.PENDING)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        object_type="risk.riskassessment",
        organization_id=organization.pk,
        detail={
            "operation": "stratify",
            "batch": batch_number,
            "clients": len(assessments),
            "tiers": dict(tiers),
            "recommended_models": dict(Counter(a.recommended_model or "none" for a in assessments)),
            "model_version": model.version if model else None,
            "cases_updated": sum(moves.values()),
            "case_tier_changes": dict(moves),
            "decisions_kept": kept,
        },
    )
    return assessments, moves, kept


def population_stratify(
    *,
    organization: Organization,
    acting_user: User | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
    as_of: datetime | None = None,
) -> StratifyResult:
    """Recompute every living client's tier and recommended model, set-based in batches.

    Per batch, a constant number of queries: the rule scores, predictions, flags, scores and
    needs through their set-based interfaces, conditions and utilization as aggregates, then one
    UPDATE that retires the previous assessments, one bulk INSERT of the new ones, one UPDATE per
    (tier, weight) group of open cases and **one** audit event with the counts.

    Each batch is its own transaction: a population run does not hold the database's write lock
    for minutes, and an interrupted run leaves every client either fully restratified or
    untouched (running it again finishes the job). A supervisor's decision is carried to the new
    assessment when the tier and the recommended model are unchanged; otherwise it returns to
    "pending" for review. ``acting_user`` is ``None`` when the system runs it (CLI, worker).
    """
    _check_runner(acting_user, organization)
    if batch_size < 1:
        raise ValidationFailed("batch_size must be at least 1.")
    thresholds = thresholds_for(organization)
    model = active_model(organization.pk)
    weights = _WeightTable(organization.pk)
    now = as_of or timezone.now()
    population = Client.objects.filter(organization=organization, deceased_date__isnull=True)
    total = population.count()
    result = StratifyResult(organization=organization.slug)
    started = time.perf_counter()
    last_id: UUID | None = None
    while True:
        page = population.order_by("id")
        if last_id is not None:
            page = page.filter(id__gt=last_id)
        client_ids = list(page.values_list("id", flat=True)[:batch_size])
        if not client_ids:
            break
        last_id = client_ids[-1]
        result.batches += 1
        assessments, moves, kept = _stratify_batch(
            client_ids,
            organization=organization,
            thresholds=thresholds,
            model=model,
            weights=weights,
            acting_user=acting_user,
            now=now,
            batch_number=result.batches,
        )
        result.clients += len(assessments)
        result.tiers.update(a.tier for a in assessments)
        result.recommendations.update(a.recommended_model or "none" for a in assessments)
        result.cases_updated += sum(moves.values())
        result.decisions_kept += kept
        if progress is not None:
            progress(result.clients, total)
    result.seconds = time.perf_counter() - started
    return result


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
    inputs = _gather([client.pk], model=model, now=now)
    assessment = _assess(
        client.pk,
        inputs,
        organization_id=organization.pk,
        thresholds=thresholds,
        model=model,
        now=now,
    )
    previous_tier = (
        RiskAssessment.objects.filter(client=client, is_current=True)
        .values_list("tier", flat=True)
        .first()
    )
    RiskAssessment.objects.filter(client=client, is_current=True).update(is_current=False)
    assessment.save(force_insert=True)
    moves = _update_cases([assessment], inputs, _WeightTable(organization.pk), now)
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
