"""Work items: what someone must do, by when. Started small here; the monitoring issue grows it
(prompt rules, the sweep, escalation, snooze)."""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    ASAP = "asap", "As soon as possible"


class WorkItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class WorkItem(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="work_items")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="work_items"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="work_items"
    )
    kind = models.CharField(max_length=40, help_text="e.g. safety_flag, contact_due")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(
        max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN, db_index=True
    )
    due_at = models.DateTimeField(null=True, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "-created_at"]
        indexes = [models.Index(fields=["assignee", "status", "due_at"], name="work_queue")]
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
