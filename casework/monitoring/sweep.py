"""The sweep: evaluate every enabled prompt rule, open the work that is due, close what cleared,
escalate what slipped.

``sweep_run`` (``casework sweep``, and ``casework worker`` on its schedule) goes through
``SWEEP_RULES`` in order. For each rule kind its evaluator (``casework.monitoring.rules``) returns
the items that SHOULD be open now, from a few set-based queries; the reconciler here then

* creates the wanted items that are not open yet -- in bulk, with one ``audit_record_many`` per
  batch -- unless a person already completed or cancelled the same item (same kind, source and
  assignee: the per-period source id, e.g. ``<case>:<due date>``, makes "the same" mean "for the
  same period"); items the sweep itself resolved earlier come back if their condition returns;
* closes, as ``resolved``, the open items of the kind (made by the sweep or by a service with the
  same keys) that are no longer wanted: the condition cleared. It never moves an item between
  people: an open item of the same source held by someone else (reassigned by hand, or the case
  changed hands) stands for the wanted one;
* raises the priority of an open item whose rule now asks for more (an expired credential).

Then the escalation pass: open items overdue by more than their rule's ``escalate_after_days``
(else their model's ``overdue_escalation_days``), not snoozed, get ``escalated_at``, and the
supervisors of the case's team (of the holder's teams, for an item about no case) are notified.
The item itself is the escalation: it shows on those supervisors' Team work under "Escalated to
you" (``escalations_to``) until it closes or is snoozed -- no second item to keep in step.

``sweep_cases(case_ids=...)`` runs the same for a few cases inside the caller's transaction, so
logging a contact closes its "contact due" item at once. Nothing here is per case: the number of
queries depends on the number of models and rule kinds, not on the number of cases.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from casework.accounts.models import Organization, User
from casework.audit.models import Action
from casework.audit.services import AuditEntry, audit_record_many
from casework.cases.models import Case
from casework.core.bulk import fast_bulk_insert, fast_values, fast_values_list
from casework.monitoring.models import (
    CloseReason,
    Priority,
    PromptRule,
    RuleKind,
    WorkItem,
    WorkItemStatus,
)
from casework.monitoring.rules import EVALUATORS, Context, Evaluator, Wanted
from casework.monitoring.rules.base import as_uuid, chunks
from casework.monitoring.selectors.work_items import Supervision, supervision
from casework.monitoring.services.notifications import notify_escalated, notify_work_items_created
from casework.programs.models import CaseManagementModel

ESCALATION = "escalation"
PRIORITY_RANK: dict[str, int] = {"routine": 0, "urgent": 1, "asap": 2}
# Closed items that do NOT stop the same item being made again: what the sweep resolved itself
# (the condition came back) and what moved to someone else.
REOPENABLE = [CloseReason.RESOLVED, CloseReason.REASSIGNED]
CREATE_BATCH = 5000
# SQLite page cache of a whole sweep, in KiB (see _sqlite_cache).
SWEEP_SQLITE_CACHE_KB = 262_144
# Rows of each index ANALYZE samples before a whole sweep on SQLite (see _sqlite_cache).
SWEEP_SQLITE_ANALYSIS_LIMIT = 400
# Work items one audit event names at most (a sweep writes 100,000s: one event per item would
# spend most of the sweep hashing the chain). DESIGN: a list is one event naming the ids.
AUDIT_BATCH = 500
WORK_ITEM_TYPE = "monitoring.workitem"


@dataclass(frozen=True)
class SweepRule:
    kind: str
    name: str


# The order the sweep goes in; escalation last, so an item made overdue escalates in the same run.
SWEEP_RULES: list[SweepRule] = [SweepRule(str(kind), str(kind.label)) for kind in RuleKind] + [
    SweepRule(ESCALATION, "Escalation to the supervisor")
]


@dataclass
class RuleReport:
    kind: str
    name: str
    created: int = 0
    resolved: int = 0
    escalated: int = 0


@dataclass
class SweepReport:
    """Per rule kind: items created, resolved (closed because the condition cleared) and
    escalated; the ``escalation`` row counts every item escalated in the run."""

    rules: dict[str, RuleReport] = field(default_factory=dict)
    seconds: float = 0.0

    def of(self, kind: str) -> RuleReport:
        return self.rules[kind]

    @property
    def created(self) -> int:
        return sum(rule.created for rule in self.rules.values())

    @property
    def resolved(self) -> int:
        return sum(rule.resolved for rule in self.rules.values())

    @property
    def escalated(self) -> int:
        row = self.rules.get(ESCALATION)
        return row.escalated if row is not None else 0


Progress = Callable[[RuleReport], None]


def sweep_run(
    *,
    now: datetime | None = None,
    organization: Organization | None = None,
    case_ids: Iterable[UUID] | None = None,
    progress: Progress | None = None,
    kinds: Iterable[str] | None = None,
    staff_ids: Iterable[UUID] | None = None,
    acting_user: User | None = None,
) -> SweepReport:
    """Run the prompt rules (all of them, or ``kinds``) over every open case -- or only
    ``case_ids`` (and the staff rules for ``staff_ids``) -- and report per rule what was
    created, resolved and escalated. Each rule kind is one transaction (or part of the
    caller's)."""
    started = time.perf_counter()
    now = now or timezone.now()
    only = set(kinds) if kinds is not None else None
    ctx = Context(
        now=now,
        organization_id=organization.pk if organization is not None else None,
        case_ids=list(case_ids) if case_ids is not None else None,
        staff_ids=list(staff_ids) if staff_ids is not None else None,
    )
    report = SweepReport(
        rules={rule.kind: RuleReport(rule.kind, rule.name) for rule in SWEEP_RULES}
    )
    all_rules = list(_rules(ctx))
    _load_teams(ctx)
    people = _People(ctx)
    escalator = _Escalator(ctx, all_rules) if only is None or ESCALATION in only else None
    with _sqlite_cache(large=not ctx.partial), _without_cyclic_gc(whole=not ctx.partial):
        _run_rules(ctx, report, only, all_rules, people, escalator, acting_user, progress)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _without_cyclic_gc(*, whole: bool) -> Iterator[None]:
    """A whole sweep holds 100,000s of objects until it ends (the rows it read, the items it
    wants) and makes no reference cycles worth collecting; CPython's cyclic collector, triggered
    by the allocations, walks those live objects again and again as they age (measured at
    100,000 cases: 1 to 1.8 s of a 9 s sweep, for nothing freed). It is off for the sweep and
    back on after (unless the caller had turned it off); reference counting frees memory as
    usual meanwhile. Partial sweeps (a request's few cases) leave it alone."""
    if not whole or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def _sqlite_cache(*, large: bool) -> Iterator[None]:
    """Two things a whole sweep on SQLite needs that an ordinary request does not.

    * Fresh planner statistics: without ``sqlite_stat1`` SQLite guesses join orders (it read
      every case to find 3,000 discharges). ``ANALYZE`` under ``SWEEP_SQLITE_ANALYSIS_LIMIT``
      samples each index instead of reading it whole: about 10 ms at 100,000 cases. PostgreSQL
      keeps its statistics itself (autovacuum).
    * A larger page cache: the sweep writes 100,000s of rows into a table with several indexes;
      with SQLite's default cache (2 MB) most index pages are read again for every batch. This
      connection gets ``SWEEP_SQLITE_CACHE_KB`` for the sweep, then its own back.
    * One checkpoint: each rule kind commits, and by default every commit that leaves more than
      1,000 pages in the write-ahead log copies them into the database file (and syncs it). The
      same index pages change in every rule's transaction; checkpointing once at the end writes
      each of them once."""
    if not large or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {int(SWEEP_SQLITE_ANALYSIS_LIMIT)}")
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(SWEEP_SQLITE_CACHE_KB)}")
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint_pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
            if not connection.in_atomic_block:  # (inside a transaction the next commit does it)
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _run_rules(
    ctx: Context,
    report: SweepReport,
    only: set[str] | None,
    all_rules: list[PromptRule],
    people: _People,
    escalator: _Escalator | None,
    acting_user: User | None,
    progress: Progress | None,
) -> None:
    for sweep_rule in SWEEP_RULES:
        kind = sweep_rule.kind
        if only is not None and kind not in only:
            continue
        if kind != ESCALATION and ctx.partial and not _in_scope(ctx, EVALUATORS[kind]):
            continue
        row = report.rules[kind]
        wanted: list[Wanted] = []
        if kind != ESCALATION:
            # Reads only, before the write transaction: SQLite's write lock is held for the
            # writes, not while the rules read cases, plans and referrals.
            ctx.rules = [rule for rule in all_rules if rule.kind == kind and rule.enabled]
            wanted = EVALUATORS[kind].evaluate(ctx) if ctx.rules else []
        with transaction.atomic():
            if kind == ESCALATION:
                if escalator is not None:
                    _escalate(ctx, escalator, report, acting_user)
            else:
                created, resolved = _reconcile(
                    ctx, kind, EVALUATORS[kind], wanted, people, acting_user, escalator
                )
                row.created += created
                row.resolved += resolved
        if progress is not None:
            progress(row)


