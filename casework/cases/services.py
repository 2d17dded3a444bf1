"""Writes for cases: referral, lifecycle transitions, assignment and reassignment, waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from casework.accounts.models import Credential, Role, TeamMembership, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.cases import lifecycle
from casework.cases.care_team_roles import CARE_TEAM_ROLE_NAMES
from casework.cases.codes import (
    CLOSURE_REASON_CODES,
    PRE_ENROLLMENT_CLOSURE,
    normalize_closure_reason,
)
from casework.cases.models import (
    ON_CASELOAD,
    PRE_ENROLLMENT,
    CareTeamMember,
    CareTeamMemberKind,
    Case,
    CaseAssignment,
    CaseStatusChange,
    Status,
)
from casework.cases.selectors import (
    case_get,
    caseload_count_subquery,
    caseload_points_subquery,
)
from casework.clients.models import Client
from casework.core.errors import (
    Conflict,
    PermissionDenied,
    StaleVersion,
    TransitionRefused,
    ValidationFailed,
    field_error,
)
from casework.core.versioning import update_versioned
from casework.programs.models import Program

CASE_WORKERS = {Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN}
REFERRERS = {Role.INTAKE, Role.CASE_MANAGER, Role.SUPERVISOR}
SCREENERS = {*CASE_WORKERS, Role.INTAKE}
ASSIGNERS = {Role.SUPERVISOR, Role.PROGRAM_ADMIN, Role.INTAKE}
INTAKE_MOVES = {
    Status.SCREENING,
    Status.WAITLIST,
    Status.INTAKE,
    Status.CLOSED,
    Status.ENTERED_IN_ERROR,
}


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# ----------------------------------------------------------------------------------------------
# Referral


def program_eligibility_problems(
    *, program: Program, client: Client, findings: list[dict[str, Any]] | None = None
) -> list[str]:
    """Why a client does not meet a program's rules (empty list: eligible).

    Rules: the client's age today within ``min_age``..``max_age``; and, when the program lists
    required conditions, at least one screening finding matching one of them (ICD-10-CM codes
    match by prefix, so F20 covers F20.9).
    """
    problems = []
    age = age_on(client.birth_date, timezone.localdate())
    if program.min_age is not None and age < program.min_age:
        problems.append(f"age {age} is below the program minimum of {program.min_age}")
    if program.max_age is not None and age > program.max_age:
        problems.append(f"age {age} is above the program maximum of {program.max_age}")
    required = program.required_conditions or []
    if required:
        codes = [str(f.get("code", "")).upper() for f in findings or []]
        matched = any(
            code.startswith(str(rule.get("code", "")).upper())
            for rule in required
            for code in codes
        )
        if not matched:
            names = ", ".join(
                f"{rule.get('code')} {rule.get('display', '')}".strip() for rule in required
            )
            problems.append(f"no screening finding matches the program's conditions ({names})")
    return problems


@transaction.atomic
def case_create(
    *,
    acting_user: User,
    client: Client,
    program: Program,
    referral_source: str = "",
    referral_reason: str = "",
    priority: int = 3,
) -> Case:
    """Open a referral (status ``referred``) for a client to a program of the same organization."""
    if acting_user.role not in REFERRERS:
        raise PermissionDenied("Your role may not refer clients to programs.")
    if program.organization_id != client.organization_id:
        raise ValidationFailed(
            "The program belongs to another organization.",
            errors=[field_error("program_id", "not found")],
        )
    if not program.is_active or not program.accepting_referrals:
        raise ValidationFailed(
            f"{program.name} is not accepting referrals.",
            errors=[field_error("program_id", "not accepting referrals")],
        )
    if not 1 <= priority <= 5:
        raise ValidationFailed(
            "Priority runs from 1 (most urgent) to 5.", errors=[field_error("priority", "1-5")]
        )
    already = Case.objects.filter(client=client, program=program).exclude(
        status__in=[Status.CLOSED, Status.ENTERED_IN_ERROR]
    )
    if already.exists():
        raise TransitionRefused(
            f"{client.full_name} already has an open case in {program.name}.",
            code="case_already_open",
            errors=[field_error("program_id", "open case exists", case_id=str(already[0].id))],
        )
    now = timezone.now()
    case = Case.objects.create(
        organization_id=client.organization_id,
        client=client,
        program=program,
        status=Status.REFERRED,
        status_changed_at=now,
        referral_source=referral_source,
        referral_reason=referral_reason,
        referred_by=acting_user,
        priority=priority,
    )
    CaseStatusChange.objects.create(
        case=case,
        from_status="",
        to_status=Status.REFERRED,
        changed_at=now,
        changed_by=acting_user,
        reason=referral_reason,
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=case,
        client_id=client.id,
        changes={"program": program.name, "status": Status.REFERRED, "priority": priority},
    )
    return case


@transaction.atomic
def case_record_screening(
    *, acting_user: User, case: Case, findings: list[dict[str, Any]], expected_version: int | None
) -> Case:
    """Record the coded needs/conditions confirmed at screening (used by eligibility).

    Only while the case is being screened (referred, screening or waitlist), by staff who may
    work the intake pipeline.
    """
    if acting_user.role not in SCREENERS:
        raise PermissionDenied("Your role may not record screening findings.")
    if case.status not in PRE_ENROLLMENT:
        raise TransitionRefused(
            "Screening findings are recorded before intake; this case is past screening.",
            code="not_screening",
        )
    cleaned = []
    for index, finding in enumerate(findings):
        code = str(finding.get("code", "")).strip()
        if not code:
            raise ValidationFailed(
                "Each finding needs a code.",
                errors=[field_error(f"findings[{index}].code", "required")],
            )
        cleaned.append(
            {
                "system": str(finding.get("system", "http://hl7.org/fhir/sid/icd-10-cm")),
                "code": code,
                "display": str(finding.get("display", "")),
            }
        )
    diff = update_versioned(case, expected_version=expected_version, screening_findings=cleaned)
    audit_record(
        actor=acting_user, action=Action.UPDATE, obj=case, client_id=case.client_id, changes=diff
    )
    return case


# ----------------------------------------------------------------------------------------------
# Caseloads and assignment


@dataclass
class CaseManagerLoad:
    user: User
    points: Decimal
    cases: int
    capacity: Decimal
    language_match: bool

    @property
    def available(self) -> Decimal:
        return self.capacity - self.points

    @property
    def ratio(self) -> float:
        return float(self.points / self.capacity) if self.capacity else 1.0


def _credential_ok(model_credentials: list[str]) -> Any:
    if not model_credentials:
        return Q()
    today = timezone.localdate()
    valid = Credential.objects.filter(user=OuterRef("pk"), kind__in=model_credentials).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    return Q(Exists(valid))


def eligible_case_managers(program: Program, *, roles: set[str] | None = None) -> Any:
    """Active staff who may carry this program's cases: on a team that delivers the program,
    in an allowed role, holding a credential the model requires. Annotated with their load."""
    delivers = TeamMembership.objects.filter(user=OuterRef("pk"), team__programs=program)
    return (
        User.objects.filter(
            is_active=True,
            organization_id=program.organization_id,
            role__in=roles or {Role.CASE_MANAGER},
        )
        .filter(Exists(delivers))
        .filter(_credential_ok(list(program.model.required_credentials or [])))
        .annotate(load_points=caseload_points_subquery(), load_cases=caseload_count_subquery())
    )


def caseload_suggestions(*, case: Case) -> list[CaseManagerLoad]:
    """Eligible case managers with room for this case: language match first, then least loaded."""
    weight = case.program.model.case_weight(case.risk_tier or None)
    language = (case.client.preferred_language or "en").split("-")[0].lower()
    loads = []
    for user in eligible_case_managers(case.program):
        languages = [str(tag).split("-")[0].lower() for tag in user.languages or []]
        load = CaseManagerLoad(
            user=user,
            points=Decimal(user.load_points),
            cases=int(user.load_cases),
            capacity=user.caseload_capacity,
            language_match=language in languages,
        )
        if load.available >= weight:
            loads.append(load)
    loads.sort(key=lambda item: (not item.language_match, item.ratio, item.user.username))
    return loads


def _team_for(user: User, program: Program) -> Any:
    membership = (
        TeamMembership.objects.filter(user=user, team__programs=program)
        .select_related("team")
        .order_by("team__name")
        .first()
    )
    return membership.team if membership else None


def _assign(
    *, case: Case, case_manager: User, acting_user: User, reason: str, override_capacity: bool
) -> None:
    program = case.program
    allowed = eligible_case_managers(program, roles={Role.CASE_MANAGER, Role.SUPERVISOR})
    candidate = allowed.filter(pk=case_manager.pk).first()
    if candidate is None:
        raise ValidationFailed(
            f"{case_manager.display_name} cannot carry {program.name} cases (not on a team that "
            "delivers the program, or missing a required credential).",
            errors=[field_error("case_manager_id", "not eligible")],
        )
    weight = program.model.case_weight(case.risk_tier or None)
    already = case.case_manager_id == case_manager.pk and case.status in ON_CASELOAD
    points = Decimal(candidate.load_points) - (case.weight if already else 0)
    if not override_capacity and points + weight > case_manager.caseload_capacity:
        raise TransitionRefused(
            f"{case_manager.display_name} is at capacity ({points} of "
            f"{case_manager.caseload_capacity} points; this case needs {weight}).",
            code="no_capacity",
            errors=[field_error("case_manager_id", "at capacity")],
        )
    previous = case.case_manager
    team = _team_for(case_manager, program)
    update_versioned(
        case, expected_version=None, case_manager=case_manager, team=team, weight=weight
    )
    CaseAssignment.objects.create(
        case=case,
        case_manager=case_manager,
        previous_case_manager=previous,
        assigned_at=timezone.now(),
        assigned_by=acting_user,
        reason=reason,
    )
    audit_record(
        actor=acting_user,
        action=Action.ASSIGN,
        obj=case,
        client_id=case.client_id,
        changes={
            "case_manager": [
                previous.username if previous else None,
                case_manager.username,
            ],
            "team": team.name if team else None,
            "weight": str(weight),
        },
        detail={"reason": reason, "override_capacity": override_capacity},
    )
    from casework.monitoring.services.work_items import work_items_follow_case_manager

    work_items_follow_case_manager(
        case=case, previous=previous, case_manager=case_manager, acting_user=acting_user
    )


def _lock(case: Case, expected_version: int | None) -> Case:
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("client", "program", "program__model", "case_manager")
        .get(pk=case.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise StaleVersion(
            f"This case was changed by someone else (you read version {expected_version}, it is "
            f"now version {fresh.version}). Reload it and try again.",
            errors=[{"field": "version", "message": "stale", "current_version": fresh.version}],
        )
    return fresh


def case_assign(
    *,
    acting_user: User,
    case: Case,
    case_manager: User,
    reason: str = "",
    override_capacity: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Assign or reassign one case. Supervisors, program admins and intake may assign; only
    supervisors and program admins may override capacity or move a case off someone's caseload."""
    if acting_user.role not in ASSIGNERS:
        raise PermissionDenied("Only supervisors, program admins and intake may assign cases.")
    if override_capacity and acting_user.role not in {Role.SUPERVISOR, Role.PROGRAM_ADMIN}:
        raise PermissionDenied("Only a supervisor may assign over capacity.")
    if case.status in {Status.CLOSED, Status.ENTERED_IN_ERROR}:
        raise TransitionRefused(
            "A closed case cannot be assigned; reopen it first.", code="case_closed"
        )
    with transaction.atomic():
        case = _lock(case, expected_version)
        if case.case_manager_id and case.case_manager_id != case_manager.pk:
            if acting_user.role == Role.INTAKE:
                raise PermissionDenied("Only a supervisor may reassign a case.")
            if not reason.strip():
                raise ValidationFailed(
                    "Say why the case is being reassigned.",
                    errors=[field_error("reason", "required")],
                )
        _assign(
            case=case,
            case_manager=case_manager,
            acting_user=acting_user,
            reason=reason,
            override_capacity=override_capacity,
        )
    return case


