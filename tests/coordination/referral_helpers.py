"""Builders for the referral, partner-link and consent tests (through the services)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from casework.careplans.models import CarePlan
from casework.careplans.services import intervention_add, need_add
from casework.consent.services import consent_record
from casework.coordination.models import ResourceOrganization, ResourceService
from casework.coordination.services import referrals as services
from tests import factories


def provider(org, name="Harbor Food Bank", *, internal=False, needs=("food",), **fields):
    """A directory organization with one active service (directory rows are not client data)."""
    partner = ResourceOrganization.objects.create(
        organization=org, name=name, is_internal=internal, email="intake@example.org"
    )
    return ResourceService.objects.create(
        organization=org,
        provider=partner,
        name=fields.pop("service_name", f"{name} pantry"),
        needs=list(needs),
        phone="555-0100",
        **fields,
    )


def active_case(world, by=None):
    by = by or world.casey
    person = factories.client(by, phone="555-0199", preferred_language="es")
    return factories.case(by, client=person, program=world.program, to="active")


def plan_of(case):
    return CarePlan.objects.filter(case=case).order_by("-created_at").first()


def need(world, case, domain="food"):
    plan = plan_of(case)
    return need_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        data={"code": "Z59.41", "display": "Food insecurity", "domain": domain},
    )


def intervention(world, case):
    plan = plan_of(case)
    return intervention_add(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        data={
            "description": "Connect to a food pantry",
            "owner_type": "case_manager",
            "owner_user_id": str(world.casey.pk),
        },
    )


def consent(world, client, recipients=(), *, everyone=False, purposes=("CAREMGT",), **kw):
    return consent_record(
        acting_user=kw.pop("by", world.casey),
        client=client,
        purposes=list(purposes),
        method=kw.pop("method", "written"),
        signed_on=kw.pop("signed_on", timezone.localdate()),
        recipient_ids=[r.pk for r in recipients],
        all_directory_recipients=everyone,
        **kw,
    )


def referral(world, case=None, service=None, *, send=False, by=None, **kw):
    case = case or active_case(world)
    service = service or provider(world.org)
    if send and not service.provider.is_internal:
        consent(world, case.client, [service.provider])
    return services.referral_create(
        acting_user=by or world.casey,
        case=case,
        service=service,
        reason=kw.pop("reason", "Needs groceries this week"),
        send=send,
        **kw,
    )


def move(world, referral, to, **kw):
    referral.refresh_from_db()
    return services.referral_transition(
        acting_user=kw.pop("by", world.casey),
        referral=referral,
        to_status=to,
        expected_version=referral.version,
        **kw,
    )


def days_ago(n):
    return timezone.now() - timedelta(days=n)


YESTERDAY = date.today() - timedelta(days=1)
