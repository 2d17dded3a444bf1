"""Writes for clients: create (with duplicate detection), update with version, identifiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from casework.accounts.models import Role, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.clients.models import (
    Client,
    ClientIdentifier,
    Condition,
    ConditionStatus,
    Utilization,
    UtilizationKind,
)
from casework.core.codes import ADMINISTRATIVE_GENDER, GENDER_IDENTITY, IDENTIFIER_TYPES
from casework.core.errors import Conflict, PermissionDenied, ValidationFailed, field_error
from casework.core.validation import fold, is_language_tag, normalize_language_tag
from casework.core.versioning import update_versioned

EDITABLE_FIELDS = {
    "given_name",
    "middle_name",
    "family_name",
    "preferred_name",
    "birth_date",
    "sex",
    "gender_identity",
    "pronouns",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line",
    "city",
    "state",
    "postal_code",
    "deceased_date",
}
CLIENT_EDITORS = {Role.INTAKE, Role.CASE_MANAGER, Role.SUPERVISOR}

# Two names are "similar" at this ratio (difflib, on accent-folded lower-case text). 0.8 accepts
# one or two typos in an ordinary name ("Jon"/"John", "Katherine"/"Catherine") and rejects names
# that merely share a prefix.
NAME_SIMILARITY = 0.8


@dataclass
class DuplicateCandidate:
    client: Client
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def _swapped_day_month(value: date) -> date | None:
    if value.day <= 12 and value.day != value.month:
        try:
            return value.replace(month=value.day, day=value.month)
        except ValueError:
            return None
    return None


def client_find_duplicates(
    *,
    organization_id: Any,
    given_name: str,
    family_name: str,
    birth_date: date,
    identifiers: list[dict[str, str]] | None = None,
    exclude_id: Any = None,
) -> list[DuplicateCandidate]:
    """Likely duplicates of a person in an organization, best first.

    A candidate shares an identifier (same type and value), or has the same date of birth (or
    the same with day and month swapped) and similar given and family names (either order).
    Nothing is merged: callers show the candidates and let a person decide.
    """
    given, family = fold(given_name), fold(family_name)
    dates = [birth_date]
    swapped = _swapped_day_month(birth_date)
    if swapped:
        dates.append(swapped)
    candidates: dict[Any, DuplicateCandidate] = {}

    by_identifier = Q()
    for identifier in identifiers or []:
        by_identifier |= Q(
            identifiers__type=identifier.get("type"), identifiers__value=identifier.get("value")
        )
    if by_identifier:
        for client in Client.objects.filter(organization_id=organization_id).filter(by_identifier):
            candidate = candidates.setdefault(client.pk, DuplicateCandidate(client))
            candidate.reasons.append("same identifier")
            candidate.score = 1.0

    for client in Client.objects.filter(organization_id=organization_id, birth_date__in=dates):
        other_given, other_family = fold(client.given_name), fold(client.family_name)
        straight = min(_ratio(given, other_given), _ratio(family, other_family))
        crossed = min(_ratio(given, other_family), _ratio(family, other_given))
        preferred = fold(client.preferred_name)
        nickname = _ratio(given, preferred) if preferred else 0.0
        if nickname >= NAME_SIMILARITY and _ratio(family, other_family) >= NAME_SIMILARITY:
            straight = max(straight, nickname)
        similarity = max(straight, crossed)
        if similarity < NAME_SIMILARITY:
            continue
        candidate = candidates.setdefault(client.pk, DuplicateCandidate(client))
        if client.birth_date == birth_date:
            candidate.reasons.append("same date of birth and similar name")
            candidate.score = max(candidate.score, 0.5 + similarity / 2)
        else:
            candidate.reasons.append("similar name, date of birth with day and month swapped")
            candidate.score = max(candidate.score, 0.4 + similarity / 2)
        if crossed > straight:
            candidate.reasons.append("given and family names swapped")

    found = [c for pk, c in candidates.items() if pk != exclude_id]
    return sorted(found, key=lambda c: (-c.score, c.client.family_name, c.client.given_name))


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate and normalize client fields; raise ``ValidationFailed`` naming every bad field."""
    errors = []
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            errors.append(field_error(name, "unknown field"))
            continue
        if isinstance(value, str):
            value = value.strip()
        cleaned[name] = value
    if not partial:
        for required in ("given_name", "family_name", "birth_date"):
            if not cleaned.get(required):
                errors.append(field_error(required, "required"))
    for required in ("given_name", "family_name"):
        if required in cleaned and not cleaned[required]:
            errors.append(field_error(required, "must not be blank"))
    for name in ("given_name", "middle_name", "family_name", "preferred_name"):
        if len(str(cleaned.get(name) or "")) > 100:
            errors.append(field_error(name, "at most 100 characters"))
    birth_date = cleaned.get("birth_date")
    if birth_date is not None:
        if not isinstance(birth_date, date):
            errors.append(field_error("birth_date", "must be an ISO date (YYYY-MM-DD)"))
        elif birth_date > timezone.localdate():
            errors.append(field_error("birth_date", "must not be in the future"))
        elif birth_date.year < 1880:
            errors.append(field_error("birth_date", "is before 1880"))
    language = cleaned.get("preferred_language")
    if language is not None:
        if not language or not is_language_tag(language):
            errors.append(
                field_error("preferred_language", "must be a BCP 47 language tag, e.g. en or es-MX")
            )
        else:
            cleaned["preferred_language"] = normalize_language_tag(language)
    if "sex" in cleaned and cleaned["sex"] not in {c.code for c in ADMINISTRATIVE_GENDER}:
        errors.append(field_error("sex", "must be one of female, male, other, unknown"))
    if cleaned.get("gender_identity") and cleaned["gender_identity"] not in {
        c.code for c in GENDER_IDENTITY
    }:
        errors.append(field_error("gender_identity", "unknown code"))
    if cleaned.get("email") and "@" not in cleaned["email"]:
        errors.append(field_error("email", "is not an email address"))
    deceased = cleaned.get("deceased_date")
    if deceased is not None and (not isinstance(deceased, date) or deceased > timezone.localdate()):
        errors.append(field_error("deceased_date", "must be a date not in the future"))
    for name in (
        "sex",
        "gender_identity",
        "pronouns",
        "phone",
        "email",
        "address_line",
        "city",
        "state",
        "postal_code",
        "middle_name",
        "preferred_name",
    ):
        if name in cleaned and cleaned[name] is None:
            cleaned[name] = "unknown" if name == "sex" else ""
    if errors:
        raise ValidationFailed("Some client details are not valid.", errors=errors)
    return cleaned