@dataclass
class BulkResult:
    moved: list[tuple[Case, User]]


def cases_reassign_bulk(
    *,
    acting_user: User,
    cases: list[Case],
    reason: str,
    to_case_manager: User | None = None,
    override_capacity: bool = False,
) -> BulkResult:
    """Reassign many cases at once (a whole caseload when someone leaves), all or nothing.

    With ``to_case_manager`` every case goes to that person; otherwise each case goes to the
    best suggestion at that moment (language match, then least loaded), so the load spreads.
    If any case cannot be placed nothing changes and the error lists the cases that could not.
    """
    if acting_user.role not in {Role.SUPERVISOR, Role.PROGRAM_ADMIN}:
        raise PermissionDenied("Only supervisors and program admins may reassign caseloads.")
    if not reason.strip():
        raise ValidationFailed(
            "Say why the cases are being reassigned.", errors=[field_error("reason", "required")]
        )
    moved: list[tuple[Case, User]] = []
    unplaced: list[dict[str, Any]] = []
    with transaction.atomic():
        for original in cases:
            case = _lock(original, None)
            if case.status in {Status.CLOSED, Status.ENTERED_IN_ERROR}:
                continue
            target = to_case_manager
            if target is None:
                choices = [
                    s for s in caseload_suggestions(case=case) if s.user.pk != case.case_manager_id
                ]
                target = choices[0].user if choices else None
            if target is None:
                unplaced.append(
                    field_error(
                        "case_ids", "no eligible case manager with capacity", case_id=str(case.id)
                    )
                )
                continue
            try:
                _assign(
                    case=case,
                    case_manager=target,
                    acting_user=acting_user,
                    reason=reason,
                    override_capacity=override_capacity,
                )
            except (ValidationFailed, TransitionRefused) as exc:
                unplaced.append(field_error("case_ids", exc.detail, case_id=str(case.id)))
                continue
            moved.append((case, target))
        if unplaced:
            transaction.set_rollback(True)
            raise TransitionRefused(
                f"{len(unplaced)} of {len(cases)} cases could not be placed; nothing was changed.",
                code="no_capacity",
                errors=unplaced,
            )
    return BulkResult(moved=moved)


