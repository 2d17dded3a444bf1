"""The partner link: the round trip through the public page, refusals, and concurrent use."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.coordination.models import Appointment, PartnerLink, Referral, ReferralEvent
from casework.coordination.selectors.referrals import PARTNER_FIELDS, partner_link_for_token
from casework.coordination.services import referrals as services
from casework.core.errors import Conflict
from tests.coordination import referral_helpers as h


def sent(world):
    case = h.active_case(world)
    referral = h.referral(world, case, send=True)
    link, path = services.partner_link_issue(acting_user=world.casey, referral=referral)
    return referral, link, path


def token_of(path):
    return path.rstrip("/").rsplit("/", 1)[-1]


def get_page(http, path):
    response = http.get(path)
    return response, response.content.decode()


def post(http, path, **data):
    http.get(path)  # the CSRF cookie
    token = http.cookies["csrftoken"].value
    return http.post(path, {"csrfmiddlewaretoken": token, **data})


def test_round_trip_accept_then_complete_closes_the_loop(world):
    referral, link, path = sent(world)
    http = HttpClient(enforce_csrf_checks=True)
    response, body = get_page(http, path)
    assert response.status_code == 200
    assert referral.client.full_name in body and "555-0199" in body
    assert "1980" not in body  # no date of birth
    assert "Food insecurity" not in body and "Care plan" not in body
    assert '<meta name="robots" content="noindex' in body
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "Main" not in body and "Sign out" not in body  # no navigation
    read = AuditEvent.objects.filter(
        action="read", object_id=str(referral.pk), actor_id=None
    ).last()
    assert read.detail["partner_link_id"] == str(link.pk)
    assert read.detail["fields"] == sorted(PARTNER_FIELDS)

    response = post(http, path, action="accept", partner_name="Dana at Harbor")
    assert response.status_code == 200
    body = response.content.decode()
    assert "use this link for your next update" in body.lower()
    referral.refresh_from_db()
    assert referral.status == "accepted"
    next_link = PartnerLink.objects.get(issued_after=link)
    assert next_link.purpose == "update"
    next_path = body.split('readonly value="')[1].split('"')[0].replace("http://testserver", "")

    response = post(
        http,
        next_path,
        action="schedule",
        partner_name="Dana at Harbor",
        scheduled_date=(timezone.localdate() + timedelta(days=3)).isoformat(),
        scheduled_time="10:30",
        location="12 Dock St",
    )
    assert response.status_code == 200
    appointment = Appointment.objects.get(referral=referral)
    assert (appointment.with_whom, appointment.status) == ("Harbor Food Bank", "booked")
    body = response.content.decode()
    third_path = body.split('readonly value="')[1].split('"')[0].replace("http://testserver", "")

    response = post(
        http,
        third_path,
        action="complete",
        partner_name="Dana at Harbor",
        outcome="Two weeks of groceries delivered",
        outcome_code="resolved",
    )
    assert response.status_code == 200
    assert "nothing more is needed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "completed" and services.loop_closed(referral)
    assert referral.closed_at is not None and referral.outcome_code == "resolved"
    partner_events = ReferralEvent.objects.filter(referral=referral, by_partner="Dana at Harbor")
    assert list(partner_events.values_list("kind", "to_status")) == [
        ("status", "accepted"),
        ("scheduled", "accepted"),
        ("status", "completed"),
    ]
    assert (
        AuditEvent.objects.filter(
            object_id=str(referral.pk), action="transition", actor_id=None
        ).count()
        == 2
    )
    assert not PartnerLink.objects.filter(
        referral=referral, used_at__isnull=True, revoked_at__isnull=True
    ).exists()


def test_reject_needs_a_reason_and_does_not_burn_the_link(world):
    referral, link, path = sent(world)
    http = HttpClient(enforce_csrf_checks=True)
    response = post(http, path, action="reject", partner_name="Dana")
    assert response.status_code == 422
    link.refresh_from_db()
    assert link.used_at is None
    response = post(http, path, action="reject", partner_name="Dana", reason="No capacity")
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "rejected" and services.closed_without_service(referral)
    assert not PartnerLink.objects.filter(issued_after=link).exists()


def test_action_not_of_the_links_purpose_refused(world):
    referral, _link, path = sent(world)
    response = post(HttpClient(), path, action="complete", partner_name="Dana", outcome="x")
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.status == "requested"


def test_reused_link_is_gone_and_nothing_changes(world):
    referral, _link, path = sent(world)
    http = HttpClient()
    assert post(http, path, action="accept", partner_name="Dana").status_code == 200
    referral.refresh_from_db()
    version = referral.version
    response = post(http, path, action="reject", partner_name="Dana", reason="oops")
    assert response.status_code == 410
    assert "expired or has already been used" in response.content.decode()
    assert http.get(path).status_code == 410
    referral.refresh_from_db()
    assert (referral.status, referral.version) == ("accepted", version)


def test_expired_link_is_gone(world):
    referral, link, path = sent(world)
    PartnerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    assert HttpClient().get(path).status_code == 410
    with pytest.raises(Conflict) as caught:
        services.partner_link_use(link=link, action="accept", partner_name="Dana")
    assert caught.value.code == "link_gone"
    referral.refresh_from_db()
    assert referral.status == "requested"


def test_a_new_link_revokes_the_earlier_one(world):
    referral, _link, path = sent(world)
    referral.refresh_from_db()
    _, new_path = services.partner_link_issue(acting_user=world.casey, referral=referral)
    assert HttpClient().get(path).status_code == 410
    assert HttpClient().get(new_path).status_code == 200


def test_staff_move_revokes_a_respond_link(world):
    referral, _link, path = sent(world)
    h.move(world, referral, "accepted")
    assert HttpClient().get(path).status_code == 410


def test_unknown_token_is_not_found(world):
    assert HttpClient().get("/partner/not-a-real-token/").status_code == 404


def test_only_the_digest_is_stored(world):
    _referral, link, path = sent(world)
    token = token_of(path)
    assert token not in link.digest and len(link.digest) == 64
    assert partner_link_for_token(token).pk == link.pk


def test_no_link_for_a_draft_or_closed_referral(world):
    referral = h.referral(world)
    with pytest.raises(Conflict) as caught:
        services.partner_link_issue(acting_user=world.casey, referral=referral)
    assert caught.value.code == "link_not_allowed"


def test_two_consumes_of_the_same_link_exactly_one_wins(world):
    """The second use reads the link as unused too, but the guarded UPDATE refuses it."""
    referral, _link, path = sent(world)
    first = partner_link_for_token(token_of(path))
    second = partner_link_for_token(token_of(path))
    services.partner_link_use(link=first, action="accept", partner_name="A")
    with pytest.raises(Conflict):
        services.partner_link_use(link=second, action="reject", partner_name="B", reason="r")
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert ReferralEvent.objects.filter(referral=referral, by_partner="B").count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_in_two_threads(world):
    referral, _link, path = sent(world)
    token = token_of(path)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def use(action, **kw):
        try:
            found = partner_link_for_token(token)
            barrier.wait(timeout=10)
            services.partner_link_use(link=found, action=action, partner_name=action, **kw)
            results.append("won")
        except Conflict:
            results.append("lost")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=use, args=("accept",)),
        threading.Thread(target=use, args=("reject",), kwargs={"reason": "full"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["lost", "won"]
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status in {"accepted", "rejected"}
    assert ReferralEvent.objects.filter(referral=referral).exclude(by_partner="").count() == 1
