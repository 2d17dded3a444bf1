"""``casework digest [--dry-run]``: send today's digest email now (the worker sends it daily at
``CASEWORK_DIGEST_AT``); a person gets at most one per day either way."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.monitoring.services.notifications import daily_digest_send


class Command(BaseCommand):
    help = "Email each member of staff with open work today's digest (once a day per person)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count who would get one; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            count = daily_digest_send(dry_run=True)
            self.stdout.write(f"Daily digest: would send {count} (dry run, nothing sent).")
            return
        count = daily_digest_send()
        self.stdout.write(f"Daily digest: sent {count}.")