# ----------------------------------------------------------------------------------------------
# Lifecycle


def _guard_reason(case: Case, move: lifecycle.Move) -> str | None:
    if (move.from_status, move.to_status) in lifecycle.REASON_REQUIRED and not move.reason.strip():
        return "reason_required: a reason is required for this change"
    return None


def _guard_closure(case: Case, move: lifecycle.Move) -> str | None:
    code = move.closure_reason
    if not code:
        return "closure_reason_required: a closure reason code is required to close a case"
    if code not in CLOSURE_REASON_CODES:
        return f"closure_reason_unknown: {code!r} is not a closure reason; use one of " + ", ".join(
            sorted(CLOSURE_REASON_CODES)
        )
    if move.from_status in PRE_ENROLLMENT:
        if code not in PRE_ENROLLMENT_CLOSURE:
            return (
                f"closure_reason_unfit: {code!r} does not apply to a case never taken on; use "
                + ", ".join(sorted(PRE_ENROLLMENT_CLOSURE))
            )
        return None
    summary = move.discharge_summary or case.discharge_summary or move.reason
    if not summary.strip():
        return "discharge_summary_required: closing an enrolled case needs a discharge summary"
    return None


def _guard_eligibility(case: Case, move: lifecycle.Move) -> str | None:
    if move.from_status != Status.SCREENING:
        return None
    problems = program_eligibility_problems(
        program=case.program, client=case.client, findings=case.screening_findings
    )
    if problems:
        return "not_eligible: " + "; ".join(problems)
    return None


