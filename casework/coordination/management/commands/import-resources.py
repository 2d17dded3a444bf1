"""``casework import-resources PATH --as USERNAME [--dry-run]``: load directory services from CSV.

Every row is checked and duplicates are found before anything is written; the report names each
bad row (row number, field, message) and each duplicate. Columns: docs/resources.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.accounts.models import User
from casework.coordination.services import resource_import
from casework.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import resource directory services from a CSV file (see docs/resources.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--as", dest="username", required=True, help="The program admin doing the import"
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        try:
            text = Path(options["path"]).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc}") from exc

        def progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                self.stderr.write(f"imported {done}/{total}")

        try:
            report = resource_import(
                text=text, acting_user=user, dry_run=options["dry_run"], progress=progress
            )
        except ApplicationError as exc:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
            raise CommandError(f"{exc.detail} {details}".strip()) from exc
        for error in report.errors:
            self.stdout.write(f"row {error['row']}: {error['field']}: {error['message']}")
        for duplicate in report.duplicates:
            self.stdout.write(
                f"row {duplicate['row']}: duplicate ({duplicate['reason']}) of "
                f"{duplicate['duplicate_of']}: {duplicate['name']}"
            )
        verb = "would create" if report.dry_run else "created"
        self.stdout.write(
            f"{report.rows} rows, {len(report.errors)} errors, "
            f"{len(report.duplicates)} duplicates, {verb} "
            f"{report.valid - len(report.duplicates) if report.dry_run else report.created}"
        )
