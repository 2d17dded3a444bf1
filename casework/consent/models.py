"""Consent to share a client's information with someone outside their organization.

A simple consent record (FHIR R4 Consent, scope ``patient-privacy``, provision ``permit``): the
client permits disclosure to the listed recipients for the listed purposes within a period. The
security issue deepens it (sensitive-record segmentation, 42 CFR Part 2 redisclosure notices).
"""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.clients.models import Client
from casework.core.models import BaseModel


class ConsentStatus(models.TextChoices):
    """FHIR R4 Consent.status (http://hl7.org/fhir/consent-state-codes)."""

    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    INACTIVE = "inactive", "Inactive (revoked or expired)"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class ConsentPurpose(models.TextChoices):
    """HL7 v3 ActReason purposes of use a case management disclosure is made for."""

    CAREMGT = "CAREMGT", "Care management"
    TREAT = "TREAT", "Treatment"
    COC = "COC", "Coordination of care"
    HPAYMT = "HPAYMT", "Payment"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Signed form"
    VERBAL = "verbal", "Verbal, witnessed"
    ELECTRONIC = "electronic", "Electronic signature"


class Consent(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    status = models.CharField(
        max_length=20, choices=ConsentStatus.choices, default=ConsentStatus.ACTIVE
    )
    purposes = models.JSONField(
        default=list, help_text="HL7 v3 ActReason codes, e.g. ['CAREMGT', 'COC']."
    )
    recipients = models.ManyToManyField(
        "coordination.ResourceOrganization",
        blank=True,
        related_name="consents",
        help_text="Directory organizations the client permits disclosure to.",
    )
    all_directory_recipients = models.BooleanField(
        default=False,
        help_text="The client permits disclosure to any organization in the resource directory.",
    )
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True, help_text="Empty: until revoked.")
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    signed_on = models.DateField()
    witness_name = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-created_at"]
        indexes = [models.Index(fields=["client", "status"], name="consent_client_status")]

    def __str__(self) -> str:
        return f"Consent of {self.client} from {self.period_start}"
