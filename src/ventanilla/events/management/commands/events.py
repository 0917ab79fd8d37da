"""``ventanilla events subscribe|list|change|unsubscribe|resend|deliver|prune``: other systems'
webhooks hearing an agency's events, a delivery run at once (the worker runs one after each
change), and removing the events done with (each delivery run does it too)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.access.actors import Actor
from ventanilla.core.errors import DomainError
from ventanilla.events.delivery import events_prune
from ventanilla.events.models import SCOPES, Delivery, Subscription, Topic
from ventanilla.events.services import (
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_resend,
)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


class Command(BaseCommand):
    help = (
        "Subscribe other systems' webhooks to an agency's events, list them, send again what "
        "one was given up on, end them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        subscribe = sub.add_parser("subscribe", help="subscribe a webhook; prints its secret once")
        subscribe.add_argument("--agency", required=True, help="code of the agency it hears")
        subscribe.add_argument("--url", required=True, help="the http(s) address events go to")
        subscribe.add_argument(
            "--scopes",
            nargs="+",
            default=[Topic.CASES, Topic.INTERACTIONS],
            metavar="SCOPE",
            help=f"one or more of: {', '.join(SCOPES)} (default: cases interactions); "
            "'personal' adds names and texts to the ids",
        )
        subscribe.add_argument("--description", default="")
        subscribe.add_argument(
            "--batch",
            type=int,
            default=1,
            metavar="N",
            help="events per request: 1 (default) one CloudEvent each; more, up to N in one "
            "request as application/cloudevents-batch+json",
        )
        sub.add_parser("list", help="list subscriptions (never their secrets)")
        change = sub.add_parser(
            "change",
            help="change a webhook's address, scopes, events per request or description, "
            "keeping what waits for it; --new-secret prints a new signing secret once",
        )
        change.add_argument("id", help="the subscription's id, as `list` shows it")
        change.add_argument("--url", help="the new http(s) address")
        change.add_argument("--scopes", nargs="+", metavar="SCOPE", help="the scopes it hears now")
        change.add_argument("--description")
        change.add_argument("--batch", type=int, metavar="N", help="events per request now")
        change.add_argument(
            "--new-secret", action="store_true", help="sign with a new secret from now on"
        )
        end = sub.add_parser("unsubscribe", help="stop delivering to a webhook")
        end.add_argument("id", help="the subscription's id, as `list` shows it")
        resend = sub.add_parser(
            "resend", help="queue again what a webhook was given up on (tried as long again)"
        )
        resend.add_argument("id", help="the subscription's id, as `list` shows it")
        sub.add_parser("deliver", help="deliver what is waiting now")
        sub.add_parser(
            "prune", help="remove the events done with, older than VENTANILLA_EVENTS_KEEP_DAYS"
        )
        for changing in (subscribe, change, end, resend):
            changing.add_argument(
                "--operator", default="operator", help="who does it, for the audit log"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Actor(
            label=f"command:{options.get('operator', 'operator')}", sees_everything=True
        )
        try:
            action = options["action"]
            if action == "subscribe":
                scopes = [s for item in options["scopes"] for s in item.split(",") if s]
                subscription, secret = subscription_create(
                    actor=operator,
                    agency_code=options["agency"],
                    url=options["url"],
                    scopes=scopes,
                    description=options["description"],
                    batch_size=options["batch"],
                )
                self.stdout.write(
                    f"Subscribed {subscription.pk} to {options['agency']}'s events "
                    f"({' '.join(subscription.scopes)}): {subscription.url}"
                )
                self.stdout.write(f"Signing secret (store it now, it is not shown again): {secret}")
            elif action == "list":
                for s in Subscription.objects.select_related("agency").order_by("created_at"):
                    waiting = s.deliveries.filter(status=Delivery.Status.QUEUED).count()
                    given_up = s.deliveries.filter(status=Delivery.Status.FAILED).count()
                    state = "active" if s.active else "ended"
                    self.stdout.write(
                        f"{s.pk}  {state:6} {s.agency.code:14} {' '.join(s.scopes):30} "
                        f"{waiting:6} waiting {given_up:6} given up  {s.url}"
                    )
            elif action == "change":
                key = _uuid(options["id"])
                current = Subscription.objects.filter(pk=key).first() if key else None
                if current is None:
                    raise CommandError("No such subscription.")
                scopes = options["scopes"] and [
                    s for item in options["scopes"] for s in item.split(",") if s
                ]
                subscription, secret = subscription_change(
                    actor=operator,
                    subscription_id=current.pk,
                    url=options["url"] or current.url,
                    scopes=scopes or current.scopes,
                    description=(
                        current.description
                        if options["description"] is None
                        else options["description"]
                    ),
                    batch_size=options["batch"] or current.batch_size,
                    new_secret=options["new_secret"],
                )
                self.stdout.write(
                    f"Changed {subscription.pk} ({' '.join(subscription.scopes)}, "
                    f"{subscription.batch_size} per request): {subscription.url}"
                )
                if secret:
                    self.stdout.write(
                        f"New signing secret (store it now, it is not shown again): {secret}"
                    )
            elif action == "unsubscribe":
                subscription = subscription_end(actor=operator, subscription_id=options["id"])
                self.stdout.write(f"Ended {subscription.pk}")
            elif action == "resend":
                queued = subscription_resend(actor=operator, subscription_id=options["id"])
                self.stdout.write(f"Queued {queued} deliveries again for {options['id']}")
            elif action == "prune":
                removed = events_prune()
                self.stdout.write(f"Removed {removed} events done with.")
            else:
                from ventanilla.events.jobs import deliver_events

                self.stdout.write(str(deliver_events.call()))
        except DomainError as error:
            raise CommandError(error.message) from error
