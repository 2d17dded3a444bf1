"""Care plan pages: start a plan from a case, the plan editor (HTMX inline add/edit/remove per
section), agreement and approval, reviews with Goal Attainment Scaling, versions and their
differences, and the printable plan (page and PDF) in the client's language.

Views parse input with a form, fetch through access-scoped selectors (``plan_get``,
``case_get``), call one service and render; every page showing client data is audited. Each
change names the plan version the person read, so a stale one says "changed by someone else".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.accounts.selectors import staff_of_organization, teams_supervised_by
from casework.assessments.selectors import needs_for_client
from casework.audit.services import audit_read
from casework.careplans import forms as plan_forms
from casework.careplans import printing, selectors, services
from casework.careplans.diff import plan_versions_diff
from casework.careplans.i18n import Labels
from casework.careplans.models import CarePlan, GoalLifecycle
from casework.cases.selectors import case_get
from casework.core.errors import NotFound
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, humanize, is_htmx, web_errors

# Goals still being worked on: the ones a review scores.
OPEN_GOALS = {GoalLifecycle.ACTIVE, GoalLifecycle.ACCEPTED, GoalLifecycle.PLANNED}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# ----------------------------------------------------------------------------------------------
# Sections of the editor


@dataclass(frozen=True)
class Section:
    """One editable list of the plan: its form, its services and how form data maps to them."""

    key: str
    noun: str
    related: str
    form: type[forms.Form]
    add: str
    update: str
    remove: str
    field_map: dict[str, str]


SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section(
            "needs",
            "need",
            "needs",
            plan_forms.NeedForm,
            "need_add",
            "need_update",
            "need_remove",
            {},
        ),
        Section(
            "goals",
            "goal",
            "goals",
            plan_forms.GoalForm,
            "goal_add",
            "goal_update",
            "goal_remove",
            {"need_ids": "needs", "strength_ids": "strengths"},
        ),
        Section(
            "strengths",
            "strength",
            "strengths",
            plan_forms.StrengthForm,
            "strength_add",
            "strength_update",
            "strength_remove",
            {},
        ),
        Section(
            "barriers",
            "barrier",
            "barriers",
            plan_forms.BarrierForm,
            "barrier_add",
            "barrier_update",
            "barrier_remove",
            {"goal_id": "goal"},
        ),
        Section(
            "interventions",
            "action",
            "interventions",
            plan_forms.InterventionForm,
            "intervention_add",
            "intervention_update",
            "intervention_remove",
            {"goal_id": "goal", "owner_user_id": "owner_user", "owner": "owner_user"},
        ),
        Section(
            "education",
            "education record",
            "education",
            plan_forms.EducationForm,
            "education_record",
            "education_update",
            "education_remove",
            {},
        ),
    )
}


def _section(key: str) -> Section:
    section = SECTIONS.get(key)
    if section is None:
        raise NotFound("No such part of a care plan.")
    return section


def _service(name: str) -> Callable[..., Any]:
    function = getattr(services, name, None)
    if function is None:
        raise NotFound("This change is not available.")
    return cast(Callable[..., Any], function)


def _form_kwargs(section: Section, plan: CarePlan, user: User) -> dict[str, Any]:
    if section.key == "goals":
        return {"needs": plan.needs.all(), "strengths": plan.strengths.all()}
    if section.key == "barriers":
        return {"goals": plan.goals.all()}
    if section.key == "interventions":
        return {
            "goals": plan.goals.all(),
            "staff": staff_of_organization(user).order_by("last_name", "first_name", "username"),
        }
    return {}


def _initial(item: Any, form_class: type[forms.Form]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in form_class.base_fields:
        if name == "version":
            continue
        value: Any = getattr(item, name, None)
        related = getattr(value, "all", None)
        initial[name] = list(related()) if callable(related) else value
    return initial


def _data_for(section: Section, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Form values -> the service's ``data``: related rows as ids."""
    data: dict[str, Any] = {}
    for name, value in cleaned.items():
        if name == "version":
            continue
        if section.key == "goals" and name in {"needs", "strengths"}:
            data[f"{name[:-1]}_ids"] = [str(row.pk) for row in value or []]
        elif name in {"goal", "owner_user"}:
            data[f"{name}_id"] = str(value.pk) if value is not None else None
        elif value is None:
            data[name] = None
        else:
            data[name] = value
    return data