# Set by ``sweeps_paused``: the per-case re-sweeps the services ask for are skipped.
_paused: ContextVar[bool] = ContextVar("casework_sweeps_paused", default=False)


@contextmanager
def sweeps_paused() -> Iterator[None]:
    """Skip the per-case re-sweeps (``sweep_cases``) while a bulk load writes thousands of
    records (the demo, imports); the caller runs one ``sweep_run`` afterwards instead."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def sweep_cases(
    *,
    case_ids: Iterable[UUID],
    now: datetime | None = None,
    acting_user: User | None = None,
    staff_ids: Iterable[UUID] | None = None,
) -> SweepReport:
    """Re-evaluate every rule for just these cases (and the staff rules for their case managers,
    or ``staff_ids``), inside the caller's transaction: called by the services that change what
    a rule watches (a contact logged, attendance recorded, a plan reviewed, a case closed …)."""
    if _paused.get():
        return SweepReport()
    ids = [as_uuid(case_id) for case_id in case_ids if case_id is not None]
    if not ids and not staff_ids:
        return SweepReport()
    staff = set(staff_ids or [])
    if ids:
        staff |= set(
            Case.objects.filter(pk__in=ids, case_manager__isnull=False).values_list(
                "case_manager_id", flat=True
            )
        )
    return sweep_run(
        now=now,
        case_ids=[case_id for case_id in ids if case_id is not None],
        staff_ids=sorted(staff, key=str),
        acting_user=acting_user,
    )


# ----------------------------------------------------------------------------------------------
# What one sweep reads once


def _rules(ctx: Context) -> Any:
    """Every rule (enabled or not: escalation reads the settings of the rule an item came from),
    restricted to the models of the cases in scope for a partial sweep."""
    queryset = PromptRule.objects.select_related("model").order_by("id")
    if ctx.organization_id is not None:
        queryset = queryset.filter(organization_id=ctx.organization_id)
    if ctx.case_ids is not None:
        models = set()
        organizations = set()
        for part in chunks(ctx.case_ids):
            for model_id, organization_id in Case.objects.filter(pk__in=part).values_list(
                "program__model_id", "organization_id"
            ):
                models.add(model_id)
                organizations.add(organization_id)
        queryset = queryset.filter(
            Q(model_id__in=models) | Q(model__isnull=True, organization_id__in=organizations)
        )
    return queryset


def _load_teams(ctx: Context) -> None:
    """Active supervisors per team and the teams of each member of staff, read once
    (``supervision``)."""
    who = supervision(organization_id=ctx.organization_id)
    ctx.supervisors, ctx.teams_of = who.supervisors, who.teams_of


class _People:
    """Usernames of staff (for the audit trail), read once and only when something is created."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._names: dict[UUID, str] | None = None

    def name(self, user_id: UUID) -> str:
        if self._names is None:
            users = User.objects.all()
            if self.ctx.organization_id is not None:
                users = users.filter(organization_id=self.ctx.organization_id)
            self._names = dict(users.values_list("id", "username"))
        return self._names.get(user_id, "")


