"""Clinical history through the API (conditions, ED visits, admissions) and LACE on worked
examples from /work/shared/data/risk-scores.md (cliot documentation)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from casework.clients.models import Condition, Utilization
from tests import factories


def _iso(moment):
    return moment.isoformat()


def test_lace_worked_example_14_high(world, api):
    casey = api(world.casey)
    client = factories.client(world.casey)
    base = f"/api/v1/clients/{client.id}"
    admitted = timezone.now() - timedelta(days=30)
    # Charlson (LACE weights) 5: CHF (2) + COPD (2) + diabetes without complications (1).
    for code in ("I50.9", "J44.9", "E11.9"):
        response = casey.post(f"{base}/conditions", {"code": code, "onset_date": "2020-01-01"})
        assert response.status_code == 201, response.content
    # Two ED visits in the six months before, neither the one that led to the admission.
    for days in (60, 120):
        visit = admitted - timedelta(days=days)
        assert (
            casey.post(
                f"{base}/utilization",
                {
                    "kind": "emergency",
                    "started_at": _iso(visit),
                    "ended_at": _iso(visit + timedelta(hours=4)),
                },
            ).status_code
            == 201
        )
    stay = casey.post(
        f"{base}/utilization",
        {
            "kind": "inpatient",
            "started_at": _iso(admitted.replace(hour=10)),
            "ended_at": _iso((admitted + timedelta(days=5)).replace(hour=11)),
            "acute": True,
        },
    )
    assert stay.status_code == 201
    lace = casey.get(f"{base}/lace").json()
    assert lace["points"] == {"L": 4, "A": 3, "C": 5, "E": 2}
    assert lace["score"] == 14 and lace["band"] == "high"


def test_lace_worked_example_2_low(world, api):
    casey = api(world.casey)
    client = factories.client(world.casey)
    base = f"/api/v1/clients/{client.id}"
    admitted = (timezone.now() - timedelta(days=10)).replace(hour=9)
    casey.post(
        f"{base}/utilization",
        {
            "kind": "inpatient",
            "started_at": _iso(admitted),
            "ended_at": _iso(admitted + timedelta(days=2)),
            "acute": False,
        },
    )
    lace = casey.get(f"{base}/lace").json()
    assert lace["points"] == {"L": 2, "A": 0, "C": 0, "E": 0}
    assert lace["score"] == 2 and lace["band"] == "low"


def test_no_admission_means_no_score(world, api):
    client = factories.client(world.casey)
    lace = api(world.casey).get(f"/api/v1/clients/{client.id}/lace").json()
    assert lace["score"] is None


def test_history_bad_input_is_refused_and_nothing_stored(world, api):
    casey = api(world.casey)
    client = factories.client(world.casey)
    base = f"/api/v1/clients/{client.id}"
    now = timezone.now()
    bad = [
        (f"{base}/conditions", {"code": ""}),
        (f"{base}/conditions", {"code": "E11.9", "system": "http://example.org/x"}),
        (
            f"{base}/conditions",
            {"code": "E11.9", "onset_date": "2020-05-01", "abatement_date": "2020-01-01"},
        ),
        (f"{base}/utilization", {"kind": "spa", "started_at": _iso(now)}),
        (
            f"{base}/utilization",
            {
                "kind": "inpatient",
                "started_at": _iso(now),
                "ended_at": _iso(now - timedelta(days=1)),
            },
        ),
        (f"{base}/utilization", {"kind": "inpatient", "started_at": "yesterday"}),
    ]
    for url, body in bad:
        response = casey.post(url, body)
        assert response.status_code == 422, (body, response.content)
    assert Condition.objects.count() == 0 and Utilization.objects.count() == 0


def test_history_is_access_scoped(world, api):
    client = factories.client(world.casey)
    for persona in (world.olive, world.chris):
        other = api(persona)
        assert other.get(f"/api/v1/clients/{client.id}/conditions").status_code == 404
        assert (
            other.post(f"/api/v1/clients/{client.id}/conditions", {"code": "E11.9"}).status_code
            == 404
        )
        assert other.get(f"/api/v1/clients/{client.id}/lace").status_code == 404
