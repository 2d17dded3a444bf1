"""The program waitlist page."""

from __future__ import annotations

from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases import services
from tests import factories


def waitlist(user, program, name, priority):
    person = factories.client(user, given_name=name, family_name="Waiting")
    case = services.case_create(acting_user=user, client=person, program=program, priority=priority)
    case = services.case_transition(acting_user=user, case=case, to_status="screening")
    return services.case_transition(
        acting_user=user, case=case, to_status="waitlist", reason="No capacity"
    )


def test_waitlist_is_in_priority_order_and_audited(client, world):
    late = waitlist(world.ian, world.program, "Later", 3)
    urgent = waitlist(world.ian, world.program, "Urgent", 1)
    first_in = waitlist(world.ian, world.program, "Sooner", 3)
    client.force_login(world.sam)
    response = client.get(reverse("web:program_waitlist", args=[world.program.id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Urgent Waiting") < html.index("Later Waiting") < html.index("Sooner Waiting")
    event = AuditEvent.objects.filter(action="read", object_type="cases.case").last()
    assert event is not None
    assert event.detail["ids"] == [str(c.id) for c in (urgent, late, first_in)]


def test_waitlist_of_another_organization_is_a_404(client, world):
    client.force_login(world.olive)
    response = client.get(reverse("web:program_waitlist", args=[world.program.id]))
    assert response.status_code == 404


def test_waitlist_shows_only_cases_i_may_see(client, world):
    waitlist(world.ian, world.program, "Private", 2)
    client.force_login(world.chris)
    html = client.get(reverse("web:program_waitlist", args=[world.program.id])).content.decode()
    assert "Private Waiting" not in html
    assert "Nobody you can see is waiting" in html
