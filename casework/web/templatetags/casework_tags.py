"""Small presentation helpers for casework templates (no rules, no queries)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from casework.core.codes import LANGUAGE_NAMES

register = template.Library()


@register.filter
def days_since(value: datetime | date | None) -> int | str:
    """Whole days from ``value`` to now ("" when there is no date)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return max((timezone.now() - value).days, 0)
    return max((timezone.localdate() - value).days, 0)


@register.filter
def language_name(tag: str | None) -> str:
    """ "es-MX" -> "Spanish (es-MX)"; unknown tags are shown as they are."""
    if not tag:
        return ""
    name = LANGUAGE_NAMES.get(tag.split("-")[0].lower())
    return f"{name} ({tag})" if name else tag


@register.filter
def bar_width(percent: Any) -> int:
    """A percentage clamped to 0..100, for the width of a load bar."""
    try:
        return max(0, min(int(percent), 100))
    except (TypeError, ValueError):
        return 0


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def code_label(code: str | None) -> str:
    """ "very_high" -> "Very high"."""
    if not code:
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def age(birth_date: date | None) -> int | str:
    """Age in whole years today."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
