"""Likely matches a person decides: the pairs the model found likely but not certain, each shown
with both records side by side, field by field, with what spoke for the link and what against,
and the decision, which is kept and counts as a training label in the next matching run.

Joining two people who already have a party each is a merge (``merging.linking``); what is
decided here is the review itself, and the link of a record no party holds yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import Conflict, NotFound
from ventanilla.identity import importing
from ventanilla.identity.models import MatchReview, SourceRecord
from ventanilla.parties.models import ContactPoint, Identifier, Party

# The model's comparisons, named for a person, with the fields of a record each one reads.
COMPARISONS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "given_name": (gettext_lazy("Given name"), ("given_name",)),
    "surnames": (gettext_lazy("Surnames"), ("family_name_1", "family_name_2")),
    "identifier": (gettext_lazy("DNI or NIE"), ("identifier",)),
    "birth_date": (gettext_lazy("Birth date"), ("birth_date",)),
    "email": (gettext_lazy("Email"), ("email",)),
    "phone": (gettext_lazy("Phone"), ("phone",)),
    "address": (gettext_lazy("Address"), ("address", "postal_code", "city")),
}

# Each level of the model's comparisons (``linkage``'s labels), in the reviewer's language.
LEVELS: dict[str, Promise] = {
    "missing": gettext_lazy("one side is empty"),
    "same name": gettext_lazy("the same name"),
    "same name called by": gettext_lazy("the same name the person is called by"),
    "given name and surname crossed": gettext_lazy("given name and surname crossed"),
    "sounds alike": gettext_lazy("they sound alike"),
    "one typo": gettext_lazy("one letter apart"),
    "similar": gettext_lazy("similar"),
    "different": gettext_lazy("different"),
    "same surnames": gettext_lazy("the same surnames, in either order"),
    "one surname missing": gettext_lazy("one surname missing"),
    "first surname sounds alike": gettext_lazy("the first surname sounds alike"),
    "same valid identifier": gettext_lazy("the same valid number"),
    "same number": gettext_lazy("the same number, a check letter wrong"),
    "one digit off": gettext_lazy("one digit apart"),
    "same date": gettext_lazy("the same date"),
    "day and month swapped": gettext_lazy("day and month swapped"),
    "a year off": gettext_lazy("a year apart"),
    "same email": gettext_lazy("the same address"),
    "same user": gettext_lazy("the same user at another provider"),
    "same phone": gettext_lazy("the same number"),
    "same address": gettext_lazy("the same address"),
    "similar address": gettext_lazy("a similar address"),
    "same postal code": gettext_lazy("only the postal code is the same"),
}

# Why a register's value was kept as written, in the reviewer's language.
FLAG_REASONS: dict[str, Promise] = {
    importing.WRONG_CHECK_LETTER: gettext_lazy("the check letter is wrong"),
    importing.NO_CHECK_LETTER: gettext_lazy("the check letter is missing"),
    importing.NOT_AN_IDENTIFIER: gettext_lazy("not a DNI, NIE, NIF or passport number"),
    importing.NOT_A_DATE: gettext_lazy("not a date"),
    importing.DATE_IN_FUTURE: gettext_lazy("a birth date in the future"),
    importing.DATE_TOO_OLD: gettext_lazy("a birth date before 1900"),
    importing.NOT_AN_EMAIL: gettext_lazy("not an email address"),
    importing.NOT_A_PHONE: gettext_lazy("not a phone number"),
}
FIELD_NAMES: dict[str, Promise] = {
    "given_name": gettext_lazy("Given name"),
    "family_name_1": gettext_lazy("First surname"),
    "family_name_2": gettext_lazy("Second surname"),
    "birth_date": gettext_lazy("Birth date"),
    "identifier": gettext_lazy("DNI or NIE"),
    "address": gettext_lazy("Address"),
    "postal_code": gettext_lazy("Postal code"),
    "city": gettext_lazy("City"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
}

# A weight this close to zero tells nothing either way.
NEUTRAL = 0.05
QUEUE_PAGE = 50


@dataclass(frozen=True)
class Side:
    """One of the two records as the reviewer sees it: where it comes from, the person it
    belongs to now (if any), and its values, flagged ones with the register's reason."""

    source: str
    party: Party | None
    values: dict[str, Any]
    flags: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        parts = (self.values.get(n) for n in ("given_name", "family_name_1", "family_name_2"))
        return " ".join(part for part in parts if part) or _("(no name)")

    @property
    def flag_reasons(self) -> list[str]:
        """Each value the register had wrong, in words: "Birth date: not a date (31/02/1980)"."""
        reasons = []
        for name, reason in sorted(self.flags.items()):
            code, _sep, written = str(reason).partition(": ")
            words = str(FLAG_REASONS.get(code, code))
            if written:
                words = f"{words} ({written})"
            reasons.append(f"{FIELD_NAMES.get(name, name)}: {words}")
        return reasons


