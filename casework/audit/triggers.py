"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit table.

The hash chain detects tampering; these triggers make the ordinary paths (an ORM ``update()``, a
careless SQL statement) fail loudly. Someone with DDL rights can still drop them, which is why
``casework audit verify`` exists.
"""

from __future__ import annotations

from typing import Any

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    *POSTGRES_REMOVE,
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();""",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(
        connection,
        {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(connection.vendor, []),
    )


def remove(connection: Any) -> None:
    """Only for test teardown that must empty the database, and for deliberate maintenance."""
    _run(
        connection,
        {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}.get(connection.vendor, []),
    )
