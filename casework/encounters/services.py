"""Writes of contacts: log, update, mark entered in error; each keeps ``Case.last_contact_at``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.careplans.models import Goal
from casework.cases.models import Case
from casework.coordination.models import Appointment
from casework.core.errors import Conflict, ValidationFailed, field_error
from casework.core.versioning import update_versioned
from casework.encounters.billing import billing_units
from casework.encounters.models import (
    FACE_TO_FACE,
    NOTE_FIELDS,
    AttemptOutcome,
    Contact,
    ContactOutcome,
    ContactStatus,
    ContactType,
    NoteFormat,
)
from casework.encounters.selectors import billing_rule_for, contact_case_get

MIN_MINUTES = 1
MAX_MINUTES = 720  # twelve hours: longer is a typo, not a contact

FIELDS = [
    "contact_type",
    "outcome",
    "attempt_outcome",
    "started_at",
    "duration_minutes",
    "video_link",
    "appointment_id",
    "collateral_with",
    "participants",
    "note_format",
    "note",
]


def _clean(case: Case, data: dict[str, Any]) -> tuple[dict[str, Any], list[Goal] | None]:
    """Validate a whole contact (after merging an update); raise with every error at once."""
    errors: list[dict[str, Any]] = []
    kind = data.get("contact_type")
    if kind not in ContactType.values:
        errors.append(field_error("contact_type", f"must be one of {', '.join(ContactType)}"))
    outcome = data.get("outcome") or ContactOutcome.SUCCESSFUL
    if outcome not in ContactOutcome.values:
        errors.append(field_error("outcome", "must be successful or attempted"))
    attempt = data.get("attempt_outcome") or ""
    if outcome == ContactOutcome.SUCCESSFUL:
        attempt = ""
    elif attempt not in AttemptOutcome.values:
        errors.append(field_error("attempt_outcome", f"must be one of {', '.join(AttemptOutcome)}"))
    started_at = data.get("started_at")
    if not isinstance(started_at, datetime):
        errors.append(field_error("started_at", "required"))
    elif started_at > timezone.now():
        errors.append(field_error("started_at", "cannot be in the future"))
    minutes = data.get("duration_minutes")
    if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors.append(
            field_error("duration_minutes", f"must be {MIN_MINUTES} to {MAX_MINUTES} minutes")
        )
    link = (data.get("video_link") or "").strip()
    # Virtual consultations: the contact may name an appointment of the same case; a video
    # contact with no link of its own takes the appointment's (the link lives with it).
    appointment = None
    if data.get("appointment_id"):
        try:
            appointment = Appointment.objects.filter(
                pk=str(data["appointment_id"]), case_id=case.pk
            ).first()
        except (ValueError, DjangoValidationError):
            appointment = None
        if appointment is None:
            errors.append(field_error("appointment_id", "must be an appointment of this case"))
        elif kind == ContactType.VIDEO and not link:
            link = appointment.video_link
    if kind == ContactType.VIDEO:
        parsed = urlparse(link)
        if parsed.scheme != "https" or not parsed.netloc:
            errors.append(field_error("video_link", "a video contact needs its https link"))
    else:
        link = ""
    collateral_with = (data.get("collateral_with") or "").strip()
    if kind == ContactType.COLLATERAL and not collateral_with:
        errors.append(field_error("collateral_with", "say who the collateral contact was with"))
    note_format = data.get("note_format") or NoteFormat.DAP
    note_in = data.get("note") or {}
    note: dict[str, str] = {}
    if note_format not in NOTE_FIELDS:
        errors.append(field_error("note_format", "must be dap or soap"))
    else:
        unknown = sorted(set(note_in) - set(NOTE_FIELDS[note_format]))
        for name in unknown:
            errors.append(field_error(f"note.{name}", f"not a field of a {note_format} note"))
        for name in NOTE_FIELDS[note_format]:
            note[name] = str(note_in.get(name) or "").strip()
            if outcome == ContactOutcome.SUCCESSFUL and not note[name]:
                errors.append(field_error(f"note.{name}", "required for a successful contact"))
    participants = []
    for index, person in enumerate(data.get("participants") or []):
        name = str((person or {}).get("name") or "").strip()
        if not name:
            errors.append(field_error(f"participants.{index}.name", "required"))
        participants.append({"name": name, "role": str((person or {}).get("role") or "").strip()})
    goals: list[Goal] | None = None
    if data.get("goal_ids") is not None:
        wanted = {str(goal_id) for goal_id in data["goal_ids"]}
        goals = list(Goal.objects.filter(pk__in=wanted, plan__case_id=case.pk))
        if len(goals) != len(wanted):
            errors.append(field_error("goal_ids", "goals must belong to this case's care plan"))
    if errors:
        raise ValidationFailed("The contact is not valid; nothing was saved.", errors=errors)
    rule = billing_rule_for(case)
    billable = not (
        (outcome == ContactOutcome.ATTEMPTED and not rule.bill_attempted)
        or (kind == ContactType.COLLATERAL and not rule.bill_collateral)
    )
    units = (
        billing_units(
            int(minutes or 0),
            unit_minutes=rule.unit_minutes,
            first_unit_minutes=rule.first_unit_minutes,
        )
        if billable
        else 0
    )
    clean = {
        "contact_type": kind,
        "outcome": outcome,
        "attempt_outcome": attempt,
        "started_at": started_at,
        "duration_minutes": minutes,
        "video_link": link,
        "appointment_id": appointment.pk if appointment is not None else None,
        "collateral_with": collateral_with if kind == ContactType.COLLATERAL else "",
        "participants": participants,
        "note_format": note_format,
        "note": note,
        "billable": billable,
        "billing_units": units,
    }
    return clean, goals


def _refresh_last_contact(case: Case, *, acting_user: User) -> None:
    """``Case.last_contact_at`` = the latest successful contact not entered in error, and
    ``Case.last_face_to_face_at`` the latest such contact in person (``FACE_TO_FACE`` types:
    what a model's face-to-face tiers count). Then the case's prompts are re-evaluated at once
    (``sweep_cases``), so logging the contact closes its "contact due" item."""
    from casework.monitoring.sweep import sweep_cases

    latest = Contact.objects.filter(
        case_id=case.pk, outcome=ContactOutcome.SUCCESSFUL, status=ContactStatus.FINAL
    ).aggregate(
        latest=Max("started_at"),
        in_person=Max("started_at", filter=Q(contact_type__in=FACE_TO_FACE)),
    )
    changes = {
        name: [getattr(case, name), latest[key]]
        for name, key in (("last_contact_at", "latest"), ("last_face_to_face_at", "in_person"))
        if getattr(case, name) != latest[key]
    }
    if changes:
        Case.objects.filter(pk=case.pk).update(
            **{name: values[1] for name, values in changes.items()}
        )
        for name, values in changes.items():
            setattr(case, name, values[1])
        audit_record(
            actor=acting_user,
            action="update",
            obj=case,
            client_id=case.client_id,
            changes=changes,
        )
    sweep_cases(case_ids=[case.pk], acting_user=acting_user)


@transaction.atomic
def contact_log(*, acting_user: User, case: Case, data: dict[str, Any]) -> Contact:
    """Record a contact on a case the acting user may work; a successful one moves the case's
    last contact. Staff only (case manager, care team, supervisor); everyone else gets 404."""
    case = contact_case_get(user=acting_user, case_id=case.pk, for_update=True)
    clean, goals = _clean(case, data)
    contact = Contact.objects.create(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        staff=acting_user,
        **clean,
    )
    if goals:
        contact.goals.set(goals)
    audit_record(
        actor=acting_user,
        action="create",
        obj=contact,
        client_id=case.client_id,
        changes={name: [None, value] for name, value in clean.items()},
        detail={"goal_ids": [str(goal.pk) for goal in goals or []]},
    )
    _refresh_last_contact(case, acting_user=acting_user)
    return contact


@transaction.atomic
def contact_update(
    *, acting_user: User, contact: Contact, expected_version: int, data: dict[str, Any]
) -> Contact:
    """Change a contact; the whole merged contact is validated again and billing recomputed."""
    case = contact_case_get(user=acting_user, case_id=contact.case_id, for_update=True)
    if contact.status == ContactStatus.ENTERED_IN_ERROR:
        raise Conflict("This contact was entered in error and can no longer be changed.")
    merged = {name: getattr(contact, name) for name in FIELDS}
    merged.update({name: value for name, value in data.items() if name != "goal_ids"})
    if "goal_ids" in data:
        merged["goal_ids"] = data["goal_ids"]
    clean, goals = _clean(case, merged)
    changes = update_versioned(contact, expected_version=expected_version, **clean)
    if goals is not None:
        old_goals = sorted(str(pk) for pk in contact.goals.values_list("pk", flat=True))
        new_goals = sorted(str(goal.pk) for goal in goals)
        if old_goals != new_goals:
            contact.goals.set(goals)
            changes["goal_ids"] = [old_goals, new_goals]
    audit_record(
        actor=acting_user, action="update", obj=contact, client_id=case.client_id, changes=changes
    )
    _refresh_last_contact(case, acting_user=acting_user)
    return contact


@transaction.atomic
def contact_entered_in_error(
    *, acting_user: User, contact: Contact, expected_version: int, reason: str
) -> Contact:
    """Withdraw a contact recorded by mistake (kept, never deleted); it stops counting."""
    case = contact_case_get(user=acting_user, case_id=contact.case_id, for_update=True)
    if not reason.strip():
        raise ValidationFailed(
            "Say why the contact was entered in error.", errors=[field_error("reason", "required")]
        )
    if contact.status == ContactStatus.ENTERED_IN_ERROR:
        raise Conflict("This contact is already marked entered in error.")
    changes = update_versioned(
        contact,
        expected_version=expected_version,
        status=ContactStatus.ENTERED_IN_ERROR,
        error_reason=reason.strip(),
        billing_units=0,
        billable=False,
    )
    audit_record(
        actor=acting_user, action="update", obj=contact, client_id=case.client_id, changes=changes
    )
    _refresh_last_contact(case, acting_user=acting_user)
    return contact
