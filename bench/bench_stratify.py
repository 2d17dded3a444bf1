"""Benchmark: stratify a synthetic population (default 100,000 clients) and print clients/second.

    python bench/bench_stratify.py [--clients N] [--batch-size N] [--seed S] [--no-model]
                                   [--profile FILE]

Builds a fresh database -- SQLite in a temporary ``CASEWORK_DATA_DIR``, or PostgreSQL when
``CASEWORK_DATABASE_URL`` is set (a scratch database ``casework_bench`` is created on that server
and dropped afterwards) -- fills it with clients, coded conditions, hospital and ED use over three
years, instrument scores with their responses and flags, proposed social needs, strengths
assessments and open cases, all through ``bulk_create``; trains the predictive model (unless
``--no-model``); then times ``population_stratify`` and prints the rate. The target (issue 3) is
the whole 100,000 in under 20 seconds on a 2-core machine. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
# (code, display, share of clients who have it)
CONDITIONS = [
    ("I10", "Essential (primary) hypertension", 0.30),
    ("E11.9", "Type 2 diabetes mellitus without complications", 0.14),
    ("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease", 0.03),
    ("J44.9", "Chronic obstructive pulmonary disease, unspecified", 0.06),
    ("J45.909", "Unspecified asthma, uncomplicated", 0.07),
    ("I50.9", "Heart failure, unspecified", 0.04),
    ("I25.2", "Old myocardial infarction", 0.03),
    ("N18.3", "Chronic kidney disease, stage 3", 0.04),
    ("I63.9", "Cerebral infarction, unspecified", 0.02),
    ("C50.919", "Malignant neoplasm of unspecified site of unspecified female breast", 0.015),
    ("K70.30", "Alcoholic cirrhosis of liver without ascites", 0.01),
    ("G30.9", "Alzheimer's disease, unspecified", 0.015),
    ("F32.1", "Major depressive disorder, single episode, moderate", 0.10),
    ("F33.1", "Major depressive disorder, recurrent, moderate", 0.04),
    ("F41.1", "Generalized anxiety disorder", 0.08),
    ("F20.9", "Schizophrenia, unspecified", 0.015),
    ("F31.9", "Bipolar disorder, unspecified", 0.02),
    ("F10.20", "Alcohol dependence, uncomplicated", 0.04),
    ("F11.20", "Opioid dependence, uncomplicated", 0.02),
]
NEED_DOMAINS = [
    ("food", "Z59.41", "Food insecurity"),
    ("housing", "Z59.811", "Housing instability, housed, with risk of homelessness"),
    ("transportation", "Z59.82", "Transportation insecurity"),
    ("utilities", "Z59.12", "Inadequate housing utilities"),
]
PHQ9, PHQ9_TOTAL = "44249-1", "44261-6"
GAD7, GAD7_TOTAL = "69737-5", "70274-6"
AUDIT_C, AUDIT_C_TOTAL = "72109-2", "75626-2"
AHC = "96777-8"
STRENGTHS = "casework-strengths"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-model", action="store_true", help="Do not train a model first")
    parser.add_argument("--profile", help="Write a cProfile of the stratification to this file")
    parser.add_argument("--runs", type=int, default=1, help="Stratify this many times")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the SQLite database of an earlier run in CASEWORK_DATA_DIR (no rebuild)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Processes (default: as `casework stratify`, the CPUs up to 4)",
    )
    return parser.parse_args()


def _setup_database(*, reuse: bool) -> str:
    """Point Django at a fresh database (or, with ``reuse``, the one already in the data
    directory) and migrate it; returns a description."""
    os.environ.setdefault("CASEWORK_DATA_DIR", tempfile.mkdtemp(prefix="casework-bench-"))
    url = os.environ.get("CASEWORK_DATABASE_URL", "").strip()
    if url:
        import psycopg

        base, _, _name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS casework_bench")
            connection.execute("CREATE DATABASE casework_bench")
        os.environ["CASEWORK_DATABASE_URL"] = f"{base}/casework_bench"
    elif not reuse:
        data_dir = Path(os.environ["CASEWORK_DATA_DIR"])
        for leftover in data_dir.glob("casework.sqlite3*"):
            leftover.unlink()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def _drop_postgres_database() -> None:
    url = os.environ.get("CASEWORK_DATABASE_URL", "")
    if not url.endswith("/casework_bench"):
        return
    from django.db import connections

    connections.close_all()
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS casework_bench")


def _bulk(model: Any, rows: list[Any]) -> None:
    model.objects.bulk_create(rows, batch_size=2000)


def build_population(*, clients: int, seed: int) -> Any:
    """A synthetic organization of ``clients`` people; returns the organization."""
    from casework.accounts.models import Team, TeamMembership, User
    from casework.accounts.services import organization_get_or_create
    from casework.assessments.models import (
        AssessmentResponse,
        Instrument,
        Observation,
        ProposedNeed,
        ResponseStatus,
    )
    from casework.cases.models import Case, Status
    from casework.clients.models import Client, Condition, Utilization
    from casework.programs.models import CaseManagementModel, Program

    rng = random.Random(seed)
    now = datetime.now(tz=UTC)
    organization = organization_get_or_create(slug="bench", name="Bench County Services")
    team = Team.objects.create(organization=organization, name="Bench team")
    staff = []
    for n in range(40):
        user = User(
            username=f"bench-cm-{n}",
            organization=organization,
            role="case_manager",
            caseload_capacity=Decimal("9999"),
        )
        user.set_unusable_password()
        staff.append(user)
    _bulk(User, staff)
    _bulk(TeamMembership, [TeamMembership(team=team, user=user) for user in staff])
    programs = []
    for model in CaseManagementModel.objects.filter(organization=organization):
        program = Program.objects.create(
            organization=organization, name=f"Bench {model.name}", model=model
        )
        program.teams.add(team)
        programs.append(program)

    started = time.perf_counter()
    people = []
    for n in range(clients):
        birth = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        people.append(
            Client(
                organization=organization,
                given_name=f"Given{n}",
                family_name=f"Family{n % 5000}",
                birth_date=birth,
                sex=rng.choice(["female", "male"]),
                search_name=f"given{n} family{n % 5000}",
                search_family=f"family{n % 5000}",
            )
        )
    _bulk(Client, people)
    ids = [person.pk for person in people]
    print(f"  {clients:,} clients ({time.perf_counter() - started:.1f} s)", flush=True)

    conditions = []
    for client_id in ids:
        for code, display, share in CONDITIONS:
            if rng.random() < share:
                conditions.append(
                    Condition(
                        client_id=client_id,
                        system=ICD,
                        code=code,
                        display=display,
                        onset_date=(now - timedelta(days=rng.randrange(30, 3000))).date(),
                        source="bench",
                    )
                )
    _bulk(Condition, conditions)
    print(f"  {len(conditions):,} conditions", flush=True)

    encounters = []
    for client_id in ids:
        frailty = rng.random()
        if frailty < 0.55:
            continue
        visits = rng.randrange(1, 4) if frailty < 0.9 else rng.randrange(3, 9)
        for _ in range(visits):
            start = now - timedelta(days=rng.randrange(1, 1100), hours=rng.randrange(24))
            encounters.append(
                Utilization(
                    client_id=client_id,
                    kind="emergency",
                    started_at=start,
                    ended_at=start + timedelta(hours=5),
                    acute=True,
                    source="bench",
                )
            )
            if rng.random() < 0.3:
                admitted = start + timedelta(hours=6)
                encounters.append(
                    Utilization(
                        client_id=client_id,
                        kind="inpatient",
                        started_at=admitted,
                        ended_at=admitted + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 15])),
                        acute=True,
                        source="bench",
                    )
                )
    _bulk(Utilization, encounters)
    print(f"  {len(encounters):,} ED visits and admissions", flush=True)

    instruments = {
        i.code: i for i in Instrument.objects.filter(code__in=[PHQ9, GAD7, AUDIT_C, AHC, STRENGTHS])
    }
    responses: list[Any] = []
    observations: list[Any] = []
    needs: list[Any] = []
    for client_id in ids:
        roll = rng.random()
        completed = now - timedelta(days=rng.randrange(1, 400))
        if roll < 0.25 and PHQ9 in instruments:
            score = min(27, int(rng.expovariate(1 / 7)))
            flags = []
            if score >= 10:
                flags.append({"code": "phq9_moderate_or_more", "severity": "routine"})
            if rng.random() < 0.01 + score / 400:
                flags.append(
                    {
                        "code": "phq9_item9_positive",
                        "label": "PHQ-9 item 9: thoughts of being better off dead or of self-harm",
                        "severity": "urgent",
                    }
                )
            response = AssessmentResponse(
                organization=organization,
                client_id=client_id,
                instrument=instruments[PHQ9],
                status=ResponseStatus.COMPLETED,
                score=Decimal(score),
                flags=flags,
                completed_at=completed,
            )
            responses.append(response)
            observations.append(
                Observation(
                    client_id=client_id,
                    response=response,
                    code=PHQ9_TOTAL,
                    value_decimal=Decimal(score),
                    effective_at=completed,
                    source="bench",
                )
            )
        if 0.15 < roll < 0.3 and GAD7 in instruments:
            score = min(21, int(rng.expovariate(1 / 6)))
            response = AssessmentResponse(
                organization=organization,
                client_id=client_id,
                instrument=instruments[GAD7],
                status=ResponseStatus.COMPLETED,
                score=Decimal(score),
                completed_at=completed,
            )
            responses.append(response)
            observations.append(
                Observation(
                    client_id=client_id,
                    response=response,
                    code=GAD7_TOTAL,
                    value_decimal=Decimal(score),
                    effective_at=completed,
                    source="bench",
                )
            )
        if 0.25 < roll < 0.35 and AUDIT_C in instruments:
            score = min(12, int(rng.expovariate(1 / 3)))
            response = AssessmentResponse(
                organization=organization,
                client_id=client_id,
                instrument=instruments[AUDIT_C],
                status=ResponseStatus.COMPLETED,
                score=Decimal(score),
                flags=[{"code": "auditc_positive", "severity": "routine"}] if score >= 4 else [],
                completed_at=completed,
            )
            responses.append(response)
            observations.append(
                Observation(
                    client_id=client_id,
                    response=response,
                    code=AUDIT_C_TOTAL,
                    value_decimal=Decimal(score),
                    effective_at=completed,
                    source="bench",
                )
            )
        if rng.random() < 0.18 and AHC in instruments:
            unsafe = rng.random() < 0.04
            response = AssessmentResponse(
                organization=organization,
                client_id=client_id,
                instrument=instruments[AHC],
                status=ResponseStatus.COMPLETED,
                flags=[{"code": "ahc_interpersonal_safety_positive", "severity": "urgent"}]
                if unsafe
                else [],
                completed_at=completed,
            )
            responses.append(response)
            for domain, code, display in rng.sample(NEED_DOMAINS, rng.randrange(1, 3)):
                needs.append(
                    ProposedNeed(
                        client_id=client_id,
                        response=response,
                        domain=domain,
                        system=ICD,
                        code=code,
                        display=display,
                    )
                )
        if rng.random() < 0.03 and STRENGTHS in instruments:
            responses.append(
                AssessmentResponse(
                    organization=organization,
                    client_id=client_id,
                    instrument=instruments[STRENGTHS],
                    status=ResponseStatus.COMPLETED,
                    completed_at=completed,
                )
            )
    _bulk(AssessmentResponse, responses)
    _bulk(Observation, observations)
    _bulk(ProposedNeed, needs)
    print(
        f"  {len(responses):,} responses, {len(observations):,} score observations, "
        f"{len(needs):,} proposed needs",
        flush=True,
    )

    cases = []
    open_statuses = [Status.REFERRED, Status.INTAKE, Status.ASSESSMENT, Status.ACTIVE]
    for client_id in rng.sample(ids, clients // 7):
        status = rng.choice(open_statuses)
        cases.append(
            Case(
                organization=organization,
                client_id=client_id,
                program=rng.choice(programs),
                status=status,
                status_changed_at=now - timedelta(days=rng.randrange(1, 200)),
                case_manager=None if status == Status.REFERRED else rng.choice(staff),
                team=None if status == Status.REFERRED else team,
            )
        )
    _bulk(Case, cases)
    print(f"  {len(cases):,} open cases", flush=True)
    return organization


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(options: argparse.Namespace, database: str) -> None:
    from casework.accounts.models import Organization

    organization = Organization.objects.filter(slug="bench").first()
    if organization is not None and options.reuse:
        print("Reusing the population already built.", flush=True)
    else:
        print(f"Building a synthetic population of {options.clients:,} clients…", flush=True)
        started = time.perf_counter()
        organization = build_population(clients=options.clients, seed=options.seed)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)

    if not options.no_model:
        from casework.core.errors import ApplicationError
        from casework.risk.training import risk_model_train

        print("Training the predictive model (not timed)…", flush=True)
        started = time.perf_counter()
        try:
            trained = risk_model_train(organization=organization, acting_user=None)
            simple = {
                key: value
                for key, value in trained.metrics.items()
                if not isinstance(value, list | dict)
            }
            print(
                f"  trained in {time.perf_counter() - started:.1f} s: "
                f"version {trained.model_version.version}, {simple}",
                flush=True,
            )
        except ApplicationError as exc:
            print(f"  no model: {exc.detail}", flush=True)
        except Exception as exc:  # a bug in training should not stop the stratification bench
            print(f"  no model: training failed ({type(exc).__name__}: {exc})", flush=True)

    from casework.risk.management.commands.stratify import DEFAULT_WORKERS
    from casework.risk.services import population_stratify

    workers = options.workers or DEFAULT_WORKERS

    def progress(done: int, total: int) -> None:
        elapsed = time.perf_counter() - begun
        print(f"    {done:>9,} / {total:,} ({done / elapsed:,.0f} clients/s)", flush=True)

    for run in range(1, options.runs + 1):
        print(f"Stratifying (run {run})…", flush=True)
        load_before = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        profiler = None
        if options.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu_before = _cpu_seconds()
        begun = time.perf_counter()
        result = population_stratify(
            organization=organization,
            batch_size=options.batch_size,
            progress=progress,
            workers=workers,
        )
        seconds = time.perf_counter() - begun
        cpu = _cpu_seconds() - cpu_before
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(options.profile)
        print(
            f"RESULT {database.split()[0]}, {result.workers} worker(s): "
            f"{result.clients:,} clients in {seconds:.2f} s = "
            f"{result.clients / seconds:,.0f} clients/second "
            f"(target: 100,000 in under 20 s); tiers {dict(result.tiers)}; "
            f"recommended {dict(result.recommendations)}; "
            f"open cases updated {result.cases_updated:,}; CPU {cpu:.1f} s; "
            f"load average before {load_before}",
            flush=True,
        )


def main() -> None:
    options = _parse()
    database = _setup_database(reuse=options.reuse)
    print(f"Database: {database}", flush=True)
    try:
        _run(options, database)
    finally:
        _drop_postgres_database()


if __name__ == "__main__":
    main()
