"""The resource directory: community, clinical and government organizations and their services.

FHIR shapes: Organization (the resource organization) and HealthcareService (a service it offers,
with its address and coordinates standing in for a Location). Each organization (tenant) curates its
own directory; staff search it by need domain, language, distance and opening hours.

Referrals (FHIR ServiceRequest + the Gravity SDOH referral Task) send a client to a directory
service and follow the loop until it closes; partners without an account act on them through
expiring single-use links. Appointments (FHIR Appointment) are the client's appointments with
providers, on the case manager's calendar feed.
"""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.careplans.models import Intervention, Need
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel


class ResourceKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    CLINICAL = "clinical", "Clinical"
    GOVERNMENT = "government", "Government"


class CapacityStatus(models.TextChoices):
    OPEN = "open", "Open"
    WAITLIST = "waitlist", "Waitlist"
    FULL = "full", "Full"


class ResourceOrganization(BaseModel):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The tenant that curates this directory entry.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=ResourceKind.choices, default=ResourceKind.COMMUNITY
    )
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True, help_text="Where referral links are sent.")
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    is_internal = models.BooleanField(
        default=False,
        help_text=(
            "Part of the curating organization itself (one of its own programs): referrals to it "
            "stay inside the organization and need no consent to share."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceService(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        ResourceOrganization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    needs = models.JSONField(default=list, blank=True, help_text="Need domain codes, e.g. food")
    eligibility = models.TextField(blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="BCP 47 tags")
    hours = models.JSONField(
        default=dict,
        blank=True,
        help_text='Weekly opening hours in local time: {"mon": [["09:00", "17:00"]], ...}',
    )
    address = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    capacity_status = models.CharField(
        max_length=10, choices=CapacityStatus.choices, default=CapacityStatus.OPEN
    )
    waitlist_note = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"


class ReferralStatus(models.TextChoices):
    """The Gravity SDOH Clinical Care referral Task statuses (FHIR R4 Task.status subset)."""

    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    IN_PROGRESS = "in-progress", "In progress"
    ON_HOLD = "on-hold", "On hold"
    FAILED = "failed", "Failed"
    COMPLETED = "completed", "Completed"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class ReferralPriority(models.TextChoices):
    """FHIR request-priority."""

    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    ASAP = "asap", "As soon as possible"
    STAT = "stat", "Immediately"


class Referral(BaseModel):
    """A referral of a client to a directory service, from a care plan need or intervention."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(ResourceService, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(
        ResourceOrganization, on_delete=models.PROTECT, related_name="referrals"
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    need_domain = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT, db_index=True
    )
    status_reason = models.TextField(
        blank=True, help_text="Why it was rejected, cancelled, failed or put on hold."
    )
    priority = models.CharField(
        max_length=10, choices=ReferralPriority.choices, default=ReferralPriority.ROUTINE
    )
    reason = models.TextField(help_text="What the client needs from the service, for the partner.")
    note_to_recipient = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="What the service did (when completed).")
    outcome_code = models.CharField(
        max_length=30, blank=True, help_text="resolved, partially_resolved, not_resolved …"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_location = models.CharField(max_length=300, blank=True)
    units = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units of an authorization this referral uses."
    )
    authorization = models.ForeignKey(
        "coverage.Authorization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    consent = models.ForeignKey(
        "consent.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The consent that covered sending it outside the organization.",
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(
        help_text="Last status change or partner update; a silent referral gets a follow-up."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "status"], name="referral_case_status"),
            models.Index(fields=["status", "last_update_at"], name="referral_silence"),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.service.name}"


class ReferralEvent(models.Model):
    """One change of a referral: a status move or an update (schedule, note), by staff or a
    partner."""

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    kind = models.CharField(
        max_length=20, default="status", help_text="status, scheduled, note, link_sent"
    )
    by_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_partner = models.CharField(
        max_length=200, blank=True, help_text="Name the partner gave when acting through a link."
    )
    partner_link = models.ForeignKey(
        "PartnerLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class PartnerLink(BaseModel):
    """An expiring, single-use link through which a partner without an account acts on one
    referral. Only the SHA-256 digest of the token is stored; the link is shown once."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="partner_links")
    digest = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(
        max_length=20, help_text="respond (accept or reject) or update (schedule, complete …)"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=20, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_after = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The link whose use issued this one (the partner's next step).",
    )

    def __str__(self) -> str:
        return f"Partner link for {self.referral_id} ({self.purpose})"


class AppointmentStatus(models.TextChoices):
    """FHIR R4 Appointment.status (the subset a case manager records)."""

    PROPOSED = "proposed", "Proposed"
    BOOKED = "booked", "Booked"
    FULFILLED = "fulfilled", "Attended"
    NOSHOW = "noshow", "No-show"
    CANCELLED = "cancelled", "Cancelled"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"


class Appointment(BaseModel):
    """The client's appointment with a provider (or with the case manager)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appointments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    title = models.CharField(max_length=200, help_text="What it is for, e.g. Dental check-up.")
    with_whom = models.CharField(max_length=200, help_text="Provider or person, in words.")
    service = models.ForeignKey(
        ResourceService, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    care_team_member = models.ForeignKey(
        "cases.CareTeamMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(
        max_length=10, choices=AppointmentMode.choices, default=AppointmentMode.IN_PERSON
    )
    location = models.CharField(max_length=300, blank=True)
    video_link = models.CharField(
        max_length=500, blank=True, help_text="https link of a video visit"
    )
    transport_needed = models.BooleanField(default=False)
    transport_arranged = models.BooleanField(default=False)
    transport_note = models.CharField(max_length=300, blank=True)
    accompaniment_planned = models.BooleanField(default=False)
    accompanied_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_reason = models.TextField(blank=True, help_text="Why it was cancelled or missed.")
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="appointment_case"),
            models.Index(fields=["status", "starts_at"], name="appointment_status"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(BaseModel):
    """A secret iCalendar feed URL of one member of staff; only the token's digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}… ({self.user})"
