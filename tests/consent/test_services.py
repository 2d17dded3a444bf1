"""Consent services: record and revoke, with their rules and access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.consent.services import consent_revoke
from casework.core.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from tests import factories
from tests.coordination import referral_helpers as h


def test_record_and_revoke(world):
    case = h.active_case(world)
    service = h.provider(world.org)
    consent = h.consent(world, case.client, [service.provider], purposes=["CAREMGT", "COC"])
    assert consent.status == "active" and consent.period_start == timezone.localdate()
    assert AuditEvent.objects.filter(object_id=str(consent.pk), action="create").exists()
    consent_revoke(
        acting_user=world.casey, consent=consent, expected_version=consent.version, reason="No"
    )
    consent.refresh_from_db()
    assert consent.status == "inactive" and consent.revoked_at and consent.revoked_reason == "No"
    with pytest.raises(Conflict):
        consent_revoke(
            acting_user=world.casey, consent=consent, expected_version=consent.version, reason="x"
        )


def test_stale_revoke_refused(world):
    case = h.active_case(world)
    consent = h.consent(world, case.client, everyone=True)
    with pytest.raises(StaleVersion):
        consent_revoke(acting_user=world.casey, consent=consent, expected_version=0, reason="x")


def test_rules(world):
    case = h.active_case(world)
    foreign = h.provider(world.other_org)
    with pytest.raises(ValidationFailed) as caught:
        h.consent(
            world,
            case.client,
            [foreign.provider],
            purposes=["XYZ"],
            method="verbal",
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"purposes", "recipient_ids", "witness_name", "signed_on"}
    with pytest.raises(ValidationFailed):
        h.consent(world, case.client, [], purposes=["CAREMGT"])


def test_intake_may_record_for_a_client_in_intake(world):
    person = factories.client(world.ian)
    consent = h.consent(world, person, everyone=True, by=world.ian)
    assert consent.recorded_by == world.ian


@pytest.mark.parametrize("persona", ["chris", "olive"])
def test_no_access_is_not_found(world, persona):
    case = h.active_case(world)
    with pytest.raises(NotFound):
        h.consent(world, case.client, everyone=True, by=getattr(world, persona))
