"""Billing units: the CMS 8-minute rule with the defaults, and a program's own rule."""

from __future__ import annotations

import pytest

from casework.encounters.billing import billing_units


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(1, 0), (7, 0), (8, 1), (15, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4)],
)
def test_default_units_follow_the_eight_minute_rule(minutes, units):
    assert billing_units(minutes) == units
    assert billing_units(minutes) == (minutes + 7) // 15


def test_a_stricter_state_rule_needs_the_whole_unit():
    assert billing_units(14, unit_minutes=15, first_unit_minutes=15) == 0
    assert billing_units(15, unit_minutes=15, first_unit_minutes=15) == 1
    assert billing_units(29, unit_minutes=15, first_unit_minutes=15) == 1
    assert billing_units(30, unit_minutes=15, first_unit_minutes=15) == 2
