"""Merging two records of the same person, and undoing it.

A merge is one operation across every app that holds a person's rows, as erasure is
(``privacy.services``): it re-points each row to the surviving party in one transaction, which no
app's own service could do for the others. What happens to the rows of each relation to
``Party`` is declared once in ``RELATIONS``; ``tests/merging/test_services.py`` walks the
relations and fails for one that is not declared, so a new kind of row cannot be left behind.

Rows move with a plain ``UPDATE`` of their foreign key, never ``save()``: their own data, their
``updated_at`` included, stay exactly as they were, so that undoing the merge gives back the
rows as they were before it. The ids of the rows moved and the fields changed are kept in a
``MergeRecord``; undoing moves back those rows only (what was added to the survivor since
stays with it) and restores those fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.budgets.models import ProjectSupport
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.debates.models import Report as CommentReport
from ventanilla.events.services import event_record_many
from ventanilla.identity.models import MatchReview
from ventanilla.merging.golden import Golden, golden_record
from ventanilla.merging.models import MergeRecord, SourceTrust
from ventanilla.parties.models import ContactPoint, Party, ProfileAttribute
from ventanilla.parties.services import party_event, party_update, refuse_anonymous
from ventanilla.proposals.models import Support as ProposalSupport
from ventanilla.surveys.models import Response as SurveyResponse

# Rows of the merged party that stay with it rather than move, given both parties: they would
# clash with a row the survivor already has.
Staying = Callable[[QuerySet[Any], Party], QuerySet[Any]]


@dataclass(frozen=True)
class Relation:
    move: bool
    why: str
    # Of the rows that would move, those that stay because the survivor already has the same.
    clashes: Staying | None = None


def _same_contact(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = ContactPoint.objects.filter(
        party=survivor, kind=OuterRef("kind"), normalized=OuterRef("normalized")
    )
    return rows.filter(Exists(held))


def _same_attribute(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = ProfileAttribute.objects.filter(party=survivor, name=OuterRef("name"))
    return rows.filter(Exists(held))


def _same_review(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = MatchReview.objects.filter(party=survivor, record=OuterRef("record"))
    return rows.filter(Exists(held))


def _same_survey(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = SurveyResponse.objects.filter(party=survivor, survey=OuterRef("survey"))
    return rows.filter(Exists(held))


def _same_report(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = CommentReport.objects.filter(reporter=survivor, comment=OuterRef("comment"))
    return rows.filter(Exists(held))


def _same_support(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = ProposalSupport.objects.filter(party=survivor, proposal=OuterRef("proposal"))
    return rows.filter(Exists(held))


def _same_project_support(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    held = ProjectSupport.objects.filter(party=survivor, project=OuterRef("project"))
    return rows.filter(Exists(held))


def _for_survivor(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    return rows.filter(represented=survivor)


def _by_survivor(rows: QuerySet[Any], survivor: Party) -> QuerySet[Any]:
    return rows.filter(representative=survivor)


MOVES = "the person's own rows: they belong to the one record that stands for the person"

# Every relation to ``Party`` ("app.Model.field"), and what a merge does with its rows.
RELATIONS: dict[str, Relation] = {
    "parties.Party.merged_into": Relation(
        True, "records merged earlier into the merged one point to the survivor in one step"
    ),
    "parties.NameToken.party": Relation(
        False, "the search index of the merged record's own name, which it keeps"
    ),
    "parties.Identifier.party": Relation(True, MOVES),
    "parties.ContactPoint.party": Relation(
        True, f"{MOVES}; the same address, phone or email on both stays behind", _same_contact
    ),
    "parties.ProfileAttribute.party": Relation(
        True, f"{MOVES}; a fact the survivor also holds keeps the survivor's value", _same_attribute
    ),
    "parties.Representation.representative": Relation(
        True, f"{MOVES}; acting for the survivor itself would be acting for oneself", _for_survivor
    ),
    "parties.Representation.represented": Relation(
        True, f"{MOVES}; being represented by the survivor would be by oneself", _by_survivor
    ),
    "parties.PartyKey.party": Relation(
        False,
        "the keys a possible duplicate is found by, from the merged record's own name; candidate "
        "lookup reads active records only",
    ),
    "parties.ProfileChange.party": Relation(
        False, "the corrections of the merged record's own profile, which it keeps"
    ),
    "parties.PortalSignInToken.party": Relation(True, MOVES),
    "identity.SourceRecord.party": Relation(True, MOVES),
    "events.Event.party": Relation(
        False, "events sent describe the record as it was; the merge sends its own event"
    ),
    "identity.MatchReview.party": Relation(
        True,
        "a pair put to people is the survivor's to decide; one the survivor already has stays",
        _same_review,
    ),
    "interactions.Interaction.party": Relation(True, MOVES),
    "interactions.SatisfactionAnswer.party": Relation(True, MOVES),
    "notifications.Notification.party": Relation(True, MOVES),
    "appointments.Appointment.party": Relation(True, MOVES),
    "notices.Subscription.party": Relation(True, MOVES),
    "surveys.Response.party": Relation(
        True, f"{MOVES}; a survey both answered keeps the survivor's answer", _same_survey
    ),
    "debates.Comment.author": Relation(True, MOVES),
    "debates.Report.reporter": Relation(
        True, f"{MOVES}; a comment both reported keeps the survivor's report", _same_report
    ),
    "proposals.Proposal.author": Relation(True, MOVES),
    "proposals.Support.party": Relation(
        True,
        f"{MOVES}; a proposal both supported keeps the survivor's support (its count stays as it "
        "was reached)",
        _same_support,
    ),
    "budgets.Project.proposed_by": Relation(True, MOVES),
    "budgets.ProjectSupport.party": Relation(
        True,
        f"{MOVES}; a project both supported keeps the survivor's support",
        _same_project_support,
    ),
    "cases.LifeEventRequest.party": Relation(True, MOVES),
    "cases.Case.party": Relation(True, f"{MOVES}; a case keeps its reference"),
    "consent.Consent.party": Relation(True, MOVES),
    "sharing.SharingRequest.party": Relation(True, MOVES),
    "demo.SyntheticTruth.party": Relation(
        False, "the synthetic town's ground truth names the record it made, whatever is merged"
    ),
    "merging.MergeRecord.survivor": Relation(False, "the history of merges is kept as it was"),
    "merging.MergeRecord.merged": Relation(False, "the history of merges is kept as it was"),
}


def rows_of_relation(key: str) -> tuple[type[models.Model], str]:
    label, field = key.rsplit(".", 1)
    return apps.get_model(label), field


def _lock_both(first: Any, second: Any) -> dict[Any, Party]:
    # Always in the order of their keys: two merges of the same pair, asked at once in opposite
    # directions, then wait for each other instead of deadlocking.
    rows = Party.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
    return {party.pk: party for party in rows}


def _audit_both(actor: Actor, action: Action, record: MergeRecord, reason: str) -> None:
    """One entry for each record, so that each person's disclosure log shows it."""
    detail = {"survivor": str(record.survivor_id), "merged": str(record.merged_id)}
    for party_id in (record.merged_id, record.survivor_id):
        audit_record(
            actor=actor,
            action=action,
            party_id=party_id,
            object_type="merge",
            object_id=record.pk,
            purpose=reason[:300],
            detail=detail,
        )


