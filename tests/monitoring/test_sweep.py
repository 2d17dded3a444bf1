"""The follow-up sweep: one work item per silent referral per silence period."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from casework.coordination.models import Referral
from casework.coordination.services import referrals as services
from casework.monitoring.models import WorkItem
from tests import factories
from tests.coordination import referral_helpers as h


def silent(referral, days):
    """Backdate the last update (what the passing of time would do)."""
    Referral.objects.filter(pk=referral.pk).update(last_update_at=timezone.now() - timedelta(days))
    referral.refresh_from_db()
    return referral


def items(referral):
    return WorkItem.objects.filter(
        kind="referral_follow_up", source_id__startswith=f"{referral.pk}:"
    ).order_by("created_at")


def test_silent_longer_than_the_model_days_gets_one_item_then_none(world):
    # The world's program runs the brokerage model: 7 days.
    referral = silent(h.referral(world, send=True), 8)
    assert services.referral_follow_ups_create() == 1
    item = items(referral).get()
    assert (item.assignee, item.priority, item.status) == (world.casey, "routine", "open")
    assert item.source_id == f"{referral.pk}:{referral.version}"
    assert item.due_at is not None and item.case_id == referral.case_id
    assert services.referral_follow_ups_create() == 0


def test_silent_for_fewer_days_gets_none(world):
    silent(h.referral(world, send=True), 6)
    assert services.referral_follow_ups_create() == 0


def test_drafts_and_closed_referrals_get_none(world):
    silent(h.referral(world), 30)
    done = h.referral(world, send=True)
    h.move(world, done, "cancelled", reason="Client moved")
    silent(done, 30)
    assert services.referral_follow_ups_create() == 0


def test_update_closes_the_item_and_silence_again_makes_a_new_one(world):
    referral = silent(h.referral(world, send=True), 8)
    services.referral_follow_ups_create()
    first = items(referral).get()
    h.move(world, referral, "accepted")
    first.refresh_from_db()
    assert first.status == "done" and first.closed_by == world.casey
    referral = silent(referral, 8)
    assert services.referral_follow_ups_create() == 1
    assert items(referral).count() == 2
    assert items(referral).last().status == "open"


def test_partner_action_closes_the_item(world):
    referral = silent(h.referral(world, send=True), 8)
    services.referral_follow_ups_create()
    link, _ = services.partner_link_issue(acting_user=world.casey, referral=referral)
    services.partner_link_use(link=link, action="accept", partner_name="Dana")
    assert items(referral).get().status == "done"


def test_each_row_compares_with_its_own_model(world):
    clinical = factories.program("Clinic", org=world.org, kind="clinical", teams=[world.north])
    person = factories.client(world.casey)
    clinical_case = factories.case(world.casey, client=person, program=clinical, to="active")
    brokerage = silent(h.referral(world, send=True), 10)
    clinic = silent(h.referral(world, clinical_case, send=True), 10)
    assert clinical.model.referral_followup_days == 14
    assert services.referral_follow_ups_create() == 1
    assert items(brokerage).count() == 1 and items(clinic).count() == 0
    silent(clinic, 15)
    assert services.referral_follow_ups_create() == 1


def test_supervisor_gets_it_when_the_case_has_no_case_manager(world):
    referral = silent(h.referral(world, send=True), 8)
    referral.case.__class__.objects.filter(pk=referral.case_id).update(case_manager=None)
    services.referral_follow_ups_create()
    assert items(referral).get().assignee == world.sam


def test_sweep_command_reports(world):
    silent(h.referral(world, send=True), 9)
    out, err = StringIO(), StringIO()
    call_command("sweep", stdout=out, stderr=err)
    assert "referral_follow_up: 1 created, 0 resolved, 0 escalated" in out.getvalue()
    assert "swept: referral_follow_up" in err.getvalue()
    out = StringIO()
    call_command("sweep", "--org", "acme", stdout=out, stderr=StringIO())
    assert "referral_follow_up: 0 created, 0 resolved, 0 escalated" in out.getvalue()
    assert "total: 0 created" in out.getvalue()
