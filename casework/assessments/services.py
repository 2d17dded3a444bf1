"""Writes for assessments: start a draft, change it, complete it (or record a completed one in
one step). Completing scores the answers, keeps the scores as coded observations, proposes needs
from positive screening domains and puts urgent flags on the right people's work queues -- all in
one transaction, so a refused answer leaves nothing behind."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Role, User
from casework.assessments.models import (
    AssessmentResponse,
    Instrument,
    Observation,
    ProposedNeed,
    ResponseStatus,
)
from casework.assessments.scoring import (
    ClientContext,
    ScoringResult,
    answer_codes,
    score_response,
)
from casework.assessments.selectors import instrument_definition, instrument_find, open_need_for
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.cases.services import age_on
from casework.clients.models import Client
from casework.core.errors import (
    Conflict,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    field_error,
)
from casework.core.versioning import update_versioned
from casework.monitoring.models import Priority
from casework.monitoring.selectors import staff_to_alert_for_client
from casework.monitoring.services import end_of_today, work_item_create

# Intake workers screen (AHC, PHQ-2); case managers and supervisors assess.
ASSESSORS = {Role.INTAKE, Role.CASE_MANAGER, Role.SUPERVISOR}
# A flag with this severity puts a work item on the case manager's and supervisor's queues.
URGENT = "urgent"
SAFETY_WORK_ITEM = "safety_flag"
RESPONSE_TYPE = "assessments.assessmentresponse"


def client_context(client: Client) -> ClientContext:
    return ClientContext(sex=client.sex, age=age_on(client.birth_date, timezone.localdate()))


def _require_assessor(user: User) -> None:
    if user.role not in ASSESSORS:
        raise PermissionDenied("Your role may not record assessments.")


def _instrument(code: str) -> Instrument:
    instrument = instrument_find(code)
    if instrument is None:
        raise ValidationFailed(
            f"No instrument with the code {code!r}. GET /api/v1/instruments lists them.",
            errors=[field_error("instrument", "unknown instrument")],
        )
    return instrument


def _check_case(case: Case | None, client: Client) -> None:
    if case is not None and case.client_id != client.pk:
        raise ValidationFailed(
            "That case belongs to another client.",
            errors=[field_error("case_id", "not a case of this client")],
        )


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Answers after a change: keys given replace, ``None`` removes."""
    merged = dict(answer_codes(current))
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


@transaction.atomic
def assessment_create(
    *,
    acting_user: User,
    client: Client,
    instrument_code: str,
    answers: Any,
    case: Case | None = None,
    status: str = ResponseStatus.COMPLETED,
) -> AssessmentResponse:
    """Record one administration of an instrument for a client.

    ``status="completed"`` (default) refuses missing required items, unknown items and answers
    outside an item's options with ``ValidationFailed`` naming the items, and stores nothing.
    ``status="draft"`` keeps what was answered so far (unknown items and impossible answers are
    still refused) and is completed later with :func:`assessment_complete`.
    """
    _require_assessor(acting_user)
    if status not in {ResponseStatus.COMPLETED, ResponseStatus.DRAFT}:
        raise ValidationFailed(
            "An assessment is recorded as completed or draft.",
            errors=[field_error("status", "must be completed or draft")],
        )
    instrument = _instrument(instrument_code)
    _check_case(case, client)
    definition = instrument_definition(instrument)
    draft = status == ResponseStatus.DRAFT
    result = score_response(definition, answers, client_context(client), partial=draft)
    response = AssessmentResponse(
        organization_id=client.organization_id,
        client=client,
        case=case,
        instrument=instrument,
        status=ResponseStatus.DRAFT,
        answers=result.answers,
        result={"completeness": result.completeness},
        started_by=acting_user,
    )
    if not draft:
        _complete(acting_user=acting_user, response=response, result=result, creating=True)
        return response
    response.save(force_insert=True)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=response,
        client_id=client.pk,
        changes={
            "instrument": instrument.code,
            "status": ResponseStatus.DRAFT,
            "answers": answer_codes(result.answers),
            "case": str(case.pk) if case else None,
        },
    )
    return response


