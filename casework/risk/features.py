"""Features of the predictive model, extracted set-based for (client, index date) pairs.

Everything is read as it stood on the index date -- encounters that started, conditions whose
onset had come and that had not abated, scores observed and needs proposed on or before it -- so
training samples taken at past index dates do not see their own future (no leakage).

One load (:func:`load_history`, five queries per chunk of up to ``CHUNK`` clients) serves any
number of index dates; :func:`feature_matrix` then works in memory.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from uuid import UUID

import numpy as np
from django.db.models import F, OuterRef, Subquery

from casework.assessments.models import NeedStatus, Observation, ProposedNeed
from casework.clients.models import Client, Condition, Utilization, UtilizationKind
from casework.risk import charlson
from casework.risk.lace import (
    CONDITION_FIELDS,
    ENCOUNTER_FIELDS,
    CodedCondition,
    Encounter,
    LaceResult,
    RowReader,
    UtilizationHistory,
    condition_active_on,
    lace_at,
    lace_for_clients,
    local_date,
    months_before,
)

# Instrument total scores (LOINC): PHQ-9 total 44261-6, GAD-7 total 70274-6, AUDIT-C total
# 75626-2 (the codes the assessments app stores its score observations under).
SCORE_CODES: dict[str, str] = {"phq9": "44261-6", "gad7": "70274-6", "auditc": "75626-2"}
SCORE_NAMES: dict[str, str] = {"phq9": "PHQ-9", "gad7": "GAD-7", "auditc": "AUDIT-C"}
# Clients per query: well under SQLite's bound-parameter limit.
CHUNK = 5000


@dataclass(frozen=True)
class Feature:
    name: str
    description: str


CONDITION_FEATURES: tuple[str, ...] = (*charlson.CATEGORIES, *charlson.BEHAVIORAL)
FEATURES: tuple[Feature, ...] = (
    Feature("age", "Age in years on the index date"),
    Feature("female", "Administrative sex female (1) or not (0)"),
    *(
        Feature(key, f"{category.label} on record (active on the index date)")
        for key, category in {**charlson.CATEGORIES, **charlson.BEHAVIORAL}.items()
    ),
    Feature("ed_visits_6m", "ED visits in the 6 months before the index date"),
    Feature("ed_visits_12m", "ED visits in the 12 months before the index date"),
    Feature("admissions_6m", "Inpatient admissions in the 6 months before the index date"),
    Feature("admissions_12m", "Inpatient admissions in the 12 months before the index date"),
    *(
        Feature(name, f"Latest {SCORE_NAMES[name]} total score (LOINC {code}); missing → 0")
        for name, code in SCORE_CODES.items()
    ),
    Feature(
        "social_needs",
        "Open social needs: proposed or accepted needs plus active ICD-10-CM Z55-Z65 conditions",
    ),
    Feature("lace", "LACE index of the most recent admission (0 without one)"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(feature.name for feature in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: index for index, name in enumerate(FEATURE_NAMES)}


@dataclass
class ClientRecord:
    birth_date: date
    sex: str
    deceased_date: date | None


@dataclass
class PopulationHistory:
    """Everything the features need for a set of clients, up to ``until``."""

    until: datetime
    clients: dict[UUID, ClientRecord] = field(default_factory=dict)
    utilization: dict[UUID, UtilizationHistory] = field(default_factory=dict)
    conditions: dict[UUID, list[CodedCondition]] = field(default_factory=dict)
    # {client: {"phq9": ([effective_at ...], [value ...])}}, sorted by time
    scores: dict[UUID, dict[str, tuple[list[datetime], list[float]]]] = field(default_factory=dict)
    # {client: [(created_at, need key)]}
    needs: dict[UUID, list[tuple[datetime, str]]] = field(default_factory=dict)
    # LACE scores computed elsewhere for a single index date (``until``); None: from the rows.
    lace_scores: dict[UUID, int] | None = None

    def utilization_of(self, client_id: UUID) -> UtilizationHistory:
        return self.utilization.get(client_id) or UtilizationHistory()


def _need_key(system: str, code: str) -> str:
    if charlson.is_icd10(system, code):
        return "icd10:" + charlson.normalize_icd10(code)
    return f"{system}|{code}"


@lru_cache(maxsize=20_000)
def _meaning(system: str, code: str) -> tuple[frozenset[str], str]:
    """A code's categories and, for a social-needs code, its need key (cached: a population
    has few distinct codes)."""
    need = _need_key(system, code) if charlson.is_social_need(system, code) else ""
    return charlson.categories_for_code(system, code), need


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# Observation statuses that do not count as a score (FHIR ObservationStatus).
NOT_A_RESULT = ("entered-in-error", "cancelled", "registered", "preliminary")


def _latest_observation(until: datetime) -> Subquery:
    return Subquery(
        Observation.objects.filter(
            client_id=OuterRef("client_id"),
            code=OuterRef("code"),
            effective_at__lte=until,
            value_decimal__isnull=False,
        )
        .exclude(status__in=NOT_A_RESULT)
        .order_by("-effective_at")
        .values("effective_at")[:1]
    )


def load_history(
    client_ids: Iterable[UUID],
    *,
    until: datetime,
    since: datetime | None = None,
    latest_scores_only: bool = False,
) -> PopulationHistory:
    """Clients, encounters, conditions, score observations and needs up to ``until``.

    For features at ``until`` alone, ``since`` limits encounters to the look-back the counts
    need and ``latest_scores_only`` fetches one observation per client and score (the LACE
    score then comes from :func:`casework.risk.lace.lace_for_clients`).
    """
    history = PopulationHistory(until=until)
    ids = list(dict.fromkeys(client_ids))
    codes = {code: name for name, code in SCORE_CODES.items()}
    for chunk in _chunks(ids):
        read = RowReader(chunk)
        for pk, birth_date, sex, deceased in read.rows(
            Client.objects.filter(read.member("id"))
            .order_by()
            .values_list("id", "birth_date", "sex", "deceased_date"),
            (read.client, read.day, None, read.day),
        ):
            history.clients[pk] = ClientRecord(birth_date, sex, deceased)

        encounters: dict[UUID, list[Encounter]] = defaultdict(list)
        utilization = Utilization.objects.filter(
            read.member("client_id"),
            kind__in=[UtilizationKind.INPATIENT, UtilizationKind.EMERGENCY],
            started_at__lte=until,
        ).order_by()
        if since is None:
            for client_id, pk, kind, started, ended, acute in read.rows(
                utilization.values_list(*ENCOUNTER_FIELDS),
                (read.client, None, None, read.moment, read.moment, read.flag),
            ):
                encounters[client_id].append(Encounter(str(pk), kind, started, ended, acute))
        else:
            # Only counted: the start and the kind are all that is read.
            for client_id, kind, started in read.rows(
                utilization.filter(started_at__gt=since).values_list(
                    "client_id", "kind", "started_at"
                ),
                (read.client, None, read.moment),
            ):
                encounters[client_id].append(Encounter("", kind, started, None, False))
        for client_id, rows in encounters.items():
            history.utilization[client_id] = UtilizationHistory.from_encounters(rows)

        for client_id, *values in read.rows(
            Condition.objects.filter(read.member("client_id"))
            .order_by()
            .values_list(*CONDITION_FIELDS),
            (read.client, None, None, read.day, read.day, None),
        ):
            history.conditions.setdefault(client_id, []).append(CodedCondition(*values))

        observed: dict[UUID, dict[str, list[tuple[datetime, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        scores = Observation.objects.filter(
            read.member("client_id"),
            code__in=list(codes),
            effective_at__lte=until,
            value_decimal__isnull=False,
        ).exclude(status__in=NOT_A_RESULT)
        if latest_scores_only:
            scores = scores.annotate(latest=_latest_observation(until)).filter(
                effective_at=F("latest")
            )
        for client_id, code, value, effective_at in read.rows(
            scores.order_by().values_list("client_id", "code", "value_decimal", "effective_at"),
            (read.client, None, read.number, read.moment),
        ):
            if value is not None:
                observed[client_id][codes[code]].append((effective_at, value))
        for client_id, by_name in observed.items():
            history.scores[client_id] = {}
            for name, points in by_name.items():
                points.sort(key=lambda point: point[0])
                history.scores[client_id][name] = (
                    [moment for moment, _ in points],
                    [value for _, value in points],
                )

        for client_id, system, code, created_at in read.rows(
            ProposedNeed.objects.filter(
                read.member("client_id"),
                status__in=[NeedStatus.PROPOSED, NeedStatus.ACCEPTED],
                created_at__lte=until,
            )
            .order_by()
            .values_list("client_id", "system", "code", "created_at"),
            (read.client, None, None, read.moment),
        ):
            history.needs.setdefault(client_id, []).append((created_at, _need_key(system, code)))
    return history


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


@dataclass(frozen=True)
class IndexDate:
    """An index date with its look-back boundaries, worked out once for every client."""

    moment: datetime
    day: date
    six_months: datetime
    twelve_months: datetime

    @classmethod
    def of(cls, moment: datetime) -> IndexDate:
        return cls(moment, local_date(moment), months_before(moment, 6), months_before(moment, 12))


def feature_vector(
    history: PopulationHistory, client_id: UUID, when: datetime | IndexDate
) -> list[float]:
    """The features of one client on one index date, in ``FEATURE_NAMES`` order. Missing
    instrument scores are NaN (the model's pipeline imputes them)."""
    when = when if isinstance(when, IndexDate) else IndexDate.of(when)
    index, day = when.moment, when.day
    record = history.clients[client_id]
    utilization = history.utilization_of(client_id)
    conditions = history.conditions.get(client_id, [])

    present: set[str] = set()
    social: set[str] = set()
    for condition in conditions:
        if not condition_active_on(condition, day):
            continue
        categories, need = _meaning(condition.system, condition.code)
        present.update(categories)
        if need:
            social.add(need)
    present = charlson.apply_hierarchy(present)
    for created_at, key in history.needs.get(client_id, []):
        if created_at <= index:
            social.add(key)

    six_months, twelve_months = when.six_months, when.twelve_months
    inpatient, emergency = UtilizationKind.INPATIENT, UtilizationKind.EMERGENCY
    scores: list[float] = []
    client_scores = history.scores.get(client_id, {})
    for name in SCORE_CODES:
        times, values = client_scores.get(name, ([], []))
        position = bisect.bisect_right(times, index)
        scores.append(values[position - 1] if position else math.nan)
    if history.lace_scores is not None:
        lace_score = history.lace_scores.get(client_id, 0)
    else:
        lace = lace_at(utilization, conditions, index)
        lace_score = lace.score if lace else 0

    return [
        float(age_on(record.birth_date, day)),
        1.0 if record.sex == "female" else 0.0,
        *(1.0 if key in present else 0.0 for key in CONDITION_FEATURES),
        float(utilization.count(emergency, six_months, index)),
        float(utilization.count(emergency, twelve_months, index)),
        float(utilization.count(inpatient, six_months, index)),
        float(utilization.count(inpatient, twelve_months, index)),
        *scores,
        float(len(social)),
        float(lace_score),
    ]


def feature_matrix(
    history: PopulationHistory, samples: Sequence[tuple[UUID, datetime]]
) -> np.ndarray:
    """One row per (client, index date) sample."""
    matrix = np.empty((len(samples), len(FEATURE_NAMES)), dtype=float)
    dates: dict[datetime, IndexDate] = {}
    for row, (client_id, index) in enumerate(samples):
        when = dates.get(index) or dates.setdefault(index, IndexDate.of(index))
        matrix[row] = feature_vector(history, client_id, when)
    return matrix


def features_for_clients(
    client_ids: Iterable[UUID],
    *,
    as_of: datetime,
    lace: Mapping[UUID, LaceResult] | None = None,
) -> tuple[list[UUID], np.ndarray]:
    """Features of each existing client on ``as_of`` (rows in the order of the returned ids).

    Five queries per chunk of up to ``CHUNK`` clients, and LACE's three unless ``lace`` (the
    caller's :func:`lace_for_clients` result for the same ``as_of``) is given."""
    wanted = list(dict.fromkeys(client_ids))
    since = months_before(as_of, 12) - timedelta(days=1)
    history = load_history(wanted, until=as_of, since=since, latest_scores_only=True)
    ids = [client_id for client_id in wanted if client_id in history.clients]
    if lace is None:
        lace = {}
        for chunk in _chunks(ids):
            lace.update(lace_for_clients(chunk, as_of=as_of))
    history.lace_scores = {client_id: result.score for client_id, result in lace.items()}
    return ids, feature_matrix(history, [(client_id, as_of) for client_id in ids])


def outcome_between(
    history: PopulationHistory, client_id: UUID, start: datetime, days: int
) -> bool:
    """An ED visit or inpatient admission starting in (start, start + days]."""
    return history.utilization_of(client_id).any_between(start, start + timedelta(days=days))


# ----------------------------------------------------------------------------------------------
# Human labels for explanations

# Features that measure the same thing from different angles are explained together: their
# contributions are summed, so that correlated counts (6 and 12 months) never show up as one
# raising and the other lowering the risk. The first feature is the group's headline value.
EXPLANATION_GROUPS: dict[str, tuple[str, ...]] = {
    "ed_visits": ("ed_visits_12m", "ed_visits_6m"),
    "hospital_stays": ("admissions_12m", "admissions_6m", "lace"),
}
GROUP_OF: dict[str, str] = {
    name: group for group, names in EXPLANATION_GROUPS.items() for name in names
}


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_group(group: str, values: dict[str, float]) -> str:
    """The label of a group of features, e.g. "3 ED visits in the last 12 months (2 in the last
    6 months)"."""
    if group == "ed_visits":
        year, half = round(values["ed_visits_12m"]), round(values["ed_visits_6m"])
        if year == 0:
            return "No ED visits in the last 12 months"
        visits = _plural(year, "ED visit", "ED visits")
        return f"{visits} in the last 12 months ({half} in the last 6 months)"
    year, half = round(values["admissions_12m"]), round(values["admissions_6m"])
    lace = round(values["lace"])
    if year == 0:
        suffix = f" (LACE {lace} for an earlier stay)" if lace else ""
        return f"No hospital admissions in the last 12 months{suffix}"
    stays = _plural(year, "hospital admission", "hospital admissions")
    return f"{stays} in the last 12 months ({half} in the last 6 months); LACE {lace}"


def describe(name: str, value: float) -> str:
    """A case manager's reading of one feature value, e.g. "3 ED visits in the last 6 months"."""
    if name in charlson.CATEGORIES or name in charlson.BEHAVIORAL:
        label = {**charlson.CATEGORIES, **charlson.BEHAVIORAL}[name].label
        return f"{label} on record" if value >= 0.5 else f"No {label.lower()} on record"
    if name in SCORE_CODES:
        instrument = SCORE_NAMES[name]
        if math.isnan(value):
            return f"No {instrument} score on record"
        return f"Latest {instrument} score {value:g}"
    count = 0 if math.isnan(value) else round(value)
    match name:
        case "age":
            return f"Age {count}"
        case "female":
            return "Female" if count else "Male, other or unknown sex"
        case "ed_visits_6m" | "ed_visits_12m":
            months = 6 if name.endswith("6m") else 12
            if count == 0:
                return f"No ED visits in the last {months} months"
            return f"{_plural(count, 'ED visit', 'ED visits')} in the last {months} months"
        case "admissions_6m" | "admissions_12m":
            months = 6 if name.endswith("6m") else 12
            if count == 0:
                return f"No hospital admissions in the last {months} months"
            noun = _plural(count, "hospital admission", "hospital admissions")
            return f"{noun} in the last {months} months"
        case "social_needs":
            if count == 0:
                return "No open social needs"
            return _plural(count, "open social need", "open social needs")
        case "lace":
            if count == 0:
                return "No recent hospital stay scored by LACE (LACE 0)"
            return f"LACE {count} for the most recent hospital stay"
    return f"{name} = {value:g}"
