"""Standardized instruments (as data), the responses to them, and the coded observations kept
from them (scores, and later remote-monitoring readings)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel


class Instrument(models.Model):
    """An instrument definition loaded from ``casework/assessments/instruments/*.json``.

    ``definition`` is a FHIR R4 Questionnaire; ``scoring`` is casework's scoring rule (sums,
    reverse-scored items, subscales, bands, flags). Files are the source of truth: they are
    loaded (upserted) after every migrate.
    """

    code = models.CharField(max_length=40, unique=True, help_text="LOINC panel code (or local)")
    system = models.CharField(max_length=80, default="http://loinc.org")
    name = models.CharField(max_length=160)
    short_name = models.CharField(max_length=40)
    version = models.CharField(max_length=20, default="1")
    definition = models.JSONField()
    scoring = models.JSONField(default=dict)
    source = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class AssessmentResponse(BaseModel):
    """One administration of an instrument (FHIR QuestionnaireResponse)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    subscores = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    flags = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    completed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-completed_at", "-created_at"]
        indexes = [
            models.Index(fields=["client", "instrument", "completed_at"], name="response_trend")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} for {self.client}"


class Observation(models.Model):
    """A coded, dated value about a client: an instrument score (LOINC), and later a reading
    from remote monitoring. The trend of any code is one indexed query."""

    id = models.BigAutoField(primary_key=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="observations")
    response = models.ForeignKey(
        AssessmentResponse,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
    )
    system = models.CharField(max_length=80, default="http://loinc.org")
    code = models.CharField(max_length=40)
    display = models.CharField(max_length=200, blank=True)
    value_decimal = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    value_code = models.CharField(max_length=40, blank=True)
    value_display = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    effective_at = models.DateTimeField()
    status = models.CharField(max_length=20, default="final")
    source = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["effective_at"]
        indexes = [
            models.Index(fields=["client", "code", "effective_at"], name="observation_trend")
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value_decimal or self.value_code}"


class NeedStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted into a care plan"
    DISMISSED = "dismissed", "Dismissed"


class ProposedNeed(BaseModel):
    """A coded need proposed by a positive screening answer, ready for the care plan."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="proposed_needs")
    response = models.ForeignKey(
        AssessmentResponse, on_delete=models.CASCADE, related_name="proposed_needs"
    )
    domain = models.CharField(max_length=40, help_text="e.g. food, housing, transportation")
    system = models.CharField(max_length=80)
    code = models.CharField(max_length=20)
    display = models.CharField(max_length=250)
    snomed_code = models.CharField(max_length=20, blank=True)
    snomed_display = models.CharField(max_length=250, blank=True)
    category = models.CharField(
        max_length=40, blank=True, help_text="Gravity Project SDOH category, e.g. food-insecurity"
    )
    status = models.CharField(
        max_length=10, choices=NeedStatus.choices, default=NeedStatus.PROPOSED
    )
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"
