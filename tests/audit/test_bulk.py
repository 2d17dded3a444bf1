"""``audit_record_many``: one chain lock, a hash per event linked to the one before, one insert."""

from __future__ import annotations

from itertools import pairwise

from django.db import connection

from casework.audit import triggers
from casework.audit.models import AuditEvent
from casework.audit.services import AuditEntry, audit_record, audit_record_many, audit_verify


def test_many_events_extend_the_chain_and_verify(world):
    audit_record(actor=world.casey, action="read", object_type="x.y", object_id="1")
    before = AuditEvent.objects.count()
    written = audit_record_many(
        actor=None,
        action="create",
        entries=[
            AuditEntry(
                object_type="monitoring.workitem",
                object_id=str(n),
                organization_id=world.org.pk,
                changes={"n": n, "title": f"Item {n}"},
                detail={"sweep": True},
            )
            for n in range(25)
        ],
        batch_size=10,
    )
    assert written == 25
    events = list(AuditEvent.objects.order_by("sequence"))
    assert len(events) == before + 25
    for previous, event in pairwise(events):
        assert event.sequence == previous.sequence + 1
        assert event.previous_hash == previous.hash
    assert events[-1].changes == {"n": 24, "title": "Item 24"}
    assert events[-1].actor_username == ""
    assert audit_verify().ok
    # Single events still chain on after a bulk write.
    audit_record(actor=world.casey, action="read", object_type="x.y", object_id="2")
    assert audit_verify().ok


def test_nothing_to_write_writes_nothing(world):
    before = AuditEvent.objects.count()
    assert audit_record_many(actor=world.casey, action="create", entries=[]) == 0
    assert AuditEvent.objects.count() == before


def test_a_tampered_bulk_event_is_found(world):
    audit_record_many(
        actor=world.sam,
        action="update",
        entries=[AuditEntry(object_type="a.b", object_id=str(n)) for n in range(3)],
    )
    target = AuditEvent.objects.order_by("-sequence")[1]
    triggers.remove(connection)  # the append-only triggers would refuse the tampering
    try:
        AuditEvent.objects.filter(pk=target.pk).update(object_id="tampered")
        result = audit_verify()
    finally:
        triggers.install(connection)
    assert not result.ok and result.first_broken == target.sequence
