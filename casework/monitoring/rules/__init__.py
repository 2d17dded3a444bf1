"""The prompt rules' logic, one evaluator per ``RuleKind`` (the numbers are ``PromptRule`` data).

``EVALUATORS[kind]`` is ``Evaluator(evaluate, source_types, scope)``: ``evaluate(ctx)`` returns the
items of that kind that should be open now (``casework.monitoring.rules.base.Wanted``);
``source_types`` are the sources its items carry (the reconciler closes open items of the kind
with those sources that are no longer wanted); ``scope`` says what a partial sweep restricts by
("case", "credential" -- the holder, or "capacity" -- the case manager).

``prompt_rules_seed(*, model)`` gives a model (and its organization) the default rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from casework.monitoring.rules import cases, coordination, staff
from casework.monitoring.rules.base import Context, Wanted
from casework.monitoring.services.rules import prompt_rules_seed


@dataclass(frozen=True)
class Evaluator:
    evaluate: Callable[[Context], list[Wanted]]
    source_types: list[str]
    scope: str = "case"


EVALUATORS: dict[str, Evaluator] = {}
for kind, (evaluate, sources) in {**cases.EVALUATORS, **coordination.EVALUATORS}.items():
    EVALUATORS[str(kind)] = Evaluator(evaluate, sources, "case")
EVALUATORS[str(staff.RuleKind.CREDENTIAL_EXPIRING)] = Evaluator(
    staff.credential_expiring, [staff.CREDENTIAL_SOURCE], "credential"
)
EVALUATORS[str(staff.RuleKind.OVER_CAPACITY)] = Evaluator(
    staff.over_capacity, [staff.CAPACITY_SOURCE], "capacity"
)

__all__ = ["EVALUATORS", "Context", "Evaluator", "Wanted", "prompt_rules_seed"]
