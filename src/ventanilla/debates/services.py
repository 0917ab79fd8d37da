"""Every write of debates and comments: opening a debate (staff of the agency), posting a comment
or a reply (a signed-in citizen; residents only where the subject says so; on the citizen's
contact history), reporting a comment (once per citizen), hiding it with a stated reason (a
moderator; the author is told), and the author's one appeal, decided by a moderator.

Debates are opened by staff who run participation (``Scope.PARTICIPATION_MANAGE``) for their own
agencies: a debate opened by a citizen would need its own review before it is published, which
the proposals app already offers as a proposal with comments. A report is a note to the
moderators, not a contact with the administration, so it is not put on the reporter's history;
a comment is (relationship "participation"), and so is an appeal, which asks something of the
administration."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.models import full_clean_or_refuse
from ventanilla.debates.models import DEEPEST, MAX_BODY, MAX_REASON, Appeal, Comment, Debate, Report
from ventanilla.debates.subjects import Subject, subject_of
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_party
from ventanilla.parties.models import Party
from ventanilla.parties.residence import NotEligible, participant_check


def debate_open(
    *,
    actor: Actor,
    agency_id: Any,
    title: str,
    body: str,
    district: str = "",
    residents_only: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Debate:
    """Open a debate of one of the actor's agencies."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None or not actor.sees_agency(agency.pk):
        raise ValidationFailed({"agency": _("Choose one of your agencies.")})
    debate = Debate(
        agency=agency,
        title=title.strip(),
        body=body.strip(),
        district=district.strip(),
        residents_only=residents_only,
        opens_at=opens_at or timezone.now(),
        closes_at=closes_at,
        opened_by_label=actor.label[:150],
    )
    if debate.closes_at is not None and debate.closes_at <= debate.opens_at:
        raise ValidationFailed({"closes_at": _("A debate must close after it opens.")})
    full_clean_or_refuse(debate)
    with transaction.atomic():
        debate.save(force_insert=True)
        audit_record(
            actor=actor,
            action=Action.DEBATE_CHANGE,
            object_type="debate",
            object_id=debate.pk,
            detail={"change": "opened"},
        )
    return debate


