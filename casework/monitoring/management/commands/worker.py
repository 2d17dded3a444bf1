"""``casework worker``: run background jobs and keep the periodic schedule.

One process loops: schedule tick (``casework.monitoring.schedule``), run every ready task (the
queue is django-tasks-db's table; its ``Worker`` claims each task with ``SELECT ... FOR UPDATE
SKIP LOCKED`` on PostgreSQL and an exclusive transaction on SQLite, so any number of workers on
PostgreSQL share the queue and never run a task twice), sleep ``--interval`` seconds, again.

SIGTERM or SIGINT lets the running task finish, then stops (a second signal stops at once).
``--once`` runs one tick and every ready task, then exits: for cron, and for tests.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from casework.monitoring.schedule import schedule_tick

logger = logging.getLogger("casework.worker")

# Between two schedule ticks while tasks keep coming: short enough that a long queue never holds
# the schedule back by more than a minute.
_TICK_EVERY_SECONDS = 60.0


class Worker(DatabaseWorker):
    """django-tasks-db's worker, run in batches with the schedule tick between tasks and a
    shutdown that always lets the running task finish."""

    def __init__(self, *, schedule: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule = schedule
        self.tasks_done = 0
        self._last_tick = 0.0
        self._previous_handlers: dict[int, Any] = {}

    def configure_signals(self) -> None:
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous_handlers[number] = signal.getsignal(number)
            signal.signal(number, self.shutdown)

    def reset_signals(self) -> None:
        # Put back what was there (the default, or a test runner's own handler).
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        self._previous_handlers = {}

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("%s again: stopping now", signal.strsignal(signum))
            self.reset_signals()
            sys.exit(1)
        logger.warning(
            "%s: stopping after the running task (send it again to stop now)",
            signal.strsignal(signum),
        )
        self.running = False

    def tick(self) -> None:
        if not self.schedule:
            return
        self._last_tick = time.monotonic()
        try:
            schedule_tick(worker=self.worker_id)
        except OperationalError as error:
            # SQLite: another process holds the write lock past the busy timeout; next time.
            if not is_locked_database_exception(error):
                raise
            logger.warning("schedule tick skipped: database is locked")

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # django-tasks logs each task as it starts and ends ("Task id=... path=... state=...").
        super().run_task(db_task_result)
        self.tasks_done += 1
        if self.running and time.monotonic() - self._last_tick >= _TICK_EVERY_SECONDS:
            self.tick()

    def run_ready_tasks(self) -> None:
        """Every ready task (the library's loop in batch mode), up to ``max_tasks`` in all."""
        self.run()

    def reached_max_tasks(self) -> bool:
        return self.max_tasks is not None and self.tasks_done >= self.max_tasks

    def loop(self, *, once: bool) -> None:
        logger.info(
            "worker %s started: queues %s, schedule %s",
            self.worker_id,
            ",".join(self.queue_names),
            "on" if self.schedule else "off",
        )
        while self.running:
            close_old_connections()
            self.tick()
            self.run_ready_tasks()
            if once or self.reached_max_tasks():
                break
            self.sleep()
        logger.info("worker %s stopped after %d tasks", self.worker_id, self.tasks_done)

    def sleep(self) -> None:
        # Short naps, so a signal during the wait stops the worker at once.
        until = time.monotonic() + self.interval
        while self.running and time.monotonic() < until:
            time.sleep(min(0.2, max(0.0, until - time.monotonic())))


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


def _seconds(value: str) -> float:
    number = float(value)
    if not 0 <= number < 3600:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue and keep the periodic schedule "
        "(sweep every CASEWORK_SWEEP_MINUTES, daily digest at CASEWORK_DIGEST_AT)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="One schedule tick, then every ready task, then exit (for cron and tests).",
        )
        parser.add_argument(
            "--interval",
            type=_seconds,
            default=5.0,
            help="Seconds to wait when the queue is empty (default 5).",
        )
        parser.add_argument(
            "--queues",
            default="",
            help="Comma-separated queues to take tasks from (default: all of settings.TASKS).",
        )
        parser.add_argument(
            "--max-tasks",
            type=_positive_int,
            default=None,
            help="Exit after running this many tasks.",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Only run tasks; leave the schedule to the other workers.",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="A name for this worker in the queue (default: host, process id and a suffix).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._configure_logging(int(options["verbosity"]))
        known = list(settings.TASKS["default"].get("QUEUES", ["default"]))
        queues = [name.strip() for name in options["queues"].split(",") if name.strip()] or known
        unknown = sorted(set(queues) - set(known))
        if unknown:
            raise CommandError(
                f"unknown queue(s): {', '.join(unknown)} (known: {', '.join(known)})"
            )
        worker_id = options["worker_id"] or (
            f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        )
        worker = Worker(
            schedule=options["schedule"],
            queue_names=queues,
            interval=options["interval"],
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        if not options["once"] and options["interval"]:
            # Workers started together (a deploy) spread out instead of ticking in step.
            time.sleep(random.random())
        try:
            worker.loop(once=options["once"])
        finally:
            worker.reset_signals()

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        handler = logging.StreamHandler(self.stderr)
        handler.casework_worker = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        # django_tasks_db says "starting" and "no more tasks" on every pass of the loop: only
        # with -v 2. The tasks themselves (django_tasks) and the schedule are logged at -v 1.
        levels = {
            "casework.worker": level,
            "django_tasks": level,
            "django_tasks_db": level if verbosity > 1 else logging.WARNING,
        }
        for name, named_level in levels.items():
            named = logging.getLogger(name)
            named.setLevel(named_level)
            for old in [h for h in named.handlers if getattr(h, "casework_worker", False)]:
                named.removeHandler(old)  # a previous run in this process (tests)
            named.addHandler(handler)
            named.propagate = False
