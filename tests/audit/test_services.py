"""The audit chain: every event links to the one before; any alteration is found and named."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from casework.audit import triggers
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record, audit_verify, compute_hash
from tests import factories


@pytest.fixture
def chain(world):
    """A few real events on top of the ones the personas created."""
    client = factories.client(world.casey)
    factories.case(world.casey, client=client, program=world.program, to="intake")
    triggers.install(connection)
    return list(AuditEvent.objects.order_by("sequence"))


def _raw(sql: str, params: list) -> None:
    """Tamper as an attacker with database access would: triggers off, raw SQL."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def test_chain_of_real_events_verifies(chain):
    result = audit_verify()
    assert result.ok and result.checked == len(chain) > 10
    assert chain[0].previous_hash == "0" * 64
    for before, after in itertools.pairwise(chain):
        assert after.previous_hash == before.hash
        assert after.sequence == before.sequence + 1


def test_altered_event_is_named(chain):
    victim = chain[5]
    _raw(
        "UPDATE audit_auditevent SET object_id = %s WHERE sequence = %s",
        ["forged", victim.sequence],
    )
    result = audit_verify()
    assert not result.ok
    assert result.first_broken == victim.sequence
    assert "altered" in result.problem


def test_removed_event_is_named(chain):
    victim = chain[4]
    _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [victim.sequence])
    result = audit_verify()
    assert not result.ok
    assert result.first_broken == victim.sequence + 1
    assert "missing" in result.problem


def test_event_inserted_out_of_order_is_named(chain):
    # Re-number two neighbours (swap them), as if a row had been slipped in earlier.
    a, b = chain[3], chain[4]
    _raw("UPDATE audit_auditevent SET sequence = -1 WHERE sequence = %s", [a.sequence])
    _raw("UPDATE audit_auditevent SET sequence = %s WHERE sequence = %s", [a.sequence, b.sequence])
    _raw("UPDATE audit_auditevent SET sequence = %s WHERE sequence = -1", [b.sequence])
    result = audit_verify()
    assert not result.ok and result.first_broken == a.sequence


def test_forged_hash_recomputed_still_breaks_the_link(chain):
    victim = AuditEvent.objects.get(sequence=chain[2].sequence)
    victim.detail = {"forged": True}
    new_hash = compute_hash(victim)
    _raw(
        "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE sequence = %s",
        ['{"forged": true}', new_hash, victim.sequence],
    )
    result = audit_verify()
    assert not result.ok and result.first_broken == victim.sequence + 1


def test_database_refuses_update_and_delete(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=chain[0].sequence).update(object_id="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=chain[0].sequence).delete()
    assert audit_verify().ok


def test_rolled_back_write_leaves_no_event(world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=world.casey, action="update", object_type="x", object_id="1")
        raise RuntimeError("boom")
    assert AuditEvent.objects.count() == before
    assert audit_verify().ok


def test_verify_command_exit_code(chain, capsys):
    call_command("audit", "verify")
    assert "chain intact" in capsys.readouterr().out
    _raw(
        "UPDATE audit_auditevent SET actor_username = %s WHERE sequence = %s",
        ["mallory", chain[1].sequence],
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"#{chain[1].sequence}" in capsys.readouterr().err


def test_login_logout_and_failed_login_are_audited(world, client):
    from tests.factories import PASSWORD

    assert not client.login(username="casey", password="wrong-password")
    assert client.login(username="casey", password=PASSWORD)
    client.logout()
    actions = list(
        AuditEvent.objects.filter(object_type="accounts.user").values_list(
            "action", "detail__username"
        )
    )
    assert ("login_failed", "casey") in actions
    assert ("login", "casey") in actions
    assert ("logout", "casey") in actions


def test_reads_are_audited(world, api):
    client = factories.client(world.casey)
    before = AuditEvent.objects.filter(action="read", client_id=client.id).count()
    api(world.casey).get(f"/api/v1/clients/{client.id}")
    assert AuditEvent.objects.filter(action="read", client_id=client.id).count() == before + 1