def _in_scope(ctx: Context, evaluator: Evaluator) -> bool:
    if evaluator.scope == "case":
        return ctx.case_ids is not None
    return ctx.staff_ids is not None


def _open_items(ctx: Context, kind: str, evaluator: Evaluator) -> list[tuple[Any, ...]]:
    queryset = WorkItem.objects.filter(
        kind=kind, status=WorkItemStatus.OPEN, source_type__in=evaluator.source_types
    ).order_by()
    if ctx.organization_id is not None:
        queryset = queryset.filter(organization_id=ctx.organization_id)
    fields = (
        "id",
        "source_type",
        "source_id",
        "assignee_id",
        "priority",
        "client_id",
        "organization_id",
    )
    if not ctx.partial:
        return list(fast_values_list(queryset, *fields))
    rows: list[tuple[Any, ...]] = []
    if evaluator.scope == "case":
        for part in chunks(ctx.case_ids or []):
            rows += queryset.filter(case_id__in=part).values_list(*fields)
    elif evaluator.scope == "credential":
        for part in chunks(ctx.staff_ids or []):
            rows += queryset.filter(assignee_id__in=part).values_list(*fields)
    else:
        for part in chunks(ctx.staff_ids or [], 200):
            about = Q(pk__in=[])
            for user_id in part:
                about |= Q(source_id__startswith=f"{user_id}:")
            rows += queryset.filter(about).values_list(*fields)
    return rows


