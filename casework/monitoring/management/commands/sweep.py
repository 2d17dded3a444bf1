"""``casework sweep [--org SLUG]``: run every prompt rule once; print per rule what it created,
resolved and escalated (progress on stderr)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.accounts.models import Organization
from casework.monitoring.sweep import RuleReport, sweep_run


class Command(BaseCommand):
    help = (
        "Run the monitoring sweep once: every enabled prompt rule over every open case; print "
        "per rule the work items created, resolved and escalated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organization (its slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options.get("org"):
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"No organization {options['org']!r}.")

        def progress(row: RuleReport) -> None:
            self.stderr.write(f"swept: {row.kind} ({row.name})")

        report = sweep_run(organization=organization, progress=progress)
        for row in report.rules.values():
            self.stdout.write(
                f"{row.kind}: {row.created} created, {row.resolved} resolved, "
                f"{row.escalated} escalated"
            )
        self.stdout.write(
            f"total: {report.created} created, {report.resolved} resolved, "
            f"{report.escalated} escalated in {report.seconds:.1f} s"
        )