@transaction.atomic
def assessment_update_draft(
    *,
    acting_user: User,
    response: AssessmentResponse,
    expected_version: int,
    answers: dict[str, Any],
    case: Case | None = None,
) -> AssessmentResponse:
    """Change a draft's answers (given keys replace, ``null`` removes); stale versions are 409.

    A completed response is final: record a new one instead.
    """
    _require_assessor(acting_user)
    if response.status != ResponseStatus.DRAFT:
        raise Conflict(
            "Only a draft can be changed; this assessment is already "
            f"{response.get_status_display().lower()}. Record a new one instead.",
            code="not_draft",
            errors=[field_error("status", response.status)],
        )
    _check_case(case, response.client)
    if not isinstance(answers, dict):
        raise ValidationFailed(
            "Answers must be an object.", errors=[field_error("answers", "must be an object")]
        )
    definition = instrument_definition(response.instrument)
    merged = _merged(response.answers, answers)
    result = score_response(definition, merged, client_context(response.client), partial=True)
    changes: dict[str, Any] = {
        "answers": result.answers,
        "result": {"completeness": result.completeness},
    }
    if case is not None:
        changes["case"] = case
    diff = update_versioned(response, expected_version=expected_version, **changes)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=response,
        client_id=response.client_id,
        changes={
            "answers": answer_codes(result.answers),
            **({"case": str(case.pk)} if case is not None and "case" in diff else {}),
        },
    )
    return response


@transaction.atomic
def assessment_complete(
    *,
    acting_user: User,
    response: AssessmentResponse,
    expected_version: int | None = None,
    answers: dict[str, Any] | None = None,
) -> AssessmentResponse:
    """Complete a draft (optionally with last answers): score it and act on the result."""
    _require_assessor(acting_user)
    locked = AssessmentResponse.objects.select_for_update().get(pk=response.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            f"This assessment was changed by someone else (you read version {expected_version}, "
            f"it is now version {locked.version}). Reload it and try again.",
            errors=[{"field": "version", "message": "stale", "current_version": locked.version}],
        )
    if locked.status != ResponseStatus.DRAFT:
        raise Conflict(
            f"This assessment is already {locked.get_status_display().lower()}.",
            code="not_draft",
            errors=[field_error("status", locked.status)],
        )
    definition = instrument_definition(response.instrument)
    merged = _merged(locked.answers, answers or {})
    result = score_response(definition, merged, client_context(response.client))
    locked.client = response.client
    locked.instrument = response.instrument
    _complete(acting_user=acting_user, response=locked, result=result, creating=False)
    response.refresh_from_db()
    from casework.monitoring.sweep import sweep_cases  # the reassessment item closes at once

    sweep_cases(case_ids=response.client.cases.values_list("pk", flat=True))
    return response


def _complete(
    *, acting_user: User, response: AssessmentResponse, result: ScoringResult, creating: bool
) -> None:
    """Store the scored result, its observations, needs and urgent work items (in the caller's
    transaction). ``creating``: ``response`` is not saved yet (recorded completed in one step)."""
    now = timezone.now()
    instrument = response.instrument
    flags = [{**flag, "instrument": instrument.code} for flag in result.flags]
    fields: dict[str, Any] = {
        "status": ResponseStatus.COMPLETED,
        "answers": result.answers,
        "score": result.score,
        "band": result.band,
        "subscores": result.subscores,
        "flags": flags,
        "result": {
            "band_label": result.band_label,
            "score_code": result.score_code,
            "domains": result.domains,
            "needs": [],
            "completeness": result.completeness,
        },
        "completed_by": acting_user,
        "completed_at": now,
    }
    if creating:
        for name, value in fields.items():
            setattr(response, name, value)
        response.save(force_insert=True)
    else:
        update_versioned(response, expected_version=None, **fields)
    observations = [
        Observation(
            client_id=response.client_id,
            response=response,
            system=row["system"],
            code=row["code"],
            display=row.get("display", ""),
            value_decimal=row["value"],
            unit="{score}",
            effective_at=now,
            status="final",
            source="assessment",
            recorded_by=acting_user,
        )
        for row in result.observations()
    ]
    Observation.objects.bulk_create(observations)
    needs = _propose_needs(acting_user=acting_user, response=response, result=result)
    if needs:
        response.result = {**response.result, "needs": needs}
        # Same transaction as the write above: the need ids complete the stored result.
        AssessmentResponse.objects.filter(pk=response.pk).update(result=response.result)
    audit_record(
        actor=acting_user,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=response,
        client_id=response.client_id,
        changes={
            "instrument": instrument.code,
            "status": ResponseStatus.COMPLETED,
            "case": str(response.case_id) if response.case_id else None,
            "answers": answer_codes(result.answers),
            "score": result.score,
            "band": result.band,
            "flags": [flag["code"] for flag in flags],
            "observations": [f"{o.code}={o.value_decimal}" for o in observations],
            "needs": [need["code"] for need in needs],
        },
    )
    urgent = [flag for flag in flags if flag.get("severity") == URGENT]
    if urgent:
        _alert(acting_user=acting_user, response=response, flags=urgent)


