"""Notifications: asap and urgent items and escalations tell their assignee (asap also by one
email after commit, naming no client); the daily digest once a day per person; the API and the
notification page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casework.monitoring import services
from casework.monitoring.models import Notification, Priority, WorkItem
from casework.monitoring.services.notifications import daily_digest_send, notify
from tests import factories


@pytest.fixture
def case(world: Any) -> Any:
    world.casey.email = "casey@acme.example"
    world.casey.save(update_fields=["email"])
    world.sam.email = "sam@acme.example"
    world.sam.save(update_fields=["email"])
    client = factories.client(world.casey, given_name="Rosalind", family_name="Quintanilla")
    return factories.case(world.casey, client=client, program=world.program, to="active")


def make_item(world: Any, case: Any, **kwargs: Any) -> WorkItem:
    values = {
        "acting_user": None,
        "assignee": world.casey,
        "kind": "contact_due",
        "title": "Contact due for Rosalind Quintanilla (depression follow-up)",
        "detail": "PHQ-9 score 19",
        "priority": Priority.ROUTINE,
        "due_at": timezone.now() + timedelta(hours=2),
        "client": case.client,
        "case": case,
        "source_type": "cases.case",
        "source_id": f"{case.pk}:{WorkItem.objects.count()}",
    }
    values.update(kwargs)
    item, _ = services.work_item_create(**values)
    return item


def test_asap_item_notifies_and_emails_once_on_commit_without_client_data(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    # Due at the end of the agency's day: "due today" whatever the hour the suite runs at.
    tonight = timezone.localtime().replace(hour=23, minute=59, second=59, microsecond=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = make_item(world, case, priority=Priority.ASAP, due_at=tonight)
    notification = Notification.objects.get(user=world.casey)
    assert notification.work_item == item and notification.kind == "work_item_asap"
    assert "Rosalind" in notification.title  # in the app, behind the sign-in
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["casey@acme.example"]
    assert message.subject.startswith("[casework] ")
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        for secret in ("Rosalind", "Quintanilla", "depression", "PHQ", "Contact due"):
            assert secret not in text
    assert "due today" in message.body and "sign in" in message.body
    assert "http://127.0.0.1:8000/work/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # Sending again (a retried job) sends nothing.
    from casework.monitoring.services.notifications import notification_email_send

    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mailoutbox) == 1


def test_notifying_an_item_twice_makes_one_notification(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    from casework.monitoring.services.notifications import notify_work_item_created

    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(world, case, priority=Priority.ASAP)
        again = notify_work_item_created(item)
    assert Notification.objects.filter(work_item=item).count() == 1
    assert again is not None and len(mailoutbox) == 1


def test_rolled_back_item_sends_nothing(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                make_item(world, case, priority=Priority.ASAP)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert mailoutbox == [] and not Notification.objects.exists()


def test_urgent_notifies_in_the_app_only_and_routine_not_at_all(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(world, case, priority=Priority.ROUTINE)
        urgent = make_item(world, case, priority=Priority.URGENT)
    assert list(Notification.objects.values_list("work_item_id", "kind")) == [
        (urgent.pk, "work_item_urgent")
    ]
    assert mailoutbox == []


def test_escalation_notifies_the_supervisors_one_summary_each(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    from casework.monitoring.services.notifications import notify_escalated

    late = timezone.now() - timedelta(days=3)
    overdue = [
        make_item(world, case, due_at=late, source_id=f"late-{n}", title=title)
        for n, title in enumerate(["Contact due", "Contact due", "Reassessment due"])
    ]
    lone = make_item(world, case, due_at=late, source_id="lone", title="Lone")
    asap = make_item(world, case, due_at=late, source_id="asap", priority=Priority.ASAP)
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        to_sam = [(world.sam.pk, item) for item in [*overdue, asap]]
        made = notify_escalated([*to_sam, (world.ian.pk, lone)])
    assert made == 3
    summary = Notification.objects.get(user=world.sam, work_item=None)
    assert summary.kind == "work_item_escalation"
    assert summary.title == "Escalated to you: 3 overdue work items"
    assert summary.body.splitlines() == ["Contact due (2)", "Reassessment due (1)"]
    assert summary.url == reverse("monitoring:team_work")
    single = Notification.objects.get(user=world.ian, work_item=lone)
    assert single.title == "Escalated to you: Lone"
    # An asap item escalates by email too -- counts only, no client data.
    assert Notification.objects.get(user=world.sam, work_item=asap).kind == "work_item_escalation"
    assert [message.to for message in mailoutbox] == [[world.sam.email]]
    assert "escalated work item" in mailoutbox[0].body
    assert case.client.family_name not in mailoutbox[0].body


def test_bulk_notify_for_the_sweep(world, case, django_capture_on_commit_callbacks, mailoutbox):
    from casework.monitoring.services.notifications import notify_work_items_created

    items = [
        make_item(world, case, priority=p, source_id=f"bulk-{p}")
        for p in (Priority.ROUTINE, Priority.URGENT)
    ]
    Notification.objects.all().delete()
    asap = WorkItem(
        organization=world.org,
        assignee=world.casey,
        kind="contact_due",
        title="x",
        priority=Priority.ASAP,
        source_id="bulk-asap",
    )
    asap.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_work_items_created([*items, asap]) == 2
    assert len(mailoutbox) == 1


def test_user_without_email_gets_the_app_notification_only(
    world, case, mailoutbox, django_capture_on_commit_callbacks
):
    world.casey.email = ""
    world.casey.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=world.casey, kind="test", title="Hello", email=True)
    assert Notification.objects.count() == 1 and mailoutbox == []


# ----------------------------------------------------------------------------------------------
# Daily digest


def test_digest_once_per_day_per_person_with_counts(world, case, mailoutbox):
    now = timezone.now()
    make_item(world, case, due_at=now - timedelta(days=1))
    make_item(world, case, due_at=None)
    make_item(world, case, assignee=world.sam, due_at=now + timedelta(days=3))
    world.chris.email = "chris@acme.example"  # nothing open: no digest
    world.chris.save(update_fields=["email"])
    make_item(world, case, assignee=world.ian, due_at=now)  # no email address: skipped
    assert daily_digest_send(now=now, dry_run=True) == 2
    assert mailoutbox == []
    assert daily_digest_send(now=now) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["casey@acme.example", "sam@acme.example"]
    casey_mail = next(m for m in mailoutbox if m.to == ["casey@acme.example"])
    assert "2 open work items" in casey_mail.body and "1 work item overdue" in casey_mail.body
    assert "Rosalind" not in casey_mail.body and "Contact due" not in casey_mail.body
    # Again the same day: nothing; the next day: again.
    assert daily_digest_send(now=now + timedelta(minutes=5)) == 0
    assert len(mailoutbox) == 2
    assert daily_digest_send(now=now + timedelta(days=1)) == 2
    # The digest records are not shown as notifications.
    from casework.monitoring.selectors.notifications import notifications_for

    assert not notifications_for(world.casey).filter(kind="digest").exists()


def test_digest_counts_escalations_for_a_supervisor_with_no_items_of_their_own(
    world, case, mailoutbox
):
    now = timezone.now()
    late = make_item(world, case, due_at=now - timedelta(days=5))
    WorkItem.objects.filter(pk=late.pk).update(escalated_at=now)
    assert daily_digest_send(now=now) == 2
    sam_mail = next(m for m in mailoutbox if m.to == ["sam@acme.example"])
    assert "1 work item escalated to you" in sam_mail.body
    assert "You have 0 open work items" in sam_mail.body
    casey_mail = next(m for m in mailoutbox if m.to == ["casey@acme.example"])
    assert "escalated to you" not in casey_mail.body


def test_digest_command(world, case, mailoutbox, capsys):
    make_item(world, case)
    call_command("digest", "--dry-run")
    assert "would send 1" in capsys.readouterr().out and mailoutbox == []
    call_command("digest")
    assert "sent 1" in capsys.readouterr().out and len(mailoutbox) == 1


# ----------------------------------------------------------------------------------------------
# API and page


def test_notification_api_list_read_and_read_all(world, case, api):
    make_item(world, case, priority=Priority.URGENT)
    make_item(world, case, priority=Priority.ASAP)
    notify(user=world.sam, kind="test", title="For Sam")
    casey = api(world.casey)
    body = casey.get("/api/v1/notifications").json()
    assert body["unread"] == 2 and len(body["items"]) == 2 and body["next"] is None
    first = body["items"][0]["id"]
    read = casey.post(f"/api/v1/notifications/{first}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    assert casey.get("/api/v1/notifications", unread=True).json()["unread"] == 1
    sams = Notification.objects.get(user=world.sam)
    assert casey.post(f"/api/v1/notifications/{sams.pk}/read").status_code == 404
    assert api(world.olive).post(f"/api/v1/notifications/{first}/read").status_code == 404
    assert casey.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    sams.refresh_from_db()
    assert sams.read_at is None


def test_notification_page_and_bell(client, world, case):
    make_item(world, case, priority=Priority.URGENT)
    client.force_login(world.casey)
    html = client.get(reverse("web:caseload")).content.decode()
    assert "Notifications, 1 unread" in html
    page = client.get(reverse("monitoring:notifications"))
    assert page.status_code == 200 and "Urgent: Contact due" in page.content.decode()
    note = Notification.objects.get()
    fragment = client.post(
        reverse("monitoring:notification_read", args=[note.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="notification-list"')
    assert "all caught up" in fragment.content.decode()
    note.refresh_from_db()
    assert note.read_at is not None
    opened = client.post(reverse("monitoring:notification_read", args=[note.pk]), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == reverse("monitoring:my_work")
    client.force_login(world.chris)
    assert client.post(reverse("monitoring:notification_read", args=[note.pk])).status_code == 404
    make_item(world, case, priority=Priority.URGENT)
    client.force_login(world.casey)
    done = client.post(reverse("monitoring:notifications_read_all"))
    assert done.status_code == 302
    assert not Notification.objects.filter(user=world.casey, read_at__isnull=True).exists()


def test_bulk_notify_sums_up_several_items_of_one_kind_for_one_person(world, case):
    """A sweep that opens many urgent items (or escalations) for one person makes one
    notification saying how many of each title, not one per item; a single one stays single."""
    from casework.monitoring.services.notifications import notify_work_items_created

    urgent = [
        make_item(world, case, priority=Priority.URGENT, source_id=f"many-{n}", title=title)
        for n, title in enumerate(["Contact due", "Contact due", "Reassessment due"])
    ]
    lone = make_item(
        world, case, assignee=world.sam, priority=Priority.URGENT, source_id="one", title="Lone"
    )
    Notification.objects.all().delete()
    assert notify_work_items_created([*urgent, lone]) == 2
    summary = Notification.objects.get(user=world.casey)
    assert summary.title == "Urgent: 3 new urgent work items"
    assert summary.body.splitlines() == ["Contact due (2)", "Reassessment due (1)"]
    assert summary.work_item_id is None
    single = Notification.objects.get(user=world.sam)
    assert single.work_item_id == lone.pk and single.title == "Urgent: Lone"
