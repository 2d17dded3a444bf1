"""STYLE.md rule 4: client data is read only through selectors that take the acting user.

Views, API endpoints and forms may not query client-data models directly (``Model.objects``);
``.objects.none()`` placeholders in forms are allowed (the view sets the scoped queryset).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "casework"
CLIENT_DATA_MODELS = (
    "Client|ClientIdentifier|Condition|Utilization|Case|CaseStatusChange|CaseAssignment|"
    "CareTeamMember|AssessmentResponse|Observation|ProposedNeed|RiskAssessment|WorkItem|"
    "CarePlan|Need|Goal|Strength|Barrier|Intervention|Education|PlanReview|PlanVersion|Contact|"
    "Referral|ReferralEvent|PartnerLink|Appointment|Consent|Coverage|Authorization"
)
UNSCOPED = re.compile(rf"\b(?:{CLIENT_DATA_MODELS})\.objects\b(?!\.none\(\))")
BOUNDARY_NAMES = ("api", "views", "forms")
# An app's boundary is api.py / views.py / forms.py, or a package of that name with one module
# per part (casework/coordination/api/referrals.py).
BOUNDARY_FILES = sorted(
    {path for name in BOUNDARY_NAMES for path in PACKAGE.rglob(f"{name}.py")}
    | {path for name in BOUNDARY_NAMES for path in PACKAGE.rglob(f"{name}/*.py")}
)


@pytest.mark.parametrize("path", BOUNDARY_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_boundaries_do_not_query_client_data_directly(path: Path) -> None:
    offending = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if UNSCOPED.search(line)
    ]
    assert not offending, "use an access-scoped selector instead:\n" + "\n".join(offending)
