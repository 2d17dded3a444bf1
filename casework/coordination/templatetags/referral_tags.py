"""``{% case_referrals case as rows %}``: the case's referrals as the signed-in user may see them
(for the Referrals section of the case page); the read is audited."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from casework.audit.services import audit_read_many
from casework.coordination.selectors.referrals import NOT_REFERRERS, referrals_for_case
from casework.coordination.services import referrals as services

register = template.Library()

SECTION_LIMIT = 50


@register.simple_tag(takes_context=True)
def case_referrals(context: Any, case: Any) -> Any:
    """None when the user does not work cases (intake); else rows of ``{referral, loop_closed,
    closed_without_service, awaiting_days}``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role in NOT_REFERRERS:
        return None
    referrals = list(referrals_for_case(case=case).order_by("-created_at", "-id")[:SECTION_LIMIT])
    audit_read_many(actor=user, object_type="coordination.referral", ids=[r.pk for r in referrals])
    now = timezone.now()
    return [
        {
            "referral": r,
            "loop_closed": services.loop_closed(r),
            "closed_without_service": services.closed_without_service(r),
            "awaiting_days": (
                services.days_since_update(r, now) if r.status in services.OPEN_STATUSES else None
            ),
        }
        for r in referrals
    ]
