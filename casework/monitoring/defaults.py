"""The prompt rules every case management model starts with, and where each number comes from.

Plain data (no ORM), so the data migration that seeds rules for models that already exist uses
the same table as ``prompt_rules_seed``. Numbers the model itself holds (contact frequency per
risk tier, face-to-face tiers, reassessment and plan-review intervals, referral follow-up days,
overdue escalation days) are NOT copied here: a rule with ``days`` empty reads them from its
model when the sweep runs, so retuning the model retunes the rule. ``docs/monitoring.md`` is the
long form.

Sources
-------
[NCQA-CM] NCQA Population Health Management standards, complex case management: the system
          prompts staff automatically for follow-up and for the next scheduled contact.
[HEDIS]   NCQA HEDIS Follow-Up After Hospitalization for Mental Illness (FUH): a follow-up visit
          within 7 and within 30 days after discharge; NCQA HEDIS Transitions of Care (TRC),
          patient engagement within 30 days after an inpatient discharge.
[DACTS]   Teague, Bond and Drake 1998 (ACT fidelity): assertive engagement -- an ACT team reaches
          out at once when a client drops out of contact (why intensive no-shows are urgent).
[CMSA]    Case Management Society of America, Case Load Matrix (2008): caseload set by acuity.
[JUDGE]   casework judgement, stated as such where the literature gives no number.
"""

from __future__ import annotations

from typing import Any

# Rule kinds (kept as plain strings: the data migration imports this module without models).
CONTACT_DUE = "contact_due"
REASSESSMENT_DUE = "reassessment_due"
PLAN_REVIEW_DUE = "plan_review_due"
REFERRAL_FOLLOW_UP = "referral_follow_up"
APPOINTMENT_FOLLOW_UP = "appointment_follow_up"
APPOINTMENT_NO_SHOW = "appointment_no_show"
GOAL_TARGET_NEAR = "goal_target_near"
GOAL_TARGET_PASSED = "goal_target_passed"
POST_DISCHARGE_7 = "post_discharge_7"
POST_DISCHARGE_30 = "post_discharge_30"
CREDENTIAL_EXPIRING = "credential_expiring"
OVER_CAPACITY = "over_capacity"

# How long after the hours of an appointment its attendance should be on record.
APPOINTMENT_ATTENDANCE_HOURS = 24
# How far back a hospital discharge or a no-show still prompts a follow-up.
POST_DISCHARGE_LOOKBACK_DAYS = 90
NO_SHOW_LOOKBACK_DAYS = 60

