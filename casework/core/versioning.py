"""Optimistic concurrency: compare-and-set on ``version`` in one UPDATE statement."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F
from django.utils import timezone

from casework.core.errors import StaleVersion
from casework.core.models import BaseModel

M = TypeVar("M", bound=BaseModel)


def update_versioned(
    instance: M, *, expected_version: int | None, **changes: Any
) -> dict[str, Any]:
    """Apply ``changes`` to ``instance`` only if its stored version is ``expected_version``.

    The check and the write are one ``UPDATE ... WHERE id = %s AND version = %s`` so two writers
    that read the same version cannot both succeed. Returns ``{field: [old, new]}`` for the fields
    that actually changed (for the audit log). ``expected_version=None`` means "the version held by
    ``instance``" (for internal writes that just read the row under lock).
    """
    expected = instance.version if expected_version is None else expected_version
    diff: dict[str, Any] = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if old != new:
            diff[field] = [old, new]
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True)
        current_version = next(iter(current), None)
        raise StaleVersion(
            f"This {model._meta.verbose_name} was changed by someone else "
            f"(you read version {expected}, it is now version {current_version}). "
            "Reload it and apply your change again.",
            errors=[{"field": "version", "message": "stale", "current_version": current_version}],
        )
    for field, new in changes.items():
        setattr(instance, field, new)
    instance.version = expected + 1
    return diff
