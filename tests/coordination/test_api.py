"""Directory API: search filters and errors, CSV import by multipart and text/csv, permissions."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from casework.clients.models import Client
from casework.coordination.models import ResourceService
from tests import factories


def import_csv(client, text, dry_run):
    flag = "true" if dry_run else "false"
    return client.http.post(
        f"/api/v1/resources/import?dry_run={flag}",
        text,
        content_type="text/csv",
        **client._headers(),
    )


def test_search_through_the_api(world, api, pat, example_csv):
    assert import_csv(api(pat), example_csv, dry_run=False).status_code == 200
    casey = api(world.casey)
    response = casey.get("/api/v1/resources", need="food", language="es")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    assert [i["name"] for i in body["items"]] == ["SNAP application help", "Weekly food pantry"]
    near = casey.get("/api/v1/resources", lat="40.7306", lon="-73.9866", within_km="10").json()
    assert near["items"][0]["name"] == "Walk-in primary care"
    assert near["items"][0]["distance_km"] == 0
    opened = casey.get(
        "/api/v1/resources", open_now="true", at="2026-11-27T16:00:00+00:00"
    ).json()  # a Friday, 11:00 in New York
    assert {i["name"] for i in opened["items"]} == {"Weekly food pantry", "Walk-in primary care"}


def test_search_errors_have_the_documented_shape(world, api):
    response = api(world.casey).get("/api/v1/resources", need="groceries", lat="91")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["detail"]
    assert {e["field"] for e in body["errors"]} == {"need", "lon", "lat"}


def test_outsider_sees_none_of_the_directory(world, api, pat, example_csv):
    import_csv(api(pat), example_csv, dry_run=False)
    assert api(world.olive).get("/api/v1/resources").json()["items"] == []
    service = ResourceService.objects.first()
    assert service is not None
    response = api(world.olive).post(
        f"/api/v1/resources/{service.pk}/active", {"is_active": False, "version": 1}
    )
    assert response.status_code == 404


def test_import_dry_run_by_multipart_writes_nothing(world, api, pat, example_csv):
    client = api(pat)
    upload = SimpleUploadedFile("resources.csv", example_csv.encode(), content_type="text/csv")
    response = client.http.post(
        "/api/v1/resources/import?dry_run=true", {"file": upload}, **client._headers()
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["dry_run"] is True and report["rows"] == 4 and report["valid"] == 4
    assert ResourceService.objects.count() == 0


def test_case_manager_cannot_import(world, api, example_csv):
    response = import_csv(api(world.casey), example_csv, dry_run=True)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_import_without_a_file_is_a_clear_error(world, api, pat):
    response = api(pat).post("/api/v1/resources/import", {"csv": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_deactivate_through_the_api_with_versions(world, api, pat, example_csv):
    client = api(pat)
    import_csv(client, example_csv, dry_run=False)
    service = ResourceService.objects.get(name="Weekly food pantry")
    url = f"/api/v1/resources/{service.pk}/active"
    response = client.post(url, {"is_active": False, "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert client.post(url, {"is_active": True, "version": 1}).status_code == 409
    assert client.post(url, {"is_active": True, "version": 2, "x": 1}).status_code == 422
    names = [i["name"] for i in api(world.casey).get("/api/v1/resources").json()["items"]]
    assert "Weekly food pantry" not in names


def test_search_near_a_client_the_user_sees(world, api, pat, example_csv):
    import_csv(api(pat), example_csv, dry_run=False)
    rosa = factories.client(world.casey, given_name="Rosa", family_name="Delgado")
    factories.case(world.casey, client=rosa, program=world.program)
    casey = api(world.casey)
    no_point = casey.get("/api/v1/resources", near_client=str(rosa.pk))
    assert no_point.status_code == 422
    assert no_point.json()["errors"][0]["field"] == "near_client"
    Client.objects.filter(pk=rosa.pk).update(latitude=40.7306, longitude=-73.9866)
    found = casey.get("/api/v1/resources", near_client=str(rosa.pk), within_km="1").json()
    assert [i["name"] for i in found["items"]] == ["Walk-in primary care"]
    assert api(world.olive).get("/api/v1/resources", near_client=str(rosa.pk)).status_code == 404