def debate_close(*, actor: Actor, debate_id: Any) -> Debate:
    """Close an open debate of one of the actor's agencies now: it keeps its comments for
    anyone to read and takes no new one. Closing twice, or a debate not yet open, is refused."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    with transaction.atomic():
        debate = Debate.objects.select_for_update().filter(pk=debate_id).first()
        if debate is None or not actor.sees_agency(debate.agency_id):
            raise NotFound(_("No such debate."))
        now = timezone.now()
        if debate.opens_at > now:
            raise Conflict(_("This debate has not opened yet, so it cannot be closed."))
        if not debate.is_open(now):
            raise Conflict(_("This debate is already closed."))
        debate.closes_at = max(now, debate.opens_at + timedelta(microseconds=1))
        debate.save(update_fields=["closes_at", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.DEBATE_CHANGE,
            object_type="debate",
            object_id=debate.pk,
            detail={"change": "closed"},
        )
    return debate


def _citizen(actor: Actor, message: str) -> Party:
    if not actor.is_citizen:
        refuse(actor, detail={"citizen": "required"}, message=message)
    party = Party.objects.filter(pk=str(actor.party_id), status=Party.Status.ACTIVE).first()
    if party is None:
        # A record merged into another since the sign-in acts through the one it joined.
        raise ValidationFailed({"body": _("Sign in again to take part.")})
    return party


def _subject(key: str) -> Subject:
    found = subject_of(key)
    if found is None:
        raise NotFound(_("There is nothing to comment on here."))
    return found


def comment_post(*, actor: Actor, subject: str, body: str, parent_id: Any = None) -> Comment:
    """Keep a signed-in citizen's comment on ``subject``, or their reply to ``parent_id`` (a
    comment of the same subject), and put it on their contact history."""
    party = _citizen(actor, _("Sign in to take part in the debate."))
    where = _subject(subject)
    if not where.open:
        raise ValidationFailed({"body": _("This debate is closed to new comments.")})
    if where.residents_only:
        try:
            participant_check(party, district=where.district)
        except NotEligible as refused:
            raise ValidationFailed({"body": refused.message}) from refused
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": _("Write your comment.")})
    if len(text) > MAX_BODY:
        raise ValidationFailed({"body": _("Write at most %(n)d characters.") % {"n": MAX_BODY}})
    parent = None
    depth = 0
    if parent_id:
        parent = Comment.objects.filter(pk=parent_id, subject=subject).first()
        if parent is None:
            raise ValidationFailed({"parent": _("The comment you reply to is not here.")})
        if parent.is_hidden:
            raise ValidationFailed({"parent": _("A hidden comment takes no replies.")})
        if parent.depth >= DEEPEST:
            # The thread's last level: the reply joins it, under the same comment, which must
            # take replies too.
            parent = parent.parent
            if parent is not None and parent.is_hidden:
                raise ValidationFailed({"parent": _("A hidden comment takes no replies.")})
        depth = parent.depth + 1 if parent is not None else 0
    with transaction.atomic():
        comment = Comment.objects.create(
            subject=subject,
            subject_title=where.title[:200],
            parent=parent,
            depth=depth,
            author=party,
            body=text,
        )
        interaction_record_for_case(
            actor=actor,
            case_id=None,
            party_id=party.pk,
            agency_id=where.agency_id,
            service_id=None,
            channel="web",
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.SUGGESTION,
            relationship=Interaction.Relationship.PARTICIPATION,
            summary=_("Commented on “%(title)s”.") % {"title": where.title},
            occurred_at=comment.created_at,
        )
    return comment


def comment_report(*, actor: Actor, comment_id: Any, reason: str, text: str = "") -> Report:
    """A citizen's report that a visible comment breaks the rules; once per citizen."""
    party = _citizen(actor, _("Sign in to report a comment."))
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or subject_of(comment.subject) is None:
        raise NotFound(_("No such comment."))
    if comment.is_hidden:
        raise ValidationFailed({"reason": _("This comment is already hidden.")})
    if comment.author_id == party.pk:
        raise ValidationFailed({"reason": _("You cannot report your own comment.")})
    if reason not in Report.Reason.values:
        raise ValidationFailed({"reason": _("Choose a reason.")})
    details = text.strip()
    if len(details) > MAX_REASON:
        raise ValidationFailed({"text": _("Write at most %(n)d characters.") % {"n": MAX_REASON}})
    try:
        with transaction.atomic():
            return Report.objects.create(
                comment=comment, reporter=party, reason=reason, text=details
            )
    except IntegrityError as clash:
        raise Conflict(_("You have already reported this comment.")) from clash


def _moderated(actor: Actor, comment: Comment) -> Subject:
    """The subject of ``comment`` if ``actor`` moderates its agency; refused otherwise."""
    where = subject_of(comment.subject)
    if where is None:
        raise NotFound(_("No such comment."))
    if not actor.sees_agency(where.agency_id):
        refuse(actor, detail={"comment": str(comment.pk)})
    return where


def _tell_author(comment: Comment, where: Subject, text: Any) -> None:
    """Tell the author, in their language, what moderation did to their comment."""
    language = comment.author.preferred_language.split("-")[0] or settings.LANGUAGE_CODE
    with translation.override(language):
        message = str(text())
    link = f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}{where.link}"
    notify_party(
        party_id=comment.author_id,
        event=NotificationEvent.PARTICIPATION,
        text=message,
        subject=where.title,
        link=link,
    )


