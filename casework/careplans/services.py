"""Writes for care plans: the plan, its needs, goals, strengths, barriers, interventions and
education, the client's agreement, supervisor approval, reviews and templates.

Rules every write here keeps:

* only staff who may work the case (case manager, supervisor, program admin of the case's
  organization) change a plan; intake, privacy officers and outsiders cannot;
* every change names the plan ``version`` it read (stale → 409), bumps it, stores a
  ``PlanVersion`` snapshot of the whole plan with a one-line summary, and is audited with what
  changed -- all in one transaction, so bad input stores nothing;
* a finished plan (completed, revoked, entered in error) is not edited.

Agreement stays on record after later changes: the plan then shows "changed since agreement"
(:func:`casework.careplans.selectors.plan_changed_since_agreement`) and the client re-agrees at
the next review. The lifecycle guard for ``→ active`` only asks that an agreement exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from casework.accounts.models import Role, TeamMembership, User
from casework.assessments.models import NeedStatus, ProposedNeed
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.careplans.gas import gas_t_score
from casework.careplans.models import (
    Barrier,
    CarePlan,
    Education,
    EducationTopic,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalReview,
    Intervention,
    InterventionStatus,
    ItemStatus,
    Need,
    OwnerType,
    PlanReview,
    PlanStatus,
    PlanTemplate,
    PlanVersion,
    Strength,
    TeachBack,
)
from casework.cases.models import FINISHED as CASE_FINISHED
from casework.cases.models import Case
from casework.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    field_error,
)
from casework.core.versioning import update_versioned

PLAN_WORKERS = {Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_ADMIN}
FINISHED_PLAN = {PlanStatus.COMPLETED, PlanStatus.REVOKED, PlanStatus.ENTERED_IN_ERROR}
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_CT = "http://snomed.info/sct"
NEED_SYSTEMS = {ICD10_CM, SNOMED_CT}
EDUCATION_METHODS = {"verbal", "written", "demonstration", "video", "interpreter"}
AGREEMENT_METHODS = {"signature", "verbal"}
SIGNATURE_PREFIXES = ("data:image/png;base64,", "data:image/svg+xml")
SIGNATURE_MAX_BYTES = 200 * 1024

# FHIR CarePlan.status (request-status): which status a plan may move to from each status.
PLAN_STATUS_MOVES: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE, PlanStatus.REVOKED, PlanStatus.ENTERED_IN_ERROR},
    PlanStatus.ACTIVE: {
        PlanStatus.ON_HOLD,
        PlanStatus.COMPLETED,
        PlanStatus.REVOKED,
        PlanStatus.ENTERED_IN_ERROR,
    },
    PlanStatus.ON_HOLD: {
        PlanStatus.ACTIVE,
        PlanStatus.COMPLETED,
        PlanStatus.REVOKED,
        PlanStatus.ENTERED_IN_ERROR,
    },
    PlanStatus.COMPLETED: {PlanStatus.ENTERED_IN_ERROR},
    PlanStatus.REVOKED: {PlanStatus.ENTERED_IN_ERROR},
    PlanStatus.ENTERED_IN_ERROR: set(),
}

PLAN_EDITABLE = {"title", "self_management", "crisis_plan", "notes", "period_start", "period_end"}


# ----------------------------------------------------------------------------------------------
# Snapshots


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _ids(values: Any) -> list[str]:
    return sorted(str(v) for v in values)


def plan_snapshot(plan: CarePlan) -> dict[str, Any]:
    """The whole plan as JSON: its own fields and every part, each part with its ``id``."""
    goals = list(Goal.objects.filter(plan=plan).prefetch_related("needs", "strengths"))
    snapshot = {
        "plan": {
            "id": str(plan.pk),
            "title": plan.title,
            "status": plan.status,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "self_management": plan.self_management,
            "crisis_plan": plan.crisis_plan,
            "notes": plan.notes,
            "template_name": plan.template_name,
            "agreed_at": plan.agreed_at,
            "agreed_version": plan.agreed_version,
            "agreement_method": plan.agreement_method,
            "agreed_by_name": plan.agreed_by_name,
            "agreed_by_relationship": plan.agreed_by_relationship,
            "signed": bool(plan.signature),
            "witness_id": plan.witness_id,
            "witness_name": plan.witness_name,
            "approved_at": plan.approved_at,
            "approved_by_id": plan.approved_by_id,
            "approved_version": plan.approved_version,
            "next_review_due": plan.next_review_due,
        },
        "needs": [
            {
                "id": n.pk,
                "label": f"{n.code} {n.display}".strip(),
                "system": n.system,
                "code": n.code,
                "display": n.display,
                "snomed_code": n.snomed_code,
                "domain": n.domain,
                "description": n.description,
                "priority": n.priority,
                "status": n.status,
                "proposed_need_id": n.proposed_need_id,
            }
            for n in Need.objects.filter(plan=plan)
        ],
        "goals": [
            {
                "id": g.pk,
                "label": g.client_words[:80],
                "priority": g.priority,
                "client_words": g.client_words,
                "statement": g.statement,
                "measure": g.measure,
                "baseline": g.baseline,
                "target": g.target,
                "start_date": g.start_date,
                "target_date": g.target_date,
                "lifecycle_status": g.lifecycle_status,
                "achievement_status": g.achievement_status,
                "need_ids": _ids(n.pk for n in g.needs.all()),
                "strength_ids": _ids(s.pk for s in g.strengths.all()),
            }
            for g in goals
        ],
        "strengths": [
            {
                "id": s.pk,
                "label": s.description[:80],
                "domain": s.domain,
                "description": s.description,
            }
            for s in Strength.objects.filter(plan=plan)
        ],
        "barriers": [
            {
                "id": b.pk,
                "label": b.description[:80],
                "goal_id": b.goal_id,
                "description": b.description,
                "plan_to_address": b.plan_to_address,
            }
            for b in Barrier.objects.filter(plan=plan)
        ],
        "interventions": [
            {
                "id": i.pk,
                "label": i.description[:80],
                "goal_id": i.goal_id,
                "description": i.description,
                "owner_type": i.owner_type,
                "owner_user_id": i.owner_user_id,
                "owner_name": i.owner_name,
                "due_date": i.due_date,
                "status": i.status,
                "link_type": i.link_type,
                "link_id": i.link_id,
            }
            for i in Intervention.objects.filter(plan=plan)
        ],
        "education": [
            {
                "id": e.pk,
                "label": f"{e.get_topic_display()} ({e.given_on})",
                "topic": e.topic,
                "detail": e.detail,
                "method": e.method,
                "teach_back": e.teach_back,
                "given_on": e.given_on,
                "given_by_id": e.given_by_id,
            }
            for e in Education.objects.filter(plan=plan)
        ],
    }
    return dict(_plain(snapshot))


# ----------------------------------------------------------------------------------------------
# Shared checks


def _check_worker(acting_user: User, case: Case) -> None:
    if acting_user.organization_id != case.organization_id:
        raise NotFound("Case not found.")
    if acting_user.role not in PLAN_WORKERS:
        raise PermissionDenied("Your role may not change care plans.")


def _check_version(plan: CarePlan, expected_version: int) -> None:
    current = CarePlan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
    if current != expected_version:
        raise StaleVersion(
            f"This care plan was changed by someone else (you read version {expected_version}, "
            f"it is now version {current}). Reload it and apply your change again.",
            errors=[{"field": "version", "message": "stale", "current_version": current}],
        )


def _check_editable(acting_user: User, plan: CarePlan) -> None:
    _check_worker(acting_user, plan.case)
    if plan.status in FINISHED_PLAN:
        raise Conflict(
            f"plan_finished: this care plan is {plan.status} and can no longer be changed.",
            code="plan_finished",
        )


def _commit(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    summary: str,
    action: str = Action.UPDATE,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    plan_changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Bump the plan's version (compare-and-set), store the snapshot and audit the change."""
    diff = update_versioned(plan, expected_version=expected_version, **(plan_changes or {}))
    PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        snapshot=plan_snapshot(plan),
        summary=summary[:300],
        created_at=timezone.now(),
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action=action,
        obj=obj if obj is not None else plan,
        client_id=plan.client_id,
        changes={
            **{name: [_audit_value(v) for v in pair] for name, pair in diff.items()},
            **(changes or {}),
        },
        detail={"plan_id": str(plan.pk), "plan_version": plan.version, "summary": summary},
    )
    return diff