# ----------------------------------------------------------------------------------------------
# The reconciler


def _reconcile(
    ctx: Context,
    kind: str,
    evaluator: Evaluator,
    wanted: list[Wanted],
    people: _People,
    acting_user: User | None,
    escalator: _Escalator | None = None,
) -> tuple[int, int]:
    wanted_by_key: dict[tuple[str, str, UUID], Wanted] = {}
    for item in wanted:
        wanted_by_key.setdefault(item.key, item)
    open_rows = _open_items(ctx, kind, evaluator)
    open_by_key = {(row[1], row[2], row[3]): row for row in open_rows}
    # The sweep never moves an item between people (reassigning is a person's decision): an
    # open item of the same source held by someone else -- reassigned by hand, or the case
    # changed hands -- stands for the wanted one, so neither is closed nor a second one made.
    orphans: dict[tuple[str, str], list[tuple[str, str, UUID]]] = defaultdict(list)
    for key in open_by_key:
        if key not in wanted_by_key:
            orphans[key[:2]].append(key)
    for key in list(wanted_by_key):
        if key not in open_by_key and orphans.get(key[:2]):
            stand_in = orphans[key[:2]].pop()
            wanted_by_key[stand_in] = wanted_by_key.pop(key)
    to_close: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for key, row in open_by_key.items():
        if key not in wanted_by_key:
            to_close[str(CloseReason.RESOLVED)].append(row)
    upgrades = [
        (row, wanted_by_key[key].priority)
        for key, row in open_by_key.items()
        if key in wanted_by_key
        and PRIORITY_RANK.get(wanted_by_key[key].priority, 0) > PRIORITY_RANK.get(row[4], 0)
    ]
    new = [item for key, item in wanted_by_key.items() if key not in open_by_key]
    created = _create(kind, new, ctx.now, people, acting_user, escalator)
    resolved = 0
    for reason, rows in to_close.items():
        resolved += _close(rows, reason=reason, now=ctx.now, acting_user=acting_user, kind=kind)
    _raise_priority(upgrades, now=ctx.now, acting_user=acting_user)
    return len(created), resolved


def _blocked(kind: str, new: list[Wanted]) -> set[tuple[str, str]]:
    """Sources of ``new`` whose item a person already completed or cancelled, whoever held it
    (never made twice for the same period). Items the sweep resolved, and the old halves of a
    reassignment, do not count."""
    blocked: set[tuple[str, str]] = set()
    closed = WorkItem.objects.filter(_closed(), kind=kind).exclude(close_reason__in=REOPENABLE)
    if not closed.exists():  # one probe of the partial index (a new system, a new rule kind)
        return blocked
    source_ids = sorted({item.source_id for item in new})
    for part in chunks(source_ids):
        rows = closed.filter(source_id__in=part).order_by().values_list("source_type", "source_id")
        blocked.update(rows)
    return blocked


def _closed() -> RawSQL:
    """ "Not open", written as the partial index ``work_item_closed_source`` states it: SQLite
    uses a partial index only when the query repeats its condition with the same literal (a
    bound parameter does not count)."""
    quote = connection.ops.quote_name
    column = f"{quote(WorkItem._meta.db_table)}.{quote('status')}"
    # Model metadata and a constant of the code: nothing from outside goes into this text.
    sql = f"NOT ({column} = '{WorkItemStatus.OPEN.value}')"
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611


