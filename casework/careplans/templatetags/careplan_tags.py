"""``{% case_care_plan case as plan %}``: the case's care plan as the signed-in user may see it
(for the link on the case page)."""

from __future__ import annotations

from typing import Any

from django import template

from casework.careplans.selectors import plan_for_case

register = template.Library()


@register.simple_tag(takes_context=True)
def case_care_plan(context: Any, case: Any) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return plan_for_case(user=user, case=case)
