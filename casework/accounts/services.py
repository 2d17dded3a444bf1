"""Staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from casework.accounts.models import ApiToken, Organization, Role, Team, TeamMembership, User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.core.errors import Conflict, ValidationFailed, field_error

TOKEN_PREFIX = "cw_"


def organization_get_or_create(*, slug: str, name: str | None = None) -> Organization:
    """Get an organization by slug, creating it (with the standard models seeded) if missing."""
    from casework.programs.services import models_seed

    with transaction.atomic():
        organization, created = Organization.objects.get_or_create(
            slug=slugify(slug), defaults={"name": name or slug}
        )
        if created:
            models_seed(organization=organization)
    return organization


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    organization: Organization,
    password: str | None,
    acting_user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    languages: list[str] | None = None,
    check_password: bool = True,
) -> User:
    """Create a member of staff. The password must pass the configured validators."""
    if role not in Role.values:
        raise ValidationFailed(
            f"Unknown role {role!r}; use one of {', '.join(Role.values)}.",
            errors=[field_error("role", "unknown role")],
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"A user named {username!r} already exists.", code="user_exists")
    user = User(
        username=username,
        role=role,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
        languages=languages or ["en"],
        is_staff=role == Role.SYSTEM_ADMIN,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise ValidationFailed(
                    "The password is not strong enough: " + " ".join(exc.messages),
                    errors=[field_error("password", message) for message in exc.messages],
                ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if role == Role.PROGRAM_ADMIN:
        program_admin_grant_access(user=user, acting_user=acting_user)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        obj=user,
        organization_id=organization.id,
        changes={"username": username, "role": role},
    )
    return user


PROGRAM_ADMINS_GROUP = "Program admins"
# Program and case management model configuration happens in Django admin (DESIGN.md).
PROGRAM_ADMIN_APPS = ("programs",)
# Single models of other apps that program admins also configure there (care plan templates,
# how contacts bill, prompt rules).
PROGRAM_ADMIN_MODELS = (
    ("careplans", "plantemplate"),
    ("encounters", "billingrule"),
    ("monitoring", "promptrule"),
)


@transaction.atomic
def program_admin_grant_access(*, user: User, acting_user: User | None = None) -> None:
    """Let a program admin into Django admin to configure programs and models.

    Sets ``is_staff`` and adds the user to the "Program admins" group, which holds every
    permission of the programs app (kept in step on each call, so models added later are
    covered). Admin shows each program admin only their own organization's records.
    """
    group, _ = Group.objects.get_or_create(name=PROGRAM_ADMINS_GROUP)
    configurable = Q(content_type__app_label__in=PROGRAM_ADMIN_APPS)
    for app_label, model in PROGRAM_ADMIN_MODELS:
        configurable |= Q(content_type__app_label=app_label, content_type__model=model)
    group.permissions.add(*Permission.objects.filter(configurable))
    was_staff = user.is_staff
    if not was_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        obj=user,
        organization_id=user.organization_id,
        changes={"is_staff": [was_staff, True], "groups_added": [PROGRAM_ADMINS_GROUP]},
    )


@transaction.atomic
def team_add_member(*, team: Team, user: User, is_supervisor: bool = False) -> TeamMembership:
    membership, _ = TeamMembership.objects.update_or_create(
        team=team, user=user, defaults={"is_supervisor": is_supervisor}
    )
    return membership


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str = "", acting_user: User | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a bearer token; returns the record and the token itself, which is shown only once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        digest=_digest(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(
        actor=acting_user or user,
        action=Action.TOKEN,
        obj=token,
        detail={"for_user": user.username, "name": name},
    )
    return token, raw


def token_authenticate(raw: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    # Touch at most once a minute, to keep reads from writing on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, token: ApiToken, acting_user: User) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit_record(actor=acting_user, action=Action.TOKEN, obj=token, detail={"revoked": True})


def user_summary(user: User) -> dict[str, Any]:
    return {"id": str(user.id), "username": user.username, "name": user.display_name}