def _to_date(value: Any, field: str, errors: list[dict[str, Any]]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(field_error(field, "must be an ISO date (YYYY-MM-DD)"))
        return None


def _to_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _priority(value: Any, field: str, errors: list[dict[str, Any]]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
        errors.append(field_error(field, "must be 1 (high), 2 (medium) or 3 (low)"))
        return None
    return value


def _choice(value: Any, field: str, choices: Any, errors: list[dict[str, Any]]) -> str:
    if value not in choices.values:
        errors.append(field_error(field, f"must be one of {', '.join(choices.values)}"))
        return ""
    return str(value)


def _uuid_list(value: Any, field: str, errors: list[dict[str, Any]]) -> list[UUID]:
    if not isinstance(value, list | tuple):
        errors.append(field_error(field, "must be a list of ids"))
        return []
    result = []
    for item in value:
        try:
            result.append(item if isinstance(item, UUID) else UUID(str(item)))
        except ValueError:
            errors.append(field_error(field, f"{item!r} is not an id"))
    return result


def _one_id(value: Any, field: str, errors: list[dict[str, Any]]) -> UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, models.Model):
        return value.pk
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        errors.append(field_error(field, f"{value!r} is not an id"))
        return None


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            "These fields are not part of this item: " + ", ".join(unknown),
            errors=[field_error(name, "unknown field") for name in unknown],
        )


def _raise(errors: list[dict[str, Any]]) -> None:
    if errors:
        fields = ", ".join(dict.fromkeys(str(e["field"]) for e in errors))
        raise ValidationFailed(f"Please correct: {fields}.", errors=errors)


def _require(
    fields: dict[str, Any], item: Any, name: str, errors: list[dict[str, Any]], label: str
) -> None:
    value = fields.get(name, getattr(item, name, "") if item is not None else "")
    if not _to_text(value):
        errors.append(field_error(name, f"{label} is required"))


