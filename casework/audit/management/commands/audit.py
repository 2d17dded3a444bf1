"""``casework audit verify``: check the hash chain; non-zero exit names the first broken event."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from casework.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(count: int) -> None:
            self.stderr.write(f"  checked {count:,} events…")

        result = audit_verify(progress=progress)
        if result.ok:
            self.stdout.write(f"OK: {result.checked:,} audit events, chain intact.")
            return
        self.stderr.write(
            f"TAMPERED: first broken event is #{result.first_broken}: {result.problem} "
            f"({result.checked:,} events verified before it)."
        )
        sys.exit(1)
