"""The demo's citizen proposals, so the portal and the console show some: published by residents
of the synthetic town and supported by their neighbours through the same services the portal
calls; one has reached the supports that oblige an answer, and cites the street-lighting cases of
its district. Made once; a second run leaves them as they are."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.residence import NotEligible, participant_check
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.services import proposal_cite_cases, proposal_create, proposal_support

OPERATOR = Actor(label="command:demo", sees_everything=True)
# (title, summary, district or "" for the whole town, share of the supports needed to give it)
PROPOSALS = [
    (
        "Farolas LED en las calles del barrio",
        "Cambiar las farolas antiguas por luces LED: alumbran mejor, se averían menos y gastan "
        "menos.",
        "lighting",
        1.1,
    ),
    (
        "Un carril bici hasta el instituto",
        "Un carril bici seguro desde el centro hasta el instituto, para que el alumnado pueda ir "
        "en bicicleta.",
        "",
        0.3,
    ),
]


def _residents(limit: int) -> list[Party]:
    """Registered adult residents of the town, in a stable order."""
    ids = (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.POSTAL)
        .exclude(district="")
        .filter(Q(valid_until__isnull=True))
        .values_list("party_id", flat=True)
    )
    found = []
    for party in Party.objects.filter(pk__in=ids, kind=Party.Kind.PERSON).order_by("sort_name")[
        : limit * 2
    ]:
        try:
            participant_check(party)
        except NotEligible:
            continue
        found.append(party)
        if len(found) == limit:
            break
    return found


def ensure_demo_proposals() -> list[Proposal]:
    if Proposal.objects.filter(title=PROPOSALS[0][0]).exists():
        return list(Proposal.objects.filter(title__in=[p[0] for p in PROPOSALS]))
    agency = (
        Agency.objects.filter(code="ayto").first()
        or Agency.objects.filter(kind=Agency.Kind.AGENCY).first()
    )
    needed = settings.VENTANILLA_PROPOSAL_SUPPORTS_NEEDED
    people = _residents(int(needed * 1.1) + len(PROPOSALS))
    if agency is None or len(people) < len(PROPOSALS):
        return []
    made = []
    for number, (title, summary, where, share) in enumerate(PROPOSALS):
        author = people[number]
        district = participant_check(author).district if where else ""
        proposal = proposal_create(
            actor=actor_for_citizen(author),
            agency_id=agency.pk,
            title=title,
            summary=summary,
            district=district,
        )
        for supporter in people[: int(needed * share)]:
            proposal_support(actor=actor_for_citizen(supporter), proposal_id=proposal.pk)
        lighting = PublicService.objects.filter(code="alumbrado-publico").first()
        if where == "lighting" and lighting is not None:
            proposal_cite_cases(
                actor=OPERATOR, proposal_id=proposal.pk, service_id=lighting.pk, district=district
            )
        made.append(proposal)
    return made
