"""Background jobs: the tasks ``casework worker`` runs (django-tasks, database backend).

Each job takes ids or plain values (they are stored as JSON in the queue), opens its own
transaction -- or leaves it to a service that commits in steps of its own (the sweep, the
digest) -- and calls one service: the rules live in the services, never here. Services are
imported inside the jobs so that this module loads before, and without, the apps it calls.

Enqueue from a service with ``enqueue_on_commit(job, *args)``: the job is queued only once the
caller's transaction commits, so a worker never picks up a job about rows it cannot see yet, nor
one about a change that was rolled back.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger("casework.worker")


def enqueue_on_commit(job: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queue ``job(*args, **kwargs)`` when the current transaction commits (at once outside one).

    Arguments must be JSON values (ids as strings). A failure to queue after the commit is logged
    rather than raised: the caller's change is already saved and must not turn into an error."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs), robust=True)


def _plain(value: Any) -> Any:
    """What a job returns is stored as JSON: a report dataclass becomes a dict."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@task()
def sweep_job() -> dict[str, Any]:
    """Run the monitoring sweep over every open case (``casework.monitoring.sweep.sweep_run``):
    the worker's schedule enqueues it every ``CASEWORK_SWEEP_MINUTES``. No transaction around
    it: the sweep commits one rule at a time, so other writers (on SQLite, the one write lock)
    wait for one rule at most, never for the whole sweep; every rule is idempotent, so a sweep
    that fails halfway is simply finished by the next one."""
    from casework.monitoring.sweep import sweep_run

    report = sweep_run()
    summary = {
        "created": report.created,
        "resolved": report.resolved,
        "escalated": report.escalated,
        "seconds": round(report.seconds, 3),
        "rules": _plain(report.rules),
    }
    logger.info(
        "sweep: %(created)d created, %(resolved)d resolved, %(escalated)d escalated "
        "in %(seconds).1f s",
        summary,
    )
    return summary


@task()
def daily_digest_job() -> int:
    """Email each member of staff with open work their daily digest
    (``casework.monitoring.services.notifications.daily_digest_send``); returns how many went.

    No transaction around it: the service commits one person at a time and sends each email
    after that person's record is committed, so a failure halfway neither resends to those done
    nor leaves a record of an email that was never sent."""
    from casework.monitoring.services.notifications import daily_digest_send

    sent = daily_digest_send()
    logger.info("daily digest: %d sent", sent)
    return sent


@task(queue_name="email")
def send_notification_email_job(notification_id: str) -> bool:
    """Email one in-app notification to its recipient
    (``casework.monitoring.services.notifications.notification_email_send``); ``False`` when
    there was nothing to send (already sent, or the notification is gone)."""
    from casework.monitoring.services.notifications import notification_email_send

    with transaction.atomic():
        sent: bool = notification_email_send(notification_id=notification_id)
    return sent