# One rule per kind for every model. ``days: None`` = the model's own parameter.
MODEL_RULES: list[dict[str, Any]] = [
    {
        "kind": CONTACT_DUE,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "source": (
            "Due = last qualifying contact (face to face for the model's face-to-face tiers), "
            "else entry to intake, + the model's contact_frequency_days for the case's risk tier "
            "(docs/models.md). Prompting for the next contact: [NCQA-CM]. On the queue on the "
            "due day (lead 0): [JUDGE]."
        ),
    },
    {
        "kind": REASSESSMENT_DUE,
        "priority": "routine",
        "lead_days": 14,
        "days": None,
        "source": (
            "Due = last completed reassessment instrument (else entry to intake) + the model's "
            "reassessment_interval_days (docs/models.md; periodic reassessment: 42 CFR 440.169). "
            "On the queue two weeks early so it can be booked: [JUDGE]."
        ),
    },
    {
        "kind": PLAN_REVIEW_DUE,
        "priority": "routine",
        "lead_days": 14,
        "days": None,
        "source": (
            "Due = the active care plan's next review date, which agreement and each review set "
            "from the model's plan_review_interval_days (docs/models.md). Two weeks' lead: "
            "[JUDGE]."
        ),
    },
    {
        "kind": REFERRAL_FOLLOW_UP,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "source": (
            "An open referral with no update for longer than the model's referral_followup_days "
            "(docs/models.md; closing the referral loop: Gravity Project referral statuses)."
        ),
    },
    {
        "kind": APPOINTMENT_FOLLOW_UP,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "parameters": {"hours": APPOINTMENT_ATTENDANCE_HOURS},
        "source": (
            "A booked appointment that ended more than 24 hours ago with no attendance on "
            "record: [JUDGE] (one working day to record what happened)."
        ),
    },
    {
        "kind": APPOINTMENT_NO_SHOW,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "parameters": {"lookback_days": NO_SHOW_LOOKBACK_DAYS},
        "source": (
            "A no-show with no successful contact since: re-engage the client [NCQA-CM]. Urgent "
            "in intensive programs [DACTS]. No-shows older than 60 days no longer prompt: "
            "[JUDGE]."
        ),
    },
    {
        "kind": GOAL_TARGET_NEAR,
        "priority": "routine",
        "lead_days": 0,
        "days": 14,
        "source": (
            "An active goal whose target date is within 14 days: [JUDGE] (time for one more "
            "contact before the date)."
        ),
    },
    {
        "kind": GOAL_TARGET_PASSED,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "source": (
            "An active goal, not achieved, whose target date has passed: revise the date or the "
            "goal at the next contact ([NCQA-CM] care plan with goals and timeframes)."
        ),
    },
    {
        "kind": POST_DISCHARGE_7,
        "priority": "urgent",
        "lead_days": 7,
        "days": 7,
        "parameters": {"lookback_days": POST_DISCHARGE_LOOKBACK_DAYS},
        "source": (
            "Follow-up contact within 7 days of an inpatient discharge: [HEDIS] FUH 7-day rate. "
            "On the queue from the day of discharge (lead 7); urgent because the window is "
            "short: [JUDGE]."
        ),
    },
    {
        "kind": POST_DISCHARGE_30,
        "priority": "routine",
        "lead_days": 30,
        "days": 30,
        "parameters": {"lookback_days": POST_DISCHARGE_LOOKBACK_DAYS},
        "source": (
            "Follow-up contact within 30 days of an inpatient discharge: [HEDIS] FUH 30-day rate "
            "and TRC patient engagement. On the queue from the day of discharge (lead 30)."
        ),
    },
]

# Per model kind: what differs from the table above.
MODEL_OVERRIDES: dict[str, dict[str, dict[str, Any]]] = {
    "intensive": {APPOINTMENT_NO_SHOW: {"priority": "urgent"}},
}

# Organization-wide staff rules (no model).
ORGANIZATION_RULES: list[dict[str, Any]] = [
    {
        "kind": CREDENTIAL_EXPIRING,
        "priority": "routine",
        "lead_days": 0,
        "days": 60,
        "assignee_role": "staff_member",
        "escalate_after_days": 0,
        "source": (
            "A staff credential expiring within 60 days goes to its holder; once expired the item "
            "is urgent and escalates to the holder's team supervisor the day after: [JUDGE] (two "
            "months covers the renewal paperwork and continuing-education hours most licensing "
            "boards ask for)."
        ),
    },
    {
        "kind": OVER_CAPACITY,
        "priority": "routine",
        "lead_days": 0,
        "days": None,
        "assignee_role": "supervisor",
        "parameters": {"percent": 100},
        "source": (
            "A case manager carrying more caseload points than 100% of their caseload_capacity "
            "(points per case from the model and risk tier, [CMSA] Case Load Matrix by acuity): "
            "one item a week for each of their team supervisors until the load is back under."
        ),
    },
]


def model_rule_defaults(model_kind: str) -> list[dict[str, Any]]:
    """The rules a model of ``model_kind`` starts with (field values of ``PromptRule``)."""
    overrides = MODEL_OVERRIDES.get(model_kind, {})
    rules = []
    for spec in MODEL_RULES:
        rule = {"assignee_role": "case_manager", "parameters": {}, **spec}
        rule.update(overrides.get(spec["kind"], {}))
        rules.append(rule)
    return rules


def organization_rule_defaults() -> list[dict[str, Any]]:
    return [{"parameters": {}, "escalate_after_days": None, **spec} for spec in ORGANIZATION_RULES]
