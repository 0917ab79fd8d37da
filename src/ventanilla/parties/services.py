"""Every write of party data: create and update, each one transaction, each checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import EntryInput, audit_record, audit_record_many
from ventanilla.core import dates
from ventanilla.core.bulk import insert_new
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.events.services import EventInput, event_record_many
from ventanilla.parties.matchkeys import party_keys
from ventanilla.parties.models import (
    ContactPoint,
    Identifier,
    NameToken,
    Party,
    PartyKey,
    ProfileChange,
)
from ventanilla.parties.naming import name_fields, name_tokens, sort_name
from ventanilla.parties.validation import normalize_contact, normalize_identifier


@dataclass(frozen=True)
class IdentifierInput:
    scheme: str
    value: str
    issuing_country: str = "ES"
    verified: bool = False


@dataclass(frozen=True)
class ContactPointInput:
    kind: str
    value: str
    postal_code: str = ""
    municipality: str = ""
    district: str = ""
    preferred: bool = False


PROFILE_FIELDS = (
    "given_name",
    "family_name_1",
    "family_name_2",
    "legal_name",
    "birth_date",
    "sex",
    "preferred_language",
    "education_level",
    "accessibility_needs",
)


_BULK = 1000

# What a field becomes when a change sends null for it: empty text, except these.
_CLEARED: dict[str, Any] = {"birth_date": None, "accessibility_needs": []}


def party_event(party: Party, kind: str, **extra: Any) -> EventInput:
    """A party's event for other systems (``events``): its id and kind for every subscriber
    hearing parties, its name for those allowed personal data."""
    return EventInput(
        kind=kind,
        subject=str(party.pk),
        order_key=party.pk,
        party_id=party.pk,
        data={"party_id": str(party.pk), "kind": party.kind, "status": party.status, **extra},
        personal={
            name: getattr(party, name)
            for name in ("given_name", "family_name_1", "family_name_2", "legal_name")
        },
    )


def _check_profile(kind: str, profile: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if kind not in (Party.Kind.PERSON, Party.Kind.ORGANISATION):
        errors["kind"] = _("Kind must be person or organisation.")
    elif kind == Party.Kind.PERSON:
        for name in ("given_name", "family_name_1"):
            if not str(profile.get(name) or "").strip():
                errors[name] = _("This field is required.")
    elif not str(profile.get("legal_name") or "").strip():
        errors["legal_name"] = _("This field is required.")
    birth = profile.get("birth_date")
    if isinstance(birth, date) and (problem := dates.birth_date_error(birth)):
        errors["birth_date"] = problem
    if profile.get("sex") and profile["sex"] not in Party.Sex.values:
        errors["sex"] = _("Unknown value.")
    if profile.get("education_level") and profile["education_level"] not in Party.Education.values:
        errors["education_level"] = _("Unknown value.")
    if profile.get("preferred_language") and profile["preferred_language"] not in {"es", "en"}:
        errors["preferred_language"] = _("Choose es or en.")
    if errors:
        raise ValidationFailed(errors)


def _replace_tokens(party: Party) -> None:
    NameToken.objects.filter(party=party).delete()
    NameToken.objects.bulk_create(
        [NameToken(party=party, token=token) for token in name_tokens(**name_fields(party))]
    )


def _replace_keys(party: Party) -> None:
    """The keys the person is found by when someone registers them again (``matchkeys``)."""
    PartyKey.objects.filter(party=party).delete()
    PartyKey.objects.bulk_create([PartyKey(party=party, key=key) for key in party_keys(party)])


def party_create(
    *,
    actor: Actor,
    kind: str = Party.Kind.PERSON,
    identifiers: Sequence[IdentifierInput] = (),
    contact_points: Sequence[ContactPointInput] = (),
    **profile: Any,
) -> Party:
    """Register a party with its identifiers and contact points, all or nothing."""
    require(actor, Scope.PARTIES_WRITE)
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Unknown field.") for name in sorted(unknown)})
    profile = {
        key: value.strip() if isinstance(value, str) else value for key, value in profile.items()
    }
    _check_profile(kind, profile)
    normalized_ids = [
        (item, normalize_identifier(item.scheme, item.value, field=f"identifiers.{i}.value"))
        for i, item in enumerate(identifiers)
    ]
    normalized_contacts = [
        (item, *normalize_contact(item.kind, item.value, field=f"contact_points.{i}.value"))
        for i, item in enumerate(contact_points)
    ]
    with transaction.atomic():
        for item, value in normalized_ids:
            holder = Identifier.objects.filter(
                scheme=item.scheme, issuing_country=item.issuing_country, value=value
            ).first()
            if holder is not None:
                raise Conflict(
                    _("A party with this %(scheme)s is already registered.")
                    % {"scheme": item.scheme.upper()},
                    field="identifiers",
                    existing_party=str(holder.party_id),
                )
        party = Party(kind=kind, **{k: v for k, v in profile.items() if v is not None})
        party.sort_name = sort_name(**name_fields(party))
        party.save()
        _replace_tokens(party)
        _replace_keys(party)
        Identifier.objects.bulk_create(
            [
                Identifier(
                    party=party,
                    scheme=item.scheme,
                    value=value,
                    issuing_country=item.issuing_country,
                    verified=item.verified,
                )
                for item, value in normalized_ids
            ]
        )
        ContactPoint.objects.bulk_create(
            [
                ContactPoint(
                    party=party,
                    kind=item.kind,
                    value=display,
                    normalized=normalized,
                    postal_code=item.postal_code,
                    municipality=item.municipality,
                    district=item.district,
                    preferred=item.preferred,
                )
                for item, display, normalized in normalized_contacts
            ]
        )
        audit_record(
            actor=actor,
            action=Action.PARTY_CREATE,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
        )
        event_record_many([party_event(party, "party.created")])
    return party


def anonymous_reporter(*, actor: Actor) -> Party:
    """The party a report is recorded on when the service takes reports without a reporter
    and none is given: one for the whole installation, made (and audited) the first time."""
    require(actor, Scope.PARTIES_WRITE)
    found = Party.objects.filter(kind=Party.Kind.ANONYMOUS).first()
    if found is not None:
        return found
    with transaction.atomic():
        party, created = Party.objects.get_or_create(
            kind=Party.Kind.ANONYMOUS, defaults={"sort_name": ""}
        )
        if created:
            audit_record(
                actor=actor,
                action=Action.PARTY_CREATE,
                party_id=party.pk,
                object_type="party",
                object_id=party.pk,
                detail={"kind": Party.Kind.ANONYMOUS},
            )
            event_record_many([party_event(party, "party.created")])
    return party


def refuse_anonymous(party: Party) -> None:
    """Nobody edits, merges or erases the anonymous reporter: it holds no one's data, and a
    name or contact given to it would go on every anonymous report."""
    if party.kind == Party.Kind.ANONYMOUS:
        raise Conflict(
            _(
                "This is the anonymous reporter, which stands for reports made without a name: "
                "it cannot be changed, merged or erased."
            )
        )


@dataclass(frozen=True)
class PartyInput:
    """One party of ``party_create_many``: what ``party_create`` takes besides the actor."""

    profile: dict[str, Any]
    kind: str = Party.Kind.PERSON
    identifiers: Sequence[IdentifierInput] = ()
    contact_points: Sequence[ContactPointInput] = ()


def party_create_many(
    *, actor: Actor, parties: Sequence[PartyInput], leave_off_held: bool = False
) -> list[Party]:
    """Register many parties at once, all or nothing, as ``party_create`` registers each (the
    same checks, rows and one audit entry each) in a few statements per batch: for a batch
    job registering thousands. An identifier another party already holds (or one earlier in
    ``parties``) is refused as ``Conflict``, or, with ``leave_off_held``, left off that party."""
    require(actor, Scope.PARTIES_WRITE)
    checked = []
    for n, item in enumerate(parties):
        unknown = set(item.profile) - set(PROFILE_FIELDS)
        if unknown:
            raise ValidationFailed({name: _("Unknown field.") for name in sorted(unknown)})
        profile = {
            key: value.strip() if isinstance(value, str) else value
            for key, value in item.profile.items()
        }
        _check_profile(item.kind, profile)
        ids = [
            (i, normalize_identifier(i.scheme, i.value, field=f"{n}.identifiers.{k}.value"))
            for k, i in enumerate(item.identifiers)
        ]
        contacts = [
            (c, *normalize_contact(c.kind, c.value, field=f"{n}.contact_points.{k}.value"))
            for k, c in enumerate(item.contact_points)
        ]
        checked.append((item.kind, profile, ids, contacts))
    created: list[Party] = []
    with transaction.atomic():
        wanted = {
            (i.scheme, i.issuing_country, value) for *_, ids, _c in checked for i, value in ids
        }
        held: dict[tuple[str, str, str], str] = {}
        values = sorted({value for _s, _c, value in wanted})
        for start in range(0, len(values), 500):
            for scheme, country, value, party_id in Identifier.objects.filter(
                value__in=values[start : start + 500]
            ).values_list("scheme", "issuing_country", "value", "party_id"):
                held[(scheme, country, value)] = str(party_id)
        identifiers: list[Identifier] = []
        contact_points: list[ContactPoint] = []
        tokens: list[tuple[Any, str]] = []
        keys: list[tuple[Any, str]] = []
        for kind, profile, ids, contacts in checked:
            party = Party(kind=kind, **{k: v for k, v in profile.items() if v is not None})
            party.sort_name = sort_name(**name_fields(party))
            for given, value in ids:
                holder = held.get((given.scheme, given.issuing_country, value))
                if holder is not None:
                    if leave_off_held:
                        continue
                    raise Conflict(
                        _("A party with this %(scheme)s is already registered.")
                        % {"scheme": given.scheme.upper()},
                        field="identifiers",
                        existing_party=holder,
                    )
                held[(given.scheme, given.issuing_country, value)] = str(party.pk)
                identifiers.append(
                    Identifier(
                        party=party,
                        scheme=given.scheme,
                        value=value,
                        issuing_country=given.issuing_country,
                        verified=given.verified,
                    )
                )
            contact_points += [
                ContactPoint(
                    party=party,
                    kind=point.kind,
                    value=display,
                    normalized=normalized,
                    postal_code=point.postal_code,
                    municipality=point.municipality,
                    district=point.district,
                    preferred=point.preferred,
                )
                for point, display, normalized in contacts
            ]
            tokens += [(party.pk, token) for token in name_tokens(**name_fields(party))]
            keys += [(party.pk, key) for key in party_keys(party)]
            created.append(party)
        insert_new(created)
        _insert_words(NameToken, "token", tokens)
        _insert_words(PartyKey, "key", keys)
        insert_new(identifiers)
        insert_new(contact_points)
        audit_record_many(
            actor=actor,
            action=Action.PARTY_CREATE,
            entries=[
                EntryInput(party_id=party.pk, object_type="party", object_id=party.pk)
                for party in created
            ],
        )
        event_record_many([party_event(party, "party.created") for party in created])
    return created


def _insert_words(model: type[NameToken | PartyKey], column: str, rows: list[Any]) -> None:
    """A party's search words or keys, (party id, word) each, in one statement run for all:
    millions of two-column rows are where ``bulk_create``'s per-value work shows most."""
    pk = Party._meta.pk
    assert pk is not None  # noqa: S101 - every model has one
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} (party_id, {column}) VALUES (%s, %s)"  # noqa: S608 - names from code
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy, looked up again on each use
    prepared = [(pk.get_db_prep_value(party, db), word) for party, word in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), _BULK * 10):
            cursor.executemany(sql, prepared[start : start + _BULK * 10])


