"""``ventanilla apikey create|list|revoke``: keys for integrating applications."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.access.actors import Actor
from ventanilla.access.models import ApiKey, Scope
from ventanilla.access.services import apikey_create, apikey_revoke
from ventanilla.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, list and revoke API keys of integrating applications."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print its secret once")
        create.add_argument("--name", required=True)
        create.add_argument("--agency", required=True, help="code of the agency the key acts for")
        create.add_argument(
            "--scopes",
            nargs="+",
            required=True,
            metavar="SCOPE",
            help=f"one or more of: {', '.join(Scope.values)}",
        )
        create.add_argument(
            "--rate",
            type=int,
            default=None,
            metavar="N",
            help="this key's limit of calls per minute (default: VENTANILLA_API_RATE_PER_MINUTE)",
        )
        sub.add_parser("list", help="list keys (never their secrets)")
        revoke = sub.add_parser("revoke", help="revoke a key at once")
        revoke.add_argument("prefix", help="the key's prefix, as `list` shows it")
        for changing in (create, revoke):
            changing.add_argument(
                "--operator", default="operator", help="who gives or revokes it, for the audit log"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        # The command is run by whoever operates the installation; the name they give is
        # recorded, as `gdpr` does.
        operator = Actor(
            label=f"command:{options.get('operator', 'operator')}", sees_everything=True
        )
        try:
            if options["action"] == "create":
                scopes = [s for item in options["scopes"] for s in item.split(",") if s]
                key, secret = apikey_create(
                    actor=operator,
                    name=options["name"],
                    agency_code=options["agency"],
                    scopes=scopes,
                    rate_per_minute=options["rate"],
                )
                self.stdout.write(f"Created key {key.prefix}… for {key.agency.code}: {secret}")
                self.stdout.write("Store it now: it is not kept and cannot be shown again.")
            elif options["action"] == "list":
                for key in ApiKey.objects.select_related("agency").order_by("created_at"):
                    state = "revoked" if key.revoked_at else "active"
                    rate = f"{key.rate_per_minute}/min" if key.rate_per_minute else "default"
                    self.stdout.write(
                        f"{key.prefix}  {state:8} {key.agency.code:14} {key.name}  "
                        f"{' '.join(key.scopes)}  {rate}"
                    )
            else:
                key = apikey_revoke(actor=operator, prefix=options["prefix"])
                self.stdout.write(f"Revoked {key.prefix}…")
        except DomainError as error:
            raise CommandError(error.message) from error
