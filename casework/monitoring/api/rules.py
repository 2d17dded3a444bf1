"""Prompt rule endpoints: read the rules of a model (or the organization-wide staff rules) and,
for program admins, disable or retune one rule (with the version read)."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from casework.accounts.models import User
from casework.core.schemas import ERROR_RESPONSES
from casework.monitoring.schemas.rules import (
    PromptRuleList,
    PromptRuleOut,
    PromptRulePatch,
    prompt_rule_out,
)
from casework.monitoring.selectors.rules import prompt_rule_get, prompt_rules_for
from casework.monitoring.services.rules import prompt_rule_update

router = Router(tags=["prompt rules"])


class PromptRuleFilters(Schema):
    model_id: UUID | None = Field(None, description="Only this case management model's rules")
    organization_wide: bool = Field(False, description="Only the staff rules (no model)")


@router.get(
    "/prompt-rules",
    response={200: PromptRuleList, **ERROR_RESPONSES},
    summary="The prompt rules of my organization (of one model, or the staff rules)",
)
def list_prompt_rules(request: HttpRequest, filters: Query[PromptRuleFilters]) -> Any:
    # A handful per model: no paging needed, ``next`` is always null.
    rules = prompt_rules_for(
        request.user, model_id=filters.model_id, organization_wide=filters.organization_wide
    ).order_by("model__name", "kind")
    return {"items": [prompt_rule_out(rule) for rule in rules], "next": None}


@router.get(
    "/prompt-rules/{rule_id}",
    response={200: PromptRuleOut, **ERROR_RESPONSES},
    summary="One prompt rule",
)
def get_prompt_rule(request: HttpRequest, rule_id: UUID) -> Any:
    return prompt_rule_out(prompt_rule_get(user=request.user, rule_id=rule_id))


@router.patch(
    "/prompt-rules/{rule_id}",
    response={200: PromptRuleOut, **ERROR_RESPONSES},
    summary="Disable or retune one prompt rule (program admins; stale version → 409)",
)
def patch_prompt_rule(request: HttpRequest, rule_id: UUID, payload: PromptRulePatch) -> Any:
    user = cast(User, request.user)
    rule = prompt_rule_get(user=user, rule_id=rule_id)
    sent = payload.model_dump(exclude_unset=True)
    changes = {
        name: value
        for name, value in sent.items()
        if name not in {"version", "clear_days", "clear_escalate_after_days"} and value is not None
    }
    if sent.get("clear_days"):
        changes["days"] = None
    if sent.get("clear_escalate_after_days"):
        changes["escalate_after_days"] = None
    rule = prompt_rule_update(
        acting_user=user, rule=rule, expected_version=payload.version, changes=changes
    )
    return prompt_rule_out(rule)
