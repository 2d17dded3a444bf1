"""Writes to the resource directory: curated by program admins (and system admins).

CSV import validates every row and finds duplicates before anything is written; a real run then
writes each good row in its own transaction, so one bad row never blocks or half-writes another,
and skips rows that duplicate the directory, so re-importing the same file creates nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from casework.accounts.models import Role, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.coordination.directory import NEED_DOMAINS, language_valid, parse_hours_text
from casework.coordination.models import (
    CapacityStatus,
    ResourceKind,
    ResourceOrganization,
    ResourceService,
)
from casework.core.errors import PermissionDenied, ValidationFailed, field_error
from casework.core.versioning import update_versioned

CURATOR_ROLES = {Role.PROGRAM_ADMIN, Role.SYSTEM_ADMIN}

CSV_COLUMNS = [
    "organization_name",
    "organization_kind",
    "organization_phone",
    "website",
    "service_name",
    "description",
    "needs",
    "eligibility",
    "min_age",
    "max_age",
    "languages",
    "hours",
    "address",
    "latitude",
    "longitude",
    "capacity_status",
    "waitlist_note",
    "phone",
    "email",
]
REQUIRED_COLUMNS = {"organization_name", "service_name", "needs"}


def can_curate(user: User) -> bool:
    return user.role in CURATOR_ROLES


def _require_curator(user: User) -> UUID:
    """The curator's organization id; anyone else (or a user with no organization) is refused."""
    if not can_curate(user) or user.organization_id is None:
        raise PermissionDenied("Only a program admin may change the resource directory.")
    return user.organization_id


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    valid: int = 0
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "errors": self.errors,
            "duplicates": self.duplicates,
        }


def _phone_key(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _text_key(text: str) -> str:
    return " ".join(text.lower().split())


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;|]", value) if part.strip()]


