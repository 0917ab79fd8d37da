"""Every write of citizen proposals: a resident publishes one, residents support it (once each),
the administration answers it, and staff cite the cases that show its problem.

A support goes on the supporter's contact history as participation: supporting a proposal is a
public act done signed in, not a secret ballot. The count is kept on the proposal by the
transaction that writes the support; the database's unique constraint refuses a second support
by the same person, so racing clicks are counted once. The support that reaches
``VENTANILLA_PROPOSAL_SUPPORTS_NEEDED`` sets the date by which the administration must answer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_held, audit_record
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.bulk import insert_one, rows_held
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.models import full_clean_or_refuse
from ventanilla.core.statements import db_value, fields_of, read_one
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import language_of, notify_party
from ventanilla.parties.models import Party
from ventanilla.parties.residence import NotEligible, participant_check, party_with_residence
from ventanilla.proposals.models import (
    MAX_ANSWER,
    MAX_WITHDRAWAL_REASON,
    Proposal,
    ProposalEvidence,
    Support,
)


def proposal_link(proposal_id: Any) -> str:
    """The proposal's page in the portal, for the messages that speak of it."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/portal/proposals/{proposal_id}/"


def _resident(actor: Actor, *, action: str) -> Party:
    """The signed-in citizen's own record when they may take part; refused otherwise, with the
    reason in the reader's language."""
    if not actor.is_citizen:
        refuse(actor, detail={"proposal": action}, message=_("Sign in to take part."))
    party = party_with_residence(actor.party_id)
    if party is None:
        # A record merged into another since the sign-in acts through the one it joined.
        raise ValidationFailed({"proposal": _("Sign in again to take part.")})
    try:
        participant_check(party)
    except NotEligible as refused:
        raise ValidationFailed({"proposal": refused.message}) from refused
    return party


def _participation(
    *, actor: Actor, party: Party, proposal: Proposal, kind: str, summary: str
) -> None:
    interaction_record_for_case(
        actor=actor,
        case_id=None,
        party_id=party.pk,
        agency_id=proposal.agency_id,
        service_id=None,
        channel="web",
        direction=Interaction.Direction.INBOUND,
        kind=kind,
        relationship=Interaction.Relationship.PARTICIPATION,
        summary=summary,
        occurred_at=timezone.now(),
        agency=proposal.agency,
    )


def proposal_create(
    *,
    actor: Actor,
    agency_id: Any,
    title: str,
    summary: str,
    body: str = "",
    district: str = "",
) -> Proposal:
    """Publish a resident's proposal to an agency, and record it on their contact history."""
    party = _resident(actor, action="create")
    agency = Agency.objects.filter(pk=agency_id, kind=Agency.Kind.AGENCY).first()
    if agency is None:
        raise ValidationFailed({"agency": _("Choose who the proposal is addressed to.")})
    proposal = Proposal(
        agency=agency,
        author=party,
        title=" ".join(title.split()),
        summary=summary.strip(),
        body=body.strip(),
        district=" ".join(district.split()),
    )
    full_clean_or_refuse(proposal)
    with transaction.atomic():
        proposal.save(force_insert=True)
        _participation(
            actor=actor,
            party=party,
            proposal=proposal,
            kind=Interaction.Kind.SUGGESTION,
            summary=_("Published the proposal “%(title)s”.") % {"title": proposal.title},
        )
    return proposal


def answer_due_from(day: date) -> date:
    return day + timedelta(days=settings.VENTANILLA_PROPOSAL_ANSWER_DAYS)


def proposal_support(*, actor: Actor, proposal_id: Any) -> Proposal:
    """Count a resident's support of a published proposal, once. The support that reaches the
    threshold sets ``threshold_reached_at`` and the answer's due date; the update that does so
    runs under the row lock the count's increment took, so it happens exactly once."""
    party = _resident(actor, action="support")
    proposal = _to_support(proposal_id)
    if proposal is None or proposal.status == Proposal.Status.WITHDRAWN:
        raise NotFound(_("No such proposal."))
    if proposal.status != Proposal.Status.PUBLISHED:
        raise ValidationFailed(
            {"proposal": _("This proposal has been answered; it takes no more supports.")}
        )
    try:
        # The support, its contact and its event in one statement on PostgreSQL; then the
        # count (its row locked until the commit), and last the audit entry, so the audit
        # log's head is locked as briefly as it can be.
        with transaction.atomic(), audit_held():
            with rows_held():
                insert_one(Support(proposal=proposal, party=party))
                _participation(
                    actor=actor,
                    party=party,
                    proposal=proposal,
                    kind=Interaction.Kind.SUGGESTION,
                    summary=_("Supported the proposal “%(title)s”.") % {"title": proposal.title},
                )
            counted = _count_support(proposal.pk)
    except IntegrityError as clash:
        raise Conflict(_("You already support this proposal.")) from clash
    for name in ("supports_count", "threshold_reached_at", "answer_due", "status"):
        setattr(proposal, name, getattr(counted, name))
    return proposal