def _guard_case_manager(case: Case, move: lifecycle.Move) -> str | None:
    if case.case_manager_id is None:
        return "case_manager_required: assign a case manager first"
    if not case.case_manager or not case.case_manager.is_active:
        return "case_manager_inactive: the assigned case manager has left; reassign the case"
    return None


def _guard_reopen(case: Case, move: lifecycle.Move) -> str | None:
    if move.from_status == Status.CLOSED:
        return _guard_case_manager(case, move)
    return None


lifecycle.register_guard("*", "reason", _guard_reason)
lifecycle.register_guard(Status.CLOSED, "closure", _guard_closure)
lifecycle.register_guard(Status.WAITLIST, "eligibility", _guard_eligibility)
lifecycle.register_guard(Status.INTAKE, "eligibility", _guard_eligibility)
lifecycle.register_guard(Status.ASSESSMENT, "case_manager", _guard_reopen)
lifecycle.register_guard(Status.PLANNING, "case_manager", _guard_case_manager)
lifecycle.register_guard(Status.ACTIVE, "case_manager", _guard_case_manager)


def _check_role(user: User, case: Case, to_status: str) -> None:
    if user.role in CASE_WORKERS:
        return
    if (
        user.role == Role.INTAKE
        and case.status in {*PRE_ENROLLMENT, Status.INTAKE}
        and (to_status in INTAKE_MOVES)
    ):
        return
    raise PermissionDenied("Your role may not move this case to that stage.")


