"""The LACE index (van Walraven et al., CMAJ 2010) from a client's utilization and conditions.

Interface used by stratification (set-based: a constant number of queries per batch).

LACE scores an inpatient stay for the risk of death or unplanned readmission within 30 days of
discharge (van Walraven C, Dhalla IA, Bell C, et al. "Derivation and validation of an index to
predict early death or unplanned readmission after discharge from hospital to the community."
*CMAJ* 2010;182(6):551-557, doi:10.1503/cmaj.091117). The point table is the original one
(maximum 19), as reproduced in Wang H et al., *BMC Cardiovasc Disord* 2014;14:97, Table 1:

* **L**, length of stay in days (discharge date minus admission date, so a same-day stay is 0):
  <1 → 0, 1 → 1, 2 → 2, 3 → 3, 4-6 → 4, 7-13 → 5, ≥14 → 7.
* **A**, acute (emergent) admission → 3. An admission is acute when its record says so or when
  the client came in through the emergency department (an ED visit in the 24 hours before).
* **C**, comorbidity: the LACE-weighted Charlson total (:mod:`casework.risk.charlson`) over the
  conditions active at admission (onset on or before the admission date, not abated before it):
  0-3 → the total, ≥4 → 5.
* **E**, ED visits in the six months before admission, not counting the visit that led to this
  admission: 0-3 → the count, ≥4 → 4.

Bands (docs/risk.md): 0-4 low, 5-9 moderate, ≥10 high -- the cut-offs of Wang 2014 and the
``cliot`` R package; "the threshold at 10 of this index has been commonly used" (Intern Emerg Med
2020).
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connections
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    Lookup,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from casework.clients.models import Condition, ConditionStatus, Utilization, UtilizationKind
from casework.risk import charlson


@dataclass
class LaceResult:
    score: int
    length_of_stay_days: int
    acute: bool
    charlson: int
    ed_visits_6_months: int
    points: dict[str, int] = field(default_factory=dict)  # {"L": 4, "A": 3, "C": 5, "E": 2}
    admission_id: str | None = None
    comorbidities: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


# ED visit that "led to" an admission: the latest one starting this long before it, or less.
ADMITTED_VIA_ED_WITHIN = timedelta(hours=24)
ED_LOOKBACK_MONTHS = 6
# (lowest score, band); Wang 2014 Table 1 and cliot: 0-4 low, 5-9 moderate, >9 high.
LACE_BANDS: tuple[tuple[int, str], ...] = ((10, "high"), (5, "moderate"), (0, "low"))


def lace_band(score: int) -> str:
    return next(band for lowest, band in LACE_BANDS if score >= lowest)


def length_of_stay_points(days: int) -> int:
    if days < 1:
        return 0
    if days <= 3:
        return days
    if days <= 6:
        return 4
    if days <= 13:
        return 5
    return 7


def acuity_points(acute: bool) -> int:
    return 3 if acute else 0


def comorbidity_points(total: int) -> int:
    """The LACE "C": the total itself up to 3, then 5 (Charlson 3 → 3, but 4 → 5)."""
    return total if total <= 3 else 5


def ed_visit_points(visits: int) -> int:
    return min(visits, 4)


# ----------------------------------------------------------------------------------------------
# In-memory history rows (shared with the feature extractor)


class Encounter(NamedTuple):
    id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    acute: bool


class CodedCondition(NamedTuple):
    system: str
    code: str
    onset_date: date | None
    abatement_date: date | None
    clinical_status: str


ENCOUNTER_FIELDS = ("client_id", "id", "kind", "started_at", "ended_at", "acute")
CONDITION_FIELDS = (
    "client_id",
    "system",
    "code",
    "onset_date",
    "abatement_date",
    "clinical_status",
)


@dataclass
class UtilizationHistory:
    """One client's admissions and ED visits, each sorted by start."""

    admissions: list[Encounter] = field(default_factory=list)
    ed_visits: list[Encounter] = field(default_factory=list)
    admission_starts: list[datetime] = field(default_factory=list)
    ed_starts: list[datetime] = field(default_factory=list)

    @classmethod
    def from_encounters(cls, encounters: Iterable[Encounter]) -> UtilizationHistory:
        history = cls()
        for encounter in sorted(encounters, key=lambda e: e.started_at):
            if encounter.kind == UtilizationKind.INPATIENT:
                history.admissions.append(encounter)
                history.admission_starts.append(encounter.started_at)
            elif encounter.kind == UtilizationKind.EMERGENCY:
                history.ed_visits.append(encounter)
                history.ed_starts.append(encounter.started_at)
        return history

    def count(self, kind: str, start: datetime, end: datetime) -> int:
        """Encounters of ``kind`` starting in the half-open window (start, end]."""
        starts = self.admission_starts if kind == UtilizationKind.INPATIENT else self.ed_starts
        return bisect.bisect_right(starts, end) - bisect.bisect_right(starts, start)

    def any_between(self, start: datetime, end: datetime) -> bool:
        """An admission or ED visit starting in (start, end]."""
        return (
            self.count(UtilizationKind.INPATIENT, start, end) > 0
            or self.count(UtilizationKind.EMERGENCY, start, end) > 0
        )


