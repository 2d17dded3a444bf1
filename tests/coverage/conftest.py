"""Helpers for the coverage tests: a client with an active case, a coverage, contacts and
referrals that use an authorization's units."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.coordination.models import (
    Referral,
    ResourceOrganization,
    ResourceService,
)
from casework.coverage import services
from casework.encounters import services as contact_services
from tests import factories

TODAY = timezone.localdate()
# A period that started 60 days ago and ends 30 days from now: contacts logged "now minus a few
# days" fall inside it.
START = TODAY - timedelta(days=60)
END = TODAY + timedelta(days=30)


@pytest.fixture
def chart(world: Any) -> Any:
    """Casey's client with an active case on the North team, and a Medicaid coverage."""
    person = factories.client(world.casey)
    case = factories.case(world.casey, client=person, program=world.program, to="active")
    coverage = services.coverage_add(
        acting_user=world.casey,
        client=person,
        data=coverage_data(),
    )
    return type("Chart", (), {"client": person, "case": case, "coverage": coverage})


def coverage_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "coverage_type": "medicaid",
        "payer_name": "State Medicaid",
        "plan_name": "Health First",
        "member_id": "M123456",
        "period_start": START - timedelta(days=300),
        "period_end": None,
    }
    data.update(overrides)
    return data


def authorization_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service_code": "T1017",
        "units_approved": 20,
        "period_start": START,
        "period_end": END,
        "counts_contacts": True,
    }
    data.update(overrides)
    return data


def contact(world: Any, case: Any, *, when: datetime | None = None, minutes: int = 30) -> Any:
    """A successful 30-minute phone contact: 2 units under the CMS 8-minute rule."""
    return contact_services.contact_log(
        acting_user=world.casey,
        case=case,
        data={
            "contact_type": "phone",
            "outcome": "successful",
            "started_at": when or timezone.now() - timedelta(days=2),
            "duration_minutes": minutes,
            "note_format": "dap",
            "note": {"data": "d", "assessment": "a", "plan": "p"},
        },
    )


def referral(world: Any, case: Any, authorization: Any, *, status: str, units: int) -> Referral:
    """A referral row using ``units`` of ``authorization`` (written directly: the referral
    services are another part's)."""
    provider, _ = ResourceOrganization.objects.get_or_create(
        organization=world.org, name="Harbor Housing"
    )
    service, _ = ResourceService.objects.get_or_create(
        organization=world.org, provider=provider, name="Housing navigation", needs=["housing"]
    )
    return Referral.objects.create(
        organization=world.org,
        case=case,
        client_id=case.client_id,
        service=service,
        provider=provider,
        status=status,
        reason="Needs housing",
        units=units,
        authorization=authorization,
        last_update_at=timezone.now(),
    )


def on(day: date) -> datetime:
    """Noon of ``day`` in the agency's time zone."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))
