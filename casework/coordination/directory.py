"""Pure helpers of the resource directory: need domains, opening hours, distance, CSV rows."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

# The social-needs domains proposed by casework/assessments (food, housing, transportation,
# utilities, interpersonal_safety, plus housing_quality) and the clinical and economic domains of
# the NCQA initial assessment that a directory service can meet.
NEED_DOMAINS: dict[str, str] = {
    "food": "Food",
    "housing": "Housing",
    "housing_quality": "Housing quality",
    "transportation": "Transportation",
    "utilities": "Utilities",
    "interpersonal_safety": "Interpersonal safety",
    "behavioral_health": "Behavioral health",
    "primary_care": "Primary care",
    "substance_use": "Substance use",
    "employment": "Employment",
    "benefits": "Benefits",
    "legal": "Legal",
    "education": "Education",
    "social_connection": "Social connection",
}

# Care plan needs name their life domain in the words of the plan templates and the NCQA
# assessment ("behavioral", "medical", "financial" ...); these are the directory domains that
# meet each. A need whose domain is already a directory domain maps to itself.
CARE_PLAN_DOMAINS: dict[str, tuple[str, ...]] = {
    "behavioral": ("behavioral_health", "substance_use"),
    "mental_health": ("behavioral_health",),
    "medical": ("primary_care",),
    "health": ("primary_care",),
    "financial": ("benefits", "utilities", "employment"),
    "income": ("benefits", "employment"),
    "social": ("social_connection",),
    "safety": ("interpersonal_safety",),
}


def directory_domains_for(need_domain: str) -> tuple[str, ...]:
    """The directory need domains that serve a care plan need's domain (empty: unknown)."""
    key = (need_domain or "").strip().lower()
    if key in NEED_DOMAINS:
        return (key,)
    return CARE_PLAN_DOMAINS.get(key, ())


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def hours_errors(hours: Any) -> list[str]:
    """Messages for what is wrong with a weekly hours value (empty when it is valid)."""
    if not isinstance(hours, dict):
        return ["hours must be an object keyed by weekday (mon … sun)"]
    problems: list[str] = []
    for day, spans in hours.items():
        if day not in WEEKDAYS:
            problems.append(f"unknown weekday {day!r}")
            continue
        if not isinstance(spans, list):
            problems.append(f"{day}: expected a list of [open, close] pairs")
            continue
        for span in spans:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(t, str) and _TIME.match(t) for t in span)
            ):
                problems.append(f"{day}: {span!r} is not a pair of HH:MM times")
            elif span[0] >= span[1]:
                problems.append(f"{day}: {span[0]}-{span[1]} closes before it opens")
    return problems


def parse_hours_text(text: str) -> dict[str, list[list[str]]]:
    """Parse ``"mon 09:00-17:00; tue 09:00-12:00,13:00-17:00"`` into the hours data shape.

    Raises ``ValueError`` with a readable message when the text does not follow that shape.
    """
    hours: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        day, _, spans = part.partition(" ")
        day = day.strip().lower()[:3]
        if day not in WEEKDAYS or not spans.strip():
            raise ValueError(f"{part!r} is not 'day HH:MM-HH:MM'")
        for span in spans.split(","):
            start, sep, end = span.strip().partition("-")
            if not sep:
                raise ValueError(f"{span.strip()!r} is not 'HH:MM-HH:MM'")
            hours.setdefault(day, []).append([start.strip(), end.strip()])
    problems = hours_errors(hours)
    if problems:
        raise ValueError("; ".join(problems))
    return hours


def is_open(hours: dict[str, Any], *, at: datetime, time_zone: str | None = None) -> bool:
    """Whether ``hours`` (local time of ``time_zone``, default settings.TIME_ZONE) cover ``at``."""
    local = at.astimezone(ZoneInfo(time_zone or settings.TIME_ZONE))
    day = WEEKDAYS[local.weekday()]
    now = local.strftime("%H:%M")
    return any(start <= now < end for start, end in hours.get(day, []) or [])


def language_valid(tag: str) -> bool:
    return bool(_LANGUAGE.match(tag))