def comment_hide(*, actor: Actor, comment_id: Any, reason: str) -> Comment:
    """Hide a comment, giving the reason its author and everyone else will read."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    stated = reason.strip()
    if not stated:
        raise ValidationFailed({"reason": _("Say why the comment is hidden.")})
    if len(stated) > MAX_REASON:
        raise ValidationFailed({"reason": _("Write at most %(n)d characters.") % {"n": MAX_REASON}})
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author")
            .filter(pk=comment_id)
            .first()
        )
        if comment is None:
            raise NotFound(_("No such comment."))
        where = _moderated(actor, comment)
        if comment.is_hidden:
            raise Conflict(_("This comment is already hidden."))
        comment.status = Comment.Status.HIDDEN
        comment.hidden_reason = stated
        comment.hidden_by = actor.label[:150]
        comment.hidden_at = timezone.now()
        comment.save(update_fields=["status", "hidden_reason", "hidden_by", "hidden_at"])
        audit_record(
            actor=actor,
            action=Action.COMMENT_MODERATE,
            party_id=comment.author_id,
            object_type="comment",
            object_id=comment.pk,
            detail={"change": "hidden"},
        )
        _tell_author(
            comment,
            where,
            lambda: (
                _(
                    "Your comment was hidden by moderation. The reason: %(reason)s. You may "
                    "read it on the page and appeal if you disagree."
                )
                % {"reason": stated}
            ),
        )
    return comment


def comment_appeal(*, actor: Actor, comment_id: Any, text: str) -> Appeal:
    """The author's one appeal against the hiding of their comment."""
    party = _citizen(actor, _("Sign in to appeal."))
    comment = Comment.objects.filter(pk=comment_id, author=party).first()
    if comment is None:
        raise NotFound(_("No such comment of yours."))
    where = _subject(comment.subject)
    if not comment.is_hidden:
        raise ValidationFailed({"text": _("Only a hidden comment can be appealed.")})
    stated = text.strip()
    if not stated:
        raise ValidationFailed({"text": _("Say why the comment should be shown.")})
    if len(stated) > MAX_REASON * 2:
        raise ValidationFailed(
            {"text": _("Write at most %(n)d characters.") % {"n": MAX_REASON * 2}}
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(comment=comment, text=stated)
            interaction_record_for_case(
                actor=actor,
                case_id=None,
                party_id=party.pk,
                agency_id=where.agency_id,
                service_id=None,
                channel="web",
                direction=Interaction.Direction.INBOUND,
                kind=Interaction.Kind.COMPLAINT,
                relationship=Interaction.Relationship.PARTICIPATION,
                summary=_("Appealed the hiding of a comment on “%(title)s”.")
                % {"title": where.title},
                occurred_at=appeal.created_at,
            )
    except IntegrityError as clash:
        raise Conflict(_("You have already appealed this decision.")) from clash
    return appeal


def appeal_decide(*, actor: Actor, appeal_id: Any, upheld: bool, note: str = "") -> Appeal:
    """Decide an appeal: upheld shows the comment again, dismissed keeps it hidden; the author
    is told either way."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    stated = note.strip()
    if len(stated) > MAX_REASON:
        raise ValidationFailed({"note": _("Write at most %(n)d characters.") % {"n": MAX_REASON}})
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("comment__author")
            .filter(pk=appeal_id)
            .first()
        )
        if appeal is None:
            raise NotFound(_("No such appeal."))
        comment = appeal.comment
        where = _moderated(actor, comment)
        if appeal.status != Appeal.Status.PENDING:
            raise Conflict(_("This appeal was already decided."))
        appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
        appeal.decided_by = actor.label[:150]
        appeal.decided_at = timezone.now()
        appeal.decision_note = stated
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if upheld:
            # The reason for the hiding stays on the row, as the record of what was decided.
            comment.status = Comment.Status.VISIBLE
            comment.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=Action.COMMENT_MODERATE,
            party_id=comment.author_id,
            object_type="comment",
            object_id=comment.pk,
            detail={"change": "appeal_upheld" if upheld else "appeal_dismissed"},
        )

        def told() -> str:
            if upheld:
                message = _("Your appeal was upheld: your comment is shown again.")
            else:
                message = _("Your appeal was dismissed: your comment stays hidden.")
            return f"{message} {stated}".strip()

        _tell_author(comment, where, told)
    return appeal
