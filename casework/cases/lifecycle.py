"""The case lifecycle as data: allowed moves, and the guards each move must pass.

``referred → screening → intake → assessment → planning → active ⇄ on_hold → transition →
closed``, with ``screening → waitlist → intake``, closing early from the pipeline, ``closed →
assessment`` (reopen) and ``entered_in_error`` (DESIGN.md, "Case lifecycle").

Guards are plain functions ``guard(case, move) -> str | None`` returning the reason a move is
refused. Other apps add their own with :func:`register_guard` (the care plan app adds "an
agreed plan with an active goal" for ``→ active``), so this module never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casework.cases.models import Status

S = Status

TRANSITIONS: dict[str, set[str]] = {
    S.REFERRED: {S.SCREENING, S.CLOSED, S.ENTERED_IN_ERROR},
    S.SCREENING: {S.INTAKE, S.WAITLIST, S.CLOSED, S.ENTERED_IN_ERROR},
    S.WAITLIST: {S.INTAKE, S.CLOSED, S.ENTERED_IN_ERROR},
    S.INTAKE: {S.ASSESSMENT, S.CLOSED, S.ENTERED_IN_ERROR},
    S.ASSESSMENT: {S.PLANNING, S.CLOSED, S.ENTERED_IN_ERROR},
    S.PLANNING: {S.ACTIVE, S.ASSESSMENT, S.CLOSED, S.ENTERED_IN_ERROR},
    S.ACTIVE: {S.ON_HOLD, S.TRANSITION, S.CLOSED, S.ENTERED_IN_ERROR},
    S.ON_HOLD: {S.ACTIVE, S.TRANSITION, S.CLOSED, S.ENTERED_IN_ERROR},
    S.TRANSITION: {S.ACTIVE, S.CLOSED, S.ENTERED_IN_ERROR},
    S.CLOSED: {S.ASSESSMENT, S.ENTERED_IN_ERROR},
    S.ENTERED_IN_ERROR: set(),
}

# Moves whose free-text reason is mandatory.
REASON_REQUIRED = {
    (S.ACTIVE, S.ON_HOLD),
    (S.CLOSED, S.ASSESSMENT),
    *((status, S.ENTERED_IN_ERROR) for status in S),
    *((status, S.CLOSED) for status in S),
    (S.SCREENING, S.WAITLIST),
}

# Labels for the action buttons.
ACTION_LABELS: dict[tuple[str, str], str] = {
    (S.REFERRED, S.SCREENING): "Start screening",
    (S.SCREENING, S.INTAKE): "Eligible — start intake",
    (S.SCREENING, S.WAITLIST): "Eligible — add to waitlist",
    (S.WAITLIST, S.INTAKE): "Take off waitlist — start intake",
    (S.INTAKE, S.ASSESSMENT): "Intake complete — assess",
    (S.ASSESSMENT, S.PLANNING): "Assessment complete — plan",
    (S.PLANNING, S.ACTIVE): "Plan agreed — activate",
    (S.PLANNING, S.ASSESSMENT): "Back to assessment",
    (S.ACTIVE, S.ON_HOLD): "Put on hold",
    (S.ON_HOLD, S.ACTIVE): "Resume",
    (S.ACTIVE, S.TRANSITION): "Begin transition / discharge",
    (S.ON_HOLD, S.TRANSITION): "Begin transition / discharge",
    (S.TRANSITION, S.ACTIVE): "Back to active",
    (S.CLOSED, S.ASSESSMENT): "Reopen",
}


@dataclass
class Move:
    """What a guard sees: the requested move and what the user supplied with it."""

    from_status: str
    to_status: str
    acting_user: Any
    reason: str = ""
    closure_reason: str = ""
    discharge_summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[Any, Move], str | None]
_guards: dict[str, list[tuple[str, Guard]]] = defaultdict(list)


def register_guard(to_status: str, name: str, guard: Guard) -> None:
    """Add a guard for moves into ``to_status``. Registering the same name twice replaces it."""
    _guards[to_status] = [(n, g) for n, g in _guards[to_status] if n != name]
    _guards[to_status].append((name, guard))


def guards_for(to_status: str) -> list[tuple[str, Guard]]:
    return list(_guards.get(to_status, [])) + list(_guards.get("*", []))


def allowed_moves(status: str) -> list[str]:
    order: list[str] = [str(s) for s in S]
    return sorted(TRANSITIONS.get(status, set()), key=lambda s: order.index(str(s)))
