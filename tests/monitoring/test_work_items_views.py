"""My work and Team work pages: the queue, filters (HTMX), the actions in place with the version
read, a task by hand, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.monitoring import services
from casework.monitoring.models import Priority, WorkItem
from tests import factories


@pytest.fixture
def case(world: Any) -> Any:
    client = factories.client(world.casey, given_name="Marta", family_name="Lind")
    return factories.case(world.casey, client=client, program=world.program, to="active")


def make_item(world: Any, case: Any, **kwargs: Any) -> WorkItem:
    values = {
        "acting_user": None,
        "assignee": world.casey,
        "kind": "contact_due",
        "title": "Contact due",
        "due_at": timezone.now() + timedelta(days=2),
        "client": case.client,
        "case": case,
        "source_type": "cases.case",
        "source_id": f"{case.pk}:{WorkItem.objects.count()}",
    }
    values.update(kwargs)
    return services.work_item_create(**values)[0]


def test_my_work_page_lists_items_with_badges_and_links(client, world, case):
    make_item(world, case, priority=Priority.ASAP, title="Call Marta today")
    make_item(world, case, due_at=timezone.now() - timedelta(days=1), title="Overdue visit")
    client.force_login(world.casey)
    response = client.get(reverse("monitoring:my_work"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Overdue visit") < html.index("Call Marta today")
    assert "badge-asap" in html and "badge-overdue" in html
    assert reverse("web:case_detail", args=[case.pk]) in html and "Marta Lind" in html
    assert 'name="version" value="1"' in html and "csrfmiddlewaretoken" in html
    assert 'aria-current="page"' in html and "2 · 1 overdue" in html  # the nav badge


def test_filters_refresh_only_the_list(client, world, case):
    make_item(world, case, due_at=timezone.now() - timedelta(days=1), title="Overdue visit")
    make_item(world, case, title="Later call")
    client.force_login(world.casey)
    response = client.get(reverse("monitoring:my_work"), {"overdue": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="work-list"')
    assert "Overdue visit" in html and "Later call" not in html
    bad = client.get(reverse("monitoring:my_work"), {"priority": "soon"})
    assert bad.status_code == 200 and "were not valid" in bad.content.decode()


def test_complete_in_place(client, world, case):
    item = make_item(world, case)
    client.force_login(world.casey)
    url = reverse("monitoring:work_item_complete", args=[item.pk])
    response = client.post(url, {"version": 1, "note": "Phoned"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article id="work-item-{item.pk}"') and "Done." in html
    item.refresh_from_db()
    assert item.status == "done"


def test_stale_version_says_changed_by_someone_else(client, world, case):
    item = make_item(world, case)
    services.work_item_snooze(
        acting_user=world.casey,
        work_item=item,
        until=timezone.now() + timedelta(days=1),
        reason="x",
    )
    client.force_login(world.casey)
    url = reverse("monitoring:work_item_complete", args=[item.pk])
    response = client.post(url, {"version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"
    # Without HTMX: back to the page with the message.
    plain = client.post(url, {"version": 1}, follow=True)
    assert "changed by someone else" in plain.content.decode()


def test_snooze_in_place_needs_a_reason_and_a_date_within_30_days(client, world, case):
    item = make_item(world, case)
    client.force_login(world.casey)
    url = reverse("monitoring:work_item_snooze", args=[item.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    missing = client.post(url, {"version": 1, "until": tomorrow}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 422 and "Reason" in missing.content.decode()
    far = (timezone.localdate() + timedelta(days=40)).isoformat()
    too_far = client.post(
        url, {"version": 1, "until": far, "reason": "Away"}, HTTP_HX_REQUEST="true"
    )
    assert too_far.status_code == 422 and "30 days" in too_far.content.decode()
    ok = client.post(
        url, {"version": 1, "until": tomorrow, "reason": "Away"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200 and "Snoozed until" in ok.content.decode()
    assert "Wake now" in ok.content.decode()
    woke = client.post(
        reverse("monitoring:work_item_unsnooze", args=[item.pk]),
        {"version": 2},
        HTTP_HX_REQUEST="true",
    )
    assert woke.status_code == 200 and "Back on your queue" in woke.content.decode()


def test_reassign_and_cancel_from_team_work(client, world, case):
    item = make_item(world, case, due_at=timezone.now() - timedelta(days=1))
    client.force_login(world.sam)
    page = client.get(reverse("monitoring:team_work"))
    html = page.content.decode()
    assert page.status_code == 200 and "Contact due" in html and "By person" in html
    refused = client.post(
        reverse("monitoring:work_item_reassign", args=[item.pk]),
        {"version": 1, "to": str(world.chris.pk), "reason": "x", "view": "team"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    moved = client.post(
        reverse("monitoring:work_item_reassign", args=[item.pk]),
        {"version": 1, "to": str(world.sam.pk), "reason": "I will call", "view": "team"},
        HTTP_HX_REQUEST="true",
    )
    assert moved.status_code == 200 and "Handed to Sam Super" in moved.content.decode()
    mine = WorkItem.objects.get(assignee=world.sam, status="open")
    cancelled = client.post(
        reverse("monitoring:work_item_cancel", args=[mine.pk]),
        {"version": 1, "reason": "Seen at the clinic"},
    )
    assert cancelled.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_team_work_shows_what_escalated_and_filters_to_it(client, world, case):
    now = timezone.now()
    late = make_item(world, case, due_at=now - timedelta(days=4), title="Face-to-face contact due")
    make_item(world, case, due_at=now + timedelta(days=1), title="Reassessment due")
    client.force_login(world.sam)
    assert "No escalations." in client.get(reverse("monitoring:team_work")).content.decode()
    WorkItem.objects.filter(pk=late.pk).update(escalated_at=now)
    html = client.get(reverse("monitoring:team_work")).content.decode()
    section = html.split('id="escalations-heading"')[1].split('id="people-heading"')[0]
    assert "Face-to-face contact due" in section and "Reassessment due" not in section
    assert "Casey Case" in section and "Marta Lind" in section  # who holds it, for whom
    assert html.count(f'id="work-item-{late.pk}"') == 1  # acted on in the list, once
    assert "badge-escalated" in html
    only = client.get(reverse("monitoring:team_work"), {"escalated": "on"}, HTTP_HX_REQUEST="true")
    listed = only.content.decode()
    assert "Face-to-face contact due" in listed and "Reassessment due" not in listed
    # The holder sees the mark on My work; nobody else supervises the item.
    client.force_login(world.casey)
    assert "badge-escalated" in client.get(reverse("monitoring:my_work")).content.decode()


def test_others_get_404(client, world, case):
    item = make_item(world, case)
    for persona in (world.chris, world.olive):
        client.force_login(persona)
        for name in ("work_item_complete", "work_item_snooze", "work_item_cancel"):
            url = reverse(f"monitoring:{name}", args=[item.pk])
            assert client.post(url, {"version": 1, "reason": "x"}).status_code == 404
    client.force_login(world.casey)
    assert client.get(reverse("monitoring:team_work")).status_code == 404


def test_new_task_for_myself_and_for_a_team_member(client, world, case):
    client.force_login(world.casey)
    form = client.get(reverse("monitoring:work_item_new"), {"case": str(case.pk)})
    assert form.status_code == 200 and "Marta Lind" in form.content.decode()
    saved = client.post(
        reverse("monitoring:work_item_new") + f"?case={case.pk}",
        {"title": "Bring forms", "assignee": str(world.casey.pk), "priority": "routine"},
    )
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "web:case_detail", args=[case.pk]
    )
    assert WorkItem.objects.get(kind="task").case == case
    past = client.post(
        reverse("monitoring:work_item_new"),
        {
            "title": "Late",
            "assignee": str(world.casey.pk),
            "priority": "routine",
            "due_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        },
    )
    assert past.status_code == 422 and "past" in past.content.decode()
    not_mine = client.post(
        reverse("monitoring:work_item_new"),
        {"title": "x", "assignee": str(world.chris.pk), "priority": "routine"},
    )
    assert not_mine.status_code == 422
    client.force_login(world.chris)
    assert (
        client.get(reverse("monitoring:work_item_new"), {"case": str(case.pk)}).status_code == 404
    )


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("name", ["monitoring:my_work", "monitoring:team_work"])
def test_pages_cost_the_same_for_3_and_15_items(client, world, case, name):
    user = world.casey if name == "monitoring:my_work" else world.sam
    for _ in range(3):
        make_item(world, case, priority=Priority.URGENT)
    client.force_login(user)
    url = reverse(name)
    few = _page_queries(client, url)
    for _ in range(12):
        make_item(world, case, priority=Priority.ASAP)
    assert _page_queries(client, url) == few
    assert few <= 20
