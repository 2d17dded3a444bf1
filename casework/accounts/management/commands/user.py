"""``casework user create USERNAME --role ROLE --org ORG [--password-stdin]``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.accounts.models import Role
from casework.accounts.services import organization_get_or_create, user_create
from casework.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Manage staff accounts."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a member of staff")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--org", required=True, help="Organization slug (created if new)")
        create.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input"
        )
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        organization = organization_get_or_create(slug=options["org"])
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                organization=organization,
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.detail) from exc
        note = "" if password else " (no password: API token only; set one with changepassword)"
        self.stdout.write(
            f"Created {user.username} ({user.get_role_display()}) in {organization.slug}{note}"
        )
