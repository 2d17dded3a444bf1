"""Evaluators of the coordination rules: silent referrals, appointments whose attendance is not on
record, and no-shows nobody has followed up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef

from casework.cases.models import OPEN
from casework.coordination.models import (
    Appointment,
    AppointmentStatus,
    Referral,
    ReferralStatus,
)
from casework.encounters.models import Contact, ContactOutcome, ContactStatus
from casework.monitoring.defaults import APPOINTMENT_ATTENDANCE_HOURS, NO_SHOW_LOOKBACK_DAYS
from casework.monitoring.models import PromptRule, RuleKind
from casework.monitoring.rules.base import Context, Wanted, days_of, end_of_day, name_of
from casework.monitoring.rules.cases import CASE_FIELDS, _wanted_for_case

# The keys the coordination services use for the same items (so the two never duplicate).
REFERRAL_SOURCE = "coordination.referral"
APPOINTMENT_SOURCE = "coordination.appointment"
OPEN_CASE_STATUSES = sorted(OPEN)


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
    wanted: list[Wanted] = []
    statuses = _referral_open_statuses()
    for rule in ctx.rules:
        model = rule.model
        days = days_of(rule, model.referral_followup_days if model else None)
        if days is None:
            continue
        queryset = Referral.objects.filter(
            status__in=statuses,
            case__organization_id=rule.organization_id,
            case__program__model_id=rule.model_id,
            last_update_at__lt=ctx.now - timedelta(days=days),
        ).order_by()
        fields = [f"case__{name}" for name in CASE_FIELDS]
        for part in ctx.scoped(queryset, "case_id"):
            rows = part.values(
                "id",
                "version",
                "status",
                "last_update_at",
                "service__name",
                "provider__name",
                *fields,
            )
            for row in rows:
                silent = (ctx.now - row["last_update_at"]).days
                client = name_of(row["case__client__given_name"], row["case__client__family_name"])
                status = str(ReferralStatus(row["status"]).label).lower()
                wanted += _wanted_for_case(
                    ctx,
                    rule,
                    row,
                    prefix="case__",
                    source_type=REFERRAL_SOURCE,
                    source_id=f"{row['id']}:{row['version']}",
                    title=f"Follow up the referral to {row['service__name']}",
                    detail=(
                        f"{client}'s referral to {row['provider__name']} is {status} with no "
                        f"update for {silent} days."
                    ),
                    due_at=end_of_day(ctx.today),
                )
    return wanted


def _appointment_rows(ctx: Context, rule: PromptRule, *expressions: Any, **conditions: Any) -> Any:
    queryset = Appointment.objects.filter(
        *expressions,
        case__organization_id=rule.organization_id,
        case__program__model_id=rule.model_id,
        case__status__in=OPEN_CASE_STATUSES,
        **conditions,
    ).order_by()
    fields = [f"case__{name}" for name in CASE_FIELDS]
    for part in ctx.scoped(queryset, "case_id"):
        yield from part.values(
            "id", "title", "with_whom", "starts_at", "ends_at", "attendance_recorded_at", *fields
        )


def appointment_follow_up(ctx: Context) -> list[Wanted]:
    """A booked appointment that ended more than ``parameters.hours`` (24) ago with no
    attendance recorded: "record attendance"."""
    wanted: list[Wanted] = []
    for rule in ctx.rules:
        hours = int((rule.parameters or {}).get("hours", APPOINTMENT_ATTENDANCE_HOURS))
        rows = _appointment_rows(
            ctx,
            rule,
            status=AppointmentStatus.BOOKED,
            ends_at__lt=ctx.now - timedelta(hours=hours),
        )
        for row in rows:
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
                due_at=row["ends_at"] + timedelta(hours=hours),
            )
    return wanted


def appointment_no_show(ctx: Context) -> list[Wanted]:
    """A no-show with no successful contact with the client since it started: re-engage. The
    key is the appointment, as for the item ``appointment_record_attendance`` makes at once, so
    the sweep keeps that item (and closes it when a contact is logged) instead of adding one."""
    wanted: list[Wanted] = []
    for rule in ctx.rules:
        lookback = int((rule.parameters or {}).get("lookback_days", NO_SHOW_LOOKBACK_DAYS))
        seen_since = Contact.objects.filter(
            client_id=OuterRef("client_id"),
            outcome=ContactOutcome.SUCCESSFUL,
            status=ContactStatus.FINAL,
            started_at__gt=OuterRef("starts_at"),
        )
        rows = _appointment_rows(
            ctx,
            rule,
            ~Exists(seen_since),
            status=AppointmentStatus.NOSHOW,
            starts_at__gte=ctx.now - timedelta(days=lookback),
        )
        for row in rows:
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
