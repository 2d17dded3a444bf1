"""Reads of assessments. The three set-based functions at the bottom are the interface that
risk stratification and the predictive model use (a constant number of queries per batch)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID


def flags_for_clients(client_ids: Iterable[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Flags raised by each client's latest completed response to each instrument.

    Each flag: ``{"code": "phq9_item9_positive", "instrument": "44249-1", "label": "…",
    "severity": "urgent"|"routine"}``. Clients without flags are absent.
    """
    raise NotImplementedError("being written (issue 3)")


def latest_scores_for_clients(
    client_ids: Iterable[UUID], codes: Iterable[str]
) -> dict[UUID, dict[str, float]]:
    """The latest score observation per client for each LOINC score code asked for, e.g.
    ``{"44261-6": 14.0}`` (PHQ-9 total)."""
    raise NotImplementedError("being written (issue 3)")


def open_needs_for_clients(client_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Domains of each client's proposed or accepted social needs, e.g. ``["food", "housing"]``."""
    raise NotImplementedError("being written (issue 3)")
