"""Care plans built with the client: needs, goals in the client's words, strengths, barriers,
interventions with owners and dates, education given, agreement, reviews and versions.

FHIR shapes: CarePlan (plan), Condition (need), Goal (goal), the CarePlan activity (intervention).
Every change to a plan or its parts bumps the plan's ``version`` and stores a ``PlanVersion``
snapshot, so any two versions can be compared.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel


class PlanStatus(models.TextChoices):
    """FHIR CarePlan.status (request-status)."""

    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ON_HOLD = "on-hold", "On hold"
    REVOKED = "revoked", "Revoked"
    COMPLETED = "completed", "Completed"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class CarePlan(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="care_plans")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="care_plans")
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    self_management = models.TextField(
        blank=True, help_text="What the client will do to manage their own health and life."
    )
    crisis_plan = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    template_name = models.CharField(max_length=200, blank=True)
    # Agreement: the client (or representative) agrees, signed on screen or attested verbally.
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_version = models.PositiveIntegerField(null=True, blank=True)
    agreement_method = models.CharField(
        max_length=10, blank=True, help_text='"signature" or "verbal"'
    )
    agreed_by_name = models.CharField(max_length=200, blank=True)
    agreed_by_relationship = models.CharField(
        max_length=80, blank=True, help_text="self, or the representative's relationship"
    )
    signature = models.TextField(blank=True, help_text="Signature image as a data: URL (PNG/SVG)")
    witness = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    witness_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Supervisor approval, where the program's model requires it ("care_plan" in approvals).
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        # The sweep's "plan review due" reads active plans by review date.
        indexes = [models.Index(fields=["status", "next_review_due"], name="plan_review_due")]

    def __str__(self) -> str:
        return self.title or f"Care plan for {self.client}"


class ItemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    INACTIVE = "inactive", "Inactive"


class Need(BaseModel):
    """A need or problem (FHIR Condition with category health-concern), coded."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="needs")
    system = models.CharField(max_length=80, default="http://hl7.org/fhir/sid/icd-10-cm")
    code = models.CharField(max_length=20)
    display = models.CharField(max_length=250)
    snomed_code = models.CharField(max_length=20, blank=True)
    domain = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True, help_text="The need as the client describes it")
    priority = models.PositiveSmallIntegerField(default=2, help_text="1 high, 2 medium, 3 low")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    proposed_need = models.ForeignKey(
        "assessments.ProposedNeed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["priority", "created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"


class Strength(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="strengths")
    domain = models.CharField(
        max_length=40, blank=True, help_text="Strengths-model life domain, e.g. social supports"
    )
    description = models.TextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class GoalLifecycle(models.TextChoices):
    """FHIR Goal.lifecycleStatus."""

    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    ACCEPTED = "accepted", "Accepted"
    ACTIVE = "active", "Active"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"
    REJECTED = "rejected", "Rejected"


class GoalAchievement(models.TextChoices):
    """FHIR Goal.achievementStatus (goal-achievement value set)."""

    IN_PROGRESS = "in-progress", "In progress"
    IMPROVING = "improving", "Improving"
    WORSENING = "worsening", "Worsening"
    NO_CHANGE = "no-change", "No change"
    ACHIEVED = "achieved", "Achieved"
    SUSTAINING = "sustaining", "Sustaining"
    NOT_ACHIEVED = "not-achieved", "Not achieved"
    NO_PROGRESS = "no-progress", "No progress"
    NOT_ATTAINABLE = "not-attainable", "Not attainable"


class Goal(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    priority = models.PositiveSmallIntegerField(default=2, help_text="1 high, 2 medium, 3 low")
    client_words = models.TextField(help_text="The goal in the client's own words")
    statement = models.TextField(blank=True, help_text="The professional (SMART) statement")
    measure = models.CharField(max_length=200, blank=True)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    lifecycle_status = models.CharField(
        max_length=20, choices=GoalLifecycle.choices, default=GoalLifecycle.PROPOSED
    )
    achievement_status = models.CharField(
        max_length=20, choices=GoalAchievement.choices, blank=True
    )
    needs = models.ManyToManyField(Need, blank=True, related_name="goals")
    strengths = models.ManyToManyField(Strength, blank=True, related_name="goals")

    class Meta:
        ordering = ["priority", "created_at"]
        # The sweep's goal rules read active goals by target date.
        indexes = [
            models.Index(fields=["lifecycle_status", "target_date"], name="goal_target_date")
        ]

    def __str__(self) -> str:
        return self.client_words[:80]


class Barrier(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="barriers")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="barriers"
    )
    description = models.TextField()
    plan_to_address = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class OwnerType(models.TextChoices):
    CASE_MANAGER = "case_manager", "Case manager"
    CLIENT = "client", "Client"
    FAMILY = "family", "Family member or caregiver"
    PROVIDER = "provider", "Provider"
    CARE_TEAM = "care_team", "Care team member"


class InterventionStatus(models.TextChoices):
    """FHIR CarePlan.activity.detail.status."""

    NOT_STARTED = "not-started", "Not started"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in-progress", "In progress"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    STOPPED = "stopped", "Stopped"


class Intervention(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    description = models.TextField()
    owner_type = models.CharField(max_length=20, choices=OwnerType.choices)
    owner_user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="When the owner is a member of staff",
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.NOT_STARTED
    )
    # What the intervention becomes once referrals/appointments/education exist (issue 5).
    link_type = models.CharField(max_length=40, blank=True)
    link_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class EducationTopic(models.TextChoices):
    MEDICATIONS = "medications", "Medications"
    LIFESTYLE = "lifestyle", "Lifestyle"
    FOLLOW_UP = "follow_up", "Follow-up appointments"
    CONDITION = "condition", "Condition"
    SELF_MANAGEMENT = "self_management", "Self-management skills"
    RESOURCES = "resources", "Community resources"


class TeachBack(models.TextChoices):
    UNDERSTOOD = "understood", "Explained it back correctly"
    PARTIAL = "partial", "Partly understood; re-taught"
    NOT_UNDERSTOOD = "not_understood", "Did not understand; follow up"
    NOT_DONE = "not_done", "Teach-back not done"


class Education(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="education")
    topic = models.CharField(max_length=20, choices=EducationTopic.choices)
    detail = models.TextField(blank=True)
    method = models.CharField(
        max_length=20, help_text="verbal, written, demonstration, video, interpreter"
    )
    teach_back = models.CharField(max_length=20, choices=TeachBack.choices)
    given_on = models.DateField()
    given_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.given_on})"