def _create(
    kind: str,
    new: list[Wanted],
    now: datetime,
    people: _People,
    acting_user: User | None,
    escalator: _Escalator | None = None,
) -> list[Any]:
    """Insert ``new`` (minus what a person already closed) in batches, one audit call each."""
    if not new:
        return []
    blocked = _blocked(kind, new)
    rows = [wanted for wanted in new if wanted.key[:2] not in blocked]
    for wanted in rows:
        wanted.id = uuid4()
    constants = {
        **_row_defaults(),
        "created_by_id": acting_user.pk if acting_user is not None else None,
    }
    made: list[Any] = []
    for batch in chunks(rows, CREATE_BATCH):
        escalations = escalator.escalate_new(batch) if escalator is not None else {}
        if connection.vendor == "postgresql":
            # Another sweep (a contact logged meanwhile) may have opened the same item: skip it
            # (the partial unique index) and keep only the rows that went in.
            there = fast_bulk_insert(
                WorkItem, batch, ignore_conflicts=True, constants=constants, returning="id"
            )
            batch = [row for row in batch if row.id in (there or set())]
        else:
            # SQLite writers are serialized (IMMEDIATE transactions): nothing can race us.
            fast_bulk_insert(WorkItem, batch, constants=constants)
        if escalator is not None:
            escalator.keep(batch, escalations)
        # What the sweep decided for each item: for whom and from which rule (and which were
        # escalated at once). The rest (title, source, due date, priority) is the item's own
        # first version.
        escalated_now = [str(item.id) for item in batch if item.escalated_at is not None]
        _audit_items(
            acting_user=acting_user,
            action=Action.CREATE,
            items=[(item.id, item.client_id, item.organization_id, None) for item in batch],
            changes={"status": [None, WorkItemStatus.OPEN.value], "kind": [None, kind]},
            detail={"sweep": True, **({"escalated_ids": escalated_now} if escalated_now else {})},
            per_item={
                "assignee": {item.id: people.name(item.assignee_id) for item in batch},
                "rule_id": {item.id: item.rule_id for item in batch},
            },
        )
        made += batch
    _notify(made)
    return made


def _audit_items(
    *,
    acting_user: User | None,
    action: Action,
    items: list[tuple[UUID, UUID | None, UUID | None, dict[str, Any] | None]],
    detail: dict[str, Any],
    changes: dict[str, Any] | None = None,
    per_item: dict[str, dict[UUID, Any]] | None = None,
) -> None:
    """Audit what the sweep did to ``items`` -- ``(id, client id, organization id, the item's own
    changes or None)`` -- with one event per organization and batch of up to ``AUDIT_BATCH``.

    One item: an event about that item (``object_id``, ``client_id``, its changes), as
    ``audit_record`` writes. Several: one event naming them all, like ``audit_read_many`` --
    ``detail["ids"]`` and ``detail["client_ids"]`` in the same order, and ``changes`` the change
    they share or ``{"items": [{"id", ...the item's changes}]}``. ``rule_of`` adds each item's
    rule (``rule_id``, or ``rule_ids`` in order)."""
    by_organization: dict[UUID | None, list[Any]] = defaultdict(list)
    for item in items:
        by_organization[item[2]].append(item)
    entries: list[AuditEntry] = []
    for organization_id, group in by_organization.items():
        for part in chunks(group, AUDIT_BATCH):
            lists = {
                name: [_plain_id(values.get(i)) for i, *_ in part]
                for name, values in (per_item or {}).items()
            }
            if len(part) == 1:
                item_id, client_id, _, own = part[0]
                entries.append(
                    AuditEntry(
                        object_type=WORK_ITEM_TYPE,
                        object_id=str(item_id),
                        client_id=client_id,
                        organization_id=organization_id,
                        changes=own if own is not None else changes,
                        detail={**detail, **{name: got[0] for name, got in lists.items()}},
                    )
                )
                continue
            named: dict[str, Any] = {
                **detail,
                "ids": [str(item_id) for item_id, *_ in part],
                "client_ids": [str(client) if client else None for _, client, *_ in part],
                **{f"{name}s": got for name, got in lists.items()},
            }
            shared = all(own is None for *_, own in part)
            entries.append(
                AuditEntry(
                    object_type=WORK_ITEM_TYPE,
                    object_id="",
                    client_id=None,
                    organization_id=organization_id,
                    changes=changes
                    if shared
                    else {"items": [{"id": str(i), **(own or {})} for i, *_, own in part]},
                    detail=named,
                )
            )
    audit_record_many(actor=acting_user, action=action, plain=True, entries=entries)


