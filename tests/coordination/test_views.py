"""Directory pages: HTMX search, the import form only for program admins, dry run shown first."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from casework.coordination.models import ResourceService
from casework.coordination.services import resource_import


def test_search_page_and_htmx_results(client, world, pat, example_csv):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    client.force_login(world.casey)
    page = client.get("/resources/")
    assert page.status_code == 200
    assert b"Weekly food pantry" in page.content and b"Import from CSV" not in page.content
    fragment = client.get(
        "/resources/",
        {"need": "housing", "lat": "40.7127", "lon": "-74.0059"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b"Emergency housing assistance" in fragment.content
    assert b"Weekly food pantry" not in fragment.content
    bad = client.get("/resources/", {"lat": "40"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422


def test_outsider_page_shows_none_of_the_directory(client, world, pat, example_csv):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    client.force_login(world.olive)
    page = client.get("/resources/")
    assert b"Weekly food pantry" not in page.content and b"No services match" in page.content


def test_program_admin_sees_the_dry_run_then_imports(client, world, pat, example_csv):
    client.force_login(pat)
    assert b"Import from CSV" in client.get("/resources/").content
    upload = SimpleUploadedFile("resources.csv", example_csv.encode(), content_type="text/csv")
    checked = client.post("/resources/import/", {"file": upload, "action": "check"})
    assert checked.status_code == 200 and b"4 rows, 0 errors, 0 duplicates." in checked.content
    assert ResourceService.objects.count() == 0
    done = client.post("/resources/import/", {"text": example_csv, "action": "import"})
    assert b"4 created" in done.content and ResourceService.objects.count() == 4


def test_case_manager_cannot_import_from_the_page(client, world, example_csv):
    client.force_login(world.casey)
    response = client.post("/resources/import/", {"text": example_csv, "action": "import"})
    assert response.status_code == 302
    assert ResourceService.objects.count() == 0