def case_moves_for(*, acting_user: User, case: Case) -> list[str]:
    """The moves the lifecycle allows from the case's stage that ``acting_user``'s role may make.

    Guards are not checked here: they run when a move is tried, and refusals name them.
    """
    moves = []
    for to_status in lifecycle.allowed_moves(case.status):
        try:
            _check_role(acting_user, case, to_status)
        except PermissionDenied:
            continue
        moves.append(to_status)
    return moves


def _auto_assign_for_intake(case: Case, acting_user: User) -> None:
    """Entering intake puts the case on a caseload: the acting case manager's own when they may
    carry it and have room, otherwise the best suggestion; no one with room means waitlist."""
    if case.case_manager_id:
        return
    suggestions = caseload_suggestions(case=case)
    mine = [s for s in suggestions if s.user.pk == acting_user.pk]
    chosen = mine[0] if mine else (suggestions[0] if suggestions else None)
    if chosen is None:
        raise TransitionRefused(
            "no_capacity: no eligible case manager has room for this case; add it to the "
            "program's waitlist instead",
            code="no_capacity",
            errors=[field_error("to", "no_capacity")],
        )
    _assign(
        case=case,
        case_manager=chosen.user,
        acting_user=acting_user,
        reason="assigned at intake",
        override_capacity=False,
    )