def _plain_id(value: Any) -> Any:
    return str(value) if isinstance(value, UUID) else value


def _row_defaults() -> dict[str, Any]:
    """Column values of a new work item that the sweep does not set."""
    return {
        "created_at": None,
        "updated_at": None,
        "version": 1,
        "status": WorkItemStatus.OPEN.value,
        "closed_at": None,
        "closed_by_id": None,
        "close_reason": "",
        "snoozed_until": None,
        "snooze_reason": "",
    }


def _notify(rows: list[Any]) -> None:
    """Tell the assignees of new urgent and asap items (routine ones wait on "My work" and in
    the daily digest). The inserted rows go as they are: no model instances."""
    worth = [row for row in rows if row.priority in (Priority.URGENT, Priority.ASAP)]
    if not worth:
        return
    notify_work_items_created(worth)


def _close(
    rows: list[tuple[Any, ...]], *, reason: str, now: datetime, acting_user: User | None, kind: str
) -> int:
    closed = 0
    for part in chunks(rows):
        ids = [row[0] for row in part]
        closed += WorkItem.objects.filter(pk__in=ids, status=WorkItemStatus.OPEN).update(
            status=WorkItemStatus.DONE,
            close_reason=reason,
            closed_at=now,
            closed_by=acting_user,
            version=F("version") + 1,
            updated_at=now,
        )
        _audit_items(
            acting_user=acting_user,
            action=Action.UPDATE,
            items=[(row[0], row[5], row[6], None) for row in part],
            changes={
                "status": [WorkItemStatus.OPEN.value, WorkItemStatus.DONE.value],
                "close_reason": ["", str(reason)],
            },
            detail={"resolved_automatically": True, "rule": kind},
        )
    return closed


def _raise_priority(
    upgrades: list[tuple[tuple[Any, ...], str]], *, now: datetime, acting_user: User | None
) -> None:
    by_priority: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row, priority in upgrades:
        by_priority[priority].append(row)
    for priority, rows in by_priority.items():
        WorkItem.objects.filter(pk__in=[row[0] for row in rows]).update(
            priority=priority, version=F("version") + 1, updated_at=now
        )
        _audit_items(
            acting_user=acting_user,
            action=Action.UPDATE,
            items=[(row[0], row[5], row[6], {"priority": [row[4], priority]}) for row in rows],
            detail={"sweep": True},
        )


# ----------------------------------------------------------------------------------------------
# Escalation


class _Escalator:
    """Who an overdue item escalates to, and when: shared by the escalation pass (items of
    earlier sweeps) and by ``_create`` (an item the sweep opens already overdue beyond its
    limit gets ``escalated_at`` as it is inserted, so the pass need not read it back nor update
    it). ``notices`` collects ``(supervisor id, item)`` for the notifications."""

    def __init__(self, ctx: Context, all_rules: list[PromptRule]) -> None:
        self.ctx = ctx
        self.rule_days = {rule.pk: rule.escalate_after_days for rule in all_rules}
        self.model_of_rule: dict[Any, Any] = {rule.pk: rule.model_id for rule in all_rules}
        self._model_days: dict[Any, int | None] | None = None
        # The wall-clock start of the sweep: what it inserts is stamped later, and was judged as
        # it went in (``escalate_new``), so the pass reads only items made before.
        self.started_at = timezone.now()
        self.notices: list[tuple[Any, Any]] = []
        self.supervision = Supervision(ctx.supervisors, ctx.teams_of)
        # How many items escalated, per kind.
        self.counts: dict[str, int] = defaultdict(int)

    def limit(self, rule_id: Any, model_id: Any) -> int | None:
        days = self.rule_days.get(rule_id) if rule_id else None
        if days is None and model_id is not None:
            if self._model_days is None:
                self._model_days = dict(
                    CaseManagementModel.objects.values_list("id", "overdue_escalation_days")
                )
            days = self._model_days.get(model_id)
        return days

    def recipients(
        self,
        *,
        rule_id: Any,
        model_id: Any,
        case_id: Any,
        team_id: Any,
        assignee_id: Any,
        due_at: datetime | None,
    ) -> list[UUID]:
        """The supervisors an item escalates to now: none unless it is overdue by more than its
        limit and someone other than its holder supervises it (the case's team; for an item
        about no case, the holder's teams) -- the people ``escalations_to`` shows it to."""
        days = self.limit(rule_id, model_id)
        if days is None or due_at is None or self.ctx.now - due_at <= timedelta(days=days):
            return []
        return self.supervision.escalation_recipients(
            about_case=case_id is not None, team_id=team_id, holder_id=assignee_id
        )

    def escalate_new(self, rows: list[Wanted]) -> dict[Any, list[UUID]]:
        """Mark the new ``rows`` already overdue beyond their limit (``escalated_at``) and return
        their supervisors by item id; ``keep`` them once the rows are in."""
        found: dict[Any, list[UUID]] = {}
        now = self.ctx.now
        for row in rows:
            if row.due_at is None or row.due_at >= now:
                continue
            supervisors = self.recipients(
                rule_id=row.rule_id,
                model_id=self.model_of_rule.get(row.rule_id),
                case_id=row.case_id,
                team_id=row.team_id,
                assignee_id=row.assignee_id,
                due_at=row.due_at,
            )
            if supervisors:
                row.escalated_at = now
                found[row.id] = supervisors
        return found

    def keep(self, rows: list[Any], found: dict[Any, list[UUID]]) -> None:
        for row in rows:
            supervisors = found.get(row.id)
            if supervisors:
                self.notices += [(supervisor, row) for supervisor in supervisors]
                self.counts[row.kind] += 1