def _propose_needs(
    *, acting_user: User, response: AssessmentResponse, result: ScoringResult
) -> list[dict[str, Any]]:
    """One open need per code and client: a positive screen either proposes a need or adds its
    evidence to the same need already proposed or accepted."""
    proposed = []
    for need in result.needs:
        existing = open_need_for(client_id=response.client_id, code=need["code"])
        evidence = {"response": str(response.pk), "items": need["evidence"]}
        if existing is not None:
            existing.evidence = [*existing.evidence, evidence]
            update_versioned(existing, expected_version=None, evidence=existing.evidence)
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                obj=existing,
                client_id=response.client_id,
                changes={"evidence_added": evidence},
            )
            proposed.append({**need, "id": str(existing.pk), "new": False})
            continue
        row = ProposedNeed.objects.create(
            client_id=response.client_id,
            response=response,
            domain=need["domain"],
            category=need.get("category", ""),
            system=need["system"],
            code=need["code"],
            display=need["display"],
            snomed_code=need.get("snomed_code", ""),
            snomed_display=need.get("snomed_display", ""),
            evidence=[evidence],
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=row,
            client_id=response.client_id,
            changes={
                "domain": row.domain,
                "code": f"{row.system}|{row.code}",
                "snomed": row.snomed_code,
                "response": str(response.pk),
            },
        )
        proposed.append({**need, "id": str(row.pk), "new": True})
    return proposed


def _alert(*, acting_user: User, response: AssessmentResponse, flags: list[dict[str, Any]]) -> None:
    """An urgent flag goes at once to the case manager of each of the client's open cases and
    to the supervisors of the teams holding them, due today, priority "asap" (FHIR Task
    priority: the safety protocol is followed before other work). While no case manager carries
    the client yet, the person who recorded the assessment gets it too (they are the one with the
    client now). One item per person and response, ever."""
    client = response.client
    found = staff_to_alert_for_client(client)
    recipients = [(r.user, r.case, r.reason) for r in found]
    has_case_manager = any(r.reason == "case manager" for r in found)
    if not has_case_manager and all(r.user.pk != acting_user.pk for r in found):
        recipients.insert(0, (acting_user, response.case, "recorded the assessment"))
    labels = "; ".join(str(flag.get("label") or flag["code"]) for flag in flags)
    title = f"Urgent: {response.instrument.short_name} safety flag for {client.full_name}"
    detail = (
        f"{labels}. Contact {client.full_name} today and follow the agency's safety protocol "
        "(suicide risk or interpersonal violence). Raised by the assessment recorded by "
        f"{acting_user.display_name}."
    )
    due = end_of_today()
    for user, case, reason in recipients:
        work_item_create(
            acting_user=acting_user,
            assignee=user,
            kind=SAFETY_WORK_ITEM,
            title=title,
            detail=f"{detail} You receive this as {reason}.",
            priority=Priority.ASAP,
            due_at=due,
            client=client,
            case=case or response.case,
            source_type=RESPONSE_TYPE,
            source_id=str(response.pk),
        )
