"""Risk: per-organization thresholds, trained predictive models, and each client's assessment
(rule scores, model probability, flags → tier, recommended case management model)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from casework.accounts.models import Organization, User
from casework.clients.models import Client
from casework.core.models import BaseModel


class Tier(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RiskSettings(BaseModel):
    """Configurable thresholds that turn scores into tiers (one row per organization).

    ``thresholds`` example: ``{"lace": {"moderate": 5, "high": 10, "very_high": 15},
    "probability": {"moderate": 0.10, "high": 0.25, "very_high": 0.50}}``.
    Defaults and their sources: ``casework/risk/stratification.py`` and docs/risk.md.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="risk_settings"
    )
    thresholds = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Risk settings of {self.organization}"


class RiskModelVersion(models.Model):
    """A trained predictive model: its artifact, features, training window and evaluation."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=80)
    outcome = models.CharField(
        max_length=120, default="ED visit or inpatient admission within 180 days"
    )
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    metadata = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    artifact = models.BinaryField()
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="risk_model_version")
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} v{self.version}"


class Decision(models.TextChoices):
    PENDING = "pending", "Awaiting supervisor review"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"


class RiskAssessment(models.Model):
    """One stratification of one client (FHIR RiskAssessment). The newest is ``is_current``."""

    id = models.BigAutoField(primary_key=True)
    # No single-column indexes: the composite indexes below lead with these columns, and an
    # extra organization index misleads SQLite's planner and slows bulk inserts.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="risk_assessments", db_index=False
    )
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    lace_score = models.PositiveSmallIntegerField(null=True, blank=True)
    lace_breakdown = models.JSONField(default=dict, blank=True)
    charlson_score = models.PositiveSmallIntegerField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    model_version = models.ForeignKey(
        RiskModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contributions = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    tier = models.CharField(max_length=12, choices=Tier.choices)
    tier_reasons = models.JSONField(default=list, blank=True)
    recommended_model = models.CharField(max_length=20, blank=True)
    recommendation_reasons = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decided_model = models.CharField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [
            models.Index(fields=["organization", "is_current", "tier"], name="risk_list"),
            models.Index(fields=["client", "is_current"], name="risk_current"),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.tier}"