def party_merge(*, actor: Actor, survivor_id: Any, merged_id: Any, reason: str) -> MergeRecord:
    """Join the record ``merged_id`` into ``survivor_id``: every row of the person moves to the
    survivor (cases keep their references), and the merged record stays, as ``merged``, pointing
    to it, so its id still leads to the person."""
    require(actor, Scope.PARTIES_MERGE, party_id=merged_id)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why both records are the same person.")})
    if str(survivor_id) == str(merged_id):
        raise ValidationFailed({"merged_id": _("Choose another record than this one.")})
    with transaction.atomic():
        parties = _lock_both(survivor_id, merged_id)
        survivor = next((p for p in parties.values() if str(p.pk) == str(survivor_id)), None)
        merged = next((p for p in parties.values() if str(p.pk) == str(merged_id)), None)
        if survivor is None or merged is None:
            raise NotFound(_("No such party."))
        for party in (survivor, merged):
            if party.status != Party.Status.ACTIVE:
                raise Conflict(
                    _("%(name)s's record is no longer in use (merged or erased).")
                    % {"name": party.display_name},
                    field="merged_id",
                )
        for party in (survivor, merged):
            refuse_anonymous(party)
        if survivor.kind != merged.kind:
            raise Conflict(_("A person and an organisation cannot be merged."), field="merged_id")
        moved: dict[str, list[str]] = {}
        changed: dict[str, dict[str, dict[str, Any]]] = {
            "parties.Party": {
                str(merged.pk): {"status": merged.status, "merged_into": None},
            }
        }
        # A moved contact point stays preferred only if the survivor has none of its kind.
        preferred_kinds = set(
            ContactPoint.objects.filter(party=survivor, preferred=True).values_list(
                "kind", flat=True
            )
        )
        for key, relation in RELATIONS.items():
            if not relation.move:
                continue
            model, field = rows_of_relation(key)
            rows = model._default_manager.filter(**{field: merged})
            if relation.clashes is not None:
                rows = rows.exclude(pk__in=relation.clashes(rows, survivor).values("pk"))
            ids = list(rows.values_list("pk", flat=True))
            if not ids:
                continue
            if model is ContactPoint:
                demoted = list(
                    ContactPoint.objects.filter(
                        pk__in=ids, preferred=True, kind__in=preferred_kinds
                    ).values_list("pk", flat=True)
                )
                if demoted:
                    changed["parties.ContactPoint"] = {
                        str(pk): {"preferred": True} for pk in demoted
                    }
                    ContactPoint.objects.filter(pk__in=demoted).update(preferred=False)
            model._default_manager.filter(pk__in=ids).update(**{field: survivor})
            moved[key] = sorted(str(pk) for pk in ids)
        Party.objects.filter(pk=merged.pk).update(status=Party.Status.MERGED, merged_into=survivor)
        record = MergeRecord.objects.create(
            survivor=survivor,
            merged=merged,
            reason=reason[:300],
            merged_by_label=actor.label[:150],
            moved=moved,
            changed=changed,
        )
        _audit_both(actor, Action.PARTY_MERGE, record, reason)
        merged.status = Party.Status.MERGED
        event_record_many([party_event(merged, "party.merged", merged_into=str(survivor.pk))])
    return record