@dataclass(slots=True)
class _Overdue:
    """An open item of an earlier sweep the escalation pass looks at."""

    id: UUID
    kind: str
    title: str
    priority: str
    due_at: datetime
    client_id: UUID | None
    organization_id: UUID


def _escalate(
    ctx: Context,
    escalator: _Escalator,
    report: SweepReport,
    acting_user: User | None,
) -> None:
    """Escalate what is overdue beyond its limit and not escalated yet: set ``escalated_at``
    (audited) and tell the supervisors -- of the items of earlier sweeps read here and of those
    this sweep made already overdue."""
    now = ctx.now
    overdue = (
        WorkItem.objects.filter(
            status=WorkItemStatus.OPEN,
            escalated_at__isnull=True,
            due_at__lt=now,
            created_at__lt=escalator.started_at,
        )
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
        .order_by()
    )
    if ctx.organization_id is not None:
        overdue = overdue.filter(organization_id=ctx.organization_id)
    fields = (
        "id",
        "kind",
        "title",
        "priority",
        "due_at",
        "client_id",
        "organization_id",
        "rule_id",
        "case_id",
        "assignee_id",
        "case__team_id",
        "case__program__model_id",
    )
    rows: list[dict[str, Any]] = []
    if ctx.case_ids is None:
        if not ctx.partial:
            rows = list(fast_values(overdue, *fields))
    else:
        for part in chunks(ctx.case_ids):
            rows += overdue.filter(case_id__in=part).values(*fields)
    escalated: list[_Overdue] = []
    found: dict[Any, list[UUID]] = {}
    for row in rows:
        supervisors = escalator.recipients(
            rule_id=row["rule_id"],
            model_id=row["case__program__model_id"],
            case_id=row["case_id"],
            team_id=row["case__team_id"],
            assignee_id=row["assignee_id"],
            due_at=row["due_at"],
        )
        if supervisors:
            escalated.append(_Overdue(*(row[name] for name in fields[:7])))
            found[row["id"]] = supervisors
    escalator.keep(escalated, found)
    for part in chunks(escalated):
        WorkItem.objects.filter(pk__in=[item.id for item in part]).update(
            escalated_at=now, version=F("version") + 1, updated_at=now
        )
        _audit_items(
            acting_user=acting_user,
            action=Action.UPDATE,
            items=[(item.id, item.client_id, item.organization_id, None) for item in part],
            changes={"escalated_at": [None, now.isoformat()]},
            detail={"escalated_to": "team supervisors"},
        )
    for kind, count in escalator.counts.items():
        if kind in report.rules:
            report.rules[kind].escalated += count
    report.rules[ESCALATION].escalated += sum(escalator.counts.values())
    if escalator.notices:
        notify_escalated(escalator.notices)
