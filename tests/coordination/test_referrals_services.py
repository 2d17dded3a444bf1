"""Referral services: the state machine, the consent rule, creation rules and authorizations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.careplans.models import Intervention
from casework.consent.services import consent_revoke
from casework.coordination.models import Referral, ReferralEvent
from casework.coordination.services import referrals as services
from casework.core.errors import (
    Conflict,
    NotFound,
    StaleVersion,
    TransitionRefused,
    ValidationFailed,
)
from casework.coverage.models import Authorization, Coverage
from tests.coordination import referral_helpers as h

S = services.S

# One way to reach each status from a fresh draft, with what each step needs.
PATHS = {
    S.DRAFT: [],
    S.REQUESTED: [S.REQUESTED],
    S.ACCEPTED: [S.REQUESTED, S.ACCEPTED],
    S.IN_PROGRESS: [S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS],
    S.ON_HOLD: [S.REQUESTED, S.ACCEPTED, S.ON_HOLD],
    S.REJECTED: [S.REQUESTED, S.REJECTED],
    S.CANCELLED: [S.CANCELLED],
    S.FAILED: [S.REQUESTED, S.ACCEPTED, S.FAILED],
    S.COMPLETED: [S.REQUESTED, S.ACCEPTED, S.COMPLETED],
    S.ENTERED_IN_ERROR: [S.ENTERED_IN_ERROR],
}


def extras(to):
    kw = {}
    if to in services.REASON_REQUIRED:
        kw["reason"] = "because"
    if to == S.COMPLETED:
        kw.update(outcome="Got two weeks of groceries", outcome_code="resolved")
    return kw


def reach(world, referral, status):
    for step in PATHS[status]:
        referral = h.move(world, referral, step, **extras(step))
    return referral


@pytest.fixture
def internal(world):
    return h.provider(world.org, "County Benefits Unit", internal=True, needs=["income"])


ALLOWED = [(src, dst) for src, targets in services.TRANSITIONS.items() for dst in sorted(targets)]


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_move(world, internal, source, target):
    referral = reach(world, h.referral(world, service=internal), source)
    before = ReferralEvent.objects.filter(referral=referral).count()
    moved = h.move(world, referral, target, **extras(target))
    moved.refresh_from_db()
    assert moved.status == target
    event = ReferralEvent.objects.filter(referral=referral).order_by("-id").first()
    assert ReferralEvent.objects.filter(referral=referral).count() == before + 1
    assert (event.from_status, event.to_status, event.by_user) == (source, target, world.casey)
    assert AuditEvent.objects.filter(
        object_id=str(referral.pk), action="transition", changes__status=[source, target]
    ).exists()
    if target in services.TERMINAL:
        assert moved.closed_at is not None


REFUSED = [
    (S.DRAFT, S.ACCEPTED),
    (S.DRAFT, S.COMPLETED),
    (S.REQUESTED, S.COMPLETED),
    (S.REQUESTED, S.IN_PROGRESS),
    (S.ACCEPTED, S.REQUESTED),
    (S.COMPLETED, S.IN_PROGRESS),
    (S.REJECTED, S.ACCEPTED),
    (S.CANCELLED, S.REQUESTED),
    (S.ENTERED_IN_ERROR, S.DRAFT),
]


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_refused_moves_change_nothing(world, internal, source, target):
    referral = reach(world, h.referral(world, service=internal), source)
    referral.refresh_from_db()
    version = referral.version
    with pytest.raises(TransitionRefused):
        h.move(world, referral, target, **extras(target))
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (source, version)


@pytest.mark.parametrize("target", [S.CANCELLED, S.ENTERED_IN_ERROR])
def test_reason_required(world, internal, target):
    referral = h.referral(world, service=internal)
    with pytest.raises(ValidationFailed) as caught:
        h.move(world, referral, target, reason="  ")
    assert caught.value.errors[0]["field"] == "reason"


def test_completed_needs_outcome_and_a_known_code(world, internal):
    referral = reach(world, h.referral(world, service=internal), S.ACCEPTED)
    with pytest.raises(ValidationFailed) as caught:
        h.move(world, referral, S.COMPLETED, outcome="", outcome_code="great")
    assert {e["field"] for e in caught.value.errors} == {"outcome", "outcome_code"}
    done = h.move(world, referral, S.COMPLETED, outcome="Food delivered", outcome_code="resolved")
    assert services.loop_closed(done) and done.outcome_code == "resolved"


def test_stale_version_refused(world, internal):
    referral = h.referral(world, service=internal)
    with pytest.raises(StaleVersion):
        services.referral_transition(
            acting_user=world.casey,
            referral=referral,
            to_status=S.REQUESTED,
            expected_version=referral.version - 1,
        )


def test_send_stamps_requested_and_last_update(world, internal):
    sent_at = timezone.now() - timedelta(hours=1)
    referral = h.referral(world, service=internal)
    services.referral_transition(
        acting_user=world.casey,
        referral=referral,
        to_status=S.REQUESTED,
        expected_version=referral.version,
        now=sent_at,
    )
    referral.refresh_from_db()
    assert referral.requested_at == sent_at == referral.last_update_at
    assert referral.consent is None  # internal: no consent needed


# ---------------------------------------------------------------------------------------------
# Consent


def test_outside_provider_refused_without_consent(world):
    service = h.provider(world.org)
    referral = h.referral(world, service=service)
    with pytest.raises(Conflict) as caught:
        h.move(world, referral, S.REQUESTED)
    assert caught.value.code == "consent_required"
    assert "Harbor Food Bank" in caught.value.detail
    referral.refresh_from_db()
    assert referral.status == S.DRAFT


def test_outside_provider_allowed_with_consent_and_consent_stored(world):
    service = h.provider(world.org)
    referral = h.referral(world, service=service)
    consent = h.consent(world, referral.client, [service.provider])
    sent = h.move(world, referral, S.REQUESTED)
    assert sent.status == S.REQUESTED and sent.consent_id == consent.pk


def test_consent_for_any_directory_recipient_covers(world):
    service = h.provider(world.org)
    referral = h.referral(world, service=service)
    h.consent(world, referral.client, everyone=True, purposes=["COC"])
    assert h.move(world, referral, S.REQUESTED).status == S.REQUESTED


@pytest.mark.parametrize(
    "kind", ["other_recipient", "payment_only", "expired", "future", "revoked"]
)
def test_consents_that_do_not_cover(world, kind):
    service = h.provider(world.org)
    other = h.provider(world.org, "Other Pantry")
    referral = h.referral(world, service=service)
    today = timezone.localdate()
    if kind == "other_recipient":
        h.consent(world, referral.client, [other.provider])
    elif kind == "payment_only":
        h.consent(world, referral.client, [service.provider], purposes=["HPAYMT"])
    elif kind == "expired":
        h.consent(
            world,
            referral.client,
            [service.provider],
            signed_on=today - timedelta(days=400),
            period_end=today - timedelta(days=35),
        )
    elif kind == "future":
        h.consent(world, referral.client, [service.provider], period_start=today + timedelta(1))
    else:
        consent = h.consent(world, referral.client, [service.provider])
        consent_revoke(
            acting_user=world.casey,
            consent=consent,
            expected_version=consent.version,
            reason="Client withdrew",
        )
    with pytest.raises(Conflict) as caught:
        h.move(world, referral, S.REQUESTED)
    assert caught.value.code == "consent_required"


def test_revoking_does_not_unsend_but_refuses_new_sends(world):
    service = h.provider(world.org)
    case = h.active_case(world)
    consent = h.consent(world, case.client, [service.provider])
    first = h.referral(world, case, service)
    h.move(world, first, S.REQUESTED)
    consent.refresh_from_db()
    consent_revoke(
        acting_user=world.casey, consent=consent, expected_version=consent.version, reason="No"
    )
    first.refresh_from_db()
    assert first.status == S.REQUESTED and first.consent_id == consent.pk
    second = h.referral(world, case, service)
    with pytest.raises(Conflict):
        h.move(world, second, S.REQUESTED)


def test_create_and_send_in_one_go_is_refused_whole_without_consent(world):
    case = h.active_case(world)
    service = h.provider(world.org)
    with pytest.raises(Conflict):
        services.referral_create(
            acting_user=world.casey, case=case, service=service, reason="Food", send=True
        )
    assert not Referral.objects.filter(case=case).exists()


# ---------------------------------------------------------------------------------------------
# Creation rules and access


def test_create_copies_need_domain_and_links_intervention(world):
    case = h.active_case(world)
    need = h.need(world, case, domain="housing")
    intervention = h.intervention(world, case)
    service = h.provider(world.org, needs=["food", "housing"])
    referral = h.referral(world, case, service, need=need, intervention=intervention)
    assert referral.need_domain == "housing" and referral.status == S.DRAFT
    intervention = Intervention.objects.get(pk=intervention.pk)
    assert (intervention.link_type, intervention.link_id) == ("referral", str(referral.pk))
    assert AuditEvent.objects.filter(object_id=str(referral.pk), action="create").exists()


def test_need_domain_from_the_service_without_a_need(world):
    referral = h.referral(world, service=h.provider(world.org, needs=["transportation"]))
    assert referral.need_domain == "transportation"


def test_need_of_another_case_and_inactive_service_refused(world):
    case = h.active_case(world)
    other_case = h.active_case(world)
    foreign_need = h.need(world, other_case)
    service = h.provider(world.org, is_active=False)
    with pytest.raises(ValidationFailed) as caught:
        services.referral_create(
            acting_user=world.casey, case=case, service=service, need=foreign_need, reason="x"
        )
    assert {e["field"] for e in caught.value.errors} == {"service_id", "need_id"}


def test_service_of_another_organization_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        h.referral(world, service=h.provider(world.other_org))
    assert caught.value.errors[0]["field"] == "service_id"


@pytest.mark.parametrize("persona", ["chris", "olive", "ian"])
def test_people_without_the_case_get_not_found(world, persona):
    case = h.active_case(world)
    with pytest.raises(NotFound):
        h.referral(world, case, by=getattr(world, persona))


def test_supervisor_may_refer(world):
    case = h.active_case(world)
    assert h.referral(world, case, by=world.sam).created_by == world.sam


def _authorization(world, case, units):
    coverage = Coverage.objects.create(
        organization=world.org,
        client=case.client,
        coverage_type="medicaid",
        payer_name="State Medicaid",
        member_id="M1",
        period_start=timezone.localdate() - timedelta(days=10),
    )
    return Authorization.objects.create(
        organization=world.org,
        coverage=coverage,
        client=case.client,
        service="Home-delivered meals",
        unit_type="item",
        units_approved=units,
        period_start=timezone.localdate() - timedelta(days=10),
        period_end=timezone.localdate() + timedelta(days=80),
    )


def test_authorization_units_must_fit_what_remains(world, internal):
    case = h.active_case(world)
    authorization = _authorization(world, case, 10)
    first = h.referral(world, case, internal, authorization=authorization, units=6, send=True)
    assert first.units == 6
    with pytest.raises(ValidationFailed) as caught:
        h.referral(world, case, internal, authorization=authorization, units=5)
    assert caught.value.errors[0]["field"] == "units"
    assert "4 units" in caught.value.errors[0]["message"]
    with pytest.raises(ValidationFailed) as caught:
        h.referral(world, case, internal, authorization=None, units=5)
    assert caught.value.errors[0]["field"] == "authorization_id"


def test_authorization_of_another_client_refused(world, internal):
    case = h.active_case(world)
    authorization = _authorization(world, h.active_case(world), 10)
    with pytest.raises(ValidationFailed) as caught:
        h.referral(world, case, internal, authorization=authorization, units=1)
    assert caught.value.errors[0]["field"] == "authorization_id"


def test_update_only_while_draft_or_requested(world, internal):
    referral = h.referral(world, service=internal)
    services.referral_update(
        acting_user=world.casey,
        referral=referral,
        expected_version=referral.version,
        data={"priority": "urgent", "note_to_recipient": "Call after 3pm"},
    )
    referral.refresh_from_db()
    assert (referral.priority, referral.note_to_recipient) == ("urgent", "Call after 3pm")
    reach(world, referral, S.ACCEPTED)
    referral.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        services.referral_update(
            acting_user=world.casey,
            referral=referral,
            expected_version=referral.version,
            data={"priority": "routine"},
        )
    assert caught.value.code == "referral_not_editable"