def party_update(*, actor: Actor, party_id: Any, changes: dict[str, Any]) -> Party:
    """Change profile fields of a party (rectification); unknown fields are refused, not ignored."""
    require(actor, Scope.PARTIES_WRITE, party_id=party_id)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("This field cannot be changed here.") for name in unknown})
    changes = {
        key: value.strip() if isinstance(value, str) else value for key, value in changes.items()
    }
    with transaction.atomic():
        party = Party.objects.select_for_update().filter(pk=party_id).first()
        if party is None:
            raise NotFound(_("No such party."))
        if party.status == Party.Status.MERGED:
            raise Conflict(_("This party was merged into another; edit that one."))
        refuse_anonymous(party)
        before = {name: getattr(party, name) for name in changes}
        for name, value in changes.items():
            setattr(party, name, _CLEARED.get(name, "") if value is None else value)
        _check_profile(party.kind, {name: getattr(party, name) for name in PROFILE_FIELDS})
        changed = [name for name in changes if getattr(party, name) != before[name]]
        if not changed:
            return party
        party.sort_name = sort_name(**name_fields(party))
        party.save(update_fields=[*changed, "sort_name", "updated_at"])
        if {"given_name", "family_name_1", "family_name_2", "legal_name"} & set(changed):
            _replace_tokens(party)
        if {"given_name", "family_name_1", "family_name_2", "birth_date"} & set(changed):
            _replace_keys(party)
        now = timezone.now()
        ProfileChange.objects.bulk_create(
            ProfileChange(
                party=party,
                changed_at=now,
                changed_by=actor.label[:150],
                field=name,
                old_value=_plain(before[name]),
                new_value=_plain(getattr(party, name)),
            )
            for name in changed
        )
        audit_record(
            actor=actor,
            action=Action.PARTY_UPDATE,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
            detail={"fields": sorted(changed)},
        )
        event_record_many([party_event(party, "party.updated", fields=sorted(changed))])
    return party


def _plain(value: Any) -> Any:
    """A profile value as JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value
