"""Concurrent writers on a real database: one wins, the other is refused, nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from casework.audit import triggers
from casework.audit.services import audit_verify
from casework.cases.models import Case
from casework.cases.services import case_transition
from casework.clients.models import Client
from casework.clients.services import client_update
from casework.core.errors import ApplicationError
from tests import factories


@pytest.fixture
def flushable_audit(transactional_db: Any) -> Any:
    """Transactional tests empty the database afterwards; the audit triggers would refuse."""
    yield
    triggers.remove(connection)


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same moment in separate threads (separate connections)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = action()
        except ApplicationError as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_transitions_at_once_one_wins(flushable_audit: Any) -> None:
    org = factories.organization("race")
    team = factories.team("Race", org=org)
    casey = factories.staff("racer", org=org, team=team)
    program = factories.program("Race program", org=org, teams=[team])
    client = factories.client(casey)
    case = factories.case(casey, client=client, program=program, to="screening")

    def to_intake() -> Any:
        return case_transition(
            acting_user=casey,
            case=Case.objects.get(pk=case.pk),
            to_status="intake",
            expected_version=case.version,
        )

    def to_closed() -> Any:
        return case_transition(
            acting_user=casey,
            case=Case.objects.get(pk=case.pk),
            to_status="closed",
            reason="Declined",
            closure_reason="declined",
            expected_version=case.version,
        )

    results = race(to_intake, to_closed)
    refused = [r for r in results if isinstance(r, ApplicationError)]
    succeeded = [r for r in results if isinstance(r, Case)]
    assert len(refused) == 1 and len(succeeded) == 1, results
    assert refused[0].status_code == 409
    final = Case.objects.get(pk=case.pk)
    assert final.status == succeeded[0].status
    assert final.version == case.version + (2 if final.status == "intake" else 1)
    assert final.status_changes.count() == 3  # referred, screening, and the winner only
    assert audit_verify().ok


def test_two_client_edits_from_the_same_version(flushable_audit: Any) -> None:
    org = factories.organization("race2")
    casey = factories.staff("racer2", org=org)
    client = factories.client(casey)

    def edit(phone: str) -> Callable[[], Any]:
        return lambda: client_update(
            acting_user=casey,
            client=Client.objects.get(pk=client.pk),
            expected_version=1,
            changes={"phone": phone},
        )

    results = race(edit("555-0001"), edit("555-0002"))
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 1 and refused[0].code == "stale_version"
    stored = Client.objects.get(pk=client.pk)
    assert stored.version == 2
    assert stored.phone in {"555-0001", "555-0002"}
    assert audit_verify().ok