def months_before(moment: datetime, months: int) -> datetime:
    """The same local time ``months`` calendar months earlier (the day clamped to the month)."""
    local = moment.astimezone(timezone.get_default_timezone())
    month_index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return local.replace(year=year, month=month, day=min(local.day, last_day))


def local_date(moment: datetime) -> date:
    """The calendar date in the agency's time zone (``TIME_ZONE``), whoever is looking."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def local_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.get_default_timezone()).isoformat()


def condition_active_on(condition: CodedCondition, day: date) -> bool:
    """Onset on or before ``day`` (unknown onset counts) and not abated before it. A resolved or
    inactive condition without an abatement date is taken as resolved before ``day``."""
    if condition.onset_date is not None and condition.onset_date > day:
        return False
    if condition.abatement_date is not None:
        return condition.abatement_date >= day
    return condition.clinical_status == ConditionStatus.ACTIVE


def lace_at(
    history: UtilizationHistory, conditions: Sequence[CodedCondition], as_of: datetime
) -> LaceResult | None:
    """LACE for the most recent admission starting on or before ``as_of`` (None without one).

    Only what was known at ``as_of`` is used: a stay still open then (or discharged later) is
    measured up to ``as_of``.
    """
    position = bisect.bisect_right(history.admission_starts, as_of)
    if position == 0:
        return None
    admission = history.admissions[position - 1]
    admitted = admission.started_at
    ended = admission.ended_at
    in_progress = ended is None or ended > as_of
    discharged = ended if ended is not None and ended <= as_of else as_of
    stay_days = max(0, (local_date(discharged) - local_date(admitted)).days)

    # ED visits starting in [admission - 6 months, admission].
    window_start = months_before(admitted, ED_LOOKBACK_MONTHS)
    low = bisect.bisect_left(history.ed_starts, window_start)
    high = bisect.bisect_right(history.ed_starts, admitted)
    visits = history.ed_visits[low:high]
    leading: Encounter | None = None
    if visits and admitted - visits[-1].started_at <= ADMITTED_VIA_ED_WITHIN:
        leading = visits[-1]
        visits = visits[:-1]

    acute = admission.acute or leading is not None
    admission_day = local_date(admitted)
    found: dict[str, list[str]] = defaultdict(list)
    for condition in conditions:
        if not condition_active_on(condition, admission_day):
            continue
        for category in charlson.categories_for_code(condition.system, condition.code):
            if category in charlson.CATEGORIES:
                found[category].append(condition.code)
    counted = charlson.apply_hierarchy(found)
    comorbidity_total = charlson.lace_comorbidity_total(counted)
    points = {
        "L": length_of_stay_points(stay_days),
        "A": acuity_points(acute),
        "C": comorbidity_points(comorbidity_total),
        "E": ed_visit_points(len(visits)),
    }
    score = sum(points.values())
    acute_source = ""
    if admission.acute:
        acute_source = "admission record"
    elif acute:
        acute_source = "admitted through the ED"
    ordered = sorted(counted, key=lambda key: (-charlson.CATEGORIES[key].lace_weight, key))
    return LaceResult(
        score=score,
        length_of_stay_days=stay_days,
        acute=acute,
        charlson=comorbidity_total,
        ed_visits_6_months=len(visits),
        points=points,
        admission_id=admission.id,
        comorbidities=[charlson.CATEGORIES[key].label for key in ordered],
        detail={
            "band": lace_band(score),
            "admitted_at": local_iso(admitted),
            "discharged_at": None if in_progress else local_iso(discharged),
            "in_progress": in_progress,
            "acute_source": acute_source,
            "ed_visits": [local_iso(visit.started_at) for visit in visits],
            "ed_visit_leading_to_admission": local_iso(leading.started_at) if leading else None,
            "ed_window_start": local_iso(window_start),
            "comorbidities": [
                {
                    "category": key,
                    "label": charlson.CATEGORIES[key].label,
                    "lace_weight": charlson.CATEGORIES[key].lace_weight,
                    "codes": sorted(set(found[key])),
                }
                for key in ordered
            ],
            "charlson_index": charlson.charlson_index(counted),
            "as_of": local_iso(as_of),
        },
    )


# ----------------------------------------------------------------------------------------------
# Reading many rows fast

Convert = Callable[[Any], Any] | None


def _sqlite_moment(value: datetime | str) -> datetime:
    # Django keeps aware datetimes in SQLite as naive UTC ("2025-03-10 14:00:00.123456"); its
    # sqlite3 type converters have already parsed declared datetime columns.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _sqlite_day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class InBatch(Lookup):
    """``field IN (the batch)`` with the batch as one parameter: Django prepares every value of
    an ``__in`` list one by one, on every query, which costs more than running it on batches of
    thousands. PostgreSQL gets ``= ANY(uuid[])`` (a plain index or hash condition, whatever the
    statistics say); SQLite a JSON array of hex ids; other databases the usual ``IN``."""

    lookup_name = "in_batch"
    prepare_rhs = False

    def _lhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = self.process_lhs(compiler, connection)
        return sql, list(params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self._lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self._lhs(compiler, connection)
        hexes = json.dumps([value.hex for value in self.rhs])
        # ``lhs`` is the compiled column; the ids travel as a parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, hexes]  # noqa: S608

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self._lhs(compiler, connection)
        return f"{lhs} = ANY(%s::uuid[])", [*params, list(self.rhs)]


class RowReader:
    """Reads ``values_list`` querysets without Django's per-value converters, which cost more
    than the query itself on batches of thousands of clients. With SQLite, UUIDs come back as
    hex and datetimes as naive UTC; PostgreSQL (psycopg) already gives UUID, date and aware
    datetime objects. Other databases go through Django's usual path."""

    def __init__(self, client_ids: Iterable[UUID], using: str = "default") -> None:
        self.using = using
        vendor = connections[using].vendor
        self.fast = vendor in ("sqlite", "postgresql")
        sqlite = vendor == "sqlite"
        self.ids = list(client_ids)
        by_hex = {client_id.hex: client_id for client_id in self.ids} if sqlite else {}
        self.client: Convert = by_hex.__getitem__ if sqlite else None
        self.uuid: Convert = (lambda value: str(UUID(hex=value))) if sqlite else str
        self.moment: Convert = _sqlite_moment if sqlite else None
        self.day: Convert = _sqlite_day if sqlite else None
        self.number: Convert = float  # psycopg reads numeric as Decimal
        self.flag: Convert = None  # both drivers already give bool

    def member(self, field: str) -> InBatch:
        """A filter: ``field`` is one of this batch's client ids."""
        return InBatch(F(field), self.ids)

    def rows(self, queryset: QuerySet[Any, Any], converters: Sequence[Convert]) -> list[tuple]:
        """The rows of a ``values_list`` queryset, each column through its converter."""
        if not self.fast:
            raw: list[tuple] = [tuple(row) for row in queryset]
            converters = [self.number if c is self.number else None for c in converters]
        else:
            sql, params = queryset.query.sql_with_params()
            with connections[self.using].cursor() as cursor:
                cursor.execute(sql, params)
                raw = cursor.fetchall()
        work = [(index, convert) for index, convert in enumerate(converters) if convert]
        if not raw or not work:
            return raw
        # Column by column: one comprehension per converted column beats a generator per row.
        columns: list[Sequence[Any]] = list(zip(*raw, strict=True))
        for index, convert in work:
            columns[index] = [None if value is None else convert(value) for value in columns[index]]
        return list(zip(*columns, strict=True))


