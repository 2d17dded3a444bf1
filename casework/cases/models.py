"""The case: one episode of care for one client in one program, through its lifecycle."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from casework.accounts.models import Organization, Team, User
from casework.clients.models import Client
from casework.core.models import BaseModel
from casework.programs.models import Program


class Status(models.TextChoices):
    REFERRED = "referred", "Referred"
    SCREENING = "screening", "Screening"
    WAITLIST = "waitlist", "Waitlist"
    INTAKE = "intake", "Intake"
    ASSESSMENT = "assessment", "Assessment"
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    TRANSITION = "transition", "Transition"
    CLOSED = "closed", "Closed"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


# Stages before a case manager takes the case on; they do not count against a caseload.
PRE_ENROLLMENT = {Status.REFERRED, Status.SCREENING, Status.WAITLIST}
# Stages that count against the assigned case manager's capacity.
ON_CASELOAD = {
    Status.INTAKE,
    Status.ASSESSMENT,
    Status.PLANNING,
    Status.ACTIVE,
    Status.ON_HOLD,
    Status.TRANSITION,
}
FINISHED = {Status.CLOSED, Status.ENTERED_IN_ERROR}
OPEN = set(Status) - FINISHED


class Case(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REFERRED, db_index=True
    )
    status_changed_at = models.DateTimeField()
    case_manager = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_cases"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    risk_tier = models.CharField(max_length=12, blank=True, help_text="low … very_high")
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Caseload points this case takes while on a caseload (model and risk tier).",
    )
    referral_source = models.CharField(max_length=120, blank=True)
    referral_reason = models.TextField(blank=True)
    referred_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="referred_cases"
    )
    priority = models.PositiveSmallIntegerField(
        default=3, help_text="1 = most urgent; orders the waitlist."
    )
    screening_findings = models.JSONField(
        default=list, blank=True, help_text="Coded needs/conditions confirmed at screening."
    )
    opened_at = models.DateTimeField(null=True, blank=True, help_text="Entered intake.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=40, blank=True)
    discharge_summary = models.TextField(blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True, help_text="Filled by monitoring.")
    last_contact_at = models.DateTimeField(null=True, blank=True, help_text="Filled by contacts.")
    last_face_to_face_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Latest successful in-person contact (office, home, community, accompaniment).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case_manager", "status"], name="case_caseload"),
            models.Index(fields=["program", "status"], name="case_program_status"),
            models.Index(fields=["team", "status"], name="case_team_status"),
        ]

    def __str__(self) -> str:
        return f"{self.client} — {self.program}"


class CaseStatusChange(models.Model):
    """One lifecycle transition; the history from which time-in-stage is measured."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(blank=True)
    closure_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class CaseAssignment(models.Model):
    """Who carried the case when; reassignments keep their reason."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    case_manager = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    previous_case_manager = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_manager} from {self.assigned_at:%Y-%m-%d}"


class CareTeamMemberKind(models.TextChoices):
    STAFF = "staff", "Staff"
    PROVIDER = "provider", "External provider"
    FAMILY = "family", "Family member"
    CAREGIVER = "caregiver", "Caregiver"
    OTHER = "other", "Other support"


class CareTeamMember(BaseModel):
    """A member of the case's care team (FHIR CareTeam.participant).

    Staff members (``user`` set) see the client through the team (DESIGN.md access rule); external
    providers, family and caregivers are people the case manager coordinates with -- they have no
    account and see nothing in casework.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_team")
    kind = models.CharField(
        max_length=12, choices=CareTeamMemberKind.choices, default=CareTeamMemberKind.STAFF
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="care_team_memberships",
    )
    name = models.CharField(max_length=200, blank=True, help_text="For people without an account.")
    role = models.CharField(max_length=80, blank=True, help_text="e.g. Psychiatrist, Daughter")
    role_code = models.CharField(
        max_length=20, blank=True, help_text="SNOMED CT code of the role, when one fits."
    )
    organization_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    preferred_contact = models.CharField(max_length=80, blank=True)
    is_emergency_contact = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(user__isnull=False),
                name="care_team_member_unique",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        return self.name
