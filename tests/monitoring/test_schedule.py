"""The worker's periodic schedule: slots (N-minute boundaries; daily at a time of day in the agency
time zone, across daylight saving changes), and the tick that enqueues each slot's job once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_tasks_db.models import DBTaskResult

from casework.monitoring.models import ScheduledRun
from casework.monitoring.schedule import (
    ScheduleEntry,
    daily_slot,
    parse_time_of_day,
    schedule_entries,
    schedule_tick,
)

NEW_YORK = ZoneInfo("America/New_York")
SWEEP = ScheduleEntry("sweep", "casework.monitoring.jobs.sweep_job", every_minutes=15)
DIGEST = ScheduleEntry(
    "daily digest", "casework.monitoring.jobs.daily_digest_job", daily_at=time(7)
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# -- slots -------------------------------------------------------------------------------------


def test_every_fifteen_minutes_falls_on_the_quarter_hours():
    assert SWEEP.slot_at(utc(2026, 3, 10, 14, 37, 12)) == utc(2026, 3, 10, 14, 30)
    assert SWEEP.slot_at(utc(2026, 3, 10, 14, 45)) == utc(2026, 3, 10, 14, 45)
    assert SWEEP.slot_at(utc(2026, 3, 10, 14, 44, 59, 999999)) == utc(2026, 3, 10, 14, 30)
    assert SWEEP.slot_at(utc(2026, 3, 10, 0, 7)) == utc(2026, 3, 10, 0, 0)


def test_an_hourly_entry_falls_on_the_hour():
    hourly = ScheduleEntry("x", "casework.monitoring.jobs.sweep_job", every_minutes=60)
    assert hourly.slot_at(utc(2026, 3, 10, 14, 59)) == utc(2026, 3, 10, 14)


def test_daily_slot_is_the_time_of_day_in_the_agency_zone_once_passed():
    # 10 March 2026: New York is on daylight time (UTC-4), so 07:00 there is 11:00 UTC.
    assert DIGEST.slot_at(utc(2026, 3, 10, 10, 59), zone=NEW_YORK) is None
    assert DIGEST.slot_at(utc(2026, 3, 10, 11, 0), zone=NEW_YORK) == utc(2026, 3, 10, 11)
    assert DIGEST.slot_at(utc(2026, 3, 11, 3, 0), zone=NEW_YORK) == utc(2026, 3, 10, 11)
    # 23:30 in New York is already tomorrow in UTC: still today's slot in the agency's day.
    assert DIGEST.slot_at(utc(2026, 3, 11, 3, 30), zone=NEW_YORK) == utc(2026, 3, 10, 11)
    # ...and before 07:00 local the day's digest is not due (yesterday's is not made up).
    assert DIGEST.slot_at(utc(2026, 3, 11, 10, 0), zone=NEW_YORK) is None


def test_daily_slot_follows_the_clock_across_spring_forward_and_fall_back():
    # Clocks go forward on Sunday 8 March 2026 and back on Sunday 1 November 2026.
    assert daily_slot(date(2026, 3, 7), time(7), NEW_YORK) == utc(2026, 3, 7, 12)  # EST
    assert daily_slot(date(2026, 3, 8), time(7), NEW_YORK) == utc(2026, 3, 8, 11)  # EDT
    assert daily_slot(date(2026, 10, 31), time(7), NEW_YORK) == utc(2026, 10, 31, 11)  # EDT
    assert daily_slot(date(2026, 11, 1), time(7), NEW_YORK) == utc(2026, 11, 1, 12)  # EST


def test_a_time_that_does_not_exist_or_happens_twice_still_makes_one_slot():
    # 02:30 never happens on 8 March (02:00 jumps to 03:00): read with the old offset (EST).
    assert daily_slot(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)
    # 01:30 happens twice on 1 November: its first occurrence (EDT) counts.
    assert daily_slot(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


@pytest.mark.parametrize("start", [utc(2026, 3, 6, 12), utc(2026, 10, 30, 12)])
@pytest.mark.parametrize("at", [time(7), time(2, 30), time(1, 30), time(0, 0), time(23, 59)])
def test_every_agency_day_has_exactly_one_daily_slot_across_a_change(start, at):
    entry = ScheduleEntry("d", "casework.monitoring.jobs.daily_digest_job", daily_at=at)
    slots = set()
    moment = start
    while moment < start + timedelta(days=4):
        slot = entry.slot_at(moment, zone=NEW_YORK)
        if slot is not None:
            slots.add(slot)
        moment += timedelta(minutes=1)
    days = sorted(slot.astimezone(NEW_YORK).date() for slot in slots)
    assert len(days) == len(set(days)) and len(days) in (4, 5)
    assert all(slot.astimezone(NEW_YORK).time() == at for slot in slots if at.hour not in (1, 2))


def test_the_schedule_comes_from_settings(settings):
    settings.CASEWORK_SWEEP_MINUTES = 30
    settings.CASEWORK_DIGEST_AT = "06:45"
    sweep, digest = schedule_entries()
    assert (sweep.name, sweep.every_minutes) == ("sweep", 30)
    assert (digest.name, digest.daily_at) == ("daily digest", time(6, 45))
    assert sweep.task().name == "sweep_job" and digest.task().name == "daily_digest_job"


def test_the_default_schedule_is_a_quarter_hour_sweep_and_a_seven_oclock_digest():
    sweep, digest = schedule_entries()
    assert sweep.every_minutes == 15 and digest.daily_at == time(7)


@pytest.mark.parametrize("value", ["7", "07:60", "25:00", "seven", ""])
def test_a_bad_time_of_day_is_a_clear_configuration_error(value):
    with pytest.raises(ImproperlyConfigured, match="HH:MM"):
        parse_time_of_day(value)


def test_an_entry_is_every_n_minutes_or_daily_not_both():
    with pytest.raises(ImproperlyConfigured):
        ScheduleEntry("x", "casework.monitoring.jobs.sweep_job")
    with pytest.raises(ImproperlyConfigured):
        ScheduleEntry("x", "casework.monitoring.jobs.sweep_job", every_minutes=5, daily_at=time(1))
    with pytest.raises(ImproperlyConfigured):
        ScheduleEntry("x", "casework.monitoring.jobs.sweep_job", every_minutes=0)


def test_an_entry_must_name_a_task():
    entry = ScheduleEntry("x", "casework.monitoring.schedule.schedule_tick", every_minutes=5)
    with pytest.raises(ImproperlyConfigured, match="not a task"):
        entry.task()


# -- the tick ----------------------------------------------------------------------------------


def queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


@pytest.mark.django_db
def test_two_ticks_in_the_same_slot_enqueue_once(settings):
    settings.TIME_ZONE = "America/New_York"
    now = utc(2026, 3, 10, 14, 37)  # 10:37 in New York: the digest is due too
    taken = schedule_tick(now=now, worker="w1")
    assert sorted((run.name, run.slot) for run in taken) == [
        ("daily digest", utc(2026, 3, 10, 11)),
        ("sweep", utc(2026, 3, 10, 14, 30)),
    ]
    assert all(run.task_id and run.worker == "w1" and run.enqueued_at == now for run in taken)
    assert schedule_tick(now=now + timedelta(minutes=7), worker="w2") == []
    assert queued("casework.monitoring.jobs.sweep_job") == 1
    assert queued("casework.monitoring.jobs.daily_digest_job") == 1
    task_ids = set(ScheduledRun.objects.values_list("task_id", flat=True))
    assert task_ids == {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}


@pytest.mark.django_db
def test_the_next_slot_enqueues_the_sweep_again_but_not_the_digest(settings):
    settings.TIME_ZONE = "America/New_York"
    now = utc(2026, 3, 10, 14, 37)
    schedule_tick(now=now)
    taken = schedule_tick(now=now + timedelta(minutes=8))
    assert [(run.name, run.slot) for run in taken] == [("sweep", utc(2026, 3, 10, 14, 45))]
    assert queued("casework.monitoring.jobs.sweep_job") == 2
    assert queued("casework.monitoring.jobs.daily_digest_job") == 1


@pytest.mark.django_db
def test_before_the_digest_time_only_the_sweep_is_enqueued(settings):
    settings.TIME_ZONE = "America/New_York"
    taken = schedule_tick(now=utc(2026, 3, 10, 10, 0))  # 06:00 in New York
    assert [run.name for run in taken] == ["sweep"]


@pytest.mark.django_db
def test_the_queued_jobs_wait_for_a_worker_on_their_queue():
    schedule_tick(now=utc(2026, 3, 10, 14, 37))
    task = DBTaskResult.objects.get(task_path="casework.monitoring.jobs.sweep_job")
    assert (task.status, task.queue_name, task.args_kwargs) == (
        "READY",
        "default",
        {"args": [], "kwargs": {}},
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_take_each_slot_once():
    """Several workers tick at the same moment: the unique (name, slot) pair lets one win each
    slot, the others enqueue nothing (and do not fail)."""
    now = utc(2026, 3, 10, 14, 37)
    ticks = 4
    barrier = threading.Barrier(ticks)
    taken: list[int] = []
    errors: list[BaseException] = []

    def tick(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            taken.append(len(schedule_tick(now=now, worker=name, entries=[SWEEP, DIGEST])))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(f"w{n}",)) for n in range(ticks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(taken) == ticks and sum(taken) == 2
    assert ScheduledRun.objects.filter(slot=utc(2026, 3, 10, 14, 30), name="sweep").count() == 1
    assert ScheduledRun.objects.filter(name="daily digest").count() == 1
    assert DBTaskResult.objects.count() == 2