def case_transition(
    *,
    acting_user: User,
    case: Case,
    to_status: str,
    reason: str = "",
    closure_reason: str = "",
    discharge_summary: str = "",
    expected_version: int | None = None,
) -> Case:
    """Move a case to ``to_status`` if the move is allowed and every guard passes.

    Refusals raise ``TransitionRefused`` (409) whose ``errors`` name each failed guard. The
    move, its time, the user and the reason are recorded in the case history and the audit log.
    """
    if to_status not in Status.values:
        raise ValidationFailed(
            f"{to_status!r} is not a case status.",
            errors=[field_error("to", f"must be one of {', '.join(Status.values)}")],
        )
    closure_reason = normalize_closure_reason(closure_reason)
    with transaction.atomic():
        case = _lock(case, expected_version)
        from_status = case.status
        _check_role(acting_user, case, to_status)
        if to_status not in lifecycle.TRANSITIONS.get(from_status, set()):
            allowed = ", ".join(lifecycle.allowed_moves(from_status)) or "none"
            raise TransitionRefused(
                f"A case cannot move from {from_status} to {to_status} (allowed: {allowed}).",
                code="invalid_transition",
                errors=[
                    field_error(
                        "to", "invalid_transition", allowed=lifecycle.allowed_moves(from_status)
                    )
                ],
            )
        move = lifecycle.Move(
            from_status=from_status,
            to_status=to_status,
            acting_user=acting_user,
            reason=reason or "",
            closure_reason=closure_reason,
            discharge_summary=discharge_summary or "",
        )
        failures = []
        for name, guard in lifecycle.guards_for(to_status):
            message = guard(case, move)
            if message:
                failures.append({"field": "to", "guard": name, "message": message})
        if failures:
            raise TransitionRefused(
                "Cannot move the case to "
                + to_status
                + ": "
                + "; ".join(f["message"] for f in failures),
                code="guard_failed",
                errors=failures,
            )
        if to_status == Status.INTAKE:
            _auto_assign_for_intake(case, acting_user)
        now = timezone.now()
        changes: dict[str, Any] = {"status": to_status, "status_changed_at": now}
        if to_status == Status.INTAKE and case.opened_at is None:
            changes["opened_at"] = now
        if to_status == Status.CLOSED:
            changes["closed_at"] = now
            changes["closure_reason"] = closure_reason
            summary = discharge_summary or case.discharge_summary
            if not summary and from_status not in PRE_ENROLLMENT:
                summary = reason
            changes["discharge_summary"] = summary
        if from_status == Status.CLOSED:
            changes["closed_at"] = None
            changes["closure_reason"] = ""
            changes["discharge_summary"] = ""
        diff = update_versioned(case, expected_version=None, **changes)
        diff.pop("status_changed_at", None)
        CaseStatusChange.objects.create(
            case=case,
            from_status=from_status,
            to_status=to_status,
            changed_at=now,
            changed_by=acting_user,
            reason=reason or "",
            closure_reason=closure_reason if to_status == Status.CLOSED else "",
        )
        audit_record(
            actor=acting_user,
            action=Action.TRANSITION,
            obj=case,
            client_id=case.client_id,
            changes=diff,
            detail={"reason": reason, "closure_reason": closure_reason},
        )
        if to_status in {Status.CLOSED, Status.ON_HOLD, Status.ENTERED_IN_ERROR}:
            from casework.monitoring.sweep import sweep_cases  # monitoring builds on cases

            sweep_cases(case_ids=[case.pk], acting_user=acting_user)
    return case


def case_update(
    *, acting_user: User, case: Case, expected_version: int, changes: dict[str, Any]
) -> Case:
    """Edit the referral details, priority or discharge summary of a case (with version)."""
    allowed = {"referral_source", "referral_reason", "priority", "discharge_summary"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            "These fields cannot be changed here: " + ", ".join(sorted(unknown)),
            errors=[field_error(name, "not editable") for name in sorted(unknown)],
        )
    if acting_user.role not in {*CASE_WORKERS, Role.INTAKE}:
        raise PermissionDenied("Your role may not change cases.")
    if "priority" in changes and not 1 <= int(changes["priority"]) <= 5:
        raise ValidationFailed(
            "Priority runs from 1 to 5.", errors=[field_error("priority", "1-5")]
        )
    with transaction.atomic():
        diff = update_versioned(case, expected_version=expected_version, **changes)
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            obj=case,
            client_id=case.client_id,
            changes=diff,
        )
    return case


# ----------------------------------------------------------------------------------------------
# Care team

# Who may sit on a care team as staff: people who work cases. Intake workers triage the pipeline
# and hand over; they do not follow a client over time, so they are not team members.
CARE_TEAM_STAFF_ROLES = {Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN}
CARE_TEAM_TEXT_FIELDS = [
    "name",
    "role",
    "role_code",
    "organization_name",
    "phone",
    "email",
    "address",
    "preferred_contact",
    "note",
]
CARE_TEAM_FIELDS = [*CARE_TEAM_TEXT_FIELDS, "is_emergency_contact", "start_date", "end_date"]


