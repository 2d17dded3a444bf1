"""LACE on real Synthea output: a few bundles' Encounter (class EMER / IMP) and Condition
resources loaded straight into Utilization and Condition rows (a full FHIR import is a later
issue), scored, and compared with values worked out by hand from the bundles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework.accounts.models import Organization
from casework.clients.models import Client, Condition, Utilization, UtilizationKind
from casework.risk.lace import lace_for_clients

SYNTHEA = Path("/work/shared/data/synthea")
ENCOUNTER_KINDS = {"EMER": UtilizationKind.EMERGENCY, "IMP": UtilizationKind.INPATIENT}

pytestmark = pytest.mark.skipif(
    not SYNTHEA.is_dir(), reason=f"the Synthea sample bundles are not at {SYNTHEA}"
)


def _day(moment: str | None) -> date | None:
    return date.fromisoformat(moment[:10]) if moment else None


def _status(resource: dict[str, Any]) -> str:
    status = resource.get("clinicalStatus", "active")
    if isinstance(status, dict):  # R4 CodeableConcept; STU3 used a plain code
        status = status.get("coding", [{}])[0].get("code", "active")
    return "resolved" if status in ("resolved", "remission") else "active"


def load_bundle(path: Path, organization: Organization) -> Client:
    """The Patient, EMER/IMP Encounters and Conditions of one Synthea bundle, as rows."""
    resources = [entry["resource"] for entry in json.loads(path.read_text())["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    name = patient["name"][0]
    client = Client.objects.create(
        organization=organization,
        given_name=name["given"][0],
        family_name=name["family"],
        birth_date=date.fromisoformat(patient["birthDate"]),
        sex=patient.get("gender", "unknown"),
        deceased_date=_day(patient.get("deceasedDateTime")),
    )
    for resource in resources:
        kind = ENCOUNTER_KINDS.get(resource.get("class", {}).get("code", ""))
        if resource["resourceType"] == "Encounter" and kind:
            period = resource["period"]
            Utilization.objects.create(
                client=client,
                kind=kind,
                started_at=period["start"],
                ended_at=period.get("end"),
                acute=False,  # Synthea does not say; LACE sees admissions through the ED
                source="synthea",
                source_id=resource["id"],
            )
        elif resource["resourceType"] == "Condition":
            coding = resource["code"]["coding"][0]
            Condition.objects.create(
                client=client,
                system=coding["system"],
                code=coding["code"],
                display=coding.get("display", ""),
                clinical_status=_status(resource),
                onset_date=_day(resource.get("onsetDateTime")),
                abatement_date=_day(resource.get("abatementDateTime")),
                source="synthea",
                source_id=resource["id"],
            )
    return client


def bundle(prefix: str) -> Path:
    matches = sorted(SYNTHEA.glob(f"{prefix}_*.json"))
    if not matches:
        pytest.skip(f"{prefix} is not among the Synthea sample bundles")
    return matches[0]


# Worked out by hand from the bundles (local dates in America/New_York, the default zone):
EXPECTED = {
    # Appendicitis: ED visit and admission both start 2001-07-18 08:33 UTC, discharged the next
    # day. Admitted through the ED (A 3; that visit is not counted in E), stay 1 day (L 1), no
    # Charlson condition active at admission (appendicitis, obesity and sinusitis are not).
    "Brady_Kuhlman": {"L": 1, "A": 3, "C": 0, "E": 0},
    # Non-urgent orthopedic admission 2018-06-14 22:22 UTC (18:22 local) to 2018-06-16 01:22
    # UTC (21:22 local on the 15th): 1 day, elective; one ED visit a week before (knee injury)
    # counts, the one in 2016 is too old.
    "Raymon_Kris": {"L": 1, "A": 0, "C": 0, "E": 1},
    # Thoracic surgery admission 1989-01-08 00:41 UTC (the 7th, local) to 1989-01-09 06:41 UTC
    # (01:41 local): 2 days, elective; pulmonary emphysema since 1977 (chronic pulmonary
    # disease, LACE weight 2).
    "Tony_Beer": {"L": 2, "A": 0, "C": 2, "E": 0},
}


@pytest.mark.parametrize(("prefix", "points"), EXPECTED.items())
def test_lace_from_synthea_bundles(
    world: Any, settings: Any, prefix: str, points: dict[str, int]
) -> None:
    settings.TIME_ZONE = "America/New_York"
    client = load_bundle(bundle(prefix), world.org)
    assert client.utilization.filter(kind=UtilizationKind.INPATIENT).count() == 1

    result = lace_for_clients([client.id])[client.id]
    assert result.points == points
    assert result.score == sum(points.values())
    if prefix == "Tony_Beer":
        assert result.comorbidities == ["Chronic pulmonary disease"]
        assert result.detail["comorbidities"][0]["codes"] == ["87433001"]


def test_patients_without_an_inpatient_stay_have_no_lace(world: Any) -> None:
    client = load_bundle(bundle("Antonio_Castellanos"), world.org)  # one ED visit, no stay
    assert client.utilization.filter(kind=UtilizationKind.EMERGENCY).exists()
    assert lace_for_clients([client.id]) == {}