# Every support reads it: a statement written once costs less than one built each time.
_TO_SUPPORT = """
SELECT proposal.id, proposal.agency_id, proposal.title, proposal.status, agency.code
FROM proposals_proposal AS proposal
JOIN catalog_agency AS agency ON agency.id = proposal.agency_id
WHERE proposal.id = %s
"""


_TO_SUPPORT_FIELDS = [*fields_of(Proposal, "id", "agency", "title", "status"), None]


def _to_support(proposal_id: Any) -> Proposal | None:
    """The proposal, with what a support needs of it (its title and status, its agency's
    code); its other fields are read if asked for."""
    row = read_one(_TO_SUPPORT, [db_value(Proposal._meta.pk, proposal_id)], _TO_SUPPORT_FIELDS)
    if row is None:
        return None
    key, agency_key, title, status, agency_code = row
    proposal = Proposal.from_db(
        connection.alias, ["id", "agency_id", "title", "status"], [key, agency_key, title, status]
    )
    proposal.agency = Agency.from_db(connection.alias, ["id", "code"], [agency_key, agency_code])
    return proposal


# The SET expressions all read the row as it was before the statement.
_COUNT_SUPPORT = """
UPDATE proposals_proposal SET
    supports_count = supports_count + 1,
    threshold_reached_at = CASE WHEN threshold_reached_at IS NULL AND supports_count >= %s
        THEN %s ELSE threshold_reached_at END,
    answer_due = CASE WHEN threshold_reached_at IS NULL AND supports_count >= %s
        THEN %s ELSE answer_due END
WHERE id = %s
RETURNING id, supports_count, threshold_reached_at, answer_due, status
"""


def _count_support(proposal_id: Any) -> Proposal:
    """Add one to the proposal's count and read back what the support changed, in one
    statement, under the row lock it takes: the support that brings the count to the threshold
    sets the date the answer is due, and only that one (later ones find it set and keep it)."""
    now = timezone.now()
    needed = settings.VENTANILLA_PROPOSAL_SUPPORTS_NEEDED - 1
    ops = connection.ops
    found = Proposal.objects.raw(
        _COUNT_SUPPORT,
        [
            needed,
            ops.adapt_datetimefield_value(now),
            needed,
            ops.adapt_datefield_value(answer_due_from(timezone.localdate(now))),
            Proposal._meta.pk.get_db_prep_value(proposal_id, connection),
        ],
    )
    return list(found)[0]


def _managed(actor: Actor, proposal_id: Any, *, lock: bool = False) -> Proposal:
    require(actor, Scope.PARTICIPATION_MANAGE)
    found = Proposal.objects.select_related("agency")
    if lock:
        found = found.select_for_update(of=("self",))
    proposal = found.filter(pk=proposal_id).first()
    if proposal is None or not actor.is_covered_by(proposal.agency.path):
        raise NotFound(_("No such proposal."))
    return proposal


