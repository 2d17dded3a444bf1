"""Evaluators of the coordination rules: silent referrals, appointments whose attendance is not on
record, and no-shows nobody has followed up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q

from casework.cases.models import OPEN
from casework.coordination.models import (
    Appointment,
    AppointmentStatus,
    Referral,
    ReferralStatus,
)
from casework.core.bulk import fast_values
from casework.encounters.models import Contact, ContactOutcome, ContactStatus
from casework.monitoring.defaults import APPOINTMENT_ATTENDANCE_HOURS, NO_SHOW_LOOKBACK_DAYS
from casework.monitoring.models import PromptRule, RuleKind
from casework.monitoring.rules.base import (
    Context,
    Wanted,
    any_rule,
    days_of,
    name_of,
)
from casework.monitoring.rules.cases import CASE_FIELDS, _wanted_for_case

# The keys the coordination services use for the same items (so the two never duplicate).
REFERRAL_SOURCE = "coordination.referral"
APPOINTMENT_SOURCE = "coordination.appointment"
OPEN_CASE_STATUSES = sorted(OPEN)
CASE_MODEL = "case__program__model_id"


def next_working_day_end(moment: Any) -> Any:
    from casework.coordination.services.appointments import next_working_day_end as end

    return end(moment)


def _referral_open_statuses() -> list[str]:
    from casework.coordination.services.referrals import OPEN_STATUSES

    return [str(status) for status in OPEN_STATUSES]


def referral_follow_up(ctx: Context) -> list[Wanted]:
    """An open referral (requested, accepted, in progress, on hold) with no update for longer
    than the model's ``referral_followup_days`` (or the rule's own ``days``): one item per
    referral per silence period, keyed ``<referral id>:<version>`` like the referral services,
    so an update (a new version) that goes silent again gets a new one."""

    def silent(rule: PromptRule) -> Q | None:
        model = rule.model
        days = days_of(rule, model.referral_followup_days if model else None)
        return None if days is None else Q(last_update_at__lt=ctx.now - timedelta(days=days))

    condition, rules = any_rule(ctx, CASE_MODEL, silent)
    if condition is None:
        return []
    queryset = Referral.objects.filter(condition, status__in=_referral_open_statuses()).order_by()
    fields = [f"case__{name}" for name in CASE_FIELDS]
    wanted: list[Wanted] = []
    for part in ctx.scoped(queryset, "case_id"):
        rows = fast_values(
            part,
            "id",
            "version",
            "status",
            "last_update_at",
            "service__name",
            "provider__name",
            CASE_MODEL,
            *fields,
        )
        for row in rows:
            days_silent = (ctx.now - row["last_update_at"]).days
            client = name_of(row["case__client__given_name"], row["case__client__family_name"])
            status = str(ReferralStatus(row["status"]).label).lower()
            wanted += _wanted_for_case(
                ctx,
                rules[row[CASE_MODEL]],
                row,
                prefix="case__",
                source_type=REFERRAL_SOURCE,
                source_id=f"{row['id']}:{row['version']}",
                title=f"Follow up the referral to {row['service__name']}",
                detail=(
                    f"{client}'s referral to {row['provider__name']} is {status} with no "
                    f"update for {days_silent} days."
                ),
                due_at=ctx.end_of_day(ctx.today),
            )
    return wanted


def _appointments(
    ctx: Context, condition: Callable[[PromptRule], Q | None], *expressions: Any, **conditions: Any
) -> Iterator[tuple[PromptRule, dict[str, Any]]]:
    """Appointments of open cases meeting ``conditions`` and their rule's ``condition``, with
    the rule of each: one query for every model."""
    combined, rules = any_rule(ctx, CASE_MODEL, condition)
    if combined is None:
        return
    queryset = Appointment.objects.filter(
        combined, *expressions, case__status__in=OPEN_CASE_STATUSES, **conditions
    ).order_by()
    fields = [f"case__{name}" for name in CASE_FIELDS]
    for part in ctx.scoped(queryset, "case_id"):
        for row in fast_values(
            part,
            "id",
            "title",
            "with_whom",
            "starts_at",
            "ends_at",
            "attendance_recorded_at",
            CASE_MODEL,
            *fields,
        ):
            yield rules[row[CASE_MODEL]], row


def appointment_follow_up(ctx: Context) -> list[Wanted]:
    """A booked appointment that ended more than ``parameters.hours`` (24) ago with no
    attendance recorded: "record attendance"."""

    def hours_of(rule: PromptRule) -> int:
        return int((rule.parameters or {}).get("hours", APPOINTMENT_ATTENDANCE_HOURS))

    wanted: list[Wanted] = []
    rows = _appointments(
        ctx,
        lambda rule: Q(ends_at__lt=ctx.now - timedelta(hours=hours_of(rule))),
        status=AppointmentStatus.BOOKED,
    )
    for rule, row in rows:
        client = name_of(row["case__client__given_name"], row["case__client__family_name"])
        when = row["starts_at"]
        wanted += _wanted_for_case(
            ctx,
            rule,
            row,
            prefix="case__",
            source_type=APPOINTMENT_SOURCE,
            source_id=str(row["id"]),
            title=f"Record attendance: {row['title']}"[:200],
            detail=(
                f"{client}'s appointment with {row['with_whom']} on {when:%b %d} is still "
                "booked: record whether it was attended."
            ),
            due_at=row["ends_at"] + timedelta(hours=hours_of(rule)),
        )
    return wanted


def appointment_no_show(ctx: Context) -> list[Wanted]:
    """A no-show with no successful contact with the client since it started: re-engage. The
    key is the appointment, as for the item ``appointment_record_attendance`` makes at once, so
    the sweep keeps that item (and closes it when a contact is logged) instead of adding one."""

    def recent(rule: PromptRule) -> Q:
        lookback = int((rule.parameters or {}).get("lookback_days", NO_SHOW_LOOKBACK_DAYS))
        return Q(starts_at__gte=ctx.now - timedelta(days=lookback))

    seen_since = Contact.objects.filter(
        client_id=OuterRef("client_id"),
        outcome=ContactOutcome.SUCCESSFUL,
        status=ContactStatus.FINAL,
        started_at__gt=OuterRef("starts_at"),
    )
    wanted: list[Wanted] = []
    for rule, row in _appointments(
        ctx, recent, ~Exists(seen_since), status=AppointmentStatus.NOSHOW
    ):
        recorded = row["starts_at"]
        wanted += _wanted_for_case(
            ctx,
            rule,
            row,
            prefix="case__",
            source_type=APPOINTMENT_SOURCE,
            source_id=str(row["id"]),
            title=f"Missed appointment: {row['title']} ({recorded:%b %d})"[:200],
            detail=f"With {row['with_whom']}. Reach the client and rebook if needed.",
            due_at=next_working_day_end(row["attendance_recorded_at"] or recorded),
        )
    return wanted


EVALUATORS = {
    RuleKind.REFERRAL_FOLLOW_UP: (referral_follow_up, [REFERRAL_SOURCE]),
    RuleKind.APPOINTMENT_FOLLOW_UP: (appointment_follow_up, [APPOINTMENT_SOURCE]),
    RuleKind.APPOINTMENT_NO_SHOW: (appointment_no_show, [APPOINTMENT_SOURCE]),
}