class PlanReview(BaseModel):
    """A scheduled review: progress per goal on Goal Attainment Scaling and the plan's T-score."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    notes = models.TextField(blank=True)
    gas_t_score = models.FloatField(null=True, blank=True)
    plan_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"


class GoalReview(models.Model):
    id = models.BigAutoField(primary_key=True)
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="goal_scores")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    attainment = models.SmallIntegerField(help_text="Goal Attainment Scaling, -2 … +2")
    weight = models.FloatField(default=1.0)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_review_unique"),
            models.CheckConstraint(
                condition=models.Q(attainment__gte=-2, attainment__lte=2), name="gas_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.attainment:+d}"


class PlanVersion(models.Model):
    """A snapshot of the whole plan after a change (for version history and diffs)."""

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class PlanTemplate(BaseModel):
    """A need → goals → interventions starter, per case management model (data, editable)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    model_kind = models.CharField(max_length=20, blank=True, help_text="blank: any model")
    name = models.CharField(max_length=200)
    need = models.JSONField(help_text='{"system", "code", "display", "domain"}')
    goals = models.JSONField(
        default=list,
        help_text='[{"client_words", "statement", "measure", "target", "target_days", '
        '"interventions": [{"description", "owner_type", "due_days"}]}]',
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["model_kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="plan_template_unique")
        ]

    def __str__(self) -> str:
        return self.name