def proposal_answer(*, actor: Actor, proposal_id: Any, decision: str, text: str) -> Proposal:
    """Record the administration's official answer on the proposal, and tell its author and
    every supporter by the channels they chose. An answer may be given before the threshold is
    reached; it closes the proposal to supports."""
    errors: dict[str, str] = {}
    if decision not in Proposal.Decision.values:
        errors["decision"] = _("Choose the decision.")
    text = text.strip()
    if not text:
        errors["answer"] = _("Write the answer.")
    elif len(text) > MAX_ANSWER:
        errors["answer"] = _("Write at most %(n)d characters.") % {"n": MAX_ANSWER}
    with transaction.atomic():
        proposal = _managed(actor, proposal_id, lock=True)
        if proposal.status == Proposal.Status.WITHDRAWN:
            errors["proposal"] = _("This proposal was withdrawn.")
        elif proposal.status == Proposal.Status.ANSWERED:
            raise Conflict(_("This proposal has already been answered."))
        if errors:
            raise ValidationFailed(errors)
        proposal.status = Proposal.Status.ANSWERED
        proposal.decision = decision
        proposal.answer = text
        proposal.answered_at = timezone.now()
        proposal.answered_by_label = actor.label[:150]
        proposal.save(
            update_fields=[
                "status",
                "decision",
                "answer",
                "answered_at",
                "answered_by_label",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=Action.PROPOSAL_ANSWER,
            object_type="proposal",
            object_id=proposal.pk,
            detail={"decision": decision, "supports": proposal.supports_count},
        )
        _tell_answered(proposal)
    return proposal


def _tell_answered(proposal: Proposal) -> None:
    people = dict(
        Support.objects.filter(proposal=proposal).values_list(
            "party_id", "party__preferred_language"
        )
    )
    if proposal.author_id is not None and proposal.author is not None:
        people.setdefault(proposal.author_id, proposal.author.preferred_language)
    link = proposal_link(proposal.pk)
    for party_id, language in people.items():
        with translation.override(language or "es"):
            decision = Proposal.Decision(proposal.decision).label
            text = _("The administration has answered the proposal “%(title)s”: %(decision)s.") % {
                "title": proposal.title,
                "decision": decision,
            }
            subject = _("Answer to the proposal “%(title)s”") % {"title": proposal.title}
            notify_party(
                party_id=party_id,
                event=NotificationEvent.PARTICIPATION,
                text=text,
                subject=subject,
                link=link,
            )


def proposal_withdraw(*, actor: Actor, proposal_id: Any, reason: str = "") -> Proposal:
    """The author withdraws their own proposal while it waits for the administration's answer:
    it leaves the public lists and takes no more supports, and everyone who supported it is told
    by the channels they chose, with the author's ``reason`` if they gave one. An answered
    proposal stays as answered."""
    if not actor.is_citizen:
        refuse(actor, detail={"proposal": "withdraw"}, message=_("Sign in to take part."))
    reason = reason.strip()
    if len(reason) > MAX_WITHDRAWAL_REASON:
        raise ValidationFailed(
            {"reason": _("Write at most %(most)d characters.") % {"most": MAX_WITHDRAWAL_REASON}}
        )
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("author", "agency")
            .filter(pk=proposal_id)
            .first()
        )
        author = proposal.author if proposal is not None else None
        if (
            proposal is None
            or author is None
            or proposal.status == Proposal.Status.WITHDRAWN
            or str(author.pk) != str(actor.party_id)
        ):
            raise NotFound(_("No such proposal of yours."))
        if proposal.status != Proposal.Status.PUBLISHED:
            raise Conflict(_("This proposal has been answered; it can no longer be withdrawn."))
        proposal.status = Proposal.Status.WITHDRAWN
        proposal.withdrawal_reason = reason
        proposal.save(update_fields=["status", "withdrawal_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.PROPOSAL_WITHDRAW,
            party_id=proposal.author_id,
            object_type="proposal",
            object_id=proposal.pk,
            detail={"supports": proposal.supports_count, "reason_given": bool(reason)},
        )
        _participation(
            actor=actor,
            party=author,
            proposal=proposal,
            kind=Interaction.Kind.SUGGESTION,
            summary=_("Withdrew the proposal “%(title)s”.") % {"title": proposal.title},
        )
        _tell_withdrawn(proposal)
    return proposal


def _tell_withdrawn(proposal: Proposal) -> None:
    supporters = Party.objects.filter(proposal_supports__proposal=proposal)
    for party in supporters.only("pk", "preferred_language"):
        with translation.override(language_of(party)):
            notify_party(
                party_id=party.pk,
                event=NotificationEvent.PARTICIPATION,
                text=_(
                    "Its author has withdrawn the proposal “%(title)s” that you supported. "
                    "It no longer takes supports."
                )
                % {"title": proposal.title}
                + (
                    "\n\n"
                    + _("In the author's words: “%(reason)s”")
                    % {"reason": proposal.withdrawal_reason}
                    if proposal.withdrawal_reason
                    else ""
                ),
                subject=_("Proposal withdrawn: “%(title)s”") % {"title": proposal.title},
            )


def proposal_cite_cases(
    *,
    actor: Actor,
    proposal_id: Any,
    service_id: Any,
    district: str = "",
    since: date | None = None,
) -> ProposalEvidence:
    """State which cases show the problem a proposal speaks of: those of a service, in a district
    (any when empty), opened since a date (any when None). Citing the same service and district
    again changes the date."""
    with transaction.atomic():
        proposal = _managed(actor, proposal_id)
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise Conflict(_("Its author withdrew this proposal: no cases are cited on it now."))
        service = PublicService.objects.filter(pk=service_id).first()
        if service is None:
            raise ValidationFailed({"service": _("Choose a service of the catalogue.")})
        district = " ".join(district.split())[:100]
        evidence, created = ProposalEvidence.objects.get_or_create(
            proposal=proposal,
            service=service,
            district=district,
            defaults={"since": since, "cited_by_label": actor.label[:150]},
        )
        if not created:
            evidence.since = since
            evidence.cited_by_label = actor.label[:150]
            evidence.save(update_fields=["since", "cited_by_label", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.PROPOSAL_EVIDENCE,
            object_type="proposal",
            object_id=proposal.pk,
            detail={
                "service": service.code,
                "district": district,
                "since": since.isoformat() if since else "",
            },
        )
    return evidence


def proposal_uncite_cases(*, actor: Actor, evidence_id: Any) -> None:
    """Take back a citation of cases made by mistake."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    with transaction.atomic():
        evidence = ProposalEvidence.objects.filter(pk=evidence_id).first()
        if evidence is None:
            raise NotFound(_("No such citation."))
        proposal = _managed(actor, evidence.proposal_id)
        audit_record(
            actor=actor,
            action=Action.PROPOSAL_EVIDENCE,
            object_type="proposal",
            object_id=proposal.pk,
            detail={"removed": str(evidence.service_id), "district": evidence.district},
        )
        evidence.delete()