def party_unmerge(*, actor: Actor, merged_id: Any) -> MergeRecord:
    """Undo the merge of ``merged_id``: the rows that moved and are still with the survivor go
    back, the fields the merge changed are restored, and both records are as they were. What
    was added to the survivor since the merge stays with it."""
    require(actor, Scope.PARTIES_MERGE, party_id=merged_id)
    with transaction.atomic():
        record = (
            MergeRecord.objects.select_for_update()
            .filter(merged_id=merged_id, unmerged_at__isnull=True)
            .first()
        )
        if record is None:
            raise NotFound(_("This record is not merged into another."))
        parties = _lock_both(record.survivor_id, record.merged_id)
        survivor, merged = parties[record.survivor_id], parties[record.merged_id]
        if survivor.status != Party.Status.ACTIVE:
            raise Conflict(
                _(
                    "The record it was merged into was itself merged or erased since: undo "
                    "that first."
                ),
                field="merged_id",
            )
        for key, ids in record.moved.items():
            model, field = rows_of_relation(key)
            model._default_manager.filter(pk__in=ids, **{field: survivor}).update(**{field: merged})
        for label, rows in record.changed.items():
            model = apps.get_model(label)
            for pk, fields in rows.items():
                values = {
                    (f"{name}_id" if name == "merged_into" else name): value
                    for name, value in fields.items()
                }
                model._default_manager.filter(pk=pk).update(**values)
        record.unmerged_at = timezone.now()
        record.unmerged_by_label = actor.label[:150]
        record.save(update_fields=["unmerged_at", "unmerged_by_label", "updated_at"])
        _audit_both(actor, Action.PARTY_UNMERGE, record, record.reason)
        merged.status = Party.Status.ACTIVE
        event_record_many([party_event(merged, "party.unmerged", split_from=str(survivor.pk))])
    return record


def party_refresh_golden(*, actor: Actor, party_id: Any) -> dict[str, Golden]:
    """Bring the party's name and birth date to the values its registers agree on by the
    golden-record rule (``merging.golden``), as a rectification: each change is kept with its
    old value and audited by ``party_update``. Contact points are shown with their source, not
    rewritten. Returns the golden values with where each came from."""
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    with transaction.atomic():
        party = Party.objects.select_for_update().filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("No such party."))
        golden = golden_record(party)
        changes: dict[str, Any] = {}
        if "name" in golden and party.kind == Party.Kind.PERSON:
            changes.update(golden["name"].value)
        if "birth_date" in golden:
            changes.update(golden["birth_date"].value)
        if changes:
            party_update(actor=actor, party_id=party.pk, changes=changes)
    return golden


def source_trust_set(*, actor: Actor, agency_codes: list[str]) -> list[Agency]:
    """Set the whole order in which agencies' registers are trusted when two registers verified
    on the same day disagree (``merging.golden``): ``agency_codes``, most trusted first;
    agencies left out come after all of them. An unknown code, or one given twice, changes
    nothing. Returns the agencies in their new order."""
    require(actor, Scope.SOURCES_TRUST)
    codes = [code.strip() for code in agency_codes]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise ValidationFailed(
            {"order": _("Each agency can be in the order once: %(codes)s.") % _codes(twice)}
        )
    with transaction.atomic():
        # Every agency is locked, in the order of its key: two orders saved at once are then
        # written one after the other, and the one saved last stands whole, never a mix.
        agencies = {a.code: a for a in Agency.objects.select_for_update().order_by("pk")}
        unknown = [code for code in codes if code not in agencies]
        if unknown:
            raise ValidationFailed(
                {"order": _("No agency has the code %(codes)s.") % _codes(unknown)}
            )
        before = list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True))
        SourceTrust.objects.all().delete()
        SourceTrust.objects.bulk_create(
            SourceTrust(agency=agencies[code], rank=rank) for rank, code in enumerate(codes, 1)
        )
        audit_record(
            actor=actor,
            action=Action.SOURCE_TRUST_SET,
            object_type="source_trust",
            detail={"before": before, "after": codes},
        )
    return [agencies[code] for code in codes]


def _codes(codes: list[str]) -> dict[str, str]:
    return {"codes": ", ".join(f"“{code}”" for code in codes)}