@dataclass(frozen=True)
class Evidence:
    """One comparison of the pair: both values, the level the model put them in, and its
    weight (log2 of the Bayes factor): above zero it speaks for the link, below against."""

    label: str
    left: str
    right: str
    level: str
    weight: float

    @property
    def strength(self) -> float:
        return abs(self.weight)

    @property
    def verdict(self) -> str:
        if self.weight > NEUTRAL:
            return "for"
        if self.weight < -NEUTRAL:
            return "against"
        return "neutral"


@dataclass(frozen=True)
class Pending:
    review: MatchReview
    left: Side
    right: Side
    evidence: list[Evidence]

    @property
    def percent(self) -> int:
        return round(self.review.probability * 100)

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.left, self.right


def _record_side(record: SourceRecord) -> Side:
    names = [name for _label, fields in COMPARISONS.values() for name in fields]
    values = {name: getattr(record, name) for name in names}
    return Side(
        source=record.agency.name, party=record.party, values=values, flags=dict(record.flags)
    )


def _party_side(party: Party) -> Side:
    """A registered person as matching reads them: their DNI or NIE, and their preferred
    (else first) email, phone and postal address."""
    values: dict[str, Any] = {
        "given_name": party.given_name,
        "family_name_1": party.family_name_1,
        "family_name_2": party.family_name_2,
        "birth_date": party.birth_date,
    }
    identifier = (
        Identifier.objects.filter(
            party=party, scheme__in=(Identifier.Scheme.DNI, Identifier.Scheme.NIE)
        )
        .order_by("-verified", "created_at")
        .values_list("value", flat=True)
        .first()
    )
    values["identifier"] = identifier or ""
    contacts = ContactPoint.objects.filter(party=party, valid_until__isnull=True).order_by(
        "-preferred", "created_at"
    )
    for contact in contacts:
        if contact.kind == ContactPoint.Kind.EMAIL:
            values.setdefault("email", contact.value)
        elif contact.kind == ContactPoint.Kind.PHONE:
            values.setdefault("phone", contact.value)
        elif "address" not in values:
            values.update(
                address=contact.value,
                postal_code=contact.postal_code,
                city=contact.municipality,
            )
    return Side(source=_("Registered person"), party=party, values=values)


def _shown(side: Side, fields: tuple[str, ...]) -> str:
    parts = []
    for name in fields:
        value = side.values.get(name)
        if isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        if value:
            parts.append(str(value))
    return ", ".join(parts) if len(fields) > 2 else " ".join(parts)


def _evidence(review: MatchReview, left: Side, right: Side) -> list[Evidence]:
    by_name = {item.get("comparison"): item for item in review.comparisons}
    evidence = []
    for name, (label, fields) in COMPARISONS.items():
        item = by_name.get(name, {})
        level = str(item.get("level") or "missing")
        evidence.append(
            Evidence(
                label=str(label),
                left=_shown(left, fields),
                right=_shown(right, fields),
                level=str(LEVELS.get(level, level)),
                weight=float(item.get("weight") or 0.0),
            )
        )
    return evidence


def _reviews() -> Any:
    return MatchReview.objects.select_related(
        "model",
        "record__agency",
        "record__party",
        "other_record__agency",
        "other_record__party",
        "party",
    )


def _pending(review: MatchReview) -> Pending:
    left = _record_side(review.record)
    right = (
        _record_side(review.other_record)
        if review.other_record is not None
        else _party_side(review.party)  # type: ignore[arg-type]
    )
    return Pending(review=review, left=left, right=right, evidence=_evidence(review, left, right))


def _people(review: MatchReview) -> list[Any]:
    """The parties a review is about, once each, for the audit log."""
    ids = [review.record.party_id, review.party_id]
    if review.other_record is not None:
        ids.append(review.other_record.party_id)
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def reviews_waiting_count(*, actor: Actor) -> int:
    """How many pairs wait for a person: a count, no one's data."""
    if not actor.can(Scope.PARTIES_MERGE):
        return 0
    return MatchReview.objects.filter(status=MatchReview.Status.OPEN).count()


