"""What a member of staff may reach: one list, read by the menu on every page and by the home
page, so that a page no menu reaches cannot exist and a link never leads to a refusal. It follows
the scopes the roles give; nothing is offered before the second factor is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.access.models import Scope
from ventanilla.cases.news import unread_count
from ventanilla.identity.reviews import reviews_waiting_count
from ventanilla.interactions.selectors import call_backs_late_count
from ventanilla.mail.selectors import messages_for_person_count

# Where a staff page leaves the actor it resolved, for the menu to reuse.
ACTOR_ATTRIBUTE = "ventanilla_actor"


@dataclass(frozen=True)
class Destination:
    label: str | Promise
    url_name: str
    # What the person does there, in a sentence, for the home page.
    purpose: str | Promise
    # How many things wait there for the person, shown beside the menu's link.
    waiting: Callable[[Actor], int] | None = None


def _may_reach_admin(actor: Actor, user: Any) -> bool:
    return bool(getattr(user, "is_staff", False)) and (
        actor.can(Scope.ROUTING_MANAGE) or actor.can(Scope.CATALOG_MANAGE)
    )


def destinations(actor: Actor, user: Any) -> list[Destination]:
    """The places ``actor`` may work in, in the order the menu shows them."""
    if not actor.is_staff_member or actor.second_factor_pending:
        return []
    places = [Destination(_("Home"), "console:home", _("What you can do here."))]
    if actor.can(Scope.PARTIES_READ):
        places.append(
            Destination(
                _("Citizens"),
                "console:search",
                _("Find a person and open their whole record: contacts, cases and consents."),
            )
        )
    if actor.can(Scope.CASES_READ):
        places.append(
            Destination(
                _("Cases"),
                "console:cases",
                _("The queues of your departments: take a case, move it on, answer the citizen."),
            )
        )
    if actor.can(Scope.CASES_WRITE):
        places.append(
            Destination(
                _("What changed"),
                "console:inbox",
                _(
                    "What happened on your cases since you last opened them: citizens' replies, "
                    "answered tasks, escalations, cases handed over to you."
                ),
                waiting=lambda actor: unread_count(actor=actor),
            )
        )
    if actor.can(Scope.INTERACTIONS_WRITE):
        places.append(
            Destination(
                _("Calls to return"),
                "console:call-backs",
                _(
                    "The calls promised to citizens, the most overdue first: call, then say how it "
                    "went."
                ),
                waiting=call_backs_late_count,
            )
        )
        places.append(
            Destination(
                _("Emails to deal with"),
                "console:mail",
                _("Citizens' emails no case took on its own: place them, answer them."),
                waiting=messages_for_person_count,
            )
        )
    if actor.can(Scope.INTERACTIONS_READ):
        places.append(
            Destination(
                _("Appointments desk"),
                "console:desk",
                _(
                    "An office's appointments of the day: call the next ticket, issue walk-in "
                    "tickets, record who came."
                ),
            )
        )
    if actor.can(Scope.PARTIES_MERGE):
        places.append(
            Destination(
                _("Likely duplicates"),
                "console:matches",
                _(
                    "Records from different registers that are probably the same person: "
                    "compare them and decide."
                ),
                waiting=lambda actor: reviews_waiting_count(actor=actor),
            )
        )
    if actor.can(Scope.SOURCES_TRUST):
        places.append(
            Destination(
                _("Which register wins"),
                "console:trust",
                _(
                    "When agencies' registers disagree about a person, which one's value is "
                    "shown: the order of trust in them."
                ),
            )
        )
    if actor.can(Scope.CATALOG_MANAGE):
        places.append(
            Destination(
                _("Messages to citizens"),
                "console:messages",
                _("What citizens are told at each step, and the messages that were not delivered."),
            )
        )
        places.append(
            Destination(
                _("Notices and news"),
                "console:notices",
                _(
                    "Publish notices and news of your agency, for a district or the whole town; "
                    "subscribers receive them by email."
                ),
            )
        )
    if actor.can(Scope.ANALYTICS_READ):
        places.append(
            Destination(
                _("Dashboards"),
                "console:analytics",
                _(
                    "Figures of contacts, cases, backlog, deadlines and satisfaction, by period, "
                    "agency and channel: never a person."
                ),
            )
        )
        places.append(
            Destination(
                _("Emerging problems"),
                "console:alerts",
                _(
                    "Days on which one kind of contact rose in one district well beyond its usual "
                    "level, found every night."
                ),
            )
        )
        places.append(
            Destination(
                _("Segments of the population"),
                "console:segments",
                _(
                    "Groups of people who use the administration alike, each described in words "
                    "and numbers, to read the dashboards for one of them."
                ),
            )
        )
        places.append(
            Destination(
                _("Services that follow each other"),
                "console:associations",
                _(
                    "Which services people ask for within weeks of another, found every night: "
                    "the suggestions agents see, as a table."
                ),
            )
        )
        places.append(
            Destination(
                _("Cases at risk of being answered late"),
                "console:deadline-risk",
                _(
                    "The open cases likely to miss their due date, and the rules, learnt every "
                    "night from past cases, that say why."
                ),
            )
        )
    if actor.can(Scope.ANALYTICS_READ) or actor.can(Scope.CATALOG_MANAGE):
        places.append(
            Destination(
                _("Surveys"),
                "console:surveys",
                _(
                    "The results of your agencies' surveys: counts per answer, and what people "
                    "wrote, grouped by topic."
                ),
            )
        )
    if actor.can(Scope.PARTICIPATION_MANAGE):
        places.append(
            Destination(
                _("From complaints to participation"),
                "console:loops",
                _(
                    "Invite everyone who complained about a service to a consultation, follow "
                    "their cases and tell them what was decided."
                ),
            )
        )
        places.append(
            Destination(
                _("Moderation"),
                "console:moderation",
                _(
                    "Comments citizens reported in debates: hide one with a stated reason, "
                    "decide the authors' appeals, open a debate."
                ),
            )
        )
        places.append(
            Destination(
                _("Participatory budgets"),
                "console:budgets",
                _(
                    "Move each budget through its phases, review the projects and their cost, "
                    "read the results and follow the projects carried out."
                ),
            )
        )
        places.append(
            Destination(
                _("Citizen proposals"),
                "console:proposals",
                _(
                    "Residents' proposals to your agencies: those owed an answer first, with the "
                    "answer's form and the cases that show each problem."
                ),
            )
        )
    if actor.can(Scope.AUDIT_READ):
        places.append(
            Destination(
                _("Audit log"),
                "console:audit",
                _("Who read or changed whose data, when and why."),
            )
        )
    if actor.can(Scope.AUDIT_READ) or actor.can(Scope.RETENTION_MANAGE):
        places.append(
            Destination(
                _("Retention"),
                "console:retention",
                _("How long each kind of data is kept, and the runs that removed what was due."),
            )
        )
    if actor.sees_everything:
        places.append(
            Destination(
                _("Other systems' webhooks"),
                "console:webhooks",
                _(
                    "The systems that hear what happens to cases, contacts and people: add one, "
                    "see what reached it, end it."
                ),
            )
        )
    if _may_reach_admin(actor, user):
        places.append(
            Destination(
                _("Administration"),
                "admin:index",
                _("Agencies, services, routing rules, staff accounts and keys."),
            )
        )
    return places


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    """Context for every page: the menu of a signed-in member of staff (empty for anyone else)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_menu": []}
    actor = getattr(request, ACTOR_ATTRIBUTE, None) or actor_for_user(user)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    menu = [
        {
            "label": place.label,
            "url": reverse(place.url_name),
            "current": place.url_name == current,
            "waiting": place.waiting(actor) if place.waiting else 0,
        }
        for place in destinations(actor, user)
    ]
    return {"staff_menu": menu}
