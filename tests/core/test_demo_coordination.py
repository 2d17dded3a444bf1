"""``casework demo``'s coordination records (issue 5): consents, referrals through every status,
care teams, appointments, coverage and authorizations -- built through the services, consistent
with each other and with the clock, and leaving ``casemanager`` a working week."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.services import audit_verify
from casework.cases.care_team_roles import CARE_TEAM_ROLE_NAMES
from casework.cases.models import CareTeamMember, Case
from casework.clients.models import ClientIdentifier
from casework.consent.models import Consent
from casework.consent.selectors import REFERRAL_PURPOSES, consent_covering
from casework.coordination.directory import directory_domains_for
from casework.coordination.models import (
    Appointment,
    AppointmentStatus,
    PartnerLink,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from casework.coordination.selectors.appointments import appointments_of
from casework.coordination.services.appointments import (
    NO_SHOW_WORK_ITEM,
    calendar_feed_create,
    calendar_feed_fetch,
)
from casework.coordination.services.referrals import (
    FOLLOW_UP_KIND,
    OUTCOME_CODES,
    referral_follow_ups_create,
)
from casework.core.demo_coordination import PARTNER_CONTACTS
from casework.coverage.models import Authorization, Coverage
from casework.coverage.selectors import usage_of, with_usage
from casework.encounters.models import Contact
from casework.monitoring.models import WorkItem, WorkItemStatus

CLIENTS = 40
SEED = 7


def run_demo(**options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", stdout=out, stderr=err, **{"clients": CLIENTS, "seed": SEED, **options})
    return out.getvalue()


@pytest.fixture
def demo(db: Any) -> str:
    return run_demo()


def demo_referrals() -> Any:
    return Referral.objects.filter(organization__slug="demo").select_related(
        "provider", "service", "need", "consent", "case", "client"
    )


def test_referrals_in_every_status_with_a_consistent_history_and_consent(demo: str) -> None:
    now = timezone.now()
    referrals = list(demo_referrals().prefetch_related("events"))
    assert {r.status for r in referrals} == set(ReferralStatus.values)
    assert "Coordination:" in demo and "referrals" in demo
    for referral in referrals:
        events = list(referral.events.all())
        assert events[0].from_status == "" and events[0].to_status == ReferralStatus.DRAFT
        assert events[0].at == referral.created_at
        times = [event.at for event in events]
        assert times == sorted(times) and times[-1] <= now
        moves = [event for event in events if event.kind == "status"]
        assert moves[-1].to_status == referral.status
        assert referral.last_update_at == max(
            event.at for event in events if event.kind in ("status", "scheduled", "note")
        )
        assert referral.case.opened_at is not None
        assert referral.case.opened_at <= referral.created_at <= referral.updated_at <= now
        sent = [event.at for event in moves if event.to_status == ReferralStatus.REQUESTED]
        assert referral.requested_at == (sent[0] if sent else None)
        if referral.need is not None:
            directory = set(directory_domains_for(referral.need.domain))
            assert directory & set(referral.service.needs), (referral.need.domain, referral.service)
        if referral.status in (ReferralStatus.REJECTED, ReferralStatus.FAILED):
            assert referral.status_reason
        if referral.status == ReferralStatus.COMPLETED:
            assert referral.outcome and referral.outcome_code in OUTCOME_CODES
            assert referral.closed_at == moves[-1].at
    # Some loops closed by the partner through the single-use links: the partner's own name.
    by_partner = ReferralEvent.objects.filter(
        referral__organization__slug="demo",
        to_status=ReferralStatus.COMPLETED,
        kind="status",
        partner_link__isnull=False,
    ).select_related("referral__provider", "partner_link")
    assert by_partner.exists()
    for event in by_partner:
        assert event.by_partner == PARTNER_CONTACTS[event.referral.provider.name]
        assert event.by_user is None and event.partner_link.used_at == event.at
    links = PartnerLink.objects.filter(referral__organization__slug="demo")
    for link in links:
        assert link.created_at <= link.updated_at <= now
        assert link.used_at is None or link.created_at <= link.used_at < link.expires_at
    # Silent referrals wait longer than their model allows.
    silent = [
        r
        for r in referrals
        if r.status in (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)
        and r.last_update_at < now - timedelta(days=r.case.program.model.referral_followup_days)
    ]
    assert silent
    assert audit_verify().ok

    # Every referral sent to an outside partner had the client's consent to share with it.
    sent = demo_referrals().filter(requested_at__isnull=False)
    assert sent.filter(provider__is_internal=True, consent__isnull=True).exists()
    outside = sent.filter(provider__is_internal=False)
    assert outside.exists()
    for referral in outside:
        consent = referral.consent
        assert consent is not None, referral.pk
        assert consent.client_id == referral.client_id
        day = timezone.localdate(referral.requested_at)
        assert consent.period_start <= day
        assert consent.period_end is None or consent.period_end >= day
        assert REFERRAL_PURPOSES & set(consent.purposes)
        assert consent.all_directory_recipients or (
            consent.recipients.filter(pk=referral.provider_id).exists()
        )
        assert consent.revoked_at is None or consent.revoked_at > referral.requested_at
    consents = Consent.objects.filter(organization__slug="demo")
    assert consents.filter(status="inactive", revoked_at__isnull=False).exists()
    assert consents.filter(all_directory_recipients=True).exists()
    for consent in consents.filter(method="verbal"):
        assert consent.witness_name
    for consent in consents.filter(all_directory_recipients=False):
        assert 2 <= consent.recipients.count() <= 5
    # A draft to an outside partner for a client with no consent: "needs consent".
    drafts = demo_referrals().filter(status=ReferralStatus.DRAFT, provider__is_internal=False)
    waiting = [
        r
        for r in drafts
        if consent_covering(client_id=r.client_id, provider_id=r.provider_id) is None
    ]
    assert any(r.case.case_manager.username == "casemanager" for r in waiting)


def test_casemanager_has_a_calendar_a_work_queue_and_care_teams(demo: str) -> None:
    now = timezone.now()
    casemanager = User.objects.get(username="casemanager")
    week = list(appointments_of(user=casemanager, starts_from=now, starts_to=now + timedelta(7)))
    fortnight = list(
        appointments_of(user=casemanager, starts_from=now, starts_to=now + timedelta(14))
    )
    assert len(week) >= 1 and len(fortnight) >= 4
    assert all(a.status == AppointmentStatus.BOOKED for a in fortnight)
    _, token = calendar_feed_create(acting_user=casemanager)
    _, feed = calendar_feed_fetch(token=token)
    assert {a.pk for a in fortnight} <= {a.pk for a in feed}
    upcoming = Appointment.objects.filter(organization__slug="demo", starts_at__gt=now)
    assert upcoming.filter(transport_needed=True).exists()
    assert upcoming.filter(
        accompaniment_planned=True, case__program__model__kind="intensive"
    ).exists()
    for video in Appointment.objects.filter(organization__slug="demo", mode="video"):
        assert video.video_link.startswith("https://")

    no_shows = WorkItem.objects.filter(kind=NO_SHOW_WORK_ITEM, assignee=casemanager)
    assert no_shows.filter(status=WorkItemStatus.OPEN).exists()
    missed = Appointment.objects.filter(organization__slug="demo", status=AppointmentStatus.NOSHOW)
    assert missed.exists()
    assert WorkItem.objects.filter(kind=NO_SHOW_WORK_ITEM).count() == missed.count()
    # The demo ran the follow-up sweep already: running it again finds nothing new.
    assert referral_follow_ups_create() == 0
    follow_ups = WorkItem.objects.filter(
        kind=FOLLOW_UP_KIND, assignee=casemanager, status=WorkItemStatus.OPEN
    )
    assert follow_ups.count() >= 2
    assert referral_follow_ups_create() == 0

    # Nothing attended, recorded or created in the future.
    appointments = Appointment.objects.filter(organization__slug="demo")
    assert appointments.filter(status=AppointmentStatus.FULFILLED).exists()
    assert (
        appointments.filter(status=AppointmentStatus.CANCELLED).exclude(status_reason="").exists()
    )
    for appointment in appointments.select_related("case"):
        assert appointment.created_at <= now and appointment.created_at <= appointment.updated_at
        if appointment.status in (AppointmentStatus.FULFILLED, AppointmentStatus.NOSHOW):
            recorded = appointment.attendance_recorded_at
            assert recorded is not None
            assert appointment.starts_at <= recorded <= now
        if appointment.status == AppointmentStatus.BOOKED and appointment.referral_id is None:
            assert appointment.starts_at > now
    assert not Contact.objects.filter(started_at__gt=now).exists()
    for model in (Consent, Coverage, Authorization, CareTeamMember, Referral, PartnerLink):
        assert not model.objects.filter(created_at__gt=now).exists(), model
    assert not ReferralEvent.objects.filter(at__gt=now).exists()
    for item in WorkItem.objects.filter(kind=NO_SHOW_WORK_ITEM):
        assert item.created_at <= now
        assert item.closed_at is None or item.created_at <= item.closed_at <= now

    # Care teams of the cases being worked.
    today = timezone.localdate()
    worked = Case.objects.filter(
        organization__slug="demo", status__in=["active", "on_hold", "transition"]
    )
    for case in worked:
        members = list(case.care_team.all())
        outside = [m for m in members if m.kind != "staff"]
        assert 1 <= len(outside) <= 3, case.pk
        for member in members:
            assert not member.role_code or member.role_code in CARE_TEAM_ROLE_NAMES
            assert member.start_date is not None and member.start_date <= today
            if member.kind == "provider":
                assert member.organization_name and member.phone
            if member.kind == "staff":
                assert member.user is not None and member.user_id != case.case_manager_id
                assert member.user.organization_id == case.organization_id
    assert CareTeamMember.objects.filter(case__in=worked, role_code="80584001").exists()

    # Payer coverage: member ids are the client's identifiers; authorizations with usage.

    identifiers = {
        (i.client_id, i.type): i.value
        for i in ClientIdentifier.objects.filter(organization__slug="demo")
    }
    coverages = Coverage.objects.filter(organization__slug="demo")
    medicaid = coverages.filter(coverage_type__in=["medicaid", "managed_medicaid"])
    assert medicaid.exists() and coverages.filter(coverage_type="commercial").exists()
    for coverage in medicaid:
        assert coverage.member_id == identifiers[(coverage.client_id, "MA")]
    for coverage in coverages.filter(coverage_type="medicare"):
        assert coverage.member_id == identifiers[(coverage.client_id, "MC")]
    with_medicaid = {client_id for client_id, kind in identifiers if kind == "MA"}
    assert set(medicaid.values_list("client_id", flat=True)) == with_medicaid

    authorizations = list(
        with_usage(Authorization.objects.filter(organization__slug="demo", status="approved"))
    )
    case_management = [a for a in authorizations if a.service_code == "T1017"]
    assert case_management
    for authorization in case_management:
        assert authorization.counts_contacts and authorization.unit_type == "15min"
        assert authorization.case is not None
        assert authorization.case.program.model.kind in ("integrated", "intensive")
        assert authorization.period_start <= today <= authorization.period_end
        length = (authorization.period_end - authorization.period_start).days + 1
        assert length in (90, 180)
    assert any(usage_of(a).over for a in case_management)
    with_units = Referral.objects.filter(organization__slug="demo", authorization__isnull=False)
    assert with_units.exists()
    for referral in with_units:
        assert referral.units and referral.authorization.service_code != "T1017"
