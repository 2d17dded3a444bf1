"""Prompt rule shapes: what the API shows and what a program admin may change."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema, StrictBool, StrictInt


class PromptRuleOut(Schema):
    id: str
    version: int
    kind: str
    label: str
    model_id: str | None
    model_name: str | None
    enabled: bool
    priority: str
    lead_days: int
    days: int | None
    effective_days: int | None = Field(
        description="The days the sweep uses now: the rule's own, else the model's parameter"
    )
    assignee_role: str
    escalate_after_days: int | None
    effective_escalate_after_days: int | None
    parameters: dict[str, Any]
    source: str


class PromptRuleList(Schema):
    items: list[PromptRuleOut]
    next: str | None


class PromptRulePatch(InputSchema):
    version: StrictInt = Field(description="The version you read; a stale one is a 409")
    enabled: StrictBool | None = None
    priority: str | None = Field(None, description="routine, urgent or asap")
    lead_days: StrictInt | None = None
    days: StrictInt | None = Field(None, description="null with clear_days: use the model's")
    clear_days: StrictBool = False
    assignee_role: str | None = None
    escalate_after_days: StrictInt | None = None
    clear_escalate_after_days: StrictBool = False
    parameters: dict[str, StrictInt] | None = None


def _model_days(rule: Any) -> int | None:
    """The model parameter a rule with no ``days`` of its own stands for."""
    model = rule.model
    if model is None:
        return None
    return {
        "reassessment_due": model.reassessment_interval_days,
        "referral_follow_up": model.referral_followup_days,
    }.get(rule.kind)


def prompt_rule_out(rule: Any) -> dict[str, Any]:
    model = rule.model
    escalate = rule.escalate_after_days
    if escalate is None and model is not None:
        escalate = model.overdue_escalation_days
    return {
        "id": str(rule.id),
        "version": rule.version,
        "kind": rule.kind,
        "label": rule.get_kind_display(),
        "model_id": str(rule.model_id) if rule.model_id else None,
        "model_name": model.name if model is not None else None,
        "enabled": rule.enabled,
        "priority": rule.priority,
        "lead_days": rule.lead_days,
        "days": rule.days,
        "effective_days": rule.days if rule.days is not None else _model_days(rule),
        "assignee_role": rule.assignee_role,
        "escalate_after_days": rule.escalate_after_days,
        "effective_escalate_after_days": escalate,
        "parameters": rule.parameters or {},
        "source": rule.source,
    }
