"""Contacts (encounters) with a client: who, how, how long, what was said, what it bills."""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.careplans.models import Goal
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel
from casework.encounters.billing import DEFAULT_FIRST_UNIT_MINUTES, DEFAULT_UNIT_MINUTES
from casework.programs.models import Program


class ContactType(models.TextChoices):
    OFFICE = "office", "Office"
    HOME_VISIT = "home_visit", "Home visit"
    COMMUNITY = "community", "Community / outreach"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    ACCOMPANIMENT = "accompaniment", "Accompaniment"
    COLLATERAL = "collateral", "Collateral (someone other than the client)"
    GROUP = "group", "Group"


# In-person contact types: what a model's face-to-face requirement counts ("group" meets in
# person too). Video and phone are not face to face (DACTS counts in-person contacts only).
FACE_TO_FACE = [
    ContactType.OFFICE,
    ContactType.HOME_VISIT,
    ContactType.COMMUNITY,
    ContactType.ACCOMPANIMENT,
    ContactType.GROUP,
]


class ContactOutcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    ATTEMPTED = "attempted", "Attempted"


class AttemptOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left message"
    NOT_HOME = "not_home", "Not home"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    DECLINED = "declined", "Declined"
    OTHER = "other", "Other"


class NoteFormat(models.TextChoices):
    DAP = "dap", "DAP (data, assessment, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"


# The note fields each format asks for, in order.
NOTE_FIELDS: dict[str, list[str]] = {
    NoteFormat.DAP: ["data", "assessment", "plan"],
    NoteFormat.SOAP: ["subjective", "objective", "assessment", "plan"],
}


class ContactStatus(models.TextChoices):
    FINAL = "final", "Final"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Contact(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="contacts")
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    outcome = models.CharField(max_length=12, choices=ContactOutcome.choices)
    attempt_outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, blank=True)
    started_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    video_link = models.CharField(
        max_length=500, blank=True, help_text="https link of a video visit"
    )
    appointment = models.ForeignKey(
        "coordination.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The appointment this contact was (a video visit takes the appointment's link).",
    )
    collateral_with = models.CharField(
        max_length=200, blank=True, help_text="Who the collateral contact was with, and their role."
    )
    participants = models.JSONField(default=list, blank=True, help_text="[{name, role}]")
    note_format = models.CharField(max_length=4, choices=NoteFormat.choices, default=NoteFormat.DAP)
    note = models.JSONField(default=dict, blank=True, help_text="Note fields of the format.")
    goals = models.ManyToManyField(Goal, blank=True, related_name="contacts")
    billable = models.BooleanField(default=True)
    billing_units = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=ContactStatus.choices, default=ContactStatus.FINAL
    )
    error_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["case", "status", "started_at"], name="contact_case")]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} {self.started_at:%Y-%m-%d}"


class BillingRule(BaseModel):
    """How contacts bill: per program, else per organization, else the CMS defaults."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="billing_rule"
    )
    unit_minutes = models.PositiveSmallIntegerField(default=DEFAULT_UNIT_MINUTES)
    first_unit_minutes = models.PositiveSmallIntegerField(default=DEFAULT_FIRST_UNIT_MINUTES)
    bill_attempted = models.BooleanField(default=False)
    bill_collateral = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Billing rule {self.program or self.organization}"
