"""Benchmark: the monitoring sweep over a synthetic caseload (default 100,000 open cases).

    python bench/bench_sweep.py [--cases N] [--seed S] [--profile FILE]

Builds a fresh database -- SQLite in a temporary ``CASEWORK_DATA_DIR``, or PostgreSQL when
``CASEWORK_DATABASE_URL`` is set (a scratch database ``casework_bench`` is created on that server
and dropped afterwards) -- with one organization, its five standard models (and their prompt
rules), 200 case managers on 10 teams, and ``--cases`` open cases spread over the models, risk
tiers and stages, with realistic last contacts (most on time, some overdue), active care plans
with review dates and goals with target dates, open referrals, booked and missed appointments,
recent hospital discharges and staff credentials -- all through ``bulk_create``. It then times
``sweep_run``, prints the seconds and the items created per rule, runs it a second time and
checks that nothing new is created. The target (issue 6): the first sweep under 10 seconds on
a 2-core machine. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_stratify import _drop_postgres_database, _setup_database  # noqa: E402

# Stages of open cases and their shares (most are active).
STAGES = [
    ("intake", 0.05),
    ("assessment", 0.05),
    ("planning", 0.05),
    ("active", 0.75),
    ("on_hold", 0.05),
    ("transition", 0.05),
]
TIERS = [("low", 0.30), ("moderate", 0.35), ("high", 0.20), ("very_high", 0.05), ("", 0.10)]


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--profile", help="Write a cProfile of the first sweep to FILE (the second to FILE.second)"
    )
    parser.add_argument(
        "--snapshot",
        metavar="DIR",
        help="SQLite only: keep a copy of the built database in DIR and, when DIR holds one "
        "already (same --cases and --seed), start from it instead of building again",
    )
    return parser.parse_args()


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def _bulk(model: Any, rows: list[Any], batch_size: int = 2000) -> None:
    model.objects.bulk_create(rows, batch_size=batch_size)


def build(*, cases: int, seed: int, now: datetime) -> Any:
    from casework.accounts.models import Credential, Team, TeamMembership, User
    from casework.accounts.services import organization_get_or_create
    from casework.assessments.models import AssessmentResponse, Instrument, ResponseStatus
    from casework.careplans.models import CarePlan, Goal
    from casework.cases.models import Case
    from casework.clients.models import Client, Utilization
    from casework.coordination.models import (
        Appointment,
        Referral,
        ResourceOrganization,
        ResourceService,
    )
    from casework.encounters.models import FACE_TO_FACE
    from casework.programs.models import CaseManagementModel, Program

    rng = random.Random(seed)
    organization = organization_get_or_create(slug="bench", name="Bench County Services")
    teams = [Team(organization=organization, name=f"Team {n}") for n in range(10)]
    _bulk(Team, teams)
    staff, supervisors, memberships, credentials = [], [], [], []
    for n in range(200):
        user = User(
            username=f"bench-cm-{n}",
            organization=organization,
            role="case_manager",
            first_name="Case",
            last_name=f"Manager {n}",
            # Capacity in points: a few are over on purpose.
            caseload_capacity=Decimal("9999") if n % 40 else Decimal("100"),
        )
        user.set_unusable_password()
        staff.append(user)
    for n in range(10):
        user = User(username=f"bench-sup-{n}", organization=organization, role="supervisor")
        user.set_unusable_password()
        supervisors.append(user)
    _bulk(User, staff + supervisors)
    for n, user in enumerate(staff):
        memberships.append(TeamMembership(team=teams[n % 10], user=user))
        if n % 5 == 0:
            credentials.append(
                Credential(
                    user=user,
                    kind=rng.choice(["LCSW", "RN", "CCM"]),
                    expires_on=(now + timedelta(days=rng.randrange(-20, 400))).date(),
                )
            )
    for n, user in enumerate(supervisors):
        memberships.append(TeamMembership(team=teams[n], user=user, is_supervisor=True))
    _bulk(TeamMembership, memberships)
    _bulk(Credential, credentials)

    programs = []
    for model in CaseManagementModel.objects.filter(organization=organization):
        program = Program.objects.create(
            organization=organization, name=f"Bench {model.name}", model=model
        )
        program.teams.add(*teams)
        programs.append(program)

    started = time.perf_counter()
    people = [
        Client(
            organization=organization,
            given_name=f"Given{n}",
            family_name=f"Family{n % 5000}",
            birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60)),
            search_name=f"given{n} family{n % 5000}",
            search_family=f"family{n % 5000}",
        )
        for n in range(cases)
    ]
    _bulk(Client, people)
    rows = []
    for n, person in enumerate(people):
        program = programs[n % len(programs)]
        model = program.model
        tier = _pick(rng, TIERS)
        every = model.contact_every_days(tier or "moderate") or 30
        opened = now - timedelta(days=rng.randrange(20, 700))
        # 80% seen on time, 15% a little late, 5% badly late or never.
        roll = rng.random()
        if roll < 0.80:
            last = now - timedelta(hours=rng.randrange(1, max(2, every * 24 - 1)))
        elif roll < 0.95:
            last = now - timedelta(days=every + rng.randrange(0, 3), hours=rng.randrange(24))
        else:
            last = (
                None if rng.random() < 0.5 else now - timedelta(days=every + rng.randrange(3, 60))
            )
        in_person = last if last is not None and rng.random() < 0.7 else None
        team = teams[n % 10]
        rows.append(
            Case(
                organization=organization,
                client=person,
                program=program,
                status=_pick(rng, STAGES),
                status_changed_at=opened,
                opened_at=opened,
                case_manager=staff[(n // 10) % 20 * 10 + n % 10],
                team=team,
                risk_tier=tier,
                weight=model.case_weight(tier or "moderate"),
                last_contact_at=last,
                last_face_to_face_at=in_person,
            )
        )
    _bulk(Case, rows)
    print(f"  {cases:,} open cases ({time.perf_counter() - started:.1f} s)", flush=True)

    # The last reassessment: within the model's interval for most, a little late for some.
    instruments = dict(Instrument.objects.values_list("code", "id"))
    responses = []
    for case in rows:
        model = case.program.model
        codes = [code for code in model.reassessment_instruments or [] if code in instruments]
        if not codes or rng.random() < 0.03:
            continue
        interval = model.reassessment_interval_days
        late = rng.random() < 0.05
        completed = now - timedelta(
            days=rng.randrange(interval, interval + 30) if late else rng.randrange(0, interval - 15)
        )
        responses.append(
            AssessmentResponse(
                organization=organization,
                client_id=case.client_id,
                case=case,
                instrument_id=instruments[codes[0]],
                status=ResponseStatus.COMPLETED,
                completed_at=completed,
            )
        )
    _bulk(AssessmentResponse, responses)
    print(f"  {len(responses):,} completed reassessments", flush=True)

    plans, goals = [], []
    for case in rows:
        if case.status not in {"active", "on_hold", "transition"}:
            continue
        plan = CarePlan(
            organization=organization,
            case=case,
            client_id=case.client_id,
            title="Care plan",
            status="active",
            next_review_due=(now + timedelta(days=rng.randrange(-3, 90))).date(),
        )
        plans.append(plan)
        for priority in (1, 2):
            goals.append(
                Goal(
                    plan=plan,
                    priority=priority,
                    client_words="I want to keep my flat",
                    lifecycle_status="active",
                    achievement_status=rng.choice(["in-progress", "improving", "achieved"]),
                    target_date=(now + timedelta(days=rng.randrange(-5, 365))).date(),
                )
            )
    _bulk(CarePlan, plans)
    _bulk(Goal, goals)
    print(f"  {len(plans):,} active plans, {len(goals):,} goals", flush=True)

    provider = ResourceOrganization.objects.create(organization=organization, name="Food Bank")
    service = ResourceService.objects.create(
        organization=organization, provider=provider, name="Groceries"
    )
    referrals, appointments, stays = [], [], []
    for case in rows:
        roll = rng.random()
        if roll < 0.2:
            referrals.append(
                Referral(
                    organization=organization,
                    case=case,
                    client_id=case.client_id,
                    service=service,
                    provider=provider,
                    status=rng.choice(["requested", "accepted", "in-progress"]),
                    reason="Food for the week",
                    last_update_at=now - timedelta(days=rng.randrange(0, 20)),
                )
            )
        if 0.2 <= roll < 0.4:
            starts = now + timedelta(hours=rng.randrange(-24 * 20, 24 * 20))
            status = (
                "booked"
                if starts > now or rng.random() < 0.1
                else rng.choice(["fulfilled", "fulfilled", "fulfilled", "noshow", "cancelled"])
            )
            appointments.append(
                Appointment(
                    organization=organization,
                    case=case,
                    client_id=case.client_id,
                    title="Clinic visit",
                    with_whom="Dr Who",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    status=status,
                )
            )
        if rng.random() < 0.03:
            ended = now - timedelta(days=rng.randrange(0, 60), hours=rng.randrange(24))
            stays.append(
                Utilization(
                    client_id=case.client_id,
                    kind="inpatient",
                    started_at=ended - timedelta(days=3),
                    ended_at=ended,
                    source="bench",
                )
            )
    _bulk(Referral, referrals)
    _bulk(Appointment, appointments)
    _bulk(Utilization, stays)
    print(
        f"  {len(referrals):,} referrals, {len(appointments):,} appointments, "
        f"{len(stays):,} discharges",
        flush=True,
    )
    assert FACE_TO_FACE  # the face-to-face types exist (the contacts themselves are not needed)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load; a sweep every 15 minutes always
        # finds its statistics there. (A whole sweep on SQLite samples them itself.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return organization


def _snapshot_path(args: argparse.Namespace) -> Path | None:
    if not args.snapshot:
        return None
    if os.environ.get("CASEWORK_DATABASE_URL", "").strip():
        raise SystemExit("--snapshot is for SQLite only")
    folder = Path(args.snapshot)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"sweep-{args.cases}-{args.seed}.sqlite3"


def _database_file() -> Path:
    return Path(os.environ["CASEWORK_DATA_DIR"]) / "casework.sqlite3"


def _save(snapshot: Path, now: datetime) -> None:
    """Copy the built database (and the moment it was built for) to ``snapshot``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(_database_file(), snapshot)
    snapshot.with_suffix(".now").write_text(now.isoformat())


