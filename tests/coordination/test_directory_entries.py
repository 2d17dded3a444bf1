"""Single directory entries: organizations and services created and changed one at a time, with
the CSV rows' rules, versions, audit and curator-only writes; cursor pages of the search."""

from __future__ import annotations

import pytest

from casework.audit.models import AuditEvent
from casework.coordination.models import ResourceOrganization, ResourceService
from casework.coordination.services import resource_import

pytestmark = pytest.mark.django_db


def service_body(provider_id, **overrides):
    data = {
        "provider_id": str(provider_id),
        "name": "Rent help",
        "needs": ["housing"],
        "languages": ["en", "es-MX"],
        "hours": "mon 09:00-17:00",
        "address": "1 Elm St",
        "latitude": 40.7,
        "longitude": -74.0,
        "phone": "555-0200",
    }
    data.update(overrides)
    return data


def make_provider(api, pat, **overrides):
    body = {"name": "Harbor Housing", "kind": "community", "email": "intake@harbor.example.org"}
    body.update(overrides)
    response = api(pat).post("/api/v1/resource-organizations", body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_curator_creates_and_edits_an_organization(world, api, pat):
    provider = make_provider(api, pat, is_internal=True)
    assert provider["is_internal"] is True and provider["version"] == 1
    assert provider["email"] == "intake@harbor.example.org"
    curator = api(pat)
    patched = curator.patch(
        f"/api/v1/resource-organizations/{provider['id']}", {"version": 1, "phone": "555-0300"}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = curator.patch(
        f"/api/v1/resource-organizations/{provider['id']}", {"version": 1, "phone": "x"}
    )
    assert stale.status_code == 409
    event = AuditEvent.objects.filter(object_id=provider["id"], action="update").get()
    assert event.changes == {"phone": ["", "555-0300"]}
    duplicate = curator.post("/api/v1/resource-organizations", {"name": "harbor housing"})
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "name"
    bad = curator.post(
        "/api/v1/resource-organizations",
        {"name": "X", "kind": "church", "website": "nope", "email": "nope"},
    )
    assert {e["field"] for e in bad.json()["errors"]} == {"kind", "website", "email"}


def test_case_manager_may_not_create_and_outsider_sees_nothing(world, api, pat):
    denied = api(world.casey).post("/api/v1/resource-organizations", {"name": "Mine"})
    assert denied.status_code == 403
    provider = make_provider(api, pat)
    denied = api(world.casey).post("/api/v1/resources", service_body(provider["id"]))
    assert denied.status_code == 403
    assert not ResourceService.objects.exists()
    olive = api(world.olive)
    assert olive.get(f"/api/v1/resource-organizations/{provider['id']}").status_code == 404
    assert (
        olive.patch(f"/api/v1/resource-organizations/{provider['id']}", {"version": 1}).status_code
        == 404
    )


def test_curator_creates_reads_and_edits_a_service(world, api, pat):
    provider = make_provider(api, pat)
    curator = api(pat)
    created = curator.post("/api/v1/resources", service_body(provider["id"]))
    assert created.status_code == 201, created.json()
    service = created.json()
    assert service["hours"] == {"mon": [["09:00", "17:00"]]}
    assert service["provider"]["email"] == "intake@harbor.example.org"
    got = api(world.casey).get(f"/api/v1/resources/{service['id']}")
    assert got.status_code == 200 and got.json()["name"] == "Rent help"
    patched = curator.patch(
        f"/api/v1/resources/{service['id']}",
        {"version": 1, "capacity_status": "waitlist", "hours": {"tue": [["10:00", "12:00"]]}},
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["capacity_status"] == "waitlist" and patched.json()["version"] == 2
    assert curator.patch(f"/api/v1/resources/{service['id']}", {"version": 1}).status_code == 409
    assert api(world.olive).get(f"/api/v1/resources/{service['id']}").status_code == 404
    assert (
        api(world.casey).patch(f"/api/v1/resources/{service['id']}", {"version": 2}).status_code
        == 403
    )


def test_service_rules_are_the_csv_rules(world, api, pat):
    provider = make_provider(api, pat)
    curator = api(pat)
    bad = curator.post(
        "/api/v1/resources",
        service_body(
            provider["id"],
            needs=["groceries"],
            languages=["spanish!"],
            min_age=70,
            max_age=20,
            hours="someday",
            latitude=95,
            capacity_status="closed",
        ),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "needs",
        "languages",
        "max_age",
        "hours",
        "latitude",
        "capacity_status",
    }
    assert curator.post("/api/v1/resources", service_body(provider["id"])).status_code == 201
    duplicate = curator.post("/api/v1/resources", service_body(provider["id"], name="Other"))
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "phone"
    unknown = curator.post("/api/v1/resources", {**service_body(provider["id"]), "colour": "x"})
    assert unknown.status_code == 422


def test_csv_reads_the_new_organization_columns_and_old_files(world, pat, example_csv):
    text = (
        "organization_name,service_name,needs,organization_email,organization_internal\n"
        "Our Clinic,Behavioral health intake,behavioral_health,bh@acme.example.org,yes\n"
        "Bad Row,Thing,food,not-an-email,maybe\n"
    )
    report = resource_import(text=text, acting_user=pat, dry_run=False)
    assert report.created == 1
    assert {(e["row"], e["field"]) for e in report.errors} == {
        (3, "organization_email"),
        (3, "organization_internal"),
    }
    clinic = ResourceOrganization.objects.get(name="Our Clinic")
    assert clinic.is_internal and clinic.email == "bh@acme.example.org"
    old = resource_import(text=example_csv, acting_user=pat, dry_run=False)
    assert old.errors == [] and old.created == 4


def test_search_pages_by_cursor_at_a_constant_cost(
    world, api, pat, example_csv, django_assert_max_num_queries
):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    casey = api(world.casey)
    first = casey.get("/api/v1/resources", limit=3).json()
    assert len(first["items"]) == 3 and first["next"]
    second = casey.get("/api/v1/resources", limit=3, cursor=first["next"]).json()
    assert second["next"] is None
    names = [i["name"] for i in first["items"] + second["items"]]
    assert names == sorted(names) and len(set(names)) == 4
    with django_assert_max_num_queries(12):
        casey.get("/api/v1/resources", limit=50)
    near = casey.get("/api/v1/resources", lat="40.7", lon="-74.0", cursor=first["next"])
    assert near.status_code == 422 and near.json()["errors"][0]["field"] == "cursor"
