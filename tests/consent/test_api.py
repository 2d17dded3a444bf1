"""Consent endpoints."""

from __future__ import annotations

from django.utils import timezone

from tests.coordination import referral_helpers as h


def test_record_list_get_revoke(world, api):
    case = h.active_case(world)
    service = h.provider(world.org)
    client = api(world.casey)
    path = f"/api/v1/clients/{case.client_id}/consents"
    body = {
        "purposes": ["CAREMGT"],
        "method": "written",
        "signed_on": timezone.localdate().isoformat(),
        "recipient_ids": [str(service.provider.pk)],
    }
    response = client.post(path, body)
    assert response.status_code == 201, response.json()
    consent = response.json()
    assert consent["recipients"] == [{"id": str(service.provider.pk), "name": "Harbor Food Bank"}]
    assert [c["id"] for c in client.get(path).json()["items"]] == [consent["id"]]
    assert client.get(f"/api/v1/consents/{consent['id']}").status_code == 200
    revoke = f"/api/v1/consents/{consent['id']}/revoke"
    response = client.post(revoke, {"version": consent["version"], "reason": "Withdrawn"})
    assert response.status_code == 200 and response.json()["status"] == "inactive"
    response = client.post(revoke, {"version": consent["version"], "reason": "Again"})
    assert response.status_code == 409


def test_errors_and_access(world, api):
    case = h.active_case(world)
    path = f"/api/v1/clients/{case.client_id}/consents"
    response = api(world.casey).post(
        path, {"purposes": ["CAREMGT"], "method": "written", "signed_on": "05/01/2020"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "signed_on"
    response = api(world.casey).post(
        path, {"purposes": ["CAREMGT"], "method": "written", "signed_on": "2020-05-01"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "recipient_ids"
    assert api(world.olive).get(path).status_code == 404
    assert api(world.chris).get(path).status_code == 404
