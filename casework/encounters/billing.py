"""Billing units for targeted case management, from the minutes of a contact."""

from __future__ import annotations

DEFAULT_UNIT_MINUTES = 15
DEFAULT_FIRST_UNIT_MINUTES = 8


def billing_units(
    minutes: int,
    *,
    unit_minutes: int = DEFAULT_UNIT_MINUTES,
    first_unit_minutes: int = DEFAULT_FIRST_UNIT_MINUTES,
) -> int:
    """Units billed for ``minutes`` of time-based service.

    Source: CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 5, section 20.2 (the
    "8-minute rule"): nothing is billed for less than 8 minutes; one 15-minute unit for at least
    8 through 22 minutes; two units for at least 23 through 37 minutes, and so on (3 units from
    38 minutes, 4 from 53). With the defaults that is ``(minutes + 7) // 15`` from 8 minutes on.
    State Medicaid targeted case management rules vary, so the unit length and the minutes the
    first unit needs are set per program or organization (``BillingRule``); each further unit
    then needs the same ``first_unit_minutes`` beyond the previous full unit.
    """
    if unit_minutes <= 0 or minutes < first_unit_minutes:
        return 0
    return (minutes - first_unit_minutes) // unit_minutes + 1