# ----------------------------------------------------------------------------------------------
# Set-based entry point


def _latest_admission_start(as_of: datetime) -> Subquery:
    """The start of the client's (the outer row's) latest admission on or before ``as_of``."""
    return Subquery(
        Utilization.objects.filter(
            client_id=OuterRef("client_id"),
            kind=UtilizationKind.INPATIENT,
            started_at__lte=as_of,
        )
        .order_by("-started_at")
        .values("started_at")[:1]
    )


def lace_for_clients(
    client_ids: Iterable[UUID], *, as_of: datetime | None = None
) -> dict[UUID, LaceResult]:
    """LACE for the most recent inpatient admission of each client (clients without one are
    absent from the result).

    Three queries whatever the number of clients: each client's latest admission, the ED visits
    in the six months before it, and the conditions of the clients who have an admission. The
    database does the narrowing (a correlated subquery on the utilization index), so only the
    rows LACE reads come back.
    """
    as_of = as_of or timezone.now()
    ids = list(client_ids)
    if not ids:
        return {}
    read = RowReader(ids)
    admissions: dict[UUID, Encounter] = {}
    rows = read.rows(
        Utilization.objects.filter(
            read.member("client_id"), kind=UtilizationKind.INPATIENT, started_at__lte=as_of
        )
        .annotate(latest=_latest_admission_start(as_of))
        .filter(started_at=F("latest"))
        .order_by()
        .values_list(*ENCOUNTER_FIELDS),
        (read.client, read.uuid, None, read.moment, read.moment, read.flag),
    )
    for client_id, pk, kind, started, ended, acute in rows:
        encounter = Encounter(pk, kind, started, ended, acute)
        if client_id not in admissions or encounter.id > admissions[client_id].id:
            admissions[client_id] = encounter  # two admissions at the same moment: either
    if not admissions:
        return {}
    admitted_ids = list(admissions)
    admitted = RowReader(admitted_ids)
    ed_visits: dict[UUID, list[Encounter]] = defaultdict(list)
    # A superset of each window (the exact calendar months are applied in lace_at).
    window = ExpressionWrapper(
        F("latest") - timedelta(days=31 * ED_LOOKBACK_MONTHS + 7), output_field=DateTimeField()
    )
    ed_rows = read.rows(
        Utilization.objects.filter(admitted.member("client_id"), kind=UtilizationKind.EMERGENCY)
        .annotate(latest=_latest_admission_start(as_of))
        .annotate(window_start=window)
        .filter(started_at__lte=F("latest"), started_at__gte=F("window_start"))
        .order_by()
        .values_list("client_id", "started_at"),
        (read.client, read.moment),
    )
    emergency = UtilizationKind.EMERGENCY
    for client_id, started in ed_rows:
        ed_visits[client_id].append(Encounter("", emergency, started, None, True))
    conditions: dict[UUID, list[CodedCondition]] = defaultdict(list)
    condition_rows = read.rows(
        Condition.objects.filter(admitted.member("client_id"))
        .order_by()
        .values_list(*CONDITION_FIELDS),
        (read.client, None, None, read.day, read.day, None),
    )
    for client_id, *values in condition_rows:
        conditions[client_id].append(CodedCondition(*values))

    results: dict[UUID, LaceResult] = {}
    for client_id in admitted_ids:
        history = UtilizationHistory.from_encounters([admissions[client_id], *ed_visits[client_id]])
        result = lace_at(history, conditions[client_id], as_of)
        if result is not None:
            results[client_id] = result
    return results
