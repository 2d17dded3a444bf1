"""Django admin for staff, and program admins' access to program configuration."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from casework.accounts.models import ApiToken
from casework.accounts.services import (
    PROGRAM_ADMINS_GROUP,
    program_admin_grant_access,
    token_create,
)
from casework.audit.models import AuditEvent
from tests import factories


@pytest.fixture
def superuser(world):
    return factories.staff("root", org=world.org, role="system_admin")


def test_program_admin_gets_staff_and_program_permissions_on_creation(world):
    admin = factories.staff("pat", org=world.org, role="program_admin")
    assert admin.is_staff and not admin.is_superuser
    assert admin.groups.filter(name=PROGRAM_ADMINS_GROUP).exists()
    assert admin.has_perm("programs.change_program")
    assert admin.has_perm("programs.change_casemanagementmodel")
    assert not admin.has_perm("clients.view_client")
    assert AuditEvent.objects.filter(object_id=str(admin.id), action="update").exists()


def test_other_roles_get_no_admin_access(world):
    assert not world.casey.is_staff
    assert not Group.objects.filter(name=PROGRAM_ADMINS_GROUP, user=world.casey).exists()


def test_grant_is_idempotent(world):
    admin = factories.staff("pat", org=world.org, role="program_admin")
    program_admin_grant_access(user=admin)
    assert admin.groups.filter(name=PROGRAM_ADMINS_GROUP).count() == 1


def test_admin_pages_render_for_a_system_admin(client, superuser, world):
    client.force_login(superuser)
    for name in (
        "admin:accounts_organization_changelist",
        "admin:accounts_team_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_credential_changelist",
        "admin:accounts_apitoken_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert (
        client.get(reverse("admin:accounts_team_change", args=[world.north.id])).status_code == 200
    )
    user_page = client.get(reverse("admin:accounts_user_change", args=[world.casey.id]))
    html = user_page.content.decode()
    assert 'name="role"' in html and 'name="caseload_capacity"' in html
    assert 'name="languages"' in html and 'name="organization"' in html


def test_api_tokens_are_read_only_and_can_be_revoked(client, superuser, world):
    token, _ = token_create(user=world.casey, name="laptop")
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert token.digest in html and 'name="digest"' not in html
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [str(token.id)]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_team_membership_is_edited_inline_and_audited(client, superuser, world):
    client.force_login(superuser)
    url = reverse("admin:accounts_team_change", args=[world.south.id])
    membership = world.south.memberships.get()
    response = client.post(
        url,
        {
            "organization": str(world.org.id),
            "name": "South",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.id),
            "memberships-0-team": str(world.south.id),
            "memberships-0-user": str(world.chris.id),
            "memberships-1-team": str(world.south.id),
            "memberships-1-user": str(world.sam.id),
            "memberships-1-is_supervisor": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert world.south.memberships.filter(user=world.sam, is_supervisor=True).exists()
    assert AuditEvent.objects.filter(object_id=str(world.south.id), action="update").exists()