def _new_form(section: Section, plan: CarePlan, user: User, data: Any = None) -> forms.Form:
    return section.form(
        data,
        initial={"version": plan.version},
        auto_id=f"{section.key}-new-%s",
        **_form_kwargs(section, plan, user),
    )


def _edit_form(
    section: Section, plan: CarePlan, user: User, item: Any, data: Any = None
) -> forms.Form:
    initial = _initial(item, section.form)
    initial["version"] = plan.version
    return section.form(
        data,
        initial=initial,
        auto_id=f"{section.key}-{item.pk}-%s",
        **_form_kwargs(section, plan, user),
    )


def _item(plan: CarePlan, section: Section, item_id: UUID) -> Any:
    return selectors.plan_item_get(plan=plan, section=section.key, item_id=item_id)


# ----------------------------------------------------------------------------------------------
# Rendering the editor


@dataclass
class Bound:
    """A form the person submitted that is shown again (with errors) in its place."""

    section: str
    item_id: str  # "new" for an add form
    form: forms.Form


def _proposed_needs(plan: CarePlan) -> Any:
    taken = [pk for pk in plan.needs.values_list("proposed_need_id", flat=True) if pk]
    return needs_for_client(client=plan.client, status="open").exclude(pk__in=taken)


def _editor_context(
    request: HttpRequest,
    plan: CarePlan,
    *,
    bound: Bound | None = None,
    editing: tuple[str, str] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    user = _user(request)
    sections: dict[str, Any] = {}
    for key, section in SECTIONS.items():
        items = list(getattr(plan, section.related).all())
        rows = []
        for item in items:
            form = None
            if bound and bound.section == key and bound.item_id == str(item.pk):
                form = bound.form
            elif editing == (key, str(item.pk)):
                form = _edit_form(section, plan, user, item)
            rows.append({"item": item, "form": form})
        add_form = (
            bound.form
            if bound and bound.section == key and bound.item_id == "new"
            else _new_form(section, plan, user)
        )
        sections[key] = {
            "key": key,
            "noun": section.noun,
            "rows": rows,
            "add_form": add_form,
            "add_open": bool(bound and bound.section == key and bound.item_id == "new"),
        }
    proposed = _proposed_needs(plan)
    proposed_form = (
        bound.form
        if bound and bound.section == "proposed"
        else plan_forms.ProposedNeedForm(
            initial={"version": plan.version}, proposed=proposed, auto_id="proposed-%s"
        )
    )
    self_form = (
        bound.form
        if bound and bound.section == "self"
        else plan_forms.SelfManagementForm(
            initial={
                "version": plan.version,
                "self_management": plan.self_management,
                "crisis_plan": plan.crisis_plan,
            },
            auto_id="self-%s",
        )
    )
    agreement_form = (
        bound.form
        if bound and bound.section == "agreement"
        else plan_forms.AgreementForm(
            initial={
                "version": plan.version,
                "agreed_by_name": plan.client.full_name,
                "relationship": "self",
                "witness_name": user.display_name,
                "agreed_on": timezone.localdate(),
            },
            auto_id="agreement-%s",
        )
    )
    approve_form = (
        bound.form
        if bound and bound.section == "approve"
        else plan_forms.VersionForm(initial={"version": plan.version}, auto_id="approve-%s")
    )
    model = plan.case.program.model
    approval_required = "care_plan" in (model.approvals_required or [])
    return {
        "plan": plan,
        "case": plan.case,
        "client": plan.client,
        "sections": sections,
        "goal_words": {goal.pk: goal.client_words for goal in plan.goals.all()},
        "proposed_form": proposed_form,
        "has_proposed": proposed.exists(),
        "self_form": self_form,
        "agreement_form": agreement_form,
        "approve_form": approve_form,
        "approval_required": approval_required,
        "can_approve": approval_required and _may_approve(user, plan),
        "agreed_current": plan.agreed_version is not None and plan.agreed_version == plan.version,
        "approved_current": plan.approved_version is not None
        and plan.approved_version == plan.version,
        "notice": notice,
        "bound": bound,
        "reviews": _reviews(plan)[:5],
    }


def _may_approve(user: User, plan: CarePlan) -> bool:
    """Whether to offer the approve button: a program admin, or a supervisor of the case's team
    (the service decides; this only avoids offering a button that would be refused)."""
    if str(user.role) == "program_admin":
        return True
    team_id = plan.case.team_id
    return team_id is not None and teams_supervised_by(user).filter(pk=team_id).exists()


def _render_editor(
    request: HttpRequest,
    plan: CarePlan,
    *,
    bound: Bound | None = None,
    editing: tuple[str, str] | None = None,
    notice: str = "",
    error_lines: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    # Access first, then the whole plan in a constant number of queries.
    plan = selectors.plan_detail(selectors.plan_get(user=request.user, plan_id=plan.pk))
    audit_read(actor=_user(request), obj=plan, client_id=plan.client_id)
    context = _editor_context(request, plan, bound=bound, editing=editing, notice=notice)
    context["error_lines"] = error_lines or []
    template = "careplans/_editor.html" if is_htmx(request) else "careplans/editor.html"
    return render(request, template, context, status=status)


def _after_change(request: HttpRequest, plan: CarePlan, notice: str) -> HttpResponse:
    if is_htmx(request):
        return _render_editor(request, plan, notice=notice)
    messages.success(request, notice)
    return redirect("careplans:detail", plan_id=plan.pk)


def _refused(request: HttpRequest, plan: CarePlan, bound: Bound) -> HttpResponse:
    return _render_editor(request, plan, bound=bound, status=form_status(bound.form))


# ----------------------------------------------------------------------------------------------
# Pages: start, editor, section changes


@login_required
@web_errors
def case_plan(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The case's care plan, or the form to start one (optionally from templates)."""
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    plan = selectors.plan_for_case(user=user, case=case)
    if plan is not None:
        return redirect("careplans:detail", plan_id=plan.pk)
    templates = selectors.templates_visible_to(user, model_kind=case.program.model.kind)
    form = plan_forms.PlanStartForm(
        request.POST if request.method == "POST" else None, templates=templates
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["templates"]
        with form_errors(form):
            plan = services.plan_create(
                acting_user=user,
                case=case,
                title=form.cleaned_data["title"],
                template_ids=[t.pk for t in chosen] or None,
            )
        if not form.errors and plan is not None:
            messages.success(request, "Care plan started.")
            return redirect("careplans:detail", plan_id=plan.pk)
    if request.method == "POST":
        status = form_status(form)
    audit_read(actor=user, obj=case, client_id=case.client_id, purpose="care plan")
    context = {"case": case, "client": case.client, "form": form}
    return render(request, "careplans/start.html", context, status=status)


@login_required
@web_errors
def plan_detail(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return _render_editor(request, plan)


@login_required
@require_POST
@web_errors
def section_add(request: HttpRequest, plan_id: UUID, section_key: str) -> HttpResponse:
    section = _section(section_key)
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = _new_form(section, plan, _user(request), request.POST)
    if form.is_valid():
        with form_errors(form, section.field_map):
            _service(section.add)(
                acting_user=_user(request),
                plan=plan,
                expected_version=form.cleaned_data["version"],
                data=_data_for(section, form.cleaned_data),
            )
        if not form.errors:
            return _after_change(request, plan, f"{section.noun.capitalize()} added.")
    return _refused(request, plan, Bound(section.key, "new", form))


@login_required
@web_errors
def item_edit(request: HttpRequest, plan_id: UUID, section_key: str, item_id: UUID) -> HttpResponse:
    """GET: the editor with this item's form open; POST: save it."""
    section = _section(section_key)
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    item = _item(plan, section, item_id)
    if request.method != "POST":
        return _render_editor(request, plan, editing=(section.key, str(item.pk)))
    form = _edit_form(section, plan, _user(request), item, request.POST)
    if form.is_valid():
        with form_errors(form, section.field_map):
            _service(section.update)(
                acting_user=_user(request),
                plan=plan,
                expected_version=form.cleaned_data["version"],
                item=item,
                data=_data_for(section, form.cleaned_data),
            )
        if not form.errors:
            return _after_change(request, plan, f"{section.noun.capitalize()} saved.")
    return _refused(request, plan, Bound(section.key, str(item.pk), form))


@login_required
@require_POST
@web_errors
def item_remove(
    request: HttpRequest, plan_id: UUID, section_key: str, item_id: UUID
) -> HttpResponse:
    section = _section(section_key)
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    item = _item(plan, section, item_id)
    form = plan_forms.VersionForm(request.POST, auto_id=f"{section.key}-{item.pk}-remove-%s")
    if form.is_valid():
        with form_errors(form):
            _service(section.remove)(
                acting_user=_user(request),
                plan=plan,
                expected_version=form.cleaned_data["version"],
                item=item,
            )
        if not form.errors:
            return _after_change(request, plan, f"{section.noun.capitalize()} removed.")
    # The remove button has no form of its own to mark: the refusal goes at the top.
    lines = [str(error) for error in form.non_field_errors()] or [
        "The plan version is missing; reload the page and try again."
    ]
    return _render_editor(request, plan, error_lines=lines, status=form_status(form))


@login_required
@require_POST
@web_errors
def needs_from_proposed(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """Add a need the client's screening proposed (coded, linked to its evidence)."""
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = plan_forms.ProposedNeedForm(
        request.POST, proposed=_proposed_needs(plan), auto_id="proposed-%s"
    )
    if form.is_valid():
        proposed = form.cleaned_data["proposed_need"]
        with form_errors(form, {"proposed_need_id": "proposed_need"}):
            services.need_add(
                acting_user=_user(request),
                plan=plan,
                expected_version=form.cleaned_data["version"],
                data={
                    "proposed_need_id": str(proposed.pk),
                    "priority": form.cleaned_data["priority"],
                },
            )
        if not form.errors:
            return _after_change(request, plan, "Need added from the screening.")
    return _refused(request, plan, Bound("proposed", "new", form))


@login_required
@require_POST
@web_errors
def self_management(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = plan_forms.SelfManagementForm(request.POST, auto_id="self-%s")
    if form.is_valid():
        with form_errors(form):
            services.plan_update(
                acting_user=_user(request),
                plan=plan,
                expected_version=form.cleaned_data["version"],
                changes={
                    "self_management": form.cleaned_data["self_management"],
                    "crisis_plan": form.cleaned_data["crisis_plan"],
                },
            )
        if not form.errors:
            return _after_change(request, plan, "Self-management plan saved.")
    return _refused(request, plan, Bound("self", "new", form))


@login_required
@require_POST
@web_errors
def plan_agree(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """The client (or representative) agrees: signed on screen, or verbally with a witness."""
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = plan_forms.AgreementForm(request.POST, auto_id="agreement-%s")
    if form.is_valid():
        data = form.cleaned_data
        with form_errors(form, {"relationship": "relationship"}):
            services.plan_agree(
                acting_user=_user(request),
                plan=plan,
                expected_version=data["version"],
                method=data["method"],
                agreed_by_name=data["agreed_by_name"],
                relationship=data["relationship"],
                signature=data["signature"] if data["method"] == "signature" else "",
                witness_name=data["witness_name"],
                agreed_on=data["agreed_on"],
            )
        if not form.errors:
            return _after_change(request, plan, "Agreement recorded.")
        _name_failed_guards(form)
    return _refused(request, plan, Bound("agreement", "new", form))


def _name_failed_guards(form: forms.Form) -> None:
    """A refused agreement lists each missing piece (an active goal, strengths) on its own."""
    exc = getattr(form, "application_error", None)
    guards = [
        humanize(str(e.get("message", ""))) for e in getattr(exc, "errors", []) if e.get("guard")
    ]
    if guards:
        form.errors[NON_FIELD_ERRORS] = form.error_class(guards)


@login_required
@require_POST
@web_errors
def plan_approve(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = plan_forms.VersionForm(request.POST, auto_id="approve-%s")
    if form.is_valid():
        with form_errors(form):
            services.plan_approve(
                acting_user=_user(request), plan=plan, expected_version=form.cleaned_data["version"]
            )
        if not form.errors:
            return _after_change(request, plan, "Plan approved.")
    return _refused(request, plan, Bound("approve", "new", form))


# ----------------------------------------------------------------------------------------------
# Reviews


def _reviews(plan: CarePlan) -> list[Any]:
    return list(selectors.plan_reviews(plan).prefetch_related("goal_scores__goal"))


def _open_goals(plan: CarePlan) -> list[Any]:
    return [goal for goal in plan.goals.all() if goal.lifecycle_status in OPEN_GOALS]


@login_required
@web_errors
def review_new(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """Score each open goal on Goal Attainment Scaling (-2 … +2); the T-score is computed."""
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    goals = _open_goals(plan)
    initial = {"version": plan.version, "reviewed_on": timezone.localdate()}
    for goal in goals:
        initial[f"weight-{goal.pk}"] = 1
    form = plan_forms.ReviewForm(
        request.POST if request.method == "POST" else None, initial=initial, goals=goals
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form, {"scores": "notes"}):
                review = services.plan_review_record(
                    acting_user=user,
                    plan=plan,
                    expected_version=form.cleaned_data["version"],
                    reviewed_on=form.cleaned_data["reviewed_on"],
                    notes=form.cleaned_data["notes"],
                    scores=form.scores(),
                )
            if not form.errors:
                score = getattr(review, "gas_t_score", None)
                text = "Review saved."
                if score is not None:
                    text = f"Review saved. GAS T-score {score:.1f}."
                messages.success(request, text)
                return redirect("careplans:reviews", plan_id=plan.pk)
        status = form_status(form)
        plan = selectors.plan_get(user=user, plan_id=plan_id)
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="review form")
    context = {
        "plan": plan,
        "client": plan.client,
        "case": plan.case,
        "form": form,
        "rows": form.rows(),
        "reviews": _reviews(plan),
    }
    return render(request, "careplans/review_form.html", context, status=status)


@login_required
@web_errors
def review_list(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="reviews")
    context = {
        "plan": plan,
        "client": plan.client,
        "case": plan.case,
        "reviews": _reviews(plan),
    }
    return render(request, "careplans/reviews.html", context)


# ----------------------------------------------------------------------------------------------
# Versions


@login_required
@web_errors
def version_list(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    versions = list(selectors.plan_versions(plan).order_by("-number"))
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="versions")
    context = {"plan": plan, "client": plan.client, "case": plan.case, "versions": versions}
    return render(request, "careplans/versions.html", context)


@login_required
@web_errors
def version_diff(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """What changed between two versions (``?from=1&to=3``): added, removed and changed items."""
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    form = plan_forms.DiffForm(
        {"from_number": request.GET.get("from", ""), "to_number": request.GET.get("to", "")}
    )
    numbers = set(selectors.plan_versions(plan).values_list("number", flat=True))
    changes: list[dict[str, Any]] = []
    status = 200
    if form.is_valid():
        low, high = form.cleaned_data["from_number"], form.cleaned_data["to_number"]
        for name, number in (("from_number", low), ("to_number", high)):
            if number not in numbers:
                form.add_error(name, f"This plan has no version {number}.")
        if not form.errors:
            changes = plan_versions_diff(plan, low, high)
    if form.errors:
        status = 422
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="version diff")
    context = {
        "plan": plan,
        "client": plan.client,
        "case": plan.case,
        "form": form,
        "rows": diff_rows(changes, _diff_names(plan, user, changes)),
        "numbers": sorted(numbers),
    }
    return render(request, "careplans/diff.html", context, status=status)


HIDDEN_DIFF_FIELDS = {"id", "label", "created_at", "updated_at", "version"}
KIND_LABELS = {"added": "Added", "removed": "Removed", "changed": "Changed"}
SECTION_LABELS = {
    "plan": "Plan",
    "needs": "Needs",
    "goals": "Goals",
    "strengths": "Strengths",
    "barriers": "Barriers",
    "interventions": "Interventions",
    "education": "Education",
}
ENGLISH = Labels("en")


def _diff_names(plan: CarePlan, user: User, changes: list[dict[str, Any]]) -> dict[str, str]:
    """Names for the ids a diff mentions (linked goals, needs, strengths; staff), so the page
    says "Goal: Find a flat" rather than a UUID."""
    names = {str(c["id"]): str(c.get("label") or "") for c in changes if c.get("id")}
    for goal in plan.goals.all():
        names.setdefault(str(goal.pk), goal.client_words[:80])
    for need in plan.needs.all():
        names.setdefault(str(need.pk), f"{need.code} {need.display}")
    for strength in plan.strengths.all():
        names.setdefault(str(strength.pk), strength.description[:80])
    staff_ids = {
        str(value)
        for change in changes
        for entry in change.get("fields") or []
        if str(entry.get("field", "")).endswith("_id") and entry.get("field") != "goal_id"
        for value in (entry.get("old"), entry.get("new"))
        if value
    }
    if staff_ids:
        for person in staff_of_organization(user).filter(pk__in=staff_ids):
            names[str(person.pk)] = person.display_name
    return names


def _shown(value: Any, names: dict[str, str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_shown(v, names) for v in value)
    text = str(value)
    if text in names:
        return names[text]
    return ENGLISH.choice(text)


def _field_name(name: str) -> str:
    for suffix in ("_ids", "_id"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix) + ("s" if suffix == "_ids" else "")
    return name.replace("_", " ").capitalize()


def diff_rows(changes: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, str]]:
    """The diff as table rows, one per field: for a changed item the fields that changed, for
    an added or removed item the fields it had."""
    rows = []
    for change in changes:
        kind = str(change.get("change") or "changed")
        section = str(change.get("section") or "plan")
        base = {
            "kind": kind,
            "kind_label": KIND_LABELS.get(kind, kind.capitalize()),
            "section": SECTION_LABELS.get(section, section.capitalize()),
            "label": str(change.get("label") or ""),
        }
        for entry in change.get("fields") or []:
            name = str(entry.get("field", ""))
            old, new = _shown(entry.get("old"), names), _shown(entry.get("new"), names)
            if name in HIDDEN_DIFF_FIELDS or (kind != "changed" and not (old or new)):
                continue
            rows.append({**base, "field": _field_name(name), "old": old, "new": new})
    return rows


# ----------------------------------------------------------------------------------------------
# Printable plan


@login_required
@web_errors
def plan_print(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """The plan as a page to print, in the client's preferred language (``?lang=`` overrides)."""
    user = _user(request)
    return printing.print_response(request, user, selectors.plan_get(user=user, plan_id=plan_id))


@login_required
@web_errors
def plan_pdf(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    user = _user(request)
    return printing.pdf_response(request, user, selectors.plan_get(user=user, plan_id=plan_id))


def plan_url(plan: CarePlan) -> str:
    return reverse("careplans:detail", args=[plan.pk])
