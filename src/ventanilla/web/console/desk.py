"""The desk and phone panels of the 360° page: what their forms offer and how what they post
back is read. Shared by the 360° page, which shows the panels, and the views that receive them
(``desk_views``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.models import Scope
from ventanilla.catalog.selectors import ArticleHit, channels, requestable_services
from ventanilla.interactions.models import Interaction
from ventanilla.parties.models import Party

# The channel a contact recorded in the console is on unless the agent says otherwise: most
# contacts an agent records by hand are calls.
DEFAULT_CHANNEL = "phone"
MAX_MINUTES = 24 * 60
# The contact form's fields, in the order it shows them.
CONTACT_FIELDS = (
    "channel",
    "direction",
    "kind",
    "service",
    "summary",
    "duration",
    "outcome",
    "call_back_due",
    "call_back_phone",
)


def contact_outcomes() -> list[tuple[str, str]]:
    """How a contact recorded by hand can end. Opening a case records its own contact, so
    "case opened" is not offered here."""
    return [
        (value, str(label))
        for value, label in Interaction.Outcome.choices
        if value != Interaction.Outcome.CASE_OPENED
    ]


@dataclass
class ContactForm:
    """What the contact form shows: the values typed (or suggested) and the errors by field."""

    channel: str = DEFAULT_CHANNEL
    direction: str = Interaction.Direction.INBOUND
    kind: str = Interaction.Kind.QUESTION
    minutes: str = ""
    seconds: str = ""
    summary: str = ""
    outcome: str = ""
    service: str = ""
    # The knowledge-base article the answer came from, when the agent said so.
    article: str = ""
    # When the contact ends "to call back": by when (a browser's local date and time) and on
    # which number, both optional.
    call_back_due: str = ""
    call_back_phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, post: QueryDict) -> ContactForm:
        return cls(
            channel=post.get("channel", "")[:20],
            direction=post.get("direction", "")[:10],
            kind=post.get("kind", "")[:15],
            minutes=post.get("minutes", "").strip()[:6],
            seconds=post.get("seconds", "").strip()[:6],
            summary=post.get("summary", "")[:5000],
            outcome=post.get("outcome", "")[:15],
            service=post.get("service", "")[:60],
            article=post.get("article", "")[:80],
            call_back_due=post.get("call_back_due", "").strip()[:30],
            call_back_phone=post.get("call_back_phone", "").strip()[:40],
        )

    @classmethod
    def answered_from(cls, article: ArticleHit) -> ContactForm:
        """The form as an answer from ``article`` leaves it: its title as the summary, its service
        when it is about one, and the contact answered."""
        return cls(
            summary=_("Answered from the knowledge base: %(title)s") % {"title": article.title},
            outcome=Interaction.Outcome.ANSWERED,
            service=article.services[0] if len(article.services) == 1 else "",
            article=article.code,
        )

    def duration_seconds(self) -> int | None:
        """The duration in seconds, None if not given; an error on ``duration`` if it does not
        read as whole minutes and seconds."""
        if not self.minutes and not self.seconds:
            return None
        try:
            minutes = int(self.minutes or 0)
            seconds = int(self.seconds or 0)
        except ValueError:
            minutes = seconds = -1
        if not (0 <= minutes <= MAX_MINUTES and 0 <= seconds <= 59):
            self.errors["duration"] = _("Give whole minutes and seconds from 0 to 59.")
            return None
        return minutes * 60 + seconds

    def call_back_time(self) -> datetime | None:
        """The time to call back, read in the console's time zone; None if not given; an error
        on ``call_back_due`` if it is not a date and time."""
        if not self.call_back_due:
            return None
        try:
            moment = datetime.fromisoformat(self.call_back_due)
        except ValueError:
            self.errors["call_back_due"] = _("Give a date and a time.")
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    @property
    def first_error(self) -> str:
        """The first field with an error, in the order of the form, for the focus to go to."""
        return next((name for name in CONTACT_FIELDS if name in self.errors), "")

    @property
    def general_errors(self) -> list[str]:
        """Errors about no field of the form (the agency, a merged record)."""
        return [message for name, message in self.errors.items() if name not in CONTACT_FIELDS]

    def take_errors(self, errors: dict[str, str]) -> None:
        """The service's errors, under the names of this form's fields."""
        renamed = {"duration_seconds": "duration"}
        for name, message in errors.items():
            self.errors.setdefault(renamed.get(name, name), message)


def desk_panels(actor: Actor, party: Party, contact: ContactForm | None = None) -> dict[str, Any]:
    """The context of the desk panels of ``party``'s 360° page, for what ``actor`` may do."""
    active = party.status == Party.Status.ACTIVE
    may_record = active and actor.can(Scope.INTERACTIONS_WRITE)
    return {
        "may_record_contact": may_record,
        "may_open_case": active and actor.can(Scope.CASES_WRITE),
        "may_search_knowledge": may_record and actor.can(Scope.CATALOG_READ),
        "contact": contact or ContactForm(),
        "contact_channels": channels() if may_record else [],
        "contact_directions": Interaction.Direction.choices,
        "contact_kinds": Interaction.Kind.choices,
        "contact_outcomes": contact_outcomes(),
        "contact_services": requestable_services() if may_record else [],
    }
