"""Every write of the loop: turning a cluster of complaints into a consultation (everyone who
complained told, in their language, by email or SMS, and the contact kept on their history), and
telling the same people the outcome once it is known.

A person with several complaints in the cluster is told once. A person the register cannot reach
(no email, no mobile) is not told by message; the consultation is shown on their case in the
portal all the same, so no one who complained is left out of what they can see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.analytics.models import Alert
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.budgets.models import Phase, Project
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.i18n import localized
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.loops.models import Loop
from ventanilla.loops.selectors import complaints
from ventanilla.notifications.models import Medium, NotificationEvent
from ventanilla.notifications.outbox import notify_person
from ventanilla.parties.models import Party
from ventanilla.proposals.models import Proposal
from ventanilla.surveys.models import Survey

# How far back a cluster may reach: a year of complaints is already a different problem.
MAX_DAYS = 366
MAX_OUTCOME = 2000


@dataclass(frozen=True)
class Cluster:
    service: PublicService
    district: str
    since: date
    until: date


def cluster_checked(
    *, service_code: str, district: str, since: date | None, until: date | None
) -> Cluster:
    """The filter a supervisor chose, checked field by field."""
    errors: dict[str, str] = {}
    service = PublicService.objects.filter(code=service_code).first()
    if service is None:
        errors["service"] = _("Choose a service.")
    today = timezone.localdate()
    until = until or today
    if since is None:
        errors["since"] = _("Give the first day of the complaints.")
    elif since > until:
        errors["since"] = _("The first day must come before the last.")
    elif (until - since).days > MAX_DAYS:
        errors["since"] = _("Take at most a year of complaints.")
    if until > today:
        errors["until"] = _("The last day cannot be in the future.")
    if errors or service is None or since is None:
        raise ValidationFailed(errors)
    return Cluster(service=service, district=district.strip()[:100], since=since, until=until)


def cluster_of_alert(alert: Alert, *, days: int = 14) -> Cluster:
    """The complaints behind an emerging problem: its service and district, in the two weeks up
    to the day it was found on."""
    return Cluster(
        service=alert.service,
        district=alert.district,
        since=alert.day - timedelta(days=days - 1),
        until=alert.day,
    )


def _survey_link(survey: Survey) -> str:
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    return base + reverse("portal:survey", args=[survey.pk])


def _where(district: str) -> str:
    return _(" in %(district)s") % {"district": district} if district else ""


def _public(path: str) -> str:
    return settings.VENTANILLA_PUBLIC_URL.rstrip("/") + path


def _target(loop: Loop, language: str) -> tuple[str, str]:
    """The title of what the people are invited to, in ``language``, and its page."""
    if loop.survey is not None:
        return localized(loop.survey, "title", language), _survey_link(loop.survey)
    if loop.proposal is not None:
        return loop.proposal.title, _public(reverse("portal:proposal", args=[loop.proposal_id]))
    if loop.project is not None:
        return loop.project.title, _public(reverse("portal:budget", args=[loop.project.budget_id]))
    return "", _public(reverse("portal:home"))


def _invitation(loop: Loop, language: str) -> dict[str, str]:
    with translation.override(language):
        title, link = _target(loop, language)
        if loop.proposal_id:
            wording = _(
                "You told us about a problem with “%(service)s”%(where)s. Residents have proposed "
                "a way to solve it, which you can read and support: “%(title)s”."
            )
        elif loop.project_id:
            wording = _(
                "You told us about a problem with “%(service)s”%(where)s. A project of the "
                "participatory budget takes it up, which you can follow and vote for: "
                "“%(title)s”."
            )
        else:
            wording = _(
                "You told us about a problem with “%(service)s”%(where)s. Before deciding what to "
                "do about it we are asking the people it affects, and your opinion counts: "
                "“%(title)s”."
            )
        text = wording % {
            "service": localized(loop.service, "name", language),
            "where": _where(loop.district),
            "title": title,
        }
        return _values(title, text, link)


def _outcome(loop: Loop, language: str) -> dict[str, str]:
    with translation.override(language):
        title, link = _target(loop, language)
        text = _(
            "You told us about a problem with “%(service)s”%(where)s and it was taken up in "
            "“%(title)s”. This is what has been decided: %(outcome)s"
        ) % {
            "service": localized(loop.service, "name", language),
            "where": _where(loop.district),
            "title": title,
            "outcome": localized(loop, "outcome", language),
        }
        return _values(title, text, link)


def _values(subject: str, text: str, link: str) -> dict[str, str]:
    return {
        "reference": "",
        "service": subject,
        "status": "",
        "text": text,
        "due_date": "",
        "link": link,
    }


def _tell_everyone(actor: Actor, loop: Loop, compose: Any, summary: str) -> int:
    """One message to each person behind the loop's cases, by every medium they can be reached
    by, and the contact on their history; returns how many were told."""
    party_ids = Case.objects.filter(loops=loop).values_list("party_id", flat=True).distinct()
    parties = Party.objects.filter(pk__in=list(party_ids), status=Party.Status.ACTIVE)
    now = timezone.now()
    told = 0
    for party in parties.iterator(chunk_size=500):
        sent = notify_person(
            party=party,
            event=NotificationEvent.PARTICIPATION,
            values_for=partial(compose, loop),
            about=f"loop {loop.pk}",
        )
        if not sent:
            continue
        told += 1
        by_email = any(message.medium == Medium.EMAIL for message in sent)
        interaction_record_for_case(
            actor=actor,
            case_id=None,
            party_id=party.pk,
            agency_id=loop.agency_id,
            service_id=loop.service_id,
            # A text message goes to the person's phone.
            channel="email" if by_email else "phone",
            direction=Interaction.Direction.OUTBOUND,
            kind=Interaction.Kind.QUESTION,
            relationship=Interaction.Relationship.CONSULTATION,
            summary=summary,
            occurred_at=now,
            agency=loop.agency,  # read once, not again for each person's event
        )
    return told


def _uuid(raw: Any) -> UUID | None:
    try:
        return raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        return None


def _target_checked(
    actor: Actor, survey_id: Any, proposal_id: Any, project_id: Any
) -> tuple[Survey | None, Proposal | None, Project | None, Any]:
    """The one thing the complaints are taken to, open to the people now, and its agency (one
    of the actor's: the loop is theirs to follow and to close)."""
    found = _target_found(survey_id, proposal_id, project_id)
    if not actor.sees_agency(found[3]):
        raise ValidationFailed({"survey": _("Choose a consultation of one of your agencies.")})
    return found


def _target_found(
    survey_id: Any, proposal_id: Any, project_id: Any
) -> tuple[Survey | None, Proposal | None, Project | None, Any]:
    survey_id, proposal_id, project_id = _uuid(survey_id), _uuid(proposal_id), _uuid(project_id)
    if sum(found is not None for found in (survey_id, proposal_id, project_id)) != 1:
        raise ValidationFailed({"survey": _("Choose the consultation to invite them to.")})
    now = timezone.now()
    if survey_id is not None:
        survey = Survey.objects.filter(pk=survey_id).first()
        if survey is None or not survey.opens_at <= now < survey.closes_at:
            raise ValidationFailed({"survey": _("That consultation is not taking answers now.")})
        return survey, None, None, survey.agency_id
    if proposal_id is not None:
        proposal = Proposal.objects.filter(pk=proposal_id).first()
        if proposal is None or proposal.status == Proposal.Status.WITHDRAWN:
            raise ValidationFailed({"survey": _("That proposal is no longer published.")})
        return None, proposal, None, proposal.agency_id
    project = Project.objects.select_related("budget").filter(pk=project_id).first()
    if (
        project is None
        or project.review == Project.Review.NOT_FEASIBLE
        or project.budget.phase == Phase.CLOSED
    ):
        raise ValidationFailed({"survey": _("That budget project is not open to the people.")})
    return None, None, project, project.budget.agency_id


def loop_open(
    *,
    actor: Actor,
    cluster: Cluster,
    survey_id: Any = None,
    proposal_id: Any = None,
    project_id: Any = None,
    alert_id: Any = None,
) -> Loop:
    """Turn the complaints ``cluster`` finds into an open consultation, or tie them to a
    citizen proposal or a budget project (exactly one of the three): the cases are kept with the
    loop and everyone behind them is told, in one transaction."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    survey, proposal, project, agency_id = _target_checked(
        actor, survey_id, proposal_id, project_id
    )
    alert_id = _uuid(alert_id)
    alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
    cases = complaints(
        actor=actor,
        service=cluster.service,
        district=cluster.district,
        since=cluster.since,
        until=cluster.until,
    )
    case_ids = list(cases.values_list("pk", flat=True))
    if not case_ids:
        raise ValidationFailed({"service": _("No complaint matches: there is no one to ask.")})
    with transaction.atomic():
        loop = Loop.objects.create(
            agency_id=agency_id,
            service=cluster.service,
            district=cluster.district,
            since=cluster.since,
            until=cluster.until,
            alert=alert,
            survey=survey,
            proposal=proposal,
            project=project,
            opened_by_id=actor.user_id,
            opened_by_label=actor.label[:150],
            people=len(set(cases.values_list("party_id", flat=True))),
        )
        Loop.cases.through.objects.bulk_create(
            Loop.cases.through(loop_id=loop.pk, case_id=case_id) for case_id in case_ids
        )
        summary = _("Told that their complaint was taken up in “%(title)s”.") % {
            "title": loop.target_title
        }
        loop.told = _tell_everyone(actor, loop, _invitation, summary)
        loop.save(update_fields=["told", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.LOOP_CHANGE,
            object_type="loop",
            object_id=loop.pk,
            detail={"opened": True, "cases": len(case_ids), "told": loop.told},
        )
    return loop


def loop_outcome(*, actor: Actor, loop_id: Any, outcome_es: str, outcome_en: str = "") -> Loop:
    """Tell everyone behind the loop what came of it; once, since a second message would read as
    a second decision."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    outcome_es, outcome_en = outcome_es.strip(), outcome_en.strip()
    errors: dict[str, str] = {}
    if not outcome_es:
        errors["outcome_es"] = _("Write what has been decided, at least in Spanish.")
    for field, text in (("outcome_es", outcome_es), ("outcome_en", outcome_en)):
        if len(text) > MAX_OUTCOME:
            errors[field] = _("Write at most %(n)d characters.") % {"n": MAX_OUTCOME}
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        # Only the loop's own row is locked: its target is an outer join, which cannot be.
        found = Loop.objects.select_for_update(of=("self",)).select_related(
            "survey", "proposal", "project", "service"
        )
        if not actor.sees_everything:
            found = found.filter(agency_id__in=list(actor.agency_ids))
        loop = found.filter(pk=loop_id).first()
        if loop is None:
            raise NotFound(_("No such loop, or it is not one of your agencies'."))
        if loop.outcome_at is not None:
            raise Conflict(_("The outcome has already been told."))
        loop.outcome_es, loop.outcome_en = outcome_es, outcome_en
        loop.outcome_at = timezone.now()
        loop.outcome_told = _tell_everyone(
            actor,
            loop,
            _outcome,
            _("Told what was decided on “%(title)s”.") % {"title": loop.target_title},
        )
        loop.save(
            update_fields=["outcome_es", "outcome_en", "outcome_at", "outcome_told", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=Action.LOOP_CHANGE,
            object_type="loop",
            object_id=loop.pk,
            detail={"outcome": True, "told": loop.outcome_told},
        )
    return loop
