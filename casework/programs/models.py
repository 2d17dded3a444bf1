"""Programs and the case management model each runs. Models are data, seeded per organization.

The default numbers of the five standard models live in ``casework/programs/standard_models.py``
with their sources; ``docs/models.md`` explains them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from casework.accounts.models import Organization, Team, User
from casework.core.models import BaseModel

RISK_TIERS = ["low", "moderate", "high", "very_high"]


class ModelKind(models.TextChoices):
    BROKERAGE = "brokerage", "Brokerage"
    CLINICAL = "clinical", "Clinical"
    STRENGTHS = "strengths", "Strengths-based clinical"
    INTENSIVE = "intensive", "Intensive (ICM/ACT)"
    INTEGRATED = "integrated", "Integrated / medical"
    CUSTOM = "custom", "Custom"


class CaseManagementModel(BaseModel):
    """One case management model's parameters, editable by a program admin."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="case_management_models"
    )
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    caseload_size = models.PositiveIntegerField(
        help_text="Cases one full-time case manager carries under this model (sets case weight)."
    )
    tier_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Multiplier of the case weight per risk tier, e.g. {"low": 0.75, "high": 1.25}.',
    )
    contact_frequency_days = models.JSONField(
        default=dict, help_text='Days between required contacts per risk tier, e.g. {"low": 30}.'
    )
    face_to_face_tiers = models.JSONField(
        default=list, blank=True, help_text="Risk tiers whose required contact must be in person."
    )
    contact_modes = models.JSONField(
        default=list, help_text='Expected contact modes, e.g. ["office", "phone"].'
    )
    intake_instruments = models.JSONField(
        default=list, blank=True, help_text="LOINC panel codes required at intake."
    )
    reassessment_instruments = models.JSONField(
        default=list, blank=True, help_text="LOINC panel codes required at each reassessment."
    )
    reassessment_interval_days = models.PositiveIntegerField()
    plan_review_interval_days = models.PositiveIntegerField()
    expected_episode_days = models.PositiveIntegerField()
    referral_followup_days = models.PositiveIntegerField(
        default=14, help_text="A referral with no update for this many days gets a follow-up."
    )
    overdue_escalation_days = models.PositiveIntegerField(
        default=3, help_text="Work overdue by this many days escalates to the supervisor."
    )
    discharge_criteria = models.JSONField(default=list, blank=True)
    required_credentials = models.JSONField(
        default=list,
        blank=True,
        help_text="Case managers must hold one of these credentials (empty: none required).",
    )
    approvals_required = models.JSONField(
        default=list,
        blank=True,
        help_text='Steps a supervisor approves, from "care_plan", "closure", "transfer".',
    )
    requires_strengths = models.BooleanField(
        default=False, help_text="A care plan must list the client's strengths before agreement."
    )
    sources = models.TextField(blank=True, help_text="Where the default numbers come from.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="cm_model_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def case_weight(self, tier: str | None = None) -> Decimal:
        """Caseload points one case takes: 100 / caseload size, times the tier's multiplier."""
        base = Decimal(100) / Decimal(max(self.caseload_size, 1))
        multiplier = Decimal(str((self.tier_weights or {}).get(tier or "moderate", 1)))
        return (base * multiplier).quantize(Decimal("0.01"))

    def contact_every_days(self, tier: str | None) -> int | None:
        frequency = self.contact_frequency_days or {}
        value = frequency.get(tier or "moderate", frequency.get("moderate"))
        return int(value) if value else None


class Program(BaseModel):
    """A service line an organization runs under one case management model."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    population_served = models.TextField(blank=True)
    model = models.ForeignKey(
        CaseManagementModel, on_delete=models.PROTECT, related_name="programs"
    )
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    required_conditions = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "Any-of list of {system, code, display}; ICD-10-CM codes match by prefix "
            '(e.g. "F20" matches F20.9). Empty: no condition required.'
        ),
    )
    teams = models.ManyToManyField(Team, related_name="programs", blank=True)
    managers = models.ManyToManyField(User, related_name="managed_programs", blank=True)
    accepting_referrals = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
