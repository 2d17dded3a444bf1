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
from casework.coordination.directory import (
    NEED_DOMAINS,
    hours_errors,
    language_valid,
    parse_hours_text,
)
from casework.coordination.models import (
    CapacityStatus,
    ResourceKind,
    ResourceOrganization,
    ResourceService,
)
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, field_error
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
    "organization_email",
    "organization_internal",
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


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}

# The fields of a directory organization and of a service, as single entries name them; a CSV
# row names the organization's with an ``organization_`` prefix (``website`` stays as it is).
ORGANIZATION_FIELDS = ["name", "kind", "phone", "website", "email", "is_internal", "notes"]
SERVICE_FIELDS = [
    "name",
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
ROW_TO_ORGANIZATION = {
    "organization_name": "name",
    "organization_kind": "kind",
    "organization_phone": "phone",
    "website": "website",
    "organization_email": "email",
    "organization_internal": "is_internal",
}
ROW_TO_SERVICE = {"service_name": "name"} | {
    name: name for name in SERVICE_FIELDS if name not in ("name",)
}

Problems = list[tuple[str, str]]


def _as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _as_list(value: Any) -> list[str]:
    """``"a;b"``/``"a|b"`` (CSV, forms) or a list (API) -> a list of stripped strings."""
    if isinstance(value, list | tuple):
        return [str(part).strip() for part in value if str(part).strip()]
    return _split(_as_text(value))


def _check_email(value: str, name: str, problems: Problems) -> None:
    if value:
        try:
            EmailValidator()(value)
        except ValidationError:
            problems.append((name, "not a valid email address"))


def clean_organization(values: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """Validate a directory organization (``ORGANIZATION_FIELDS``); the one set of rules for
    CSV rows, the API and the forms. Returns the cleaned values and ``(field, message)``
    problems."""
    problems: Problems = []
    name = _as_text(values.get("name"))
    if not name:
        problems.append(("name", "required"))
    kind = _as_text(values.get("kind")).lower() or ResourceKind.COMMUNITY
    if kind not in ResourceKind.values:
        problems.append(("kind", f"must be one of {', '.join(ResourceKind.values)}"))
    website = _as_text(values.get("website"))
    if website:
        try:
            URLValidator()(website)
        except ValidationError:
            problems.append(("website", "not a valid URL"))
    email = _as_text(values.get("email"))
    _check_email(email, "email", problems)
    internal = values.get("is_internal", False)
    if not isinstance(internal, bool):
        text = _as_text(internal).lower()
        if text in _TRUE | _FALSE:
            internal = text in _TRUE
        else:
            problems.append(("is_internal", "must be true or false (yes/no)"))
            internal = False
    cleaned = {
        "name": name,
        "kind": kind,
        "phone": _as_text(values.get("phone")),
        "website": website,
        "email": email,
        "is_internal": internal,
        "notes": _as_text(values.get("notes")),
    }
    return cleaned, problems


def clean_service(values: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """Validate a directory service (``SERVICE_FIELDS``): need domains, BCP 47 languages, ages
    0-130, weekly hours (text ``mon 09:00-17:00; …`` or the data shape), coordinates in range
    and both or neither, capacity status, email. The one set of rules for CSV rows, the API and
    the forms."""
    problems: Problems = []
    name = _as_text(values.get("name"))
    if not name:
        problems.append(("name", "required"))
    needs = _as_list(values.get("needs"))
    if not needs:
        problems.append(("needs", "at least one need domain is required"))
    for need in needs:
        if need not in NEED_DOMAINS:
            problems.append(("needs", f"unknown need domain {need!r}"))
    languages = _as_list(values.get("languages"))
    for tag in languages:
        if not language_valid(tag):
            problems.append(("languages", f"{tag!r} is not a BCP 47 language tag"))
    ages: dict[str, int | None] = {}
    for column in ("min_age", "max_age"):
        ages[column] = None
        raw = values.get(column)
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 130:
            ages[column] = raw
        elif isinstance(raw, str) and raw.strip().isdigit() and int(raw) <= 130:
            ages[column] = int(raw)
        elif raw not in (None, ""):
            problems.append((column, "must be a whole number of years (0-130)"))
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        problems.append(("max_age", "must not be below min_age"))
    hours: dict[str, Any] = {}
    raw_hours = values.get("hours")
    if isinstance(raw_hours, dict):
        hours_problems = hours_errors(raw_hours)
        problems.extend(("hours", message) for message in hours_problems)
        hours = raw_hours
    elif _as_text(raw_hours):
        try:
            hours = parse_hours_text(_as_text(raw_hours))
        except ValueError as exc:
            problems.append(("hours", str(exc)))
    coordinates: dict[str, float | None] = {"latitude": None, "longitude": None}
    for column, bound in (("latitude", 90.0), ("longitude", 180.0)):
        given: Any = values.get(column)
        if given in (None, ""):
            continue
        try:
            value = float(given)
        except (TypeError, ValueError):
            problems.append((column, "must be a decimal number of degrees"))
            continue
        if not -bound <= value <= bound:
            problems.append((column, f"must be between -{bound:g} and {bound:g}"))
        coordinates[column] = value
    if (coordinates["latitude"] is None) != (coordinates["longitude"] is None):
        problems.append(("longitude", "give both latitude and longitude, or neither"))
    capacity = _as_text(values.get("capacity_status")).lower() or CapacityStatus.OPEN
    if capacity not in CapacityStatus.values:
        problems.append(("capacity_status", f"must be one of {', '.join(CapacityStatus.values)}"))
    email = _as_text(values.get("email"))
    _check_email(email, "email", problems)
    cleaned = {
        "name": name,
        "description": _as_text(values.get("description")),
        "needs": needs,
        "eligibility": _as_text(values.get("eligibility")),
        "min_age": ages["min_age"],
        "max_age": ages["max_age"],
        "languages": languages,
        "hours": hours,
        "address": _as_text(values.get("address")),
        "latitude": coordinates["latitude"],
        "longitude": coordinates["longitude"],
        "capacity_status": capacity,
        "waitlist_note": _as_text(values.get("waitlist_note")),
        "phone": _as_text(values.get("phone")),
        "email": email,
    }
    return cleaned, problems


def _clean_row(raw: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate one CSV row with the single-entry rules; problems name the CSV columns."""
    row = {key: (raw.get(key) or "").strip() for key in CSV_COLUMNS}
    provider, provider_problems = clean_organization(
        {field: row[column] for column, field in ROW_TO_ORGANIZATION.items()}
    )
    service, service_problems = clean_service(
        {field: row[column] for column, field in ROW_TO_SERVICE.items()}
    )
    to_column = {field: column for column, field in ROW_TO_ORGANIZATION.items()}
    problems = [(to_column.get(field, field), message) for field, message in provider_problems]
    problems += [
        ("service_name" if field == "name" else field, message)
        for field, message in service_problems
    ]
    cleaned = {f"organization_{name}": value for name, value in provider.items()}
    cleaned["website"] = cleaned.pop("organization_website")
    cleaned.pop("organization_notes")
    cleaned.update(service)
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
        "email": values.pop("organization_email", ""),
        "is_internal": values.pop("organization_is_internal", False),
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


def _refuse(what: str, problems: Problems) -> None:
    if problems:
        raise ValidationFailed(
            f"The {what} is not valid; nothing was saved.",
            errors=[field_error(name, message) for name, message in problems],
        )


def _organization_name_taken(organization_id: UUID, name: str, exclude: UUID | None = None) -> bool:
    # CSV import finds a row's organization by name, so names stay unique per directory.
    clash = ResourceOrganization.objects.filter(organization_id=organization_id, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    return clash.exists()


@transaction.atomic
def resource_organization_create(
    *, acting_user: User, data: dict[str, Any]
) -> ResourceOrganization:
    """Add one organization to the directory (program admins). Same rules as a CSV row; the
    name is unique within the directory (case-insensitive), as import matches by name."""
    organization_id = _require_curator(acting_user)
    cleaned, problems = clean_organization(data)
    if cleaned["name"] and _organization_name_taken(organization_id, cleaned["name"]):
        problems.append(("name", "the directory already has an organization of that name"))
    _refuse("organization", problems)
    provider = ResourceOrganization.objects.create(organization_id=organization_id, **cleaned)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=provider,
        changes={name: [None, value] for name, value in cleaned.items()},
    )
    return provider


@transaction.atomic
def resource_organization_update(
    *,
    acting_user: User,
    provider: ResourceOrganization,
    expected_version: int,
    data: dict[str, Any],
) -> ResourceOrganization:
    """Change a directory organization; the merged values are validated again. ``is_active``
    false takes its services out of search."""
    organization_id = _require_curator(acting_user)
    if provider.organization_id != organization_id:
        raise NotFound("No such resource organization.")
    merged = {name: getattr(provider, name) for name in ORGANIZATION_FIELDS}
    merged.update({name: value for name, value in data.items() if name in ORGANIZATION_FIELDS})
    cleaned, problems = clean_organization(merged)
    if cleaned["name"] and _organization_name_taken(
        organization_id, cleaned["name"], exclude=provider.pk
    ):
        problems.append(("name", "the directory already has an organization of that name"))
    if "is_active" in data:
        if isinstance(data["is_active"], bool):
            cleaned["is_active"] = data["is_active"]
        else:
            problems.append(("is_active", "must be true or false"))
    _refuse("organization", problems)
    changes = update_versioned(provider, expected_version=expected_version, **cleaned)
    audit_record(actor=acting_user, action=Action.UPDATE, obj=provider, changes=changes)
    return provider


def _service_duplicate(
    organization_id: UUID, cleaned: dict[str, Any], exclude: UUID | None = None
) -> list[tuple[str, str]]:
    """The CSV import's duplicate rule: same name and address, or same service phone."""
    others = ResourceService.objects.filter(organization_id=organization_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    key = (_text_key(cleaned["name"]), _text_key(cleaned["address"]))
    phone = _phone_key(cleaned["phone"])
    for other in others.only("name", "address", "phone"):
        if (_text_key(other.name), _text_key(other.address)) == key:
            return [("name", "the directory already has this service at this address")]
        if phone and _phone_key(other.phone) == phone:
            return [
                ("phone", f"the directory already has a service with this phone ({other.name})")
            ]
    return []


@transaction.atomic
def resource_service_create(
    *, acting_user: User, provider: ResourceOrganization, data: dict[str, Any]
) -> ResourceService:
    """Add one service of a directory organization (program admins): the CSV row's rules and
    its duplicate check (same name and address, or same phone)."""
    organization_id = _require_curator(acting_user)
    if provider.organization_id != organization_id:
        raise ValidationFailed(
            "Choose an organization of your directory.",
            errors=[field_error("provider_id", "not in your directory")],
        )
    cleaned, problems = clean_service(data)
    if not problems:
        problems = _service_duplicate(organization_id, cleaned)
    _refuse("service", problems)
    service = ResourceService.objects.create(
        organization_id=organization_id, provider=provider, **cleaned
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=service,
        changes={name: [None, value] for name, value in cleaned.items()},
        detail={"provider_id": str(provider.pk)},
    )
    return service


@transaction.atomic
def resource_service_update(
    *,
    acting_user: User,
    service: ResourceService,
    expected_version: int,
    data: dict[str, Any],
    provider: ResourceOrganization | None = None,
) -> ResourceService:
    """Change a directory service (optionally moving it to another organization of the same
    directory); the merged values are validated again, duplicates refused."""
    organization_id = _require_curator(acting_user)
    if service.organization_id != organization_id:
        raise NotFound("No such resource service.")
    merged = {name: getattr(service, name) for name in SERVICE_FIELDS}
    merged.update({name: value for name, value in data.items() if name in SERVICE_FIELDS})
    cleaned, problems = clean_service(merged)
    if not problems:
        problems = _service_duplicate(organization_id, cleaned, exclude=service.pk)
    if provider is not None:
        if provider.organization_id != organization_id:
            problems.append(("provider_id", "not in your directory"))
        else:
            cleaned["provider_id"] = provider.pk
    if "is_active" in data:
        if isinstance(data["is_active"], bool):
            cleaned["is_active"] = data["is_active"]
        else:
            problems.append(("is_active", "must be true or false"))
    _refuse("service", problems)
    changes = update_versioned(service, expected_version=expected_version, **cleaned)
    audit_record(actor=acting_user, action=Action.UPDATE, obj=service, changes=changes)
    if provider is not None:
        service.provider = provider
    return service
