"""Differences between two stored versions of a care plan (``PlanVersion`` snapshots).

A snapshot is ``{"plan": {field: value}, "needs": [...], "goals": [...], ...}`` where each item
carries its ``id``. The diff lists, per section, items added, removed and changed, and for a change
the fields with their old and new values.
"""

from __future__ import annotations

from typing import Any

from casework.careplans.models import CarePlan, PlanVersion
from casework.core.errors import NotFound, ValidationFailed, field_error

SECTIONS = ("needs", "goals", "strengths", "barriers", "interventions", "education")
# Bookkeeping that changes with every version and says nothing about the plan's content.
IGNORED_FIELDS = {"version", "updated_at"}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for name in sorted(set(old) | set(new)):
        if name in IGNORED_FIELDS:
            continue
        if old.get(name) != new.get(name):
            changes.append({"field": name, "old": old.get(name), "new": new.get(name)})
    return changes


def snapshots_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes from snapshot ``old`` to snapshot ``new``."""
    result: list[dict[str, Any]] = []
    plan_changes = _field_changes(old.get("plan", {}), new.get("plan", {}))
    if plan_changes:
        result.append({"section": "plan", "change": "changed", "id": None, "fields": plan_changes})
    for section in SECTIONS:
        before = {item["id"]: item for item in old.get(section, [])}
        after = {item["id"]: item for item in new.get(section, [])}
        for item_id, item in after.items():
            if item_id not in before:
                result.append(
                    {
                        "section": section,
                        "change": "added",
                        "id": item_id,
                        "label": item.get("label", ""),
                        "fields": _field_changes({}, item),
                    }
                )
        for item_id, item in before.items():
            if item_id not in after:
                result.append(
                    {
                        "section": section,
                        "change": "removed",
                        "id": item_id,
                        "label": item.get("label", ""),
                        "fields": _field_changes(item, {}),
                    }
                )
        for item_id, item in after.items():
            if item_id in before:
                fields = _field_changes(before[item_id], item)
                if fields:
                    result.append(
                        {
                            "section": section,
                            "change": "changed",
                            "id": item_id,
                            "label": item.get("label", ""),
                            "fields": fields,
                        }
                    )
    return result


def plan_versions_diff(plan: CarePlan, from_number: int, to_number: int) -> list[dict[str, Any]]:
    """Changes between version ``from_number`` and version ``to_number`` of ``plan``.

    The caller has already checked that the user may see ``plan``. An unknown version number is
    a 404 naming the version.
    """
    if from_number < 1 or to_number < 1:
        raise ValidationFailed(
            "Version numbers start at 1.", errors=[field_error("from", "must be at least 1")]
        )
    rows = dict(
        PlanVersion.objects.filter(plan=plan, number__in=[from_number, to_number]).values_list(
            "number", "snapshot"
        )
    )
    for number in (from_number, to_number):
        if number not in rows:
            raise NotFound(f"Version {number} of this care plan does not exist.")
    return snapshots_diff(rows[from_number], rows[to_number])
