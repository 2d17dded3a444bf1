"""The LACE index (van Walraven et al., CMAJ 2010) from a client's utilization and conditions.

Interface used by stratification (set-based: a constant number of queries per batch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass
class LaceResult:
    score: int
    length_of_stay_days: int
    acute: bool
    charlson: int
    ed_visits_6_months: int
    points: dict[str, int] = field(default_factory=dict)  # {"L": 4, "A": 3, "C": 5, "E": 2}
    admission_id: str | None = None
    comorbidities: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def lace_for_clients(
    client_ids: Iterable[UUID], *, as_of: datetime | None = None
) -> dict[UUID, LaceResult]:
    """LACE for the most recent inpatient admission of each client (clients without one are
    absent from the result)."""
    raise NotImplementedError("being written (issue 3)")