def _care_team_case(acting_user: User, case_id: Any) -> Case:
    """The case, locked, if the acting user may edit its team: anyone who sees the case (its
    case manager, staff on its team, the team's supervisor, program managers) except intake."""
    case = case_get(user=acting_user, case_id=case_id, for_update=True)
    if acting_user.role not in CASE_WORKERS:
        raise PermissionDenied("Your role may not change a care team.")
    return case


def _care_team_clean(
    case: Case, data: dict[str, Any], *, member: CareTeamMember | None = None
) -> dict[str, Any]:
    """Validate a whole member (after merging an update); raise with every error at once."""
    errors: list[dict[str, Any]] = []
    clean: dict[str, Any] = {}
    for name in CARE_TEAM_TEXT_FIELDS:
        value = str(data.get(name) or "").strip()
        limit = getattr(CareTeamMember._meta.get_field(name), "max_length", None)
        if limit and len(value) > limit:
            errors.append(field_error(name, f"at most {limit} characters"))
        clean[name] = value
    kind = member.kind if member is not None else data.get("kind") or CareTeamMemberKind.STAFF
    if kind not in CareTeamMemberKind.values:
        errors.append(field_error("kind", f"must be one of {', '.join(CareTeamMemberKind)}"))
    if kind == CareTeamMemberKind.STAFF:
        clean["name"] = ""
    elif not clean["name"]:
        errors.append(field_error("name", "required for someone without an account"))
    if clean["role_code"] and clean["role_code"] not in CARE_TEAM_ROLE_NAMES:
        errors.append(field_error("role_code", "not a SNOMED CT care team role casework knows"))
    if clean["role_code"] and not clean["role"]:
        clean["role"] = CARE_TEAM_ROLE_NAMES.get(clean["role_code"], "")
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except DjangoValidationError:
            errors.append(field_error("email", "not a valid email address"))
    clean["is_emergency_contact"] = bool(data.get("is_emergency_contact"))
    for name in ("start_date", "end_date"):
        day = data.get(name)
        if day is not None and not isinstance(day, date):
            errors.append(field_error(name, "must be a date"))
            day = None
        clean[name] = day
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors.append(field_error("end_date", "cannot be before the start date"))
    if errors:
        raise ValidationFailed(
            "The care team member is not valid; nothing was saved.", errors=errors
        )
    return clean


def _care_team_staff_user(case: Case, user_id: Any) -> User:
    problem = "must be an active case manager, supervisor or program admin of this organization"
    try:
        user = User.objects.get(
            pk=user_id,
            organization_id=case.organization_id,
            is_active=True,
            role__in=CARE_TEAM_STAFF_ROLES,
        )
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationFailed(
            "Choose a member of staff who works cases.", errors=[field_error("user_id", problem)]
        ) from exc
    if user.pk == case.case_manager_id:
        raise ValidationFailed(
            "The case manager is on the care team already.",
            errors=[field_error("user_id", "is this case's case manager")],
        )
    return user


