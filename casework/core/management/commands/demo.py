"""``casework demo [--clients N] [--seed S]``: load the demo population once, print the logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.models import Organization
from casework.cases.models import Status
from casework.core.demo import (
    DEFAULT_CLIENTS,
    DEFAULT_SEED,
    DEMO_SLUG,
    PROGRAMS,
    DemoSummary,
    demo_is_loaded,
    demo_load,
    demo_logins,
)
from casework.core.demo_coordination import coordination_summary
from casework.core.errors import ApplicationError

# Short column headings for the summary table, in program order.
COLUMNS = {spec.name: spec.kind for spec in PROGRAMS}


class Command(BaseCommand):
    help = "Load the demo population (a fictional county agency) once; safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--clients", type=int, default=DEFAULT_CLIENTS, help="How many clients (default 300)"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Same seed, same people (default 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clients, seed = options["clients"], options["seed"]
        if clients < 0:
            raise CommandError("--clients must be 0 or more.")

        if demo_is_loaded():
            self.stdout.write("The demo population is already loaded (organization 'demo').")
            self._logins()
            return

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"  {done:>6,} of {total:,} clients")

        self.stderr.write(f"Loading the demo population ({clients:,} clients, seed {seed})…")
        try:
            summary = demo_load(clients=clients, seed=seed, progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.detail) from exc
        if summary.already_loaded:
            self.stdout.write("The demo population is already loaded (organization 'demo').")
        else:
            self._summary(summary)
        self._logins()

    def _summary(self, summary: DemoSummary) -> None:
        write = self.stdout.write
        write(
            f"Loaded in {summary.seconds:.1f} s: {summary.clients:,} clients, "
            f"{summary.cases:,} cases, {summary.staff} staff."
        )
        write("")
        programs = [name for name in COLUMNS if name in summary.by_program]
        header = f"{'stage':<18}" + "".join(f"{COLUMNS[n]:>12}" for n in programs) + f"{'all':>8}"
        write(header)
        write("-" * len(header))
        for status in Status:
            counts = [summary.by_program[name].get(status.value, 0) for name in programs]
            row = "".join(f"{count:>12}" for count in counts)
            write(f"{status.label:<18}{row}{sum(counts):>8}")
        totals = [sum(summary.by_program[name].values()) for name in programs]
        write("-" * len(header))
        write(f"{'all':<18}" + "".join(f"{t:>12}" for t in totals) + f"{sum(totals):>8}")
        write("")
        for name in programs:
            write(f"  {COLUMNS[name]:<11} {name}")
        write("")
        write(
            f"casemanager carries {summary.casemanager_open_cases} open cases "
            f"({summary.casemanager_points} of 100 caseload points)."
        )
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
        if organization is not None:
            write(f"Coordination: {coordination_summary(organization)}")
        if summary.waitlisted_for_capacity:
            write(
                f"{summary.waitlisted_for_capacity} cases went to the waitlist because no case "
                "manager had room."
            )

    def _logins(self) -> None:
        write = self.stdout.write
        write("")
        write("Demo logins (http://127.0.0.1:8000/login/):")
        password = settings.CASEWORK_DEMO_PASSWORD
        for username, role, name in demo_logins():
            write(f"  {username:<14} {role:<16} {name:<22} password: {password}")
        write("Every other demo account uses the same password.")
