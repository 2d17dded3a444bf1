"""``casework stratify [--org SLUG] [--batch-size N]``: recompute every client's risk tier and
recommended model, organization by organization, with progress (clients done / total, rate)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.accounts.models import Organization
from casework.core.errors import ApplicationError
from casework.risk.services import population_stratify
from casework.risk.stratification import TIER_LABELS, TIERS

# Batches are independent, so a nightly run uses the machine's cores (writes still take turns).
DEFAULT_WORKERS = max(1, min(os.cpu_count() or 1, 4))


class Command(BaseCommand):
    help = "Stratify the whole population (every organization, or --org SLUG) in set-based batches."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="Only this organization (its slug)")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Clients per batch (default 5000)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"Processes computing batches in parallel (default {DEFAULT_WORKERS}: the CPUs, "
            "at most 4)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size, workers = options["batch_size"], options["workers"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        organizations = Organization.objects.order_by("slug")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
            if not organizations.exists():
                raise CommandError(f"No organization with slug {options['org']!r}.")
        for organization in organizations:
            self._stratify(organization, batch_size, workers)

    def _stratify(self, organization: Organization, batch_size: int, workers: int) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            elapsed = time.perf_counter() - started
            rate = done / elapsed if elapsed else 0.0
            self.stderr.write(
                f"  {organization.slug}: {done:>9,} / {total:,} clients ({rate:,.0f} clients/s)"
            )

        self.stderr.write(f"Stratifying {organization.name} ({organization.slug})…")
        try:
            result = population_stratify(
                organization=organization,
                batch_size=batch_size,
                progress=progress,
                workers=workers,
            )
        except ApplicationError as exc:
            raise CommandError(exc.detail) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"  {warning}"))
        tiers = ", ".join(f"{TIER_LABELS[tier]} {result.tiers.get(tier, 0):,}" for tier in TIERS)
        models = ", ".join(
            f"{kind} {count:,}" for kind, count in sorted(result.recommendations.items())
        )
        self.stdout.write(
            f"{organization.slug}: {result.clients:,} clients in {result.seconds:.1f} s "
            f"({result.workers} worker{'s' if result.workers != 1 else ''}, "
            f"{f'model v{result.model_version}' if result.model_version else 'no model'}) "
            f"({result.rate:,.0f} clients/s); tiers: {tiers}; recommended: {models or 'none'}; "
            f"open cases updated: {result.cases_updated:,}; decisions kept: "
            f"{result.decisions_kept:,}"
        )
