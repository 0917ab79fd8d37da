"""The right to erasure (GDPR art. 17): pseudonymise a person across every app that holds their
rows, in one transaction with its audit entry, or refuse with the legal reason to keep them."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case
from ventanilla.consent.models import Consent
from ventanilla.core.errors import Conflict, NotFound
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction, InteractionAttachment
from ventanilla.parties.models import ContactPoint, Identifier, NameToken, Party, ProfileChange
from ventanilla.parties.naming import name_fields, sort_name

ERASED_TEXT = "[erased]"


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


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
        open_cases = list(
            Case.objects.filter(party=party, is_open=True).values_list("reference", flat=True)
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
        label = f"{party.pk.hex[:8]}"
        party.given_name = "—" if party.kind == Party.Kind.PERSON else ""
        party.family_name_1 = f"{ERASED_TEXT} {label}" if party.kind == Party.Kind.PERSON else ""
        party.family_name_2 = ""
        party.legal_name = f"{ERASED_TEXT} {label}" if party.kind != Party.Kind.PERSON else ""
        if party.birth_date:
            # The year keeps age statistics right; the day and month identify.
            party.birth_date = party.birth_date.replace(month=1, day=1)
        party.accessibility_needs = []
        party.status = Party.Status.ERASED
        party.sort_name = sort_name(**name_fields(party))
        party.save()
        NameToken.objects.filter(party=party).delete()
        ProfileChange.objects.filter(party=party).delete()
        Identifier.objects.filter(party=party).delete()
        ContactPoint.objects.filter(party=party).delete()
        party.attributes.all().delete()
        party.represents.all().delete()
        party.represented_by.all().delete()
        SourceRecord.objects.filter(party=party).update(party=None, match_score=None)
        Consent.objects.filter(party=party, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        # The signed consent forms go too; their digests stay as proof one was kept.
        signed = Consent.objects.filter(party=party).exclude(evidence_file="")
        stored_forms = [name for name in signed.values_list("evidence_file", flat=True) if name]
        signed.update(evidence_file="", evidence_name="")
        Interaction.objects.filter(party=party).update(summary=ERASED_TEXT)
        # Documents are the person's own papers: they go, and their files once this commits.
        documents = InteractionAttachment.objects.filter(interaction__party=party)
        stored = [name for name in documents.values_list("file", flat=True) if name]
        documents.delete()
        transaction.on_commit(lambda: _delete_files(stored + stored_forms))
        Case.objects.filter(party=party).update(
            description="", location_text="", latitude=None, longitude=None, form_data={}
        )
        audit_record(
            actor=actor,
            action=Action.PARTY_ERASE,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
            purpose=reason[:300],
        )
    return party
