"""Contacts from another system in bulk (``interaction_record_many``): up to a thousand per call,
each checked as ``interaction_record`` checks one, each recorded whole or not at all, each with
its own result, and idempotent by the sender's key (``external_id``, per agency): sending a key
again returns the contact recorded the first time. Written a chunk at a time in one
transaction with a few bulk statements; only when a chunk fails (a key recorded meanwhile by a
concurrent call) is it written again item by item, each in a savepoint."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import EntryInput, audit_record_many
from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.core import dates
from ventanilla.core.bulk import insert_new
from ventanilla.core.errors import DomainError
from ventanilla.events.services import event_record_many
from ventanilla.interactions.models import ContactKey, Interaction
from ventanilla.interactions.services import MAX_SUMMARY, acting_agency, interaction_event
from ventanilla.parties.models import Party

MAX_ITEMS = 1000
CHUNK = 1000


@dataclass(frozen=True)
class ContactItem:
    """One contact of a batch: what ``interaction_record`` takes, and the sender's key."""

    external_id: str
    party_id: Any
    channel: str
    summary: str
    kind: str = Interaction.Kind.QUESTION
    relationship: str = Interaction.Relationship.INFORMATION
    direction: str = Interaction.Direction.INBOUND
    agency_code: str | None = None
    service_code: str | None = None
    occurred_at: datetime | None = None
    duration_seconds: int | None = None
    outcome: str = ""


@dataclass
class ItemResult:
    """``created`` (recorded now), ``existing`` (its key was recorded before: that contact), or
    ``failed`` with the errors by field; nothing of a failed item is written."""

    index: int
    external_id: str
    status: str = "failed"
    interaction_id: Any = None
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class _Checked:
    result: ItemResult
    interaction: Interaction


class _Lookups:
    """What the items name, read once for the whole call."""

    def __init__(self, actor: Actor, items: Sequence[ContactItem]) -> None:
        self.actor = actor
        self.channels = set(Channel.objects.values_list("pk", flat=True))
        ids = set()
        for item in items:
            try:
                ids.add(uuid.UUID(str(item.party_id)))
            except ValueError:
                continue
        self.parties = dict(Party.objects.filter(pk__in=ids).values_list("pk", "status"))
        codes = {item.service_code for item in items if item.service_code}
        self.services = {s.code: s for s in PublicService.objects.filter(code__in=codes)}
        self.agencies: dict[str | None, Agency | DomainError] = {}

    def agency(self, code: str | None) -> Agency | DomainError:
        if code not in self.agencies:
            try:
                self.agencies[code] = acting_agency(actor=self.actor, agency_code=code)
            except DomainError as error:
                self.agencies[code] = error
        return self.agencies[code]


def _check(index: int, item: ContactItem, seen: _Lookups, now: datetime) -> _Checked | ItemResult:
    result = ItemResult(index=index, external_id=item.external_id)
    errors = result.errors
    summary = item.summary.strip()
    if not item.external_id.strip() or len(item.external_id) > 100:
        errors["external_id"] = _("Give your own key of this contact (at most 100 characters).")
    if not summary:
        errors["summary"] = _("This field is required.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Write at most %d characters.") % MAX_SUMMARY
    for name, value, allowed in (
        ("kind", item.kind, Interaction.Kind.values),
        ("relationship", item.relationship, Interaction.Relationship.values),
        ("direction", item.direction, Interaction.Direction.values),
    ):
        if value not in allowed:
            errors[name] = _("Unknown value.")
    if item.outcome and item.outcome not in Interaction.Outcome.values:
        errors["outcome"] = _("Unknown value.")
    if item.outcome == Interaction.Outcome.CALL_BACK:
        errors["outcome"] = _("A call to return is recorded one at a time, with its due time.")
    if item.occurred_at is not None and (problem := dates.event_time_error(item.occurred_at)):
        errors["occurred_at"] = problem
    if item.duration_seconds is not None and not 0 <= item.duration_seconds <= 86400:
        errors["duration_seconds"] = _("Between 0 and 86400 seconds.")
    try:
        party_id: Any = uuid.UUID(str(item.party_id))
    except ValueError:
        party_id = None
    status = seen.parties.get(party_id)
    if status is None:
        errors["party"] = _("No such party.")
    elif status != Party.Status.ACTIVE:
        errors["party"] = _("This party was merged into another; record it there.")
    if item.channel not in seen.channels:
        errors["channel"] = _("Unknown channel.")
    service = None
    if item.service_code:
        service = seen.services.get(item.service_code)
        if service is None:
            errors["service"] = _("Unknown service.")
    agency = seen.agency(item.agency_code)
    if isinstance(agency, DomainError):
        errors["agency"] = agency.message
    if errors or isinstance(agency, DomainError):
        return result
    interaction = Interaction(
        party_id=party_id,
        channel_id=item.channel,
        agency=agency,
        direction=item.direction,
        relationship=item.relationship,
        kind=item.kind,
        service=service,
        agent_id=seen.actor.user_id,
        occurred_at=item.occurred_at or now,
        duration_seconds=item.duration_seconds,
        summary=summary,
        outcome=item.outcome,
    )
    return _Checked(result=result, interaction=interaction)


