"""The worker's periodic schedule, as data, and the tick that keeps it.

Each entry names a job (a task in ``casework.monitoring.jobs``) and when it falls due: every N
minutes (slots on the N-minute boundaries, counted from midnight UTC) or daily at ``HH:MM`` agency
time (``settings.TIME_ZONE``). ``schedule_tick`` runs in every ``casework worker`` between tasks:
for each entry whose current slot has no ``ScheduledRun`` row yet it inserts the row and enqueues
the job in the same transaction. The unique ``(name, slot)`` pair lets exactly one of several
workers win a slot; the others meet the row (or the constraint) and enqueue nothing. So each
periodic job is enqueued once per slot however many workers run, and at least one worker must run
for the schedule to be kept.

A slot missed while no worker ran is made up once, late, when one starts again (the sweep simply
finds more that is due); a daily slot is made up only the same agency day, so a worker started at
06:00 does not send yesterday's digest an hour before today's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from casework.monitoring.models import ScheduledRun

logger = logging.getLogger("casework.worker")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScheduleEntry:
    """One periodic job: ``every_minutes`` or ``daily_at`` (agency time), not both."""

    name: str
    job: str  # dotted path of the task, imported when it is enqueued
    every_minutes: int | None = None
    daily_at: time | None = None

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.daily_at is None):
            raise ImproperlyConfigured(f"schedule {self.name}: every_minutes or daily_at, not both")
        if self.every_minutes is not None and not 1 <= self.every_minutes <= 24 * 60:
            raise ImproperlyConfigured(f"schedule {self.name}: every 1 to 1440 minutes")

    def slot_at(self, now: datetime, *, zone: ZoneInfo | None = None) -> datetime | None:
        """The slot ``now`` falls in (an aware UTC datetime), or ``None`` when nothing is due yet
        (a daily entry before its time of day)."""
        if self.every_minutes is not None:
            period = timedelta(minutes=self.every_minutes)
            return _EPOCH + ((now - _EPOCH) // period) * period
        assert self.daily_at is not None
        zone = zone or ZoneInfo(settings.TIME_ZONE)
        today = now.astimezone(zone).date()
        slot = daily_slot(today, self.daily_at, zone)
        return slot if now >= slot else None

    def task(self) -> Task[..., Any]:
        job = import_string(self.job)
        if not isinstance(job, Task):
            raise ImproperlyConfigured(f"schedule {self.name}: {self.job} is not a task")
        return job


def daily_slot(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, in UTC. On the spring-forward day a time that does not
    exist (02:30) is read with the offset before the change, as zoneinfo does (fold=0), and on the
    fall-back day a time that happens twice counts once, at its first occurrence: one slot a day."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_time_of_day(value: str) -> time:
    """``"07:00"`` → 07:00; a clear error for anything else (it comes from the environment)."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise ImproperlyConfigured(f"expected HH:MM (24-hour), got {value!r}") from error


def schedule_entries() -> list[ScheduleEntry]:
    """The schedule, from settings: the sweep every ``CASEWORK_SWEEP_MINUTES``, the daily digest
    at ``CASEWORK_DIGEST_AT`` agency time."""
    return [
        ScheduleEntry(
            "sweep",
            "casework.monitoring.jobs.sweep_job",
            every_minutes=int(settings.CASEWORK_SWEEP_MINUTES),
        ),
        ScheduleEntry(
            "daily digest",
            "casework.monitoring.jobs.daily_digest_job",
            daily_at=parse_time_of_day(settings.CASEWORK_DIGEST_AT),
        ),
    ]


def schedule_tick(
    *,
    now: datetime | None = None,
    worker: str = "",
    entries: list[ScheduleEntry] | None = None,
) -> list[ScheduledRun]:
    """Enqueue every entry whose current slot has not been taken; return the slots this call took.

    The row and the queued task are written in one transaction (a savepoint when the caller holds
    one), so a slot is never marked without its job nor its job queued twice."""
    now = now or timezone.now()
    taken: list[ScheduledRun] = []
    for entry in entries if entries is not None else schedule_entries():
        slot = entry.slot_at(now)
        if slot is None or ScheduledRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    name=entry.name, slot=slot, enqueued_at=now, worker=worker[:100]
                )
                result = entry.task().enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            # Another worker took this slot between our look and our insert.
            continue
        logger.info("schedule: %s for %s enqueued (task %s)", entry.name, slot, run.task_id)
        taken.append(run)
    return taken
