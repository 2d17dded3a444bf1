"""Monitoring: prompt rules (data, per case management model), the work items the sweep and the
services put on people's queues, notifications, the worker's schedule, and remote monitoring
(thresholds, alerts and the client check-in link)."""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel
from casework.programs.models import CaseManagementModel


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    ASAP = "asap", "As soon as possible"


class WorkItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CloseReason(models.TextChoices):
    COMPLETED = "completed", "Completed by the assignee"
    RESOLVED = "resolved", "Resolved: what raised it went away"
    CANCELLED = "cancelled", "Cancelled"
    REASSIGNED = "reassigned", "Reassigned"


class RuleKind(models.TextChoices):
    """What the sweep watches for. The rule's logic is code (casework/monitoring/rules); when it
    fires, for whom, how early and how urgently is data (``PromptRule``), per model."""

    CONTACT_DUE = "contact_due", "Contact due"
    REASSESSMENT_DUE = "reassessment_due", "Reassessment due"
    PLAN_REVIEW_DUE = "plan_review_due", "Care plan review due"
    REFERRAL_FOLLOW_UP = "referral_follow_up", "Referral without update"
    APPOINTMENT_FOLLOW_UP = "appointment_follow_up", "Appointment attendance to record"
    APPOINTMENT_NO_SHOW = "appointment_no_show", "Appointment no-show"
    GOAL_TARGET_NEAR = "goal_target_near", "Goal target date near"
    GOAL_TARGET_PASSED = "goal_target_passed", "Goal target date passed"
    POST_DISCHARGE_7 = "post_discharge_7", "Post-discharge follow-up (7 days)"
    POST_DISCHARGE_30 = "post_discharge_30", "Post-discharge follow-up (30 days)"
    CREDENTIAL_EXPIRING = "credential_expiring", "Staff credential expiring"
    OVER_CAPACITY = "over_capacity", "Case manager over capacity"


class AssigneeRole(models.TextChoices):
    CASE_MANAGER = "case_manager", "The case manager (else the team supervisor)"
    SUPERVISOR = "supervisor", "The team supervisor"
    STAFF_MEMBER = "staff_member", "The member of staff concerned"


class PromptRule(BaseModel):
    """One prompt rule of one case management model (or, with no model, of the organization:
    staff rules such as credentials and capacity). Seeded per model with cited defaults."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(
        CaseManagementModel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="prompt_rules",
    )
    kind = models.CharField(max_length=40, choices=RuleKind.choices)
    enabled = models.BooleanField(default=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    lead_days = models.PositiveSmallIntegerField(
        default=0, help_text="Put the item on the queue this many days before it is due."
    )
    days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=(
            "The rule's own number of days where the model has no parameter for it (goal near: "
            "days before target; post-discharge: days after discharge; credential: days before "
            "expiry). Empty: the model's parameter."
        ),
    )
    assignee_role = models.CharField(
        max_length=20, choices=AssigneeRole.choices, default=AssigneeRole.CASE_MANAGER
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overdue by more than this many days escalates (empty: the model's setting).",
    )
    parameters = models.JSONField(default=dict, blank=True)
    source = models.TextField(blank=True, help_text="Where the default comes from.")

    class Meta:
        ordering = ["model__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "model", "kind"], name="prompt_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(model__isnull=True),
                name="prompt_rule_unique_org_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.model or 'organization'})"


class WorkItem(BaseModel):
    # Indexes: a sweep inserts 100,000s of rows, and each index is written for each row. Those a
    # composite index below starts with (assignee, case), those only a rare deletion would read
    # (closed_by, created_by, rule: ON DELETE SET NULL), and those no query starts from
    # (organization: every query also names a person, a case or a kind; created_at: only a
    # tie-breaker of the ordering) are left out.
    created_at = models.DateTimeField(auto_now_add=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    assignee = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="work_items", db_index=False
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="work_items"
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_items",
        db_index=False,
    )
    kind = models.CharField(max_length=40, help_text="e.g. safety_flag, contact_due")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(
        max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN
    )
    due_at = models.DateTimeField(null=True, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    rule = models.ForeignKey(
        PromptRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        db_index=False,
    )
    close_reason = models.CharField(max_length=12, choices=CloseReason.choices, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the item, overdue beyond its limit, was escalated: it then shows on the "
            "supervisors' Team work under 'Escalated to you' until it closes or is snoozed."
        ),
    )

    class Meta:
        ordering = ["due_at", "-created_at"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="work_queue"),
            models.Index(fields=["kind", "status"], name="work_item_kind_status"),
            models.Index(fields=["case", "status"], name="work_item_case_status"),
            # "Was this item (kind, source) closed by a person already?" -- the sweep asks it for
            # every item it is about to open. Partial: new (open) items never write to it.
            models.Index(
                fields=["kind", "source_id"],
                condition=~models.Q(status="open"),
                name="work_item_closed_source",
            ),
        ]
        constraints = [
            # One open item per person for the same reason from the same source; items made
            # by hand (no source) are never merged.
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id", "assignee"],
                condition=models.Q(status="open") & ~models.Q(source_id=""),
                name="work_item_open_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Notification(BaseModel):
    """A message to one member of staff, shown in the app and, by their settings, emailed."""

    # The "notification_unread" index (user, read_at) serves what an index on user would.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class ScheduledRun(models.Model):
    """One slot of the worker's periodic schedule (``name`` at ``slot``). The unique pair makes
    several workers enqueue each periodic job once per slot."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=60)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    worker = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduled_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class Threshold(BaseModel):
    """When a remote-monitoring reading (LOINC ``code``) raises an alert: for one client, or --
    with no client -- the organization's default for clients with a condition (ICD-10-CM prefix in
    ``condition_code``; empty: everyone)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="thresholds"
    )
    condition_code = models.CharField(max_length=20, blank=True)
    code = models.CharField(max_length=40, help_text="LOINC code of the reading.")
    display = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    # A change across readings (heart failure: weight gained in a day or a week): a reading this
    # much or more above the client's lowest reading of the ``rise_days`` days before it.
    rise = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Alert on a reading this much above the lowest of the previous rise_days days.",
    )
    rise_days = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.TextField(blank=True, help_text="Where a default number comes from.")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code", "condition_code"]
        indexes = [models.Index(fields=["organization", "code"], name="threshold_lookup")]

    def __str__(self) -> str:
        return f"{self.display or self.code} ({self.client or self.condition_code or 'default'})"


class AlertSeverity(models.TextChoices):
    ALERT = "alert", "Alert"
    CRITICAL = "critical", "Critical"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(BaseModel):
    """A remote-monitoring reading past its threshold; it raises an urgent work item."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="alerts")
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    observation = models.ForeignKey(
        "assessments.Observation", on_delete=models.CASCADE, related_name="alerts"
    )
    threshold = models.ForeignKey(
        Threshold, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    message = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "status"], name="alert_client_status")]

    def __str__(self) -> str:
        return self.message


class CheckInLink(BaseModel):
    """An expiring secret link through which a client reports readings and how they are doing,
    without an account. Only the token's SHA-256 digest is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="check_in_links")
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_in_links"
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    readings = models.JSONField(
        default=list, blank=True, help_text="LOINC codes the page asks for, e.g. blood pressure."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Check-in link for {self.client_id}"
