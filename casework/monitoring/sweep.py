"""The sweep: rules that look over the whole database and put work on people's queues.

``casework sweep`` (and, later, ``casework worker`` on its schedule) runs every rule of
``SWEEP_RULES`` in order. A rule is a function ``rule(*, now) -> int`` returning how many work
items it created; it must be idempotent (a second run the same day creates nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SweepRule:
    name: str
    run: Callable[..., int]


def _referral_follow_ups(*, now: datetime | None = None) -> int:
    from casework.coordination.services.referrals import referral_follow_ups_create

    return referral_follow_ups_create(now=now)


SWEEP_RULES: list[SweepRule] = [
    SweepRule("referral follow-ups", _referral_follow_ups),
]
