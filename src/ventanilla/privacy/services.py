"""The right to erasure (GDPR art. 17): pseudonymise a person across every app that holds their
rows, in one transaction with its audit entry, or refuse with the legal reason to keep them.
What happens to each kind of row is declared in ``privacy.coverage``; the tests hold this module
to it."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.budgets.models import Project as BudgetProject
from ventanilla.budgets.models import ProjectSupport
from ventanilla.cases.models import Case, CaseEvent, CaseTask, LifeEventRequest
from ventanilla.consent.models import Consent
from ventanilla.core.errors import Conflict, NotFound
from ventanilla.debates.models import Appeal, Comment, Report
from ventanilla.events.models import Event
from ventanilla.identity.models import MatchReview, SourceRecord
from ventanilla.interactions.models import Interaction, InteractionAttachment, SatisfactionAnswer
from ventanilla.mail.models import InboundMessage
from ventanilla.merging.models import MergeRecord
from ventanilla.notices.models import Subscription
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    PartyKey,
    PortalSignInToken,
    ProfileAttribute,
    ProfileChange,
    Representation,
)
from ventanilla.parties.naming import name_fields, sort_name
from ventanilla.parties.services import refuse_anonymous
from ventanilla.proposals.models import Proposal, Support
from ventanilla.surveys.models import Response as SurveyResponse

ERASED_TEXT = "[erased]"


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _merged_into(party: Party) -> list[Party]:
    """The person's record and every duplicate merged into it, however deep: all are the person."""
    people, frontier = [party], [party.pk]
    while frontier:
        found = list(Party.objects.select_for_update().filter(merged_into__in=frontier))
        people += found
        frontier = [p.pk for p in found]
    return people


def _pseudonymise(party: Party, *, status: str) -> None:
    label = f"{party.pk.hex[:8]}"
    person = party.kind == Party.Kind.PERSON
    party.given_name = "—" if person else ""
    party.family_name_1 = f"{ERASED_TEXT} {label}" if person else ""
    party.family_name_2 = ""
    party.legal_name = f"{ERASED_TEXT} {label}" if not person else ""
    if party.birth_date:
        # The year keeps age statistics right; the day and month identify.
        party.birth_date = party.birth_date.replace(month=1, day=1)
    party.accessibility_needs = []
    party.status = status
    party.sort_name = sort_name(**name_fields(party))
    party.save(
        update_fields=[
            "given_name",
            "family_name_1",
            "family_name_2",
            "legal_name",
            "birth_date",
            "accessibility_needs",
            "status",
            "sort_name",
            "updated_at",
        ]
    )


def party_erase(*, actor: Actor, party_id: Any, reason: str) -> Party:
    """The right to erasure: pseudonymise the party so statistics and retained case records keep
    working while the identity is gone; refuse, saying why, while the law requires keeping it."""
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    with transaction.atomic():
        party = Party.objects.select_for_update().filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("No such party."))
        if party.status == Party.Status.ERASED:
            raise Conflict(_("This party was already erased."))
        refuse_anonymous(party)
        people = _merged_into(party)
        open_cases = list(
            Case.objects.filter(party__in=people, is_open=True).values_list("reference", flat=True)
        )
        if open_cases:
            raise Conflict(
                _(
                    "Erasure is refused while cases are open (%(cases)s): the administrative "
                    "procedure must keep its file until it ends (Ley 39/2015, art. 17; GDPR "
                    "art. 17.3.b)."
                )
                % {"cases": ", ".join(open_cases[:5])},
                field="party",
            )
        _pseudonymise(party, status=Party.Status.ERASED)
        for duplicate in people[1:]:
            _pseudonymise(duplicate, status=duplicate.status)
        NameToken.objects.filter(party__in=people).delete()
        PartyKey.objects.filter(party__in=people).delete()
        ProfileChange.objects.filter(party__in=people).delete()
        Identifier.objects.filter(party__in=people).delete()
        ContactPoint.objects.filter(party__in=people).delete()
        ProfileAttribute.objects.filter(party__in=people).delete()
        Representation.objects.filter(representative__in=people).delete()
        Representation.objects.filter(represented__in=people).delete()
        PortalSignInToken.objects.filter(party__in=people).delete()
        MatchReview.objects.filter(party__in=people).delete()
        SourceRecord.objects.filter(party__in=people).update(party=None, match_score=None)
        # Why staff judged two records one person may repeat what identified them.
        MergeRecord.objects.filter(Q(merged__in=people) | Q(survivor__in=people)).update(
            reason=ERASED_TEXT
        )
        consents = Consent.objects.filter(party__in=people)
        consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        # The signed consent forms go too; their digests stay as proof one was kept.
        stored_forms = [name for name in consents.values_list("evidence_file", flat=True) if name]
        consents.update(evidence_file="", evidence_name="", withdrawal_evidence="")
        # The emails as received repeat the person's words, address and files: they go.
        InboundMessage.objects.filter(interaction__party__in=people).delete()
        Interaction.objects.filter(party__in=people).update(summary=ERASED_TEXT, call_back_phone="")
        # Documents are the person's own papers: they go, and their files once this commits.
        documents = InteractionAttachment.objects.filter(interaction__party__in=people)
        stored = [name for name in documents.values_list("file", flat=True) if name]
        documents.delete()
        transaction.on_commit(lambda: _delete_files(stored + stored_forms))
        LifeEventRequest.objects.filter(party__in=people).update(description="")
        Case.objects.filter(party__in=people).update(
            description="",
            location_text="",
            latitude=None,
            longitude=None,
            form_data={},
            satisfaction_comment="",
        )
        SatisfactionAnswer.objects.filter(party__in=people).update(comment="", code=None)
        # Notes keep their place in the history (a note was written then), not their words.
        CaseEvent.objects.filter(case__party__in=people).exclude(text="").update(text=ERASED_TEXT)
        CaseTask.objects.filter(case__party__in=people).update(
            title=ERASED_TEXT, description="", result=""
        )
        # A message never delivered is no record of having written, and must not go out now.
        messages = Notification.objects.filter(party__in=people)
        messages.exclude(status=Notification.Status.SENT).delete()
        messages.update(recipient="", subject="", body=ERASED_TEXT, last_error="")
        Event.objects.filter(party__in=people).delete()
        # Subscriptions to notices are no record of anything done: they go.
        Subscription.objects.filter(party__in=people).delete()
        # Answers to identified surveys go (their free text may name the person): the results
        # count one response fewer, as they would had the person not answered.
        SurveyResponse.objects.filter(party__in=people).delete()
        # Comments keep their place in the thread, replies of others hanging on them, but lose
        # their text; appeals and reports, the person's words to the moderators, go.
        Appeal.objects.filter(comment__author__in=people).delete()
        Comment.objects.filter(author__in=people).update(body=ERASED_TEXT)
        Report.objects.filter(reporter__in=people).delete()
        # A proposal put to a budget stays the budget's, no longer anyone's; supports go.
        BudgetProject.objects.filter(proposed_by__in=people).update(proposed_by=None)
        ProjectSupport.objects.filter(party__in=people).delete()
        # Proposals stay as public texts, no longer the person's; supports go (the count the
        # proposal reached stays, like the answer it obliged).
        Proposal.objects.filter(author__in=people).update(author=None)
        Support.objects.filter(party__in=people).delete()
        audit_record(
            actor=actor,
            action=Action.PARTY_ERASE,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
            purpose=reason[:300],
        )
    return party