# ----------------------------------------------------------------------------------------------
# Section cleaners: ``(plan, data, item) -> (fields, many_to_many)``; ``item`` is None on add.

Cleaned = tuple[dict[str, Any], dict[str, list[Any]]]


def _clean_need(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    allowed = {
        "system",
        "code",
        "display",
        "snomed_code",
        "domain",
        "description",
        "priority",
        "status",
    }
    _unknown(data, allowed | ({"proposed_need_id"} if item is None else set()))
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    if item is None and data.get("proposed_need_id"):
        proposed_id = _one_id(data["proposed_need_id"], "proposed_need_id", errors)
        proposed = (
            ProposedNeed.objects.filter(pk=proposed_id, client_id=plan.client_id).first()
            if proposed_id
            else None
        )
        if proposed is None:
            errors.append(field_error("proposed_need_id", "no such proposed need for this client"))
        elif proposed.status == NeedStatus.DISMISSED:
            errors.append(field_error("proposed_need_id", "this proposed need was dismissed"))
        else:
            fields.update(
                system=proposed.system,
                code=proposed.code,
                display=proposed.display,
                snomed_code=proposed.snomed_code,
                domain=proposed.domain,
                proposed_need=proposed,
            )
    for name in ("system", "code", "display", "snomed_code", "domain", "description"):
        if name in data:
            fields[name] = _to_text(data[name])
    if "priority" in data:
        fields["priority"] = _priority(data["priority"], "priority", errors)
    if "status" in data:
        fields["status"] = _choice(data["status"], "status", ItemStatus, errors)
    system = fields.get("system", item.system if item is not None else ICD10_CM) or ICD10_CM
    fields["system"] = system
    if system not in NEED_SYSTEMS:
        errors.append(field_error("system", f"must be ICD-10-CM ({ICD10_CM}) or SNOMED CT"))
    _require(fields, item, "code", errors, "a code")
    _raise(errors)
    return fields, {}


def _plan_ids(model: type[models.Model], plan: CarePlan, ids: list[UUID]) -> list[Any]:
    found = list(model._default_manager.filter(plan=plan, pk__in=ids))
    return found if len(found) == len(set(ids)) else []


def _clean_goal(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    allowed = {
        "priority",
        "client_words",
        "statement",
        "measure",
        "baseline",
        "target",
        "start_date",
        "target_date",
        "lifecycle_status",
        "achievement_status",
        "need_ids",
        "strength_ids",
    }
    _unknown(data, allowed)
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    links: dict[str, list[Any]] = {}
    for name in ("client_words", "statement", "measure", "baseline", "target"):
        if name in data:
            fields[name] = _to_text(data[name])
    _require(fields, item, "client_words", errors, "the goal in the client's own words")
    if "priority" in data:
        fields["priority"] = _priority(data["priority"], "priority", errors)
    for name in ("start_date", "target_date"):
        if name in data:
            fields[name] = _to_date(data[name], name, errors)
    start = fields.get("start_date", item.start_date if item is not None else None)
    target = fields.get("target_date", item.target_date if item is not None else None)
    if start and target and target < start:
        errors.append(field_error("target_date", "must not be before the start date"))
    if "lifecycle_status" in data:
        fields["lifecycle_status"] = _choice(
            data["lifecycle_status"], "lifecycle_status", GoalLifecycle, errors
        )
    if data.get("achievement_status"):
        fields["achievement_status"] = _choice(
            data["achievement_status"], "achievement_status", GoalAchievement, errors
        )
    elif "achievement_status" in data:
        fields["achievement_status"] = ""
    for name, model in (("need_ids", Need), ("strength_ids", Strength)):
        if name in data:
            ids = _uuid_list(data[name] or [], name, errors)
            found = _plan_ids(model, plan, ids)
            if ids and not found:
                errors.append(field_error(name, "every linked item must belong to this plan"))
            links[name.removesuffix("_ids") + "s"] = found
    _raise(errors)
    return fields, links


def _clean_strength(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    _unknown(data, {"domain", "description"})
    errors: list[dict[str, Any]] = []
    fields = {name: _to_text(data[name]) for name in ("domain", "description") if name in data}
    _require(fields, item, "description", errors, "a description")
    _raise(errors)
    return fields, {}


def _goal_of_plan(plan: CarePlan, data: dict[str, Any], errors: list[dict[str, Any]]) -> Any:
    goal_id = _one_id(data.get("goal_id"), "goal_id", errors)
    if goal_id is None:
        return None
    goal = Goal.objects.filter(plan=plan, pk=goal_id).first()
    if goal is None:
        errors.append(field_error("goal_id", "the goal must belong to this plan"))
    return goal


def _clean_barrier(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    _unknown(data, {"goal_id", "description", "plan_to_address"})
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {
        name: _to_text(data[name]) for name in ("description", "plan_to_address") if name in data
    }
    if "goal_id" in data:
        fields["goal"] = _goal_of_plan(plan, data, errors)
    _require(fields, item, "description", errors, "a description")
    _raise(errors)
    return fields, {}


def _clean_intervention(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    allowed = {
        "goal_id",
        "description",
        "owner_type",
        "owner_user_id",
        "owner_name",
        "due_date",
        "status",
        "link_type",
        "link_id",
    }
    _unknown(data, allowed)
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {
        name: _to_text(data[name])
        for name in ("description", "owner_name", "link_type", "link_id")
        if name in data
    }
    _require(fields, item, "description", errors, "a description")
    if "goal_id" in data:
        fields["goal"] = _goal_of_plan(plan, data, errors)
    if "owner_type" in data or item is None:
        fields["owner_type"] = _choice(data.get("owner_type"), "owner_type", OwnerType, errors)
    if "owner_user_id" in data:
        owner_id = _one_id(data["owner_user_id"], "owner_user_id", errors)
        owner = None
        if owner_id is not None:
            owner = User.objects.filter(
                pk=owner_id, organization_id=plan.organization_id, is_active=True
            ).first()
            if owner is None:
                errors.append(
                    field_error("owner_user_id", "the owner must be staff of this organization")
                )
        fields["owner_user"] = owner
    owner_user = fields.get("owner_user", item.owner_user if item is not None else None)
    owner_type = fields.get("owner_type", item.owner_type if item is not None else "")
    owner_name = fields.get("owner_name", item.owner_name if item is not None else "")
    owner_refused = "owner_user_id" in data and fields.get("owner_user") is None
    if owner_user is None and not owner_name and not owner_refused:
        if owner_type == OwnerType.CLIENT:
            fields["owner_name"] = plan.client.full_name
        elif owner_type:
            errors.append(field_error("owner_name", "name the owner when they are not staff"))
    if "due_date" in data:
        fields["due_date"] = _to_date(data["due_date"], "due_date", errors)
    if "status" in data:
        fields["status"] = _choice(data["status"], "status", InterventionStatus, errors)
    _raise(errors)
    return fields, {}


def _clean_education(plan: CarePlan, data: dict[str, Any], item: Any) -> Cleaned:
    _unknown(data, {"topic", "detail", "method", "teach_back", "given_on"})
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    if "topic" in data or item is None:
        fields["topic"] = _choice(data.get("topic"), "topic", EducationTopic, errors)
    if "teach_back" in data or item is None:
        fields["teach_back"] = _choice(data.get("teach_back"), "teach_back", TeachBack, errors)
    if "detail" in data:
        fields["detail"] = _to_text(data["detail"])
    if "method" in data or item is None:
        method = _to_text(data.get("method")).lower()
        if method not in EDUCATION_METHODS:
            errors.append(
                field_error("method", f"must be one of {', '.join(sorted(EDUCATION_METHODS))}")
            )
        fields["method"] = method
    if "given_on" in data:
        fields["given_on"] = _to_date(data["given_on"], "given_on", errors)
    if item is None and not fields.get("given_on"):
        fields["given_on"] = timezone.localdate()
    _raise(errors)
    return fields, {}


@dataclass(frozen=True)
class Section:
    model: type[models.Model]
    noun: str
    clean: Callable[[CarePlan, dict[str, Any], Any], Cleaned]
    label: Callable[[Any], str]


SECTIONS: dict[str, Section] = {
    "needs": Section(Need, "Need", _clean_need, lambda o: f"{o.code} {o.display}".strip()),
    "goals": Section(Goal, "Goal", _clean_goal, lambda o: o.client_words[:80]),
    "strengths": Section(Strength, "Strength", _clean_strength, lambda o: o.description[:80]),
    "barriers": Section(Barrier, "Barrier", _clean_barrier, lambda o: o.description[:80]),
    "interventions": Section(
        Intervention, "Intervention", _clean_intervention, lambda o: o.description[:80]
    ),
    "education": Section(Education, "Education", _clean_education, lambda o: o.get_topic_display()),
}


def _audit_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list):
        return [_audit_value(v) for v in value]
    return value


def _item_add(
    section: str,
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    data: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Any:
    spec = SECTIONS[section]
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        fields, links = spec.clean(plan, dict(data), None)
        obj = spec.model._default_manager.create(plan=plan, **fields, **(extra or {}))
        for name, related in links.items():
            getattr(obj, name).set(related)
        proposed = fields.get("proposed_need")
        if isinstance(proposed, ProposedNeed) and proposed.status != NeedStatus.ACCEPTED:
            update_versioned(proposed, expected_version=None, status=NeedStatus.ACCEPTED)
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"{spec.noun} added: {spec.label(obj)}",
            action=Action.CREATE,
            obj=obj,
            changes={name: _audit_value(value) for name, value in {**fields, **links}.items()},
        )
    return obj


def _item_of_plan(section: str, plan: CarePlan, item: Any) -> Any:
    spec = SECTIONS[section]
    if not isinstance(item, spec.model) or item.plan_id != plan.pk:  # type: ignore[attr-defined]
        raise NotFound(f"{spec.noun} not found on this care plan.")
    return spec.model._default_manager.get(pk=item.pk)


def _item_update(
    section: str,
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    item: Any,
    data: dict[str, Any],
) -> Any:
    spec = SECTIONS[section]
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        current = _item_of_plan(section, plan, item)
        fields, links = spec.clean(plan, dict(data), current)
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            old = getattr(current, name)
            if old != value:
                changes[name] = [_audit_value(old), _audit_value(value)]
                setattr(current, name, value)
        if changes:
            current.save(update_fields=[*fields, "updated_at"])
        for name, related in links.items():
            manager = getattr(current, name)
            old_ids = _ids(o.pk for o in manager.all())
            new_ids = _ids(o.pk for o in related)
            if old_ids != new_ids:
                manager.set(related)
                changes[name] = [old_ids, new_ids]
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"{spec.noun} changed: {spec.label(current)}",
            obj=current,
            changes=changes,
        )
    return current


def _item_remove(
    section: str, *, acting_user: User, plan: CarePlan, expected_version: int, item: Any
) -> None:
    spec = SECTIONS[section]
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        current = _item_of_plan(section, plan, item)
        label = spec.label(current)
        object_type = current._meta.label_lower
        object_id = str(current.pk)
        current.delete()
        diff = update_versioned(plan, expected_version=expected_version)
        PlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            snapshot=plan_snapshot(plan),
            summary=f"{spec.noun} removed: {label}"[:300],
            created_at=timezone.now(),
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.DELETE,
            object_type=object_type,
            object_id=object_id,
            client_id=plan.client_id,
            changes={**diff, "removed": label},
            detail={"plan_id": str(plan.pk), "plan_version": plan.version},
        )


# ----------------------------------------------------------------------------------------------
# The plan


def plan_create(
    *,
    acting_user: User,
    case: Case,
    title: str = "",
    template_ids: list[UUID] | None = None,
) -> CarePlan:
    """Start a draft care plan for a case; a case has at most one plan that is not finished."""
    _check_worker(acting_user, case)
    if case.status in CASE_FINISHED:
        raise Conflict(
            "case_closed: a closed case gets no new care plan; reopen it first.",
            code="case_closed",
        )
    templates: list[PlanTemplate] = []
    if template_ids:
        templates = list(
            PlanTemplate.objects.filter(
                organization_id=case.organization_id, pk__in=template_ids, is_active=True
            )
        )
        if len(templates) != len(set(template_ids)):
            raise ValidationFailed(
                "A template was not found.", errors=[field_error("template_ids", "not found")]
            )
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = CarePlan.objects.filter(case=case).exclude(status__in=FINISHED_PLAN).first()
        if existing is not None:
            raise Conflict(
                "plan_exists: this case already has a care plan in progress; finish it first.",
                code="plan_exists",
                errors=[field_error("case_id", "plan exists", plan_id=str(existing.pk))],
            )
        plan = CarePlan.objects.create(
            organization_id=case.organization_id,
            case=case,
            client_id=case.client_id,
            title=title.strip(),
            status=PlanStatus.DRAFT,
            created_by=acting_user,
            recorded_by=acting_user,
        )
        PlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            snapshot=plan_snapshot(plan),
            summary="Plan started",
            created_at=timezone.now(),
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            obj=plan,
            client_id=plan.client_id,
            changes={"case": str(case.pk), "title": plan.title, "status": plan.status},
        )
        for template in templates:
            plan_apply_template(
                acting_user=acting_user,
                plan=plan,
                expected_version=plan.version,
                template=template,
            )
    return plan


def plan_update(
    *, acting_user: User, plan: CarePlan, expected_version: int, changes: dict[str, Any]
) -> CarePlan:
    """Change the plan's own fields, or its status along FHIR CarePlan's request-status moves.

    A plan becomes ``active`` only once the client has agreed to it.
    """
    _unknown(changes, PLAN_EDITABLE | {"status"})
    errors: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    for name in ("title", "self_management", "crisis_plan", "notes"):
        if name in changes:
            fields[name] = _to_text(changes[name])
    for name in ("period_start", "period_end"):
        if name in changes:
            fields[name] = _to_date(changes[name], name, errors)
    start = fields.get("period_start", plan.period_start)
    end = fields.get("period_end", plan.period_end)
    if start and end and end < start:
        errors.append(field_error("period_end", "must not be before the period start"))
    if "status" in changes and changes["status"] != plan.status:
        status = _choice(changes["status"], "status", PlanStatus, errors)
        if status and status not in PLAN_STATUS_MOVES.get(plan.status, set()):
            allowed = ", ".join(sorted(PLAN_STATUS_MOVES.get(plan.status, set()))) or "none"
            errors.append(field_error("status", f"a {plan.status} plan can move to: {allowed}"))
        if status == PlanStatus.ACTIVE and plan.agreed_at is None:
            raise Conflict(
                "agreement_required: the client must agree to the plan before it is active.",
                code="agreement_required",
                errors=[field_error("status", "agreement required")],
            )
        if status:
            fields["status"] = status
    _raise(errors)
    with transaction.atomic():
        _check_worker(acting_user, plan.case)
        if plan.status in FINISHED_PLAN and set(fields) != {"status"}:
            raise Conflict(
                f"plan_finished: this care plan is {plan.status} and can no longer be changed.",
                code="plan_finished",
            )
        _check_version(plan, expected_version)
        changed = [name for name in fields if getattr(plan, name) != fields[name]]
        summary = "Plan changed: " + (", ".join(changed) or "no change")
        if "status" in changed:
            summary = f"Plan status: {plan.status} → {fields['status']}"
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=summary,
            plan_changes=fields,
        )
    return plan