def interaction_record_many(*, actor: Actor, items: Sequence[ContactItem]) -> list[ItemResult]:
    """Record a batch of contacts; one result per item, in the order given."""
    require(actor, Scope.INTERACTIONS_WRITE)
    now = timezone.now()
    seen = _Lookups(actor, items)
    results: list[ItemResult] = []
    checked: list[_Checked] = []
    keys_in_call: set[tuple[Any, str]] = set()
    for index, item in enumerate(items):
        outcome = _check(index, item, seen, now)
        if isinstance(outcome, ItemResult):
            results.append(outcome)
            continue
        key = (outcome.interaction.agency_id, item.external_id)
        if key in keys_in_call:
            outcome.result.errors["external_id"] = _("This key is given twice in this call.")
            results.append(outcome.result)
            continue
        keys_in_call.add(key)
        results.append(outcome.result)
        checked.append(outcome)
    for start in range(0, len(checked), CHUNK):
        _write_chunk(actor, checked[start : start + CHUNK])
    return results


def _known(chunk: Sequence[_Checked]) -> dict[tuple[Any, str], Any]:
    """The keys of this chunk recorded before, and the contact each gave."""
    known: dict[tuple[Any, str], Any] = {}
    by_agency: dict[Any, list[str]] = {}
    for item in chunk:
        by_agency.setdefault(item.interaction.agency_id, []).append(item.result.external_id)
    for agency_id, external_ids in by_agency.items():
        for external_id, interaction_id in ContactKey.objects.filter(
            agency_id=agency_id, external_id__in=external_ids
        ).values_list("external_id", "interaction_id"):
            known[(agency_id, external_id)] = interaction_id
    return known


def _write_chunk(actor: Actor, chunk: list[_Checked]) -> None:
    try:
        with transaction.atomic():
            _write(actor, chunk, _known(chunk))
    except IntegrityError:
        # A concurrent call recorded some of these keys after they were looked up: item by
        # item now, each in its savepoint, the recorded ones given back as they were.
        for item in chunk:
            item.interaction.pk = uuid.uuid4()
            try:
                with transaction.atomic():
                    _write(actor, [item], _known([item]))
            except IntegrityError:
                item.result.status = "failed"
                item.result.errors["external_id"] = _(
                    "This key is being recorded by another call; send it again."
                )


def _write(actor: Actor, chunk: list[_Checked], known: dict[tuple[Any, str], Any]) -> None:
    new: list[_Checked] = []
    for item in chunk:
        earlier = known.get((item.interaction.agency_id, item.result.external_id))
        if earlier is not None:
            item.result.status = "existing"
            item.result.interaction_id = earlier
        else:
            new.append(item)
    if not new:
        return
    rows = [item.interaction for item in new]
    insert_new(rows)
    ContactKey.objects.bulk_create(
        [
            ContactKey(
                agency_id=item.interaction.agency_id,
                external_id=item.result.external_id,
                interaction_id=item.interaction.pk,
            )
            for item in new
        ]
    )
    audit_record_many(
        actor=actor,
        action=Action.INTERACTION_CREATE,
        entries=[
            EntryInput(party_id=row.party_id, object_type="interaction", object_id=row.pk)
            for row in rows
        ],
    )
    event_record_many([interaction_event(row) for row in rows])
    for item in new:
        item.result.status = "created"
        item.result.interaction_id = item.interaction.pk