def review_next(*, actor: Actor) -> Any:
    """The id of the pair most likely one person still waiting, or None: an id, no one's data."""
    require(actor, Scope.PARTIES_MERGE)
    return (
        MatchReview.objects.filter(status=MatchReview.Status.OPEN)
        .order_by("-probability", "id")
        .values_list("pk", flat=True)
        .first()
    )


def reviews_waiting(*, actor: Actor, page: int = 1) -> tuple[list[Pending], int]:
    """The pairs waiting for a person, most likely first, a page at a time, with how many wait
    in all. The listing is recorded once, with the people it showed."""
    require(actor, Scope.PARTIES_MERGE)
    waiting = _reviews().filter(status=MatchReview.Status.OPEN).order_by("-probability", "id")
    total = waiting.count()
    start = (max(page, 1) - 1) * QUEUE_PAGE
    shown = [_pending(review) for review in waiting[start : start + QUEUE_PAGE]]
    audit_record(
        actor=actor,
        action=Action.IDENTITY_REVIEW_LIST,
        object_type="match_review",
        detail={"shown": len(shown), "waiting": total, "page": page},
    )
    return shown, total


def review_get(*, actor: Actor, review_id: Any, purpose: str = "") -> Pending:
    """One pair with both records side by side; the reading is recorded on each person."""
    require(actor, Scope.PARTIES_MERGE)
    review = _reviews().filter(pk=review_id).first()
    if review is None:
        raise NotFound(_("No such pair to review."))
    people = _people(review) or [None]
    for party_id in people:
        audit_record(
            actor=actor,
            action=Action.IDENTITY_REVIEW_READ,
            party_id=party_id,
            object_type="match_review",
            object_id=review.pk,
            purpose=purpose,
        )
    return _pending(review)


def review_lock(*, actor: Actor, review_id: Any) -> MatchReview:
    """The pair, locked for the caller's transaction, while it still waits for a decision."""
    require(actor, Scope.PARTIES_MERGE)
    review = (
        MatchReview.objects.select_for_update(of=("self",))
        .select_related("model")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound(_("No such pair to review."))
    if review.status != MatchReview.Status.OPEN:
        raise Conflict(
            _("This pair was already decided by %(who)s: %(decision)s.")
            % {"who": review.decided_by, "decision": review.get_status_display()}
        )
    return review


def review_decide(*, actor: Actor, review_id: Any, same: bool, party_id: Any = None) -> MatchReview:
    """Record whether the pair is one person. When it is, a record of it no party holds yet
    is linked to ``party_id`` (the person the caller found both to be), and the records of
    the pair name the reviewer as who decided. Decided pairs are never put to people again,
    and count as training labels in the next matching run."""
    with transaction.atomic():
        review = review_lock(actor=actor, review_id=review_id)
        review.status = MatchReview.Status.LINKED if same else MatchReview.Status.NOT_SAME
        review.decided_by = actor.label[:150]
        review.decided_at = timezone.now()
        review.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        if same:
            records = [review.record_id]
            if review.other_record_id is not None:
                records.append(review.other_record_id)
            linked = SourceRecord.objects.filter(pk__in=records)
            if party_id is not None:
                linked.filter(party__isnull=True).update(party_id=party_id)
            linked.update(
                decided_by=actor.label[:100],
                match_score=review.probability,
                updated_at=timezone.now(),
            )
        people = _people(review)
        if party_id is not None and party_id not in people:
            people.append(party_id)
        for person in people or [None]:
            audit_record(
                actor=actor,
                action=Action.IDENTITY_REVIEW,
                party_id=person,
                object_type="match_review",
                object_id=review.pk,
                detail={
                    "same": same,
                    "probability": round(review.probability, 4),
                    "model": review.model.version,
                },
            )
    return review


def training_labels(*, agencies: Any = ()) -> list[tuple[str, str]]:
    """Pairs people decided are one person, of records of ``agencies`` (all when empty), as
    matching names its rows ("r:<record>", "p:<party>")."""
    decided = MatchReview.objects.filter(status=MatchReview.Status.LINKED)
    if agencies:
        decided = decided.filter(record__agency__code__in=agencies)
    labels = []
    for record, other, party in decided.values_list("record_id", "other_record_id", "party_id"):
        right = f"r:{other}" if other is not None else f"p:{party}"
        labels.append((f"r:{record}", right))
    return labels
