"""Organizations, teams, staff with roles and credentials, API tokens."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models

from casework.core.models import BaseModel


class Organization(BaseModel):
    """An agency or health plan: the tenant boundary. Staff and clients belong to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INTAKE = "intake", "Intake worker"
    CASE_MANAGER = "case_manager", "Case manager"
    SUPERVISOR = "supervisor", "Supervisor"
    PROGRAM_ADMIN = "program_admin", "Program admin"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    SYSTEM_ADMIN = "system_admin", "System admin"


# Full-time capacity in caseload points. A case weighs 100 / (the model's caseload size), so a
# full-time case manager carrying only intensive cases (caseload size 10) is full at 10 cases.
FULL_TIME_CAPACITY = Decimal("100")


class User(AbstractUser):
    """A member of staff. ``role`` decides what they may do; teams decide whose cases they see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASE_MANAGER)
    languages = models.JSONField(
        default=list, blank=True, help_text='BCP 47 tags the person works in, e.g. ["en", "es"].'
    )
    caseload_capacity = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=FULL_TIME_CAPACITY,
        help_text="Caseload points this person can carry; 100 = one full-time case manager.",
    )
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Team(BaseModel):
    """A group of staff working together under one or more supervisors."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    members: models.ManyToManyField[User, TeamMembership] = models.ManyToManyField(
        User, through="TeamMembership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    is_supervisor = models.BooleanField(
        default=False, help_text="Supervisors see and manage every case the team holds."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Credential(BaseModel):
    """A licence or certification (LCSW, RN, CCM...) that a case management model may require."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=40, help_text="Short code, e.g. LCSW, LPC, RN, CCM, CPRS.")
    number = models.CharField(max_length=80, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.user})"


class ApiToken(BaseModel):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120, blank=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
