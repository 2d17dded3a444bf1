"""Writing to the audit log. Every read and write of client data goes through ``audit_record``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from casework.audit import context
from casework.audit.models import Action, AuditEvent
from casework.core.bulk import fast_bulk_insert

GENESIS_HASH = "0" * 64
# Any constant works; it names the PostgreSQL advisory lock that serializes appends to the chain.
_CHAIN_LOCK_KEY = 4_242_001


def _plain(value: Any) -> Any:
    """JSON round trip, so what we hash is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def _hash_fields(event: AuditEvent) -> dict[str, Any]:
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return {
        "sequence": event.sequence,
        "occurred_at": occurred,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_username": event.actor_username,
        "organization_id": str(event.organization_id) if event.organization_id else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_id": str(event.client_id) if event.client_id else None,
        "changes": event.changes,
        "detail": event.detail,
        "remote_addr": event.remote_addr,
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(_hash_fields(event))).hexdigest()


def _lock_chain() -> None:
    # SQLite runs transactions in IMMEDIATE mode (settings.py), which already serializes writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: Any,
    action: str | Action,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | UUID = "",
    client_id: UUID | None = None,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    organization_id: UUID | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``actor`` is a ``User`` or ``None`` (system). When ``obj`` is given its type and id are used.
    If the surrounding transaction rolls back, the event goes with it, so the log never claims a
    change that did not happen.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if organization_id is None and actor is not None:
        organization_id = getattr(actor, "organization_id", None)
    ctx = context.current()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last["sequence"] + 1) if last else 1,
            occurred_at=timezone.now(),
            actor_id=actor_id,
            actor_username=getattr(actor, "username", "") if actor is not None else "",
            organization_id=organization_id,
            action=str(action),
            object_type=object_type,
            object_id=str(object_id or ""),
            client_id=client_id,
            changes=_plain(changes or {}),
            detail=_plain(detail or {}),
            remote_addr=ctx.remote_addr,
            request_id=ctx.request_id,
            previous_hash=last["hash"] if last else GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One event of an ``audit_record_many`` call: what the event is about and what changed."""

    object_type: str
    object_id: str
    client_id: UUID | None = None
    organization_id: UUID | None = None
    changes: dict[str, Any] | None = None
    detail: dict[str, Any] | None = None


def audit_record_many(
    *,
    actor: Any,
    action: str | Action,
    entries: list[AuditEntry],
    batch_size: int = 5000,
    plain: bool = False,
) -> int:
    """Append one event per entry to the chain in one go, inside the caller's transaction: the
    chain is locked once, the hashes are computed in a loop (each links to the one before), and
    the events are written with one bulk insert per ``batch_size``. For sweeps that make or close
    thousands of work items at once; ``audit_verify`` checks these events like any other.
    ``plain=True`` says ``changes`` and ``detail`` hold only JSON values already (str, int,
    None, lists, dicts), which skips their JSON round trip. Returns how many events were
    written."""
    if not entries:
        return 0
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_username = getattr(actor, "username", "") if actor is not None else ""
    actor_organization_id = getattr(actor, "organization_id", None) if actor is not None else None
    ctx = context.current()
    action = str(action)
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        sequence = last["sequence"] if last else 0
        previous_hash = last["hash"] if last else GENESIS_HASH
        occurred_at = timezone.now()
        events = []
        for entry in entries:
            sequence += 1
            # A plain row object: building 10,000s of model instances costs more than the insert.
            event = SimpleNamespace(
                sequence=sequence,
                occurred_at=occurred_at,
                actor_id=actor_id,
                actor_username=actor_username,
                organization_id=entry.organization_id or actor_organization_id,
                action=action,
                object_type=entry.object_type,
                object_id=str(entry.object_id or ""),
                client_id=entry.client_id,
                changes=(entry.changes or {}) if plain else _plain(entry.changes or {}),
                detail=(entry.detail or {}) if plain else _plain(entry.detail or {}),
                remote_addr=ctx.remote_addr,
                request_id=ctx.request_id,
                previous_hash=previous_hash,
                hash="",
            )
            event.hash = previous_hash = compute_hash(cast(AuditEvent, event))
            events.append(event)
        fast_bulk_insert(AuditEvent, events, batch_size=batch_size)
    return len(events)


def audit_read(*, actor: Any, obj: Model, client_id: UUID | None, purpose: str = "") -> None:
    audit_record(
        actor=actor,
        action=Action.READ,
        obj=obj,
        client_id=client_id,
        detail={"purpose": purpose} if purpose else None,
    )


def audit_read_many(
    *, actor: Any, object_type: str, ids: list[Any], query: dict[str, Any] | None = None
) -> None:
    """One event for a list or search result, naming every record that was shown."""
    if not ids and not query:
        return
    audit_record(
        actor=actor,
        action=Action.SEARCH if query else Action.READ,
        object_type=object_type,
        detail={"ids": [str(i) for i in ids], "query": query or {}},
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""


def audit_verify(*, progress: Any = None) -> VerifyResult:
    """Walk the chain in order; report the first event that is altered, missing or out of order."""
    expected_previous = GENESIS_HASH
    expected_sequence: int | None = None
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=5000):
        if expected_sequence is not None and event.sequence != expected_sequence:
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} follows event {expected_sequence - 1}: "
                f"event {expected_sequence} is missing or the order was changed",
            )
        if event.previous_hash != expected_previous:
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} does not link to the event before it "
                "(an event was removed, inserted or reordered)",
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False,
                checked,
                event.sequence,
                f"event {event.sequence} was altered after it was written (hash mismatch)",
            )
        expected_previous = event.hash
        expected_sequence = event.sequence + 1
        checked += 1
        if progress is not None and checked % 10000 == 0:
            progress(checked)
    return VerifyResult(True, checked)


def audit_login_event(*, user: Any, action: Action, username: str = "", detail: Any = None) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type="accounts.user",
        object_id=str(user.pk) if user is not None else "",
        detail={"username": username or getattr(user, "username", ""), **(detail or {})},
    )