# ----------------------------------------------------------------------------------------------
# Parts of the plan (exact signatures: the web pages call these)


def need_add(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Need:
    """Add a coded need (ICD-10-CM or SNOMED CT). With ``proposed_need_id`` (a ProposedNeed of
    the same client, from a screening) its codes are copied and it is marked accepted."""
    result: Need = _item_add(
        "needs", acting_user=acting_user, plan=plan, expected_version=expected_version, data=data
    )
    return result


def need_update(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Need, data: dict[str, Any]
) -> Need:
    result: Need = _item_update(
        "needs",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    return result


def need_remove(*, acting_user: User, plan: CarePlan, expected_version: int, item: Need) -> None:
    _item_remove(
        "needs", acting_user=acting_user, plan=plan, expected_version=expected_version, item=item
    )


def goal_add(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Goal:
    """Add a goal: the client's own words are required; priority 1-3; the target date is not
    before the start date; statuses from FHIR Goal's value sets; links within this plan."""
    result: Goal = _item_add(
        "goals", acting_user=acting_user, plan=plan, expected_version=expected_version, data=data
    )
    return result


def goal_update(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Goal, data: dict[str, Any]
) -> Goal:
    result: Goal = _item_update(
        "goals",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    from casework.monitoring.sweep import sweep_cases  # goal date and status prompts

    sweep_cases(case_ids=[plan.case_id], acting_user=acting_user)
    return result


def goal_remove(*, acting_user: User, plan: CarePlan, expected_version: int, item: Goal) -> None:
    _item_remove(
        "goals", acting_user=acting_user, plan=plan, expected_version=expected_version, item=item
    )


def strength_add(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Strength:
    result: Strength = _item_add(
        "strengths",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        data=data,
    )
    return result


def strength_update(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    item: Strength,
    data: dict[str, Any],
) -> Strength:
    result: Strength = _item_update(
        "strengths",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    return result


def strength_remove(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Strength
) -> None:
    _item_remove(
        "strengths",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
    )


def barrier_add(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Barrier:
    result: Barrier = _item_add(
        "barriers",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        data=data,
    )
    return result


def barrier_update(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    item: Barrier,
    data: dict[str, Any],
) -> Barrier:
    result: Barrier = _item_update(
        "barriers",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    return result


def barrier_remove(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Barrier
) -> None:
    _item_remove(
        "barriers",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
    )


def intervention_add(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Intervention:
    """Add an intervention with its owner: a member of staff of the plan's organization
    (``owner_user_id``) or a named person (``owner_name``; the client's name by default)."""
    result: Intervention = _item_add(
        "interventions",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        data=data,
    )
    return result


def intervention_update(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    item: Intervention,
    data: dict[str, Any],
) -> Intervention:
    result: Intervention = _item_update(
        "interventions",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    return result


def intervention_remove(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Intervention
) -> None:
    _item_remove(
        "interventions",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
    )


def education_record(
    *, acting_user: User, plan: CarePlan, expected_version: int, data: dict[str, Any]
) -> Education:
    """Record education given (topic, method, teach-back result); the acting user gave it."""
    result: Education = _item_add(
        "education",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        data=data,
        extra={"given_by": acting_user},
    )
    return result


def education_update(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    item: Education,
    data: dict[str, Any],
) -> Education:
    result: Education = _item_update(
        "education",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
        data=data,
    )
    return result


def education_remove(
    *, acting_user: User, plan: CarePlan, expected_version: int, item: Education
) -> None:
    _item_remove(
        "education",
        acting_user=acting_user,
        plan=plan,
        expected_version=expected_version,
        item=item,
    )


# ----------------------------------------------------------------------------------------------
# Agreement, approval, review, templates


def _signature_problem(signature: str) -> str | None:
    if not signature.startswith(SIGNATURE_PREFIXES):
        return "must be a data:image/png;base64 or data:image/svg+xml URL"
    if len(signature.encode()) > SIGNATURE_MAX_BYTES:
        return "must be at most 200 kB"
    if signature.startswith("data:image/png;base64,"):
        payload = signature.removeprefix("data:image/png;base64,")
        if not payload or not re.fullmatch(r"[A-Za-z0-9+/=\s]+", payload):
            return "the PNG data is not base64"
    return None


def plan_agreement_problems(plan: CarePlan) -> list[str]:
    """Why the client cannot agree to the plan yet (empty: they can)."""
    problems = []
    if not Goal.objects.filter(plan=plan, lifecycle_status=GoalLifecycle.ACTIVE).exists():
        problems.append("active_goal_required: the plan needs at least one active goal")
    model = plan.case.program.model
    if model.requires_strengths and not Strength.objects.filter(plan=plan).exists():
        problems.append(
            f"strengths_required: the {model.name} model builds the plan on the client's "
            "strengths; record at least one strength"
        )
    return problems


def plan_agree(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    method: str,
    agreed_by_name: str,
    relationship: str = "self",
    signature: str = "",
    witness_name: str = "",
    agreed_on: date | None = None,
) -> CarePlan:
    """Record the client's (or representative's) agreement: a signature captured on screen
    (a PNG or SVG data URL of at most 200 kB) or a verbal agreement witnessed by the acting user.

    Refused (409, naming the reason) without an active goal, or without strengths when the
    program's model requires them. A draft plan becomes active.
    """
    errors: list[dict[str, Any]] = []
    if method not in AGREEMENT_METHODS:
        errors.append(field_error("method", "must be signature or verbal"))
    if not _to_text(agreed_by_name):
        errors.append(field_error("agreed_by_name", "who agreed is required"))
    if not _to_text(relationship):
        errors.append(field_error("relationship", "required (self, or the relationship)"))
    if method == "signature":
        problem = _signature_problem(signature or "")
        if problem:
            errors.append(field_error("signature", problem))
    elif signature:
        errors.append(field_error("signature", "only for the signature method"))
    if agreed_on is not None and agreed_on > timezone.localdate():
        errors.append(field_error("agreed_on", "must not be in the future"))
    _raise(errors)
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        problems = plan_agreement_problems(plan)
        if problems:
            raise Conflict(
                "Cannot record agreement: " + "; ".join(problems),
                code="agreement_refused",
                errors=[
                    {"field": "plan", "guard": p.split(":")[0], "message": p} for p in problems
                ],
            )
        now = timezone.now()
        agreed_at = now
        if agreed_on is not None and agreed_on != timezone.localdate():
            agreed_at = timezone.make_aware(datetime.combine(agreed_on, time(12, 0)))
        fields: dict[str, Any] = {
            "agreed_at": agreed_at,
            "agreed_version": expected_version + 1,
            "agreement_method": method,
            "agreed_by_name": _to_text(agreed_by_name),
            "agreed_by_relationship": _to_text(relationship),
            "signature": signature if method == "signature" else "",
            "witness": acting_user if method == "verbal" else None,
            "witness_name": _to_text(witness_name),
            "recorded_by": acting_user,
        }
        if plan.status == PlanStatus.DRAFT:
            fields["status"] = PlanStatus.ACTIVE
        if plan.period_start is None:
            fields["period_start"] = agreed_at.date() if agreed_on else timezone.localdate()
        if plan.next_review_due is None:
            # The first review falls one review interval (the program's model) after agreement.
            interval = plan.case.program.model.plan_review_interval_days
            agreed_day = agreed_on or timezone.localdate()
            fields["next_review_due"] = agreed_day + timedelta(days=interval)
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"Agreed by {fields['agreed_by_name']} ({method})",
            plan_changes=fields,
            changes={"signature": "captured" if signature else ""},
        )
    return plan


def _may_approve(user: User, plan: CarePlan) -> bool:
    if user.organization_id != plan.organization_id:
        return False
    if user.role == Role.PROGRAM_ADMIN:
        return True
    case = plan.case
    if user.role == Role.SUPERVISOR and case.team_id is not None:
        return TeamMembership.objects.filter(
            user=user, team_id=case.team_id, is_supervisor=True
        ).exists()
    return False


def plan_approve(*, acting_user: User, plan: CarePlan, expected_version: int) -> CarePlan:
    """Supervisor approval, where the program's model lists "care_plan" in its approvals.

    Only a supervisor of the team holding the case, or a program admin, approves.
    """
    model = plan.case.program.model
    if "care_plan" not in (model.approvals_required or []):
        raise Conflict(
            f"approval_not_required: the {model.name} model does not require plan approval.",
            code="approval_not_required",
        )
    if not _may_approve(acting_user, plan):
        raise PermissionDenied(
            "Only a supervisor of the case's team or a program admin may approve a care plan."
        )
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        if not Goal.objects.filter(plan=plan).exists():
            raise Conflict(
                "goal_required: a plan without goals cannot be approved.", code="goal_required"
            )
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"Approved by {acting_user.display_name}",
            plan_changes={
                "approved_at": timezone.now(),
                "approved_by": acting_user,
                "approved_version": expected_version + 1,
            },
        )
    return plan


def plan_review_record(
    *,
    acting_user: User,
    plan: CarePlan,
    expected_version: int,
    reviewed_on: date,
    notes: str,
    scores: list[dict[str, Any]],
) -> PlanReview:
    """Record a review: Goal Attainment Scaling (-2 … +2, weight default 1) per goal of this
    plan, the plan's GAS T-score (Kiresuk & Sherman 1968, rho = 0.3), optional goal achievement
    statuses, and the next review due after the model's plan-review interval."""
    errors: list[dict[str, Any]] = []
    if not isinstance(reviewed_on, date):
        errors.append(field_error("reviewed_on", "must be a date"))
    elif reviewed_on > timezone.localdate():
        errors.append(field_error("reviewed_on", "must not be in the future"))
    goal_ids = set(Goal.objects.filter(plan=plan).values_list("pk", flat=True))
    cleaned: list[dict[str, Any]] = []
    seen: set[UUID] = set()
    for index, score in enumerate(scores or []):
        where = f"scores[{index}]"
        if not isinstance(score, dict):
            errors.append(field_error(where, "must be an object"))
            continue
        extra = set(score) - {"goal_id", "attainment", "weight", "notes", "achievement_status"}
        for name in sorted(extra):
            errors.append(field_error(f"{where}.{name}", "unknown field"))
        goal_id = _one_id(score.get("goal_id"), f"{where}.goal_id", errors)
        if goal_id is None or goal_id not in goal_ids:
            errors.append(field_error(f"{where}.goal_id", "must be a goal of this plan"))
        elif goal_id in seen:
            errors.append(field_error(f"{where}.goal_id", "scored twice"))
        else:
            seen.add(goal_id)
        attainment = score.get("attainment")
        if isinstance(attainment, bool) or attainment not in range(-2, 3):
            errors.append(field_error(f"{where}.attainment", "must be -2, -1, 0, 1 or 2"))
        weight = score.get("weight", 1)
        if weight is None:
            weight = 1
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
            errors.append(field_error(f"{where}.weight", "must be a positive number"))
        achievement = score.get("achievement_status") or ""
        if achievement and achievement not in GoalAchievement.values:
            errors.append(field_error(f"{where}.achievement_status", "not a goal achievement"))
        cleaned.append(
            {
                "goal_id": goal_id,
                "attainment": attainment,
                "weight": float(weight) if isinstance(weight, int | float) else 1.0,
                "notes": _to_text(score.get("notes")),
                "achievement_status": achievement,
            }
        )
    _raise(errors)
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        t_score = (
            round(gas_t_score([(s["attainment"], s["weight"]) for s in cleaned]), 2)
            if cleaned
            else None
        )
        review = PlanReview.objects.create(
            plan=plan,
            reviewed_on=reviewed_on,
            reviewed_by=acting_user,
            notes=_to_text(notes),
            gas_t_score=t_score,
            plan_version=expected_version + 1,
        )
        GoalReview.objects.bulk_create(
            [
                GoalReview(
                    review=review,
                    goal_id=s["goal_id"],
                    attainment=s["attainment"],
                    weight=s["weight"],
                    notes=s["notes"],
                )
                for s in cleaned
            ]
        )
        achieved: dict[str, Any] = {}
        for score in cleaned:
            if score["achievement_status"]:
                Goal.objects.filter(pk=score["goal_id"]).update(
                    achievement_status=score["achievement_status"], updated_at=timezone.now()
                )
                achieved[str(score["goal_id"])] = score["achievement_status"]
        interval = plan.case.program.model.plan_review_interval_days
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"Reviewed on {reviewed_on.isoformat()}"
            + (f" (GAS T-score {t_score:.1f})" if t_score is not None else ""),
            action=Action.CREATE,
            obj=review,
            plan_changes={"next_review_due": reviewed_on + timedelta(days=interval)},
            changes={
                "gas_t_score": t_score,
                "scores": len(cleaned),
                "achievement_status": achieved,
            },
        )
        from casework.monitoring.sweep import sweep_cases  # the review item closes at once

        sweep_cases(case_ids=[plan.case_id], acting_user=acting_user)
    return review


def plan_apply_template(
    *, acting_user: User, plan: CarePlan, expected_version: int, template: PlanTemplate
) -> CarePlan:
    """Add a template's need, its goals (target dates ``target_days`` from today) and their
    interventions to the plan, as one new version."""
    if template.organization_id != plan.organization_id or not template.is_active:
        raise NotFound("Template not found.")
    today = timezone.localdate()
    with transaction.atomic():
        _check_editable(acting_user, plan)
        _check_version(plan, expected_version)
        spec = template.need or {}
        need_fields, _ = _clean_need(
            plan,
            {
                "system": spec.get("system", ICD10_CM),
                "code": spec.get("code", ""),
                "display": spec.get("display", ""),
                "domain": spec.get("domain", ""),
            },
            None,
        )
        need = Need.objects.create(plan=plan, **need_fields)
        goals = 0
        interventions = 0
        for goal_spec in template.goals or []:
            days = goal_spec.get("target_days")
            goal = Goal.objects.create(
                plan=plan,
                client_words=str(goal_spec.get("client_words", "")),
                statement=str(goal_spec.get("statement", "")),
                measure=str(goal_spec.get("measure", "")),
                target=str(goal_spec.get("target", "")),
                priority=int(goal_spec.get("priority", 2)),
                start_date=today,
                target_date=today + timedelta(days=int(days)) if days else None,
                lifecycle_status=GoalLifecycle.PROPOSED,
            )
            goal.needs.add(need)
            goals += 1
            for action in goal_spec.get("interventions") or []:
                owner_type = action.get("owner_type", OwnerType.CASE_MANAGER)
                due = action.get("due_days")
                Intervention.objects.create(
                    plan=plan,
                    goal=goal,
                    description=str(action.get("description", "")),
                    owner_type=owner_type,
                    owner_user=acting_user if owner_type == OwnerType.CASE_MANAGER else None,
                    owner_name=plan.client.full_name if owner_type == OwnerType.CLIENT else "",
                    due_date=today + timedelta(days=int(due)) if due else None,
                )
                interventions += 1
        names = [n for n in [plan.template_name, template.name] if n]
        _commit(
            acting_user=acting_user,
            plan=plan,
            expected_version=expected_version,
            summary=f"Template applied: {template.name}",
            plan_changes={"template_name": "; ".join(dict.fromkeys(names))[:200]},
            changes={
                "template": template.name,
                "need": need.code,
                "goals": goals,
                "interventions": interventions,
            },
        )
    return plan
