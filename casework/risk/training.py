"""The predictive model: an ED visit or inpatient admission in the next 180 days.

Interface used by stratification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from casework.risk.models import RiskModelVersion


@dataclass
class Prediction:
    probability: float
    # Top contributing features, largest first: [{"feature": "ed_visits_6m", "value": 3,
    # "contribution": 0.42, "label": "3 ED visits in the last 6 months"}, ...]
    contributions: list[dict[str, object]] = field(default_factory=list)


def active_model(organization_id: UUID) -> RiskModelVersion | None:
    raise NotImplementedError("being written (issue 3)")


def predict_for_clients(
    model: RiskModelVersion, client_ids: Iterable[UUID], *, as_of: datetime | None = None
) -> dict[UUID, Prediction]:
    raise NotImplementedError("being written (issue 3)")
