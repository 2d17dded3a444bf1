"""GAS T-scores against hand calculation (Kiresuk & Sherman 1968, rho = 0.3)."""

from __future__ import annotations

import math

import pytest

from casework.careplans.gas import gas_t_score


def test_all_as_expected_is_fifty():
    assert gas_t_score([(0, 1), (0, 1), (0, 1)]) == pytest.approx(50.0)


def test_two_better_than_expected_unweighted():
    # 50 + 10 * 2 / sqrt(0.7 * 3 + 0.3 * 9) = 50 + 20 / sqrt(4.8)
    assert gas_t_score([(1, 1), (1, 1), (0, 1)]) == pytest.approx(59.13, abs=0.005)
    assert gas_t_score([(1, 1), (1, 1), (0, 1)]) == pytest.approx(50 + 20 / math.sqrt(4.8))


def test_weighted_by_hand():
    # weights 3, 2, 1; attainments +2, -1, 0:
    # sum wx = 6 - 2 = 4; sum w^2 = 14; (sum w)^2 = 36
    # T = 50 + 40 / sqrt(0.7 * 14 + 0.3 * 36) = 50 + 40 / sqrt(20.6) = 58.813
    assert gas_t_score([(2, 3), (-1, 2), (0, 1)]) == pytest.approx(58.813, abs=0.001)


def test_one_goal_much_less_than_expected():
    # A single goal: denominator sqrt(0.7 + 0.3) = 1, so T = 50 - 20.
    assert gas_t_score([(-2, 1)]) == pytest.approx(30.0)


def test_other_rho():
    assert gas_t_score([(1, 1), (1, 1)], rho=0.0) == pytest.approx(50 + 20 / math.sqrt(2))


@pytest.mark.parametrize("scores", [[], [(3, 1)], [(-3, 1)], [(1, 0)], [(1, -1)]])
def test_refuses_nonsense(scores):
    with pytest.raises(ValueError):
        gas_t_score(scores)
