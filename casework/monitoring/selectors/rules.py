"""Reads of prompt rules: the rules of the acting user's own organization (others: 404)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from casework.core.errors import NotFound
from casework.monitoring.models import PromptRule


def prompt_rules_for(
    user: Any, *, model_id: UUID | None = None, organization_wide: bool = False
) -> QuerySet[PromptRule]:
    """The rules of ``user``'s organization: of one model, or the organization-wide staff rules,
    or all of them."""
    queryset = PromptRule.objects.filter(organization_id=user.organization_id).select_related(
        "model"
    )
    if model_id is not None:
        queryset = queryset.filter(model_id=model_id)
    elif organization_wide:
        queryset = queryset.filter(model__isnull=True)
    return queryset


def prompt_rule_get(*, user: Any, rule_id: UUID) -> PromptRule:
    rule = prompt_rules_for(user).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Prompt rule not found.")
    return rule