def _clean_row(raw: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate one CSV row; return the cleaned values and ``(field, message)`` problems."""
    row = {key: (raw.get(key) or "").strip() for key in CSV_COLUMNS}
    problems: list[tuple[str, str]] = []
    for column in ("organization_name", "service_name"):
        if not row[column]:
            problems.append((column, "required"))
    kind = row["organization_kind"].lower() or ResourceKind.COMMUNITY
    if kind not in ResourceKind.values:
        problems.append(("organization_kind", f"must be one of {', '.join(ResourceKind.values)}"))
    needs = _split(row["needs"])
    if not needs:
        problems.append(("needs", "at least one need domain is required"))
    for need in needs:
        if need not in NEED_DOMAINS:
            problems.append(("needs", f"unknown need domain {need!r}"))
    languages = _split(row["languages"])
    for tag in languages:
        if not language_valid(tag):
            problems.append(("languages", f"{tag!r} is not a BCP 47 language tag"))
    ages: dict[str, int | None] = {}
    for column in ("min_age", "max_age"):
        ages[column] = None
        if row[column]:
            if row[column].isdigit() and int(row[column]) <= 130:
                ages[column] = int(row[column])
            else:
                problems.append((column, "must be a whole number of years (0-130)"))
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        problems.append(("max_age", "must not be below min_age"))
    hours: dict[str, Any] = {}
    if row["hours"]:
        try:
            hours = parse_hours_text(row["hours"])
        except ValueError as exc:
            problems.append(("hours", str(exc)))
    coordinates: dict[str, float | None] = {"latitude": None, "longitude": None}
    for column, bound in (("latitude", 90.0), ("longitude", 180.0)):
        if row[column]:
            try:
                value = float(row[column])
            except ValueError:
                problems.append((column, "must be a decimal number of degrees"))
                continue
            if not -bound <= value <= bound:
                problems.append((column, f"must be between -{bound:g} and {bound:g}"))
            coordinates[column] = value
    if (coordinates["latitude"] is None) != (coordinates["longitude"] is None):
        problems.append(("longitude", "give both latitude and longitude, or neither"))
    capacity = row["capacity_status"].lower() or CapacityStatus.OPEN
    if capacity not in CapacityStatus.values:
        problems.append(("capacity_status", f"must be one of {', '.join(CapacityStatus.values)}"))
    if row["email"]:
        try:
            EmailValidator()(row["email"])
        except ValidationError:
            problems.append(("email", "not a valid email address"))
    if row["website"]:
        try:
            URLValidator()(row["website"])
        except ValidationError:
            problems.append(("website", "not a valid URL"))
    cleaned = {
        "organization_name": row["organization_name"],
        "organization_kind": kind,
        "organization_phone": row["organization_phone"],
        "website": row["website"],
        "name": row["service_name"],
        "description": row["description"],
        "needs": needs,
        "eligibility": row["eligibility"],
        "min_age": ages["min_age"],
        "max_age": ages["max_age"],
        "languages": languages,
        "hours": hours,
        "address": row["address"],
        "latitude": coordinates["latitude"],
        "longitude": coordinates["longitude"],
        "capacity_status": capacity,
        "waitlist_note": row["waitlist_note"],
        "phone": row["phone"],
        "email": row["email"],
    }
    return cleaned, problems


def resource_import(
    *,
    text: str,
    acting_user: User,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import directory services from CSV text (columns: ``CSV_COLUMNS``; row 1 is the header).

    Every row is checked and compared with the file's earlier rows and the existing directory
    first: a duplicate is the same service name and address, or the same service phone. Errors and
    duplicates are reported with their row number (the header is row 1). A dry run stops there. A
    real run writes each valid, non-duplicate row atomically and audits it; duplicates are
    skipped, which makes importing the same file twice idempotent.
    """
    organization_id = _require_curator(acting_user)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if missing:
        raise ValidationFailed(
            "The CSV file lacks required columns.",
            errors=[field_error(name, "missing column") for name in missing],
        )
    reader.fieldnames = header
    existing = ResourceService.objects.filter(organization_id=organization_id)
    seen_name_address: dict[tuple[str, str], str] = {
        (_text_key(s.name), _text_key(s.address)): "directory"
        for s in existing.only("name", "address")
    }
    seen_phone: dict[str, str] = {
        _phone_key(s.phone): "directory" for s in existing.only("phone") if _phone_key(s.phone)
    }
    report = ImportReport(dry_run=dry_run)
    good: list[tuple[int, dict[str, Any]]] = []
    for index, raw in enumerate(reader, start=2):
        report.rows += 1
        cleaned, problems = _clean_row(raw)
        if None in raw:
            problems.append(("row", "more values than columns"))
        for column, message in problems:
            report.errors.append({"row": index, "field": column, "message": message})
        if problems:
            continue
        report.valid += 1
        key = (_text_key(cleaned["name"]), _text_key(cleaned["address"]))
        phone = _phone_key(cleaned["phone"])
        match, reason = None, ""
        if key in seen_name_address:
            match, reason = seen_name_address[key], "same name and address"
        elif phone and phone in seen_phone:
            match, reason = seen_phone[phone], "same phone"
        if match is not None:
            report.duplicates.append(
                {
                    "row": index,
                    "name": cleaned["name"],
                    "reason": reason,
                    "duplicate_of": match if match == "directory" else f"row {match}",
                }
            )
            continue
        seen_name_address[key] = str(index)
        if phone:
            seen_phone[phone] = str(index)
        good.append((index, cleaned))
    if dry_run:
        return report
    for done, (_, cleaned) in enumerate(good, start=1):
        resource_service_create_from_row(values=cleaned, acting_user=acting_user)
        report.created += 1
        if progress:
            progress(done, len(good))
    return report


@transaction.atomic
def resource_service_create_from_row(
    *, values: dict[str, Any], acting_user: User
) -> ResourceService:
    """Create one service (and its organization, found by name, when new) from a cleaned row."""
    organization_id = _require_curator(acting_user)
    values = dict(values)
    provider_name = values.pop("organization_name")
    provider_fields = {
        "kind": values.pop("organization_kind"),
        "phone": values.pop("organization_phone"),
        "website": values.pop("website"),
    }
    provider = ResourceOrganization.objects.filter(
        organization_id=organization_id, name__iexact=provider_name
    ).first()
    if provider is None:
        provider = ResourceOrganization.objects.create(
            organization_id=organization_id, name=provider_name, **provider_fields
        )
        audit_record(actor=acting_user, action=Action.CREATE, obj=provider, changes=provider_fields)
    service = ResourceService.objects.create(
        organization_id=organization_id, provider=provider, **values
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=service,
        changes={k: v for k, v in values.items() if v not in ("", None, [], {})},
    )
    return service


@transaction.atomic
def resource_service_set_active(
    *, service: ResourceService, is_active: bool, expected_version: int, acting_user: User
) -> ResourceService:
    """Deactivate (or reactivate) a service; deactivated services drop out of search."""
    _require_curator(acting_user)
    changes = update_versioned(service, expected_version=expected_version, is_active=is_active)
    audit_record(actor=acting_user, action=Action.UPDATE, obj=service, changes=changes)
    return service
