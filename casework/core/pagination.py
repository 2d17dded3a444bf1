"""Keyset ("cursor") pagination: stable under inserts, constant cost per page.

A cursor is the url-safe base64 of the sort-key values of the last row of the previous page.
Lists answer ``{"items": [...], "next": cursor-or-null}`` (DESIGN.md, "Contracts").
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet

from casework.core.errors import ValidationFailed, field_error

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"t": "dt" if isinstance(value, datetime) else "d", "v": value.isoformat()}
    if isinstance(value, UUID):
        return {"t": "u", "v": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        kind, raw = value.get("t"), str(value.get("v"))
        if kind == "dt":
            return datetime.fromisoformat(raw)
        if kind == "d":
            return date.fromisoformat(raw)
        if kind == "u":
            return UUID(raw)
    return value


def encode_cursor(values: list[Any]) -> str:
    payload = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != size:
            raise ValueError("wrong shape")
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            "The cursor is not valid; start again from the first page.",
            errors=[field_error("cursor", "invalid cursor")],
        ) from exc


def paginate(
    queryset: QuerySet[M], *, ordering: list[str], cursor: str | None, limit: int | None
) -> Page[M]:
    """Return one page of ``queryset`` ordered by ``ordering`` (which must end in a unique field).

    ``ordering`` uses Django's syntax (``"-created_at"``); nullable sort fields are not supported,
    so pass non-null fields only.
    """
    size = min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT)
    fields = [name.lstrip("-") for name in ordering]
    queryset = queryset.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor, len(fields))
        after = Q()
        for index, name in enumerate(ordering):
            field = fields[index]
            lookup = "lt" if name.startswith("-") else "gt"
            step = Q(**{f"{field}__{lookup}": values[index]})
            for previous in range(index):
                step &= Q(**{fields[previous]: values[previous]})
            after |= step
        queryset = queryset.filter(after)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, field) for field in fields])
    return Page(items=rows, next=next_cursor)


def _attr(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