@transaction.atomic
def care_team_member_add(*, acting_user: User, case: Case, data: dict[str, Any]) -> CareTeamMember:
    """Add someone to a case's care team (FHIR CareTeam.participant).

    Staff (``kind`` staff, ``user_id``) must be active case managers, supervisors or program
    admins of the case's organization; they then see the case through the team, so the audit
    event marks the addition as an access grant. Everyone else (providers, family, caregivers)
    needs a name. A staff member whose earlier membership ended is taken back on the same row.
    """
    case = _care_team_case(acting_user, case.pk)
    kind = data.get("kind") or CareTeamMemberKind.STAFF
    user: User | None = None
    if kind == CareTeamMemberKind.STAFF:
        if not data.get("user_id"):
            raise ValidationFailed(
                "Choose the member of staff.", errors=[field_error("user_id", "required")]
            )
        user = _care_team_staff_user(case, data["user_id"])
    elif data.get("user_id"):
        raise ValidationFailed(
            "Only staff members are linked to an account.",
            errors=[field_error("user_id", "only for kind staff")],
        )
    clean = _care_team_clean(case, {**data, "kind": kind})
    if clean["start_date"] is None:
        clean["start_date"] = timezone.localdate()
    detail: dict[str, Any] = {}
    if user is not None:
        detail = {"access": "granted", "user_id": str(user.pk), "username": user.username}
        existing = CareTeamMember.objects.select_for_update().filter(case=case, user=user).first()
        if existing is not None:
            if existing.end_date is None or existing.end_date > timezone.localdate():
                raise Conflict(
                    f"{user.display_name} is on this care team already.", code="already_on_team"
                )
            changes = update_versioned(existing, expected_version=None, **clean)
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                obj=existing,
                client_id=case.client_id,
                changes=changes,
                detail={**detail, "rejoined": True},
            )
            return existing
    member = CareTeamMember.objects.create(case=case, kind=kind, user=user, **clean)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=member,
        client_id=case.client_id,
        changes={
            "kind": [None, kind],
            "user_id": [None, str(user.pk) if user else None],
            **{name: [None, value] for name, value in clean.items()},
        },
        detail=detail or None,
    )
    return member


@transaction.atomic
def care_team_member_update(
    *,
    acting_user: User,
    member: CareTeamMember,
    expected_version: int,
    data: dict[str, Any],
) -> CareTeamMember:
    """Change a member's role and contact details; kind and account are fixed once added (end the
    membership and add the right person instead). Stale versions are refused (409)."""
    case = _care_team_case(acting_user, member.case_id)
    fixed = sorted({"kind", "user_id"} & set(data))
    if fixed:
        raise ValidationFailed(
            "Kind and account cannot change; end this membership and add the right person.",
            errors=[field_error(name, "cannot be changed") for name in fixed],
        )
    merged = {name: getattr(member, name) for name in CARE_TEAM_FIELDS}
    merged.update({name: value for name, value in data.items() if name in CARE_TEAM_FIELDS})
    unknown = sorted(set(data) - set(CARE_TEAM_FIELDS))
    if unknown:
        raise ValidationFailed(
            "These fields are not part of a care team member: " + ", ".join(unknown),
            errors=[field_error(name, "unknown field") for name in unknown],
        )
    clean = _care_team_clean(case, merged, member=member)
    changes = update_versioned(member, expected_version=expected_version, **clean)
    detail = None
    if member.user_id and "end_date" in changes:
        detail = {"access": "changed", "user_id": str(member.user_id)}
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=member,
        client_id=case.client_id,
        changes=changes,
        detail=detail,
    )
    return member


@transaction.atomic
def care_team_member_end(
    *,
    acting_user: User,
    member: CareTeamMember,
    expected_version: int,
    end_date: date | None = None,
    reason: str = "",
) -> CareTeamMember:
    """End a membership (kept, never deleted). ``end_date`` defaults to today and is the first
    day the person is off the team: a staff member loses access through the team from then on."""
    case = _care_team_case(acting_user, member.case_id)
    today = timezone.localdate()
    if member.end_date is not None and member.end_date <= today:
        raise Conflict("This membership has ended already.", code="already_ended")
    end_date = end_date or today
    if member.start_date and end_date < member.start_date:
        raise ValidationFailed(
            "A membership cannot end before it started.",
            errors=[field_error("end_date", "cannot be before the start date")],
        )
    changes = update_versioned(member, expected_version=expected_version, end_date=end_date)
    detail: dict[str, Any] = {"reason": reason.strip()} if reason.strip() else {}
    if member.user_id:
        detail.update({"access": "revoked", "user_id": str(member.user_id)})
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=member,
        client_id=case.client_id,
        changes=changes,
        detail=detail or None,
    )
    return member
