"""Reads of programs and models: everyone in an organization sees its programs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from casework.core.errors import NotFound
from casework.programs.models import CaseManagementModel, Program


def programs_visible_to(user: Any) -> QuerySet[Program]:
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return Program.objects.none()
    return Program.objects.filter(organization_id=user.organization_id).select_related("model")


def program_get(*, user: Any, program_id: UUID | str) -> Program:
    try:
        return programs_visible_to(user).get(pk=program_id)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Program not found.") from exc


def models_visible_to(user: Any) -> QuerySet[CaseManagementModel]:
    if not getattr(user, "is_authenticated", False) or user.organization_id is None:
        return CaseManagementModel.objects.none()
    return CaseManagementModel.objects.filter(organization_id=user.organization_id)


def model_get(*, user: Any, model_id: UUID | str) -> CaseManagementModel:
    try:
        return models_visible_to(user).get(pk=model_id)
    except (CaseManagementModel.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Case management model not found.") from exc
