"""Care plan endpoints: the plan, its parts, agreement, approval, reviews, versions, templates.

Every write carries the plan ``version`` it read (in the body; for DELETE as ``?version=``) and
answers with the plan's new ``version``; a stale one is a 409. Plans the user may not see are 404.
"""

# No ``from __future__ import annotations`` here: the per-section endpoints are built in a loop
# and django-ninja reads their (closure) annotations as real classes.

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.careplans import printing, selectors, services
from casework.careplans.diff import plan_versions_diff
from casework.careplans.schemas import (
    ITEM_OUT,
    AgreeIn,
    ApplyTemplateIn,
    BarrierIn,
    DiffOut,
    EducationIn,
    GoalIn,
    InterventionIn,
    ItemOut,
    NeedIn,
    NeedPatch,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlanSummaryPage,
    ReviewCreatedOut,
    ReviewIn,
    ReviewPage,
    StrengthIn,
    TemplatePage,
    VersionIn,
    VersionPage,
    plan_out,
    plan_summary_out,
    review_out,
    template_out,
    version_out,
)
from casework.cases.selectors import case_get
from casework.core.errors import NotFound, ValidationFailed, field_error
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES

router = Router(tags=["care plans"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _detail(request: HttpRequest, plan: Any) -> dict[str, Any]:
    detailed = selectors.plan_detail(plan)
    return plan_out(
        detailed, changed_since_agreement=selectors.plan_changed_since_agreement(detailed)
    )


class PageFilters(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


# ----------------------------------------------------------------------------------------------
# Plans


@router.post(
    "/cases/{case_id}/care-plans",
    response={201: PlanOut, **ERROR_RESPONSES},
    summary="Start a care plan for a case",
)
def create_plan(request: HttpRequest, case_id: UUID, payload: PlanIn) -> Any:
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    plan = services.plan_create(
        acting_user=user, case=case, title=payload.title, template_ids=payload.template_ids
    )
    return HttpStatus(201, _detail(request, plan))


@router.get(
    "/cases/{case_id}/care-plans",
    response={200: PlanSummaryPage, **ERROR_RESPONSES},
    summary="The care plans of a case, newest first",
)
def list_plans(request: HttpRequest, case_id: UUID, filters: Query[PageFilters]) -> Any:
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    page = paginate(
        selectors.plans_for_case(user=user, case=case),
        ordering=["-created_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(actor=user, object_type="careplans.careplan", ids=[p.pk for p in page.items])
    return {"items": [plan_summary_out(p) for p in page.items], "next": page.next}


@router.get(
    "/care-plans/{plan_id}", response={200: PlanOut, **ERROR_RESPONSES}, summary="A care plan"
)
def get_plan(request: HttpRequest, plan_id: UUID) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    audit_read(actor=user, obj=plan, client_id=plan.client_id)
    return _detail(request, plan)


@router.patch(
    "/care-plans/{plan_id}",
    response={200: PlanOut, **ERROR_RESPONSES},
    summary="Change the plan's own fields or its status",
)
def patch_plan(request: HttpRequest, plan_id: UUID, payload: PlanPatch) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    services.plan_update(acting_user=user, plan=plan, expected_version=version, changes=changes)
    return _detail(request, plan)


@router.post(
    "/care-plans/{plan_id}/agree",
    response={200: PlanOut, **ERROR_RESPONSES},
    summary="Record the client's agreement (signature or witnessed verbal)",
)
def agree_plan(request: HttpRequest, plan_id: UUID, payload: AgreeIn) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    services.plan_agree(
        acting_user=user,
        plan=plan,
        expected_version=payload.version,
        method=payload.method,
        agreed_by_name=payload.agreed_by_name,
        relationship=payload.relationship,
        signature=payload.signature,
        witness_name=payload.witness_name,
        agreed_on=payload.agreed_on,
    )
    return _detail(request, plan)


@router.post(
    "/care-plans/{plan_id}/approve",
    response={200: PlanOut, **ERROR_RESPONSES},
    summary="Supervisor approval, where the model requires it",
)
def approve_plan(request: HttpRequest, plan_id: UUID, payload: VersionIn) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    services.plan_approve(acting_user=user, plan=plan, expected_version=payload.version)
    return _detail(request, plan)


@router.post(
    "/care-plans/{plan_id}/apply-template",
    response={200: PlanOut, **ERROR_RESPONSES},
    summary="Add a template's need, goals and interventions",
)
def apply_template(request: HttpRequest, plan_id: UUID, payload: ApplyTemplateIn) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    try:
        template = selectors.template_get(user=user, template_id=payload.template_id)
    except NotFound as exc:
        raise ValidationFailed(
            "Template not found.", errors=[field_error("template_id", "not found")]
        ) from exc
    services.plan_apply_template(
        acting_user=user, plan=plan, expected_version=payload.version, template=template
    )
    return _detail(request, plan)


# ----------------------------------------------------------------------------------------------
# Reviews and versions


@router.post(
    "/care-plans/{plan_id}/reviews",
    response={201: ReviewCreatedOut, **ERROR_RESPONSES},
    summary="Record a review with Goal Attainment Scaling per goal",
)
def create_review(request: HttpRequest, plan_id: UUID, payload: ReviewIn) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    review = services.plan_review_record(
        acting_user=user,
        plan=plan,
        expected_version=payload.version,
        reviewed_on=payload.reviewed_on,
        notes=payload.notes,
        scores=[score.model_dump() for score in payload.scores],
    )
    review = selectors.plan_reviews(plan).get(pk=review.pk)
    return HttpStatus(
        201, {"plan_id": str(plan.pk), "version": plan.version, "review": review_out(review)}
    )


@router.get(
    "/care-plans/{plan_id}/reviews",
    response={200: ReviewPage, **ERROR_RESPONSES},
    summary="The plan's reviews, newest first",
)
def list_reviews(request: HttpRequest, plan_id: UUID, filters: Query[PageFilters]) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    page = paginate(
        selectors.plan_reviews(plan),
        ordering=["-reviewed_on", "-created_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read_many(actor=user, object_type="careplans.planreview", ids=[r.pk for r in page.items])
    return {"items": [review_out(r) for r in page.items], "next": page.next}


@router.get(
    "/care-plans/{plan_id}/versions",
    response={200: VersionPage, **ERROR_RESPONSES},
    summary="The plan's versions, oldest first",
)
def list_versions(request: HttpRequest, plan_id: UUID, filters: Query[PageFilters]) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    page = paginate(
        selectors.plan_versions(plan),
        ordering=["number", "id"],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="versions")
    return {"items": [version_out(v) for v in page.items], "next": page.next}


class DiffFilters(Schema):
    from_number: int = Field(alias="from")
    to_number: int = Field(alias="to")


@router.get(
    "/care-plans/{plan_id}/versions/diff",
    response={200: DiffOut, **ERROR_RESPONSES},
    summary="What changed between two versions (?from=1&to=3)",
)
def diff_versions(request: HttpRequest, plan_id: UUID, filters: Query[DiffFilters]) -> Any:
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    changes = plan_versions_diff(plan, filters.from_number, filters.to_number)
    audit_read(actor=user, obj=plan, client_id=plan.client_id, purpose="version diff")
    return {
        "plan_id": str(plan.pk),
        "from_number": filters.from_number,
        "to_number": filters.to_number,
        "changes": changes,
    }


# ----------------------------------------------------------------------------------------------
# Templates


class TemplateFilters(PageFilters):
    model_kind: str | None = None


@router.get(
    "/care-plan-templates",
    response={200: TemplatePage, **ERROR_RESPONSES},
    summary="The organization's need → goal → intervention templates",
)
def list_templates(request: HttpRequest, filters: Query[TemplateFilters]) -> Any:
    queryset = selectors.templates_visible_to(request.user, model_kind=filters.model_kind)
    page = paginate(queryset, ordering=["name", "id"], cursor=filters.cursor, limit=filters.limit)
    return {"items": [template_out(t) for t in page.items], "next": page.next}


# ----------------------------------------------------------------------------------------------
# Parts of the plan: POST /care-plans/{id}/{section}, PATCH/DELETE .../{section}/{item_id}

_WRITES: dict[str, tuple[type[Schema], type[Schema], Any, Any, Any]] = {
    "needs": (NeedIn, NeedPatch, services.need_add, services.need_update, services.need_remove),
    "goals": (GoalIn, GoalIn, services.goal_add, services.goal_update, services.goal_remove),
    "strengths": (
        StrengthIn,
        StrengthIn,
        services.strength_add,
        services.strength_update,
        services.strength_remove,
    ),
    "barriers": (
        BarrierIn,
        BarrierIn,
        services.barrier_add,
        services.barrier_update,
        services.barrier_remove,
    ),
    "interventions": (
        InterventionIn,
        InterventionIn,
        services.intervention_add,
        services.intervention_update,
        services.intervention_remove,
    ),
    "education": (
        EducationIn,
        EducationIn,
        services.education_record,
        services.education_update,
        services.education_remove,
    ),
}


def _data(payload: Schema) -> tuple[int, dict[str, Any]]:
    data = payload.model_dump(exclude_unset=True)
    version = int(data.pop("version"))
    return version, data


def _item_response(plan: Any, section: str, item: Any) -> dict[str, Any]:
    return {
        "plan_id": str(plan.pk),
        "version": plan.version,
        "item": ITEM_OUT[section](item) if item is not None else None,
    }


def _register(section: str) -> None:
    schema_in, schema_patch, add, update, remove = _WRITES[section]
    noun = section.rstrip("s") if section != "education" else "education"

    def add_item(request: HttpRequest, plan_id: UUID, payload: schema_in) -> Any:  # type: ignore[valid-type]
        user = _user(request)
        plan = selectors.plan_get(user=user, plan_id=plan_id)
        version, data = _data(payload)
        item = add(acting_user=user, plan=plan, expected_version=version, data=data)
        item = selectors.plan_item_get(plan=plan, section=section, item_id=item.pk)
        return HttpStatus(201, _item_response(plan, section, item))

    def update_item(
        request: HttpRequest,
        plan_id: UUID,
        item_id: UUID,
        payload: schema_patch,  # type: ignore[valid-type]
    ) -> Any:
        user = _user(request)
        plan = selectors.plan_get(user=user, plan_id=plan_id)
        item = selectors.plan_item_get(plan=plan, section=section, item_id=item_id)
        version, data = _data(payload)
        update(acting_user=user, plan=plan, expected_version=version, item=item, data=data)
        item = selectors.plan_item_get(plan=plan, section=section, item_id=item_id)
        return _item_response(plan, section, item)

    def remove_item(request: HttpRequest, plan_id: UUID, item_id: UUID, version: int) -> Any:
        user = _user(request)
        plan = selectors.plan_get(user=user, plan_id=plan_id)
        item = selectors.plan_item_get(plan=plan, section=section, item_id=item_id)
        remove(acting_user=user, plan=plan, expected_version=version, item=item)
        return _item_response(plan, section, None)

    router.post(
        f"/care-plans/{{plan_id}}/{section}",
        response={201: ItemOut, **ERROR_RESPONSES},
        summary=f"Add {noun} to a care plan",
        operation_id=f"careplan_{section}_add",
    )(add_item)
    router.patch(
        f"/care-plans/{{plan_id}}/{section}/{{item_id}}",
        response={200: ItemOut, **ERROR_RESPONSES},
        summary=f"Change a {noun} of a care plan",
        operation_id=f"careplan_{section}_update",
    )(update_item)
    router.delete(
        f"/care-plans/{{plan_id}}/{section}/{{item_id}}",
        response={200: ItemOut, **ERROR_RESPONSES},
        summary=f"Remove a {noun} from a care plan (?version=)",
        operation_id=f"careplan_{section}_remove",
    )(remove_item)


for _section in _WRITES:
    _register(_section)


@router.get(
    "/care-plans/{plan_id}/pdf",
    response={200: None, **ERROR_RESPONSES},
    summary="The plan as a PDF in the client's preferred language (?lang=en|es overrides)",
)
def get_plan_pdf(request: HttpRequest, plan_id: UUID) -> Any:
    user = _user(request)
    return printing.pdf_response(request, user, selectors.plan_get(user=user, plan_id=plan_id))


@router.get(
    "/care-plans/{plan_id}/print",
    response={200: None, **ERROR_RESPONSES},
    summary="The printable plan (HTML) in the client's preferred language (?lang= overrides)",
)
def get_plan_print(request: HttpRequest, plan_id: UUID) -> Any:
    user = _user(request)
    return printing.print_response(request, user, selectors.plan_get(user=user, plan_id=plan_id))
