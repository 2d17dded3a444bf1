from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from casework.accounts.models import ApiToken, User
from casework.accounts.services import token_authenticate, token_create, user_create
from casework.core.errors import Conflict, ValidationFailed


def test_tokens_are_stored_hashed_and_shown_once(world):
    token, raw = token_create(user=world.casey)
    assert raw.startswith("cw_") and raw not in str(ApiToken.objects.values_list())
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token_authenticate(raw) == world.casey
    assert token_authenticate(raw + "x") is None
    world.casey.is_active = False
    world.casey.save()
    assert token_authenticate(raw) is None


@pytest.mark.real_hashing
def test_passwords_are_argon2(world):
    user = user_create(
        username="newbie",
        role="intake",
        organization=world.org,
        password="a-much-longer-passphrase-7",
    )
    assert user.password.startswith("argon2")
    with pytest.raises(ValidationFailed):
        user_create(username="weak", role="intake", organization=world.org, password="123")
    with pytest.raises(Conflict):
        user_create(username="NEWBIE", role="intake", organization=world.org, password=None)
    with pytest.raises(ValidationFailed):
        user_create(username="x", role="wizard", organization=world.org, password=None)


def test_cli_user_and_token_create(db, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase-1\n"))
    call_command(
        "user", "create", "robin", "--role", "supervisor", "--org", "newco", "--password-stdin"
    )
    robin = User.objects.get(username="robin")
    assert robin.role == "supervisor" and robin.organization.slug == "newco"
    assert robin.check_password("a-long-enough-passphrase-1")
    # The organization got its own copy of the five standard models.
    assert robin.organization.case_management_models.count() == 5
    capsys.readouterr()
    call_command("token", "create", "robin")
    raw = capsys.readouterr().out.strip()
    assert token_authenticate(raw) == robin