def _clean_identifiers(
    identifiers: list[dict[str, str]], *, single: bool = False
) -> list[dict[str, str]]:
    """Validate identifiers; errors name ``identifiers[i].type`` (or ``type`` when ``single``)."""
    valid_types = {c.code for c in IDENTIFIER_TYPES}
    errors = []
    cleaned = []
    for index, identifier in enumerate(identifiers):
        prefix = "" if single else f"identifiers[{index}]."
        kind = str(identifier.get("type", "")).strip().upper()
        value = str(identifier.get("value", "")).strip()
        if kind not in valid_types:
            errors.append(field_error(f"{prefix}type", f"must be one of {sorted(valid_types)}"))
        if not value:
            errors.append(field_error(f"{prefix}value", "required"))
        cleaned.append(
            {"type": kind, "value": value, "assigner": str(identifier.get("assigner", "")).strip()}
        )
    if errors:
        raise ValidationFailed("Some identifiers are not valid.", errors=errors)
    return cleaned


def _search_fields(client: Client) -> None:
    names = [client.given_name, client.middle_name, client.family_name, client.preferred_name]
    client.search_name = fold(" ".join(name for name in names if name))[:320]
    client.search_family = fold(client.family_name)[:100]


def _require_editor(user: User) -> None:
    if user.role not in CLIENT_EDITORS:
        raise PermissionDenied("Your role may not create or change client records.")


class PossibleDuplicate(Conflict):
    code = "possible_duplicate"


