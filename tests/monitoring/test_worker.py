"""``casework worker``: runs queued jobs end to end, keeps the schedule, stops gracefully, and --
as real processes side by side -- never runs a job twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from casework.audit.models import Action, AuditEvent
from casework.audit.services import audit_record
from casework.monitoring import schedule
from casework.monitoring.jobs import enqueue_on_commit
from casework.monitoring.models import ScheduledRun

REPOSITORY = Path(settings.BASE_DIR).parent
MARK = "worker-test"


# -- test-only jobs (module level, so a worker process can import them by path) ------------------


@task()
def record_job(number: int, pause: float = 0.0) -> int:
    """Appends one audit event naming ``number``: a job run twice leaves two."""
    time.sleep(pause)
    with transaction.atomic():
        audit_record(actor=None, action=Action.CREATE, object_type=MARK, object_id=str(number))
    return number


@task(queue_name="email")
def record_email_job(number: int) -> int:
    with transaction.atomic():
        audit_record(actor=None, action=Action.CREATE, object_type=MARK, object_id=f"e{number}")
    return number


@task()
def failing_job() -> None:
    raise RuntimeError("this job always fails")


def recorded() -> list[str]:
    return sorted(
        AuditEvent.objects.filter(object_type=MARK).values_list("object_id", flat=True),
        key=lambda value: (len(value), value),
    )


def statuses() -> dict[str, str]:
    return {str(task.args_kwargs["args"]): task.status for task in DBTaskResult.objects.all()}


def run_worker(*args: str) -> str:
    from io import StringIO

    err = StringIO()
    call_command("worker", *args, stderr=err)
    return err.getvalue()


# -- in process ---------------------------------------------------------------------------------
# The worker checks its connection between tasks as a long-running process must (Django's
# close_old_connections), which would close a test's wrapping transaction: these tests commit.


@pytest.mark.django_db(transaction=True)
def test_once_runs_every_queued_job_end_to_end_and_exits():
    record_job.enqueue(1)
    record_job.enqueue(2)
    log = run_worker("--once", "--no-schedule")
    assert recorded() == ["1", "2"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [1, 2]
    assert "tests.monitoring.test_worker.record_job" in log


@pytest.mark.django_db(transaction=True)
def test_once_with_the_schedule_takes_the_slot_and_runs_its_job(monkeypatch):
    entry = schedule.ScheduleEntry(
        "test entry", "tests.monitoring.test_worker.record_job_from_schedule", every_minutes=5
    )
    monkeypatch.setattr(schedule, "schedule_entries", lambda: [entry])
    run_worker("--once", "--worker-id", "alpha")
    run = ScheduledRun.objects.get(name="test entry")
    assert run.worker == "alpha"
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
    assert recorded() == ["scheduled"]


@task()
def record_job_from_schedule() -> None:
    with transaction.atomic():
        audit_record(actor=None, action=Action.CREATE, object_type=MARK, object_id="scheduled")


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_recorded_as_failed_and_the_next_one_still_runs():
    failing_job.enqueue()
    record_job.enqueue(3)
    run_worker("--once", "--no-schedule")
    failed = DBTaskResult.objects.get(task_path="tests.monitoring.test_worker.failing_job")
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "this job always fails" in failed.traceback
    assert recorded() == ["3"]


@pytest.mark.django_db(transaction=True)
def test_max_tasks_stops_after_that_many():
    for number in range(3):
        record_job.enqueue(number)
    run_worker("--once", "--no-schedule", "--max-tasks", "2")
    assert len(recorded()) == 2
    assert sorted(statuses().values()) == ["READY", "SUCCESSFUL", "SUCCESSFUL"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_only_the_queues_it_is_given():
    record_job.enqueue(4)
    record_email_job.enqueue(5)
    run_worker("--once", "--no-schedule", "--queues", "email")
    assert recorded() == ["e5"]
    run_worker("--once", "--no-schedule")
    assert recorded() == ["4", "e5"]


@pytest.mark.django_db(transaction=True)
def test_an_unknown_queue_is_refused():
    with pytest.raises(CommandError, match="unknown queue"):
        run_worker("--once", "--queues", "default,nosuch")


@pytest.mark.django_db
def test_jobs_enqueued_on_commit_wait_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_job, 6)
        assert DBTaskResult.objects.count() == 0
    task_result = DBTaskResult.objects.get()
    assert task_result.args_kwargs == {"args": [6], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_enqueues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record_job, 7)
        raise RuntimeError("the change fails")
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        enqueue_on_commit(record_job, 8)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [8]


# -- real worker processes ------------------------------------------------------------------------


def _database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    credentials = config["USER"] or ""
    if config["PASSWORD"]:
        credentials += f":{config['PASSWORD']}"
    host = f"{credentials}@" if credentials else ""
    return f"postgres://{host}{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"


def start_worker(*args: str) -> subprocess.Popen[str]:
    """A real ``casework worker`` process on the test database (committed rows only: the tests
    that use it run with ``transaction=True``)."""
    env = {**os.environ, "CASEWORK_DATABASE_URL": _database_url(), "CASEWORK_LOG_LEVEL": "INFO"}
    return subprocess.Popen(
        [sys.executable, "-m", "casework", "worker", *args],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 60) -> str:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"worker did not finish:\n{output}")
    assert process.returncode == 0, output
    return output


def wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_each_job_exactly_once():
    """PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite with an exclusive transaction: two
    workers draining one queue side by side never take the same job. Each may run at most 25 of
    the 40, so both must have taken some."""
    jobs = 40
    for number in range(jobs):
        record_job.enqueue(number, 0.03)
    workers = [
        start_worker("--once", "--no-schedule", "--max-tasks", "25", "--worker-id", name)
        for name in ("first", "second")
    ]
    for process in workers:
        finish(process)
    assert recorded() == [str(number) for number in range(jobs)]
    results = list(DBTaskResult.objects.all())
    assert len(results) == jobs and {result.status for result in results} == {"SUCCESSFUL"}
    assert all(len(result.worker_ids) == 1 for result in results)
    ran_by = [result.worker_ids[0] for result in results]
    assert {ran_by.count("first"), ran_by.count("second")} <= set(range(15, 26))
    assert ran_by.count("first") + ran_by.count("second") == jobs


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_running_job_finish_then_stops():
    record_job.enqueue(1, 1.5)
    record_job.enqueue(2)
    process = start_worker("--no-schedule", "--interval", "1", "--max-tasks", "5")
    wait_for(lambda: DBTaskResult.objects.filter(status="RUNNING").exists())
    process.send_signal(signal.SIGTERM)
    output = finish(process, timeout=30)
    assert "stopping after the running task" in output
    assert recorded() == ["1"]
    assert sorted(statuses().values()) == ["READY", "SUCCESSFUL"]


@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_stops_at_once_on_sigterm():
    process = start_worker("--no-schedule", "--interval", "30")
    wait_for(lambda: "started" in (process.stdout.readline() if process.stdout else ""))
    process.send_signal(signal.SIGTERM)
    output = finish(process, timeout=10)
    assert "stopped after 0 tasks" in output
