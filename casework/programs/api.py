from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from casework.accounts.models import User
from casework.cases.schemas import CasePage, case_out
from casework.cases.selectors import waitlist_for_program
from casework.core.pagination import paginate
from casework.core.schemas import ERROR_RESPONSES
from casework.programs import services
from casework.programs.schemas import (
    ModelOut,
    ModelPatch,
    ProgramOut,
    ProgramPage,
    model_out,
    program_out,
)
from casework.programs.selectors import (
    model_get,
    models_visible_to,
    program_get,
    programs_visible_to,
)

router = Router(tags=["programs"])


class PageFilters(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/programs",
    response={200: ProgramPage, **ERROR_RESPONSES},
    summary="Programs of your organization",
)
def list_programs(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    queryset = programs_visible_to(request.user).prefetch_related("teams")
    page = paginate(queryset, ordering=["name", "id"], cursor=filters.cursor, limit=filters.limit)
    return {"items": [program_out(p) for p in page.items], "next": page.next}


@router.get("/programs/{program_id}", response={200: ProgramOut, **ERROR_RESPONSES})
def get_program(request: HttpRequest, program_id: UUID) -> Any:
    return program_out(program_get(user=request.user, program_id=program_id))


@router.get(
    "/programs/{program_id}/waitlist",
    response={200: CasePage, **ERROR_RESPONSES},
    summary="The program's waitlist, in the order people will be taken on",
)
def get_waitlist(request: HttpRequest, program_id: UUID) -> Any:
    program = program_get(user=request.user, program_id=program_id)
    cases = list(
        waitlist_for_program(user=request.user, program_id=program.id).select_related(
            "program", "program__model", "case_manager", "team", "referred_by"
        )
    )
    return {"items": [case_out(case) for case in cases], "next": None}


@router.get(
    "/models",
    response={200: list[ModelOut], **ERROR_RESPONSES},
    summary="Case management models of your organization",
)
def list_models(request: HttpRequest) -> Any:
    return [model_out(m) for m in models_visible_to(request.user).order_by("name")]


@router.get("/models/{model_id}", response={200: ModelOut, **ERROR_RESPONSES})
def get_model(request: HttpRequest, model_id: UUID) -> Any:
    return model_out(model_get(user=request.user, model_id=model_id))


@router.patch(
    "/models/{model_id}",
    response={200: ModelOut, **ERROR_RESPONSES},
    summary="Change a model's parameters (program admins)",
)
def update_model(request: HttpRequest, model_id: UUID, payload: ModelPatch) -> Any:
    model = model_get(user=request.user, model_id=model_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    model = services.model_update(
        acting_user=cast(User, request.user),
        model=model,
        expected_version=payload.version,
        changes=changes,
    )
    return model_out(model)