def client_create(
    *,
    acting_user: User,
    data: dict[str, Any],
    identifiers: list[dict[str, str]] | None = None,
    refuse_duplicates: bool = False,
    visible_ids: set[Any] | None = None,
) -> tuple[Client, list[DuplicateCandidate]]:
    """Register a client in the acting user's organization.

    Likely duplicates are looked for first. With ``refuse_duplicates`` any candidate stops the
    create with ``PossibleDuplicate`` (409) listing the candidates the user may see; otherwise the
    client is created and the candidates are returned for the caller to show. An identifier that
    already belongs to another client always stops the create. ``visible_ids`` limits which
    candidates are described (others are only counted, so existence outside the user's access
    does not leak details).
    """
    _require_editor(acting_user)
    cleaned = _clean(data, partial=False)
    cleaned_identifiers = _clean_identifiers(identifiers or [])
    organization_id = acting_user.organization_id
    if organization_id is None:
        raise PermissionDenied("Your account does not belong to an organization.")
    candidates = client_find_duplicates(
        organization_id=organization_id,
        given_name=cleaned["given_name"],
        family_name=cleaned["family_name"],
        birth_date=cleaned["birth_date"],
        identifiers=cleaned_identifiers,
    )
    identifier_clash = [c for c in candidates if "same identifier" in c.reasons]
    if identifier_clash or (refuse_duplicates and candidates):
        raise PossibleDuplicate(
            "An identifier given already belongs to another client."
            if identifier_clash
            else "This person may already be registered. Open the existing record, or confirm "
            "this is a different person and create anyway.",
            errors=describe_candidates(candidates, visible_ids),
        )
    with transaction.atomic():
        client = Client(organization_id=organization_id, created_by=acting_user, **cleaned)
        _search_fields(client)
        client.save(force_insert=True)
        for identifier in cleaned_identifiers:
            ClientIdentifier.objects.create(
                client=client, organization_id=organization_id, **identifier
            )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=client,
            client_id=client.id,
            changes={**cleaned, "identifiers": cleaned_identifiers},
            detail={"possible_duplicates": [str(c.client.id) for c in candidates]},
        )
    return client, candidates


def describe_candidates(
    candidates: list[DuplicateCandidate], visible_ids: set[Any] | None
) -> list[dict[str, Any]]:
    described = []
    hidden = 0
    for candidate in candidates:
        if visible_ids is not None and candidate.client.pk not in visible_ids:
            hidden += 1
            continue
        client = candidate.client
        described.append(
            {
                "field": "client",
                "message": ", ".join(candidate.reasons),
                "client_id": str(client.id),
                "name": client.full_name,
                "birth_date": client.birth_date.isoformat(),
                "score": round(candidate.score, 2),
            }
        )
    if hidden:
        described.append(
            {
                "field": "client",
                "message": f"{hidden} possible match(es) in records you cannot open; "
                "ask your supervisor or intake to check before creating.",
                "client_id": None,
            }
        )
    return described


def client_update(
    *,
    acting_user: User,
    client: Client,
    expected_version: int,
    changes: dict[str, Any],
) -> Client:
    """Change client details if ``expected_version`` is current (else ``StaleVersion``, 409)."""
    _require_editor(acting_user)
    cleaned = _clean(changes, partial=True)
    with transaction.atomic():
        probe = Client(**{**{f: getattr(client, f) for f in EDITABLE_FIELDS}, **cleaned})
        _search_fields(probe)
        cleaned["search_name"] = probe.search_name
        cleaned["search_family"] = probe.search_family
        diff = update_versioned(client, expected_version=expected_version, **cleaned)
        diff.pop("search_name", None)
        diff.pop("search_family", None)
        audit_record(
            actor=acting_user, action=Action.UPDATE, obj=client, client_id=client.id, changes=diff
        )
    return client


