"""CSV import: a dry run reports bad rows and duplicates and writes nothing; a real run is
idempotent and atomic per row; only program admins may import."""

from __future__ import annotations

import pytest

from casework.audit.models import AuditEvent
from casework.coordination.models import ResourceOrganization, ResourceService
from casework.coordination.services import resource_import, resource_service_set_active
from casework.core.errors import PermissionDenied, StaleVersion, ValidationFailed

HEADER = (
    "organization_name,service_name,needs,languages,hours,address,latitude,longitude,"
    "min_age,max_age,phone,email\n"
)


def counts():
    return (
        ResourceOrganization.objects.count(),
        ResourceService.objects.count(),
        AuditEvent.objects.count(),
    )


def test_dry_run_catches_bad_rows_and_duplicates_without_writing(world, pat, example_csv):
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    text = HEADER + "\n".join(
        [
            "Good Org,Food box,food,en,mon 09:00-10:00,1 A St,40.1,-74.1,,,555-1000,",  # row 2
            "Bad Org,Bad one,groceries,english,mon 9-5,2 B St,95,-74.1,30,20,,not-an-email",
            "Good Org,Food box,food,en,,1 a st,,,,,,",  # row 4: same name+address as row 2
            "Other Org,Rides,transportation,en,,9 C St,,,,,(555) 1000,",  # row 5: same phone
            "Eastside Food Bank,Weekly food pantry,food,en,,12 Main St,,,,,,",  # row 6: existing
            ",,food,,,,,,,,,",  # row 7: names missing
        ]
    )
    before = counts()
    report = resource_import(text=text, acting_user=pat, dry_run=True)
    assert counts() == before
    assert report.rows == 6 and report.created == 0
    bad = {(e["row"], e["field"]) for e in report.errors}
    assert {
        (3, "needs"),
        (3, "languages"),
        (3, "hours"),
        (3, "latitude"),
        (3, "max_age"),
        (3, "email"),
        (7, "organization_name"),
        (7, "service_name"),
    } <= bad
    assert not any(row in {2, 4, 5, 6} for row, _ in bad)
    duplicates = {d["row"]: (d["reason"], d["duplicate_of"]) for d in report.duplicates}
    assert duplicates == {
        4: ("same name and address", "row 2"),
        5: ("same phone", "row 2"),
        6: ("same name and address", "directory"),
    }


def test_real_import_creates_then_is_idempotent(world, pat, example_csv):
    first = resource_import(text=example_csv, acting_user=pat, dry_run=False)
    assert first.created == 4 and not first.errors and not first.duplicates
    assert ResourceOrganization.objects.count() == 3
    pantry = ResourceService.objects.get(name="Weekly food pantry")
    assert pantry.organization == world.org and pantry.languages == ["en", "es"]
    assert pantry.hours["fri"] == [["09:00", "12:00"]]
    assert pantry.provider.kind == "community"
    before = counts()
    again = resource_import(text=example_csv, acting_user=pat, dry_run=False)
    assert again.created == 0 and len(again.duplicates) == 4
    assert counts() == before


def test_real_import_writes_good_rows_and_skips_bad_ones(world, pat):
    text = HEADER + "Org,Good,food,,,,,,,,,\nOrg,Bad,nonsense,,,,,,,,,\n"
    report = resource_import(text=text, acting_user=pat, dry_run=False)
    assert report.created == 1 and [e["row"] for e in report.errors] == [3]
    assert list(ResourceService.objects.values_list("name", flat=True)) == ["Good"]


def test_missing_columns_are_refused(world, pat):
    with pytest.raises(ValidationFailed) as caught:
        resource_import(text="name,phone\nx,y\n", acting_user=pat, dry_run=True)
    assert {e["field"] for e in caught.value.errors} == {
        "organization_name",
        "service_name",
        "needs",
    }


def test_only_program_admins_curate(world, pat, example_csv):
    with pytest.raises(PermissionDenied):
        resource_import(text=example_csv, acting_user=world.casey, dry_run=True)
    resource_import(text=example_csv, acting_user=pat, dry_run=False)
    service = ResourceService.objects.get(name="Weekly food pantry")
    with pytest.raises(PermissionDenied):
        resource_service_set_active(
            service=service, is_active=False, expected_version=1, acting_user=world.sam
        )
    resource_service_set_active(
        service=service, is_active=False, expected_version=1, acting_user=pat
    )
    service.refresh_from_db()
    assert service.is_active is False and service.version == 2
    with pytest.raises(StaleVersion):
        resource_service_set_active(
            service=service, is_active=True, expected_version=1, acting_user=pat
        )
