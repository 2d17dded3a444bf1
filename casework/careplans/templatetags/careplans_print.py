"""Filters for the printed plan: dates, priorities and coded values in the client's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from casework.careplans.i18n import Labels

register = template.Library()


@register.filter
def plan_day(value: date | datetime | None, language: str = "en") -> str:
    if not value:
        return "—"
    if isinstance(value, datetime):
        # The day where the agency is, not in UTC.
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value.strftime("%d/%m/%Y") if language == "es" else value.strftime("%b %d, %Y")


@register.filter
def plan_choice(value: Any, labels: Labels) -> str:
    return labels.choice(value)


@register.filter
def plan_priority(value: Any, labels: Labels) -> str:
    return labels.priority(value)
