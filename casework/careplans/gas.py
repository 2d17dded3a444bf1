"""Goal Attainment Scaling: the summary T-score of a plan's goals at a review.

Kiresuk, T. J. & Sherman, R. E. (1968). Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs. Community Mental Health Journal, 4(6), 443-453.

    T = 50 + 10 · Σ wᵢxᵢ / √((1 - rho) Σ wᵢ² + rho (Σ wᵢ)²)

with xᵢ the attainment of goal i on the -2 … +2 scale, wᵢ its weight and rho the assumed
correlation between goal scores, conventionally 0.3 (Kiresuk & Sherman's own choice). A plan whose
goals are all met exactly as expected (every xᵢ = 0) scores 50; the standard deviation is 10.
"""

from __future__ import annotations

import math

DEFAULT_RHO = 0.3
ATTAINMENT_RANGE = range(-2, 3)


def gas_t_score(scores: list[tuple[int, float]], rho: float = DEFAULT_RHO) -> float:
    """The T-score of ``scores`` given as ``(attainment, weight)`` pairs.

    Raises ``ValueError`` for no scores, an attainment outside -2 … +2 or a weight that is not
    positive, so a caller cannot publish a number computed from nonsense.
    """
    if not scores:
        raise ValueError("at least one goal score is needed")
    for attainment, weight in scores:
        if attainment not in ATTAINMENT_RANGE:
            raise ValueError(f"attainment {attainment} is outside -2 … +2")
        if not weight > 0:
            raise ValueError(f"weight {weight} must be positive")
    weighted = sum(weight * attainment for attainment, weight in scores)
    sum_squares = sum(weight * weight for _, weight in scores)
    total = sum(weight for _, weight in scores)
    denominator = math.sqrt((1 - rho) * sum_squares + rho * total * total)
    return 50 + 10 * weighted / denominator