@transaction.atomic
def client_add_identifier(
    *, acting_user: User, client: Client, type: str, value: str, assigner: str = ""
) -> ClientIdentifier:
    _require_editor(acting_user)
    cleaned = _clean_identifiers(
        [{"type": type, "value": value, "assigner": assigner}], single=True
    )[0]
    try:
        with transaction.atomic():
            identifier = ClientIdentifier.objects.create(
                client=client, organization_id=client.organization_id, **cleaned
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{cleaned['type']} {cleaned['value']} already belongs to a client.",
            code="identifier_in_use",
            errors=[field_error("value", "already in use")],
        ) from exc
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=client,
        client_id=client.id,
        changes={"identifier_added": cleaned},
    )
    return identifier


# ----------------------------------------------------------------------------------------------
# Clinical history: coded conditions and hospital / ED use (inputs of LACE, Charlson and the
# predictive model). Imported from FHIR later; entered here by staff or integrations.

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_SYSTEM = "http://snomed.info/sct"
CONDITION_SYSTEMS = {
    ICD10_SYSTEM,
    "http://hl7.org/fhir/sid/icd-10",
    SNOMED_SYSTEM,
}


def condition_add(*, acting_user: User, client: Client, data: dict[str, Any]) -> Condition:
    """Record a coded condition (ICD-10-CM or SNOMED CT) in the client's history."""
    _require_editor(acting_user)
    errors = []
    system = str(data.get("system") or ICD10_SYSTEM).strip()
    code = str(data.get("code") or "").strip()
    if system not in CONDITION_SYSTEMS:
        errors.append(field_error("system", f"must be one of {sorted(CONDITION_SYSTEMS)}"))
    if not code:
        errors.append(field_error("code", "required"))
    status = data.get("clinical_status") or ConditionStatus.ACTIVE
    if status not in ConditionStatus.values:
        errors.append(field_error("clinical_status", f"must be one of {ConditionStatus.values}"))
    onset, abatement = data.get("onset_date"), data.get("abatement_date")
    if onset and onset > timezone.localdate():
        errors.append(field_error("onset_date", "must not be in the future"))
    if onset and abatement and abatement < onset:
        errors.append(field_error("abatement_date", "must not be before the onset date"))
    if errors:
        raise ValidationFailed("The condition is not valid.", errors=errors)
    with transaction.atomic():
        condition = Condition.objects.create(
            client=client,
            system=system,
            code=code.upper() if system != SNOMED_SYSTEM else code,
            display=str(data.get("display") or "")[:250],
            clinical_status=status,
            onset_date=onset,
            abatement_date=abatement,
            source=str(data.get("source") or "manual")[:40],
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=condition,
            client_id=client.id,
            changes={"system": system, "code": condition.code, "onset_date": onset},
        )
    return condition


def utilization_add(*, acting_user: User, client: Client, data: dict[str, Any]) -> Utilization:
    """Record an ED visit, inpatient admission or observation stay.

    ``acute`` marks an emergent admission (LACE "A"); an inpatient stay needs its discharge
    time to count towards length of stay, which must not be before admission.
    """
    _require_editor(acting_user)
    errors = []
    kind = data.get("kind")
    if kind not in UtilizationKind.values:
        errors.append(field_error("kind", f"must be one of {UtilizationKind.values}"))
    started, ended = data.get("started_at"), data.get("ended_at")
    if started is None:
        errors.append(field_error("started_at", "required"))
    elif started > timezone.now():
        errors.append(field_error("started_at", "must not be in the future"))
    if started is not None and ended is not None and ended < started:
        errors.append(field_error("ended_at", "must not be before started_at"))
    if errors:
        raise ValidationFailed("The hospital or ED encounter is not valid.", errors=errors)
    assert kind is not None and started is not None  # checked above
    with transaction.atomic():
        event = Utilization.objects.create(
            client=client,
            kind=kind,
            started_at=started,
            ended_at=ended,
            acute=bool(data.get("acute")),
            facility=str(data.get("facility") or "")[:160],
            diagnosis_system=str(data.get("diagnosis_system") or "")[:80],
            diagnosis_code=str(data.get("diagnosis_code") or "")[:20],
            diagnosis_display=str(data.get("diagnosis_display") or "")[:250],
            source=str(data.get("source") or "manual")[:40],
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=event,
            client_id=client.id,
            changes={"kind": kind, "started_at": started, "ended_at": ended, "acute": event.acute},
        )
    return event
