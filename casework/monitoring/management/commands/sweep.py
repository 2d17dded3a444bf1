"""``casework sweep``: run every sweep rule once and report what each created."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from casework.monitoring.sweep import SWEEP_RULES


class Command(BaseCommand):
    help = "Run the monitoring sweep rules once (referral follow-ups, …) and print what each made."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for rule in SWEEP_RULES:
            self.stderr.write(f"sweeping: {rule.name} …")
            created = rule.run(now=now)
            self.stdout.write(f"{rule.name}: {created} created")
