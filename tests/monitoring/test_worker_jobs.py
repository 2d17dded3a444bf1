"""The jobs the worker runs: each calls its service and returns a JSON-able result; the
notification email job end to end through a worker on the ``email`` queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.accounts.models import User
from casework.monitoring.jobs import (
    daily_digest_job,
    enqueue_on_commit,
    send_notification_email_job,
    sweep_job,
)
from casework.monitoring.models import Notification
from casework.monitoring.services.notifications import notify
from casework.monitoring.services.work_items import work_item_create


def with_email(user: User) -> User:
    User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
    user.refresh_from_db()
    return user


def test_the_notification_email_job_sends_once(world):
    casey = with_email(world.casey)
    notification = notify(user=casey, kind="work_item_assigned", title="A new item")
    assert send_notification_email_job.call(str(notification.pk)) is True
    assert [message.to for message in mail.outbox] == [["casey@example.org"]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert send_notification_email_job.call(str(notification.pk)) is False
    assert len(mail.outbox) == 1


def test_the_notification_email_job_for_a_missing_notification_sends_nothing(world):
    assert send_notification_email_job.call("00000000-0000-0000-0000-000000000000") is False
    assert mail.outbox == []


def test_the_daily_digest_job_returns_how_many_were_sent(world):
    casey = with_email(world.casey)
    work_item_create(
        acting_user=world.sam,
        assignee=casey,
        kind="task",
        title="Call the landlord",
        due_at=timezone.now() - timedelta(days=1),
        notify=False,
    )
    assert daily_digest_job.call() == 1
    assert [message.to for message in mail.outbox] == [["casey@example.org"]]
    assert daily_digest_job.call() == 0  # once a day per person


def test_the_jobs_run_on_their_queues():
    assert daily_digest_job.queue_name == "default"
    assert send_notification_email_job.queue_name == "email"


@pytest.mark.django_db(transaction=True)
def test_a_notification_email_queued_on_commit_is_sent_by_an_email_worker(world):
    casey = with_email(world.casey)
    notification = notify(user=casey, kind="work_item_assigned", title="A new item")
    enqueue_on_commit(send_notification_email_job, str(notification.pk))  # autocommit: at once
    queued = DBTaskResult.objects.get()
    assert (queued.queue_name, queued.args_kwargs["args"]) == ("email", [str(notification.pk)])
    call_command("worker", "--once", "--no-schedule", "--queues", "email", verbosity=0)
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", True)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def test_the_sweep_job_runs_the_sweep_and_reports_it_as_json(world):
    from casework.cases.models import Case
    from casework.monitoring.models import WorkItem
    from tests import factories

    client = factories.client(world.casey)
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    # Opened two months ago and never seen since: a contact is overdue under any model.
    long_ago = timezone.now() - timedelta(days=60)
    Case.objects.filter(pk=case.pk).update(opened_at=long_ago, status_changed_at=long_ago)
    WorkItem.objects.all().delete()  # start from what the sweep alone makes
    first = sweep_job.call()
    assert set(first) == {"created", "resolved", "escalated", "seconds", "rules"}
    assert first["created"] >= 1
    assert first["created"] == sum(rule["created"] for rule in first["rules"].values())
    assert WorkItem.objects.filter(status="open").count() == first["created"]
    again = sweep_job.call()
    assert (again["created"], again["resolved"]) == (0, 0)