def _restore(snapshot: Path) -> None:
    target = _database_file()
    for leftover in target.parent.glob("casework.sqlite3*"):
        leftover.unlink()
    shutil.copyfile(snapshot, target)


def main() -> None:
    args = _parse()
    snapshot = _snapshot_path(args)
    restored = snapshot is not None and snapshot.exists()
    if restored:
        _restore(snapshot)
    where = _setup_database(reuse=restored)
    print(
        f"database: {where}" + (f" (from the snapshot {snapshot})" if restored else ""), flush=True
    )
    try:
        from casework.audit.services import audit_verify
        from casework.monitoring.sweep import sweep_run

        if restored:
            now = datetime.fromisoformat(snapshot.with_suffix(".now").read_text().strip())
        else:
            now = datetime.now(tz=UTC)
            build(cases=args.cases, seed=args.seed, now=now)
            if snapshot is not None:
                _save(snapshot, now)
        # A running worker has its URL configuration loaded already; the first ``reverse`` of a
        # fresh process imports every urls/api module (~1.5 s), which is not the sweep's cost.
        from django.urls import reverse

        reverse("monitoring:my_work")
        # The bulk load (or the snapshot copy) leaves 100s of MB of dirty pages for the kernel
        # to write back; flush them first, so the sweep is not timed against that write-back.
        os.sync()
        load = os.getloadavg()
        print(
            f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} (1 / 5 / 15 min) before the sweep",
            flush=True,
        )
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        first = sweep_run(now=now)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        print(f"first sweep: {first.seconds:.2f} s")
        for row in first.rules.values():
            print(
                f"  {row.kind:<22} {row.created:>7,} created {row.resolved:>6,} resolved "
                f"{row.escalated:>6,} escalated"
            )
        print(f"  total: {first.created:,} created")
        if profiler is not None:
            profiler = cProfile.Profile()
            profiler.enable()
        os.sync()
        second = sweep_run(now=now)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{args.profile}.second")
        print(
            f"second sweep: {second.seconds:.2f} s, {second.created} created, "
            f"{second.resolved} resolved, {second.escalated} escalated"
        )
        assert second.created == 0, "the second sweep must create nothing"
        assert second.resolved == 0, "the second sweep must resolve nothing"
        started = time.perf_counter()
        verified = audit_verify()
        print(
            f"audit chain ok: {verified.ok} ({verified.checked:,} events, "
            f"{time.perf_counter() - started:.1f} s)"
        )
        target = 10.0
        verdict = "within" if first.seconds < target else "OVER"
        print(f"target: first sweep under {target:.0f} s -> {verdict}")
    finally:
        _drop_postgres_database()


if __name__ == "__main__":
    os.environ.setdefault("CASEWORK_DATA_DIR", tempfile.mkdtemp(prefix="casework-bench-"))
    main()
