"""``identity_match``: every source record not yet linked ends in exactly one golden party.

The records in scope and the active person parties are prepared alike (``prepare``), a new
model version is trained on them and saved as Splink writes it, and the scored pairs are
clustered under the rules (equal valid identifiers link on their own; two different valid
identifiers never do; two existing parties are never joined). A cluster with a party gives the
records that party; a cluster without one becomes a new party, registered through the parties
service from its most complete record. Likely but uncertain pairs are stored for review.

Records already linked (by an earlier run or a person) are never moved. The demo's ground truth
is never read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core import dates
from ventanilla.core.bulk import page_cache
from ventanilla.core.errors import ValidationFailed
from ventanilla.identity import linkage
from ventanilla.identity.features import prepare
from ventanilla.identity.models import MatchModel, MatchReview, SourceRecord
from ventanilla.identity.reviews import training_labels
from ventanilla.identity.spark_backend import SparkOptions, SparkUnavailable
from ventanilla.parties.models import ContactPoint, Identifier, Party
from ventanilla.parties.services import (
    ContactPointInput,
    IdentifierInput,
    PartyInput,
    party_create_many,
)
from ventanilla.parties.validation import normalize_contact

RECORD_FIELDS = (
    "given_name",
    "family_name_1",
    "family_name_2",
    "birth_date",
    "identifier",
    "address",
    "postal_code",
    "city",
    "email",
    "phone",
)
STAGES = ("load", "prior", "u", "m", "score", "cluster", "write")
_BATCH = 2000


@dataclass(frozen=True)
class MatchSummary:
    records: int
    already_linked: int
    linked_by_rule: int
    linked_by_model: int
    new_parties: int
    reviews: int
    model_version: int | None
    unlinked: int = 0
    # Pairs people decided were one person, used as training labels for this version.
    labels: int = 0


def _record_node(pk: Any) -> str:
    return f"r:{pk}"


def _party_node(pk: Any) -> str:
    return f"p:{pk}"


def load_records(agencies: Sequence[str]) -> list[dict[str, Any]]:
    records = SourceRecord.objects.order_by("created_at", "id")
    if agencies:
        records = records.filter(agency__code__in=agencies)
    return list(records.values("id", "party_id", "created_at", *RECORD_FIELDS))


def load_parties() -> list[dict[str, Any]]:
    """Active people as records with the source records' field names: their DNI or NIE, and
    their preferred (else first) email, phone and postal address."""
    people = Party.objects.filter(kind=Party.Kind.PERSON, status=Party.Status.ACTIVE)
    rows: dict[Any, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in people.values(
            "id", "given_name", "family_name_1", "family_name_2", "birth_date"
        ).order_by("id")
    }
    identifiers = Identifier.objects.filter(
        party__in=people, scheme__in=(Identifier.Scheme.DNI, Identifier.Scheme.NIE)
    ).order_by("party_id", "-verified", "created_at")
    for party_id, value in identifiers.values_list("party_id", "value"):
        rows[party_id].setdefault("identifier", value)
    contacts = ContactPoint.objects.filter(party__in=people, valid_until__isnull=True).order_by(
        "party_id", "-preferred", "created_at"
    )
    for party_id, kind, value, normalized, postal_code, municipality in contacts.values_list(
        "party_id", "kind", "value", "normalized", "postal_code", "municipality"
    ):
        row = rows[party_id]
        if kind == ContactPoint.Kind.EMAIL:
            row.setdefault("email", normalized)
        elif kind == ContactPoint.Kind.PHONE:
            row.setdefault("phone", normalized)
        elif "address" not in row:
            row.update(address=value, postal_code=postal_code, city=municipality)
    return list(rows.values())


def _completeness(record: dict[str, Any]) -> tuple[float, str]:
    filled = sum(1 for name in RECORD_FIELDS if record.get(name))
    # A name written in capitals (as some registers keep them) makes a poorer golden record.
    cased = 0.5 if not str(record.get("given_name") or "").isupper() else 0.0
    return (filled + cased, str(record["id"]))


def _golden(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The most complete record, its gaps filled from the others, most complete first."""
    ordered = sorted(records, key=_completeness, reverse=True)
    golden = dict(ordered[0])
    for other in ordered[1:]:
        for name in RECORD_FIELDS:
            if not golden.get(name) and other.get(name):
                golden[name] = other[name]
    return golden


def _contact_inputs(golden: dict[str, Any]) -> list[ContactPointInput]:
    wanted = [
        (ContactPoint.Kind.EMAIL, golden.get("email") or ""),
        (ContactPoint.Kind.PHONE, golden.get("phone") or ""),
        (ContactPoint.Kind.POSTAL, golden.get("address") or ""),
    ]
    inputs = []
    for kind, value in wanted:
        if not value:
            continue
        try:
            normalize_contact(kind, value)
        except ValidationFailed:
            continue  # kept on the source record as written; not fit for the party
        postal = kind == ContactPoint.Kind.POSTAL
        inputs.append(
            ContactPointInput(
                kind=kind,
                value=value,
                postal_code=(golden.get("postal_code") or "") if postal else "",
                municipality=(golden.get("city") or "") if postal else "",
            )
        )
    return inputs


def _new_party(records: list[dict[str, Any]]) -> PartyInput | None:
    """The party a cluster without one becomes, from its golden record."""
    golden = _golden(records)
    if not golden.get("given_name") or not golden.get("family_name_1"):
        return None  # a person is registered by name: left unlinked, counted in the summary
    birth = golden.get("birth_date")
    if isinstance(birth, date) and dates.birth_date_error(birth):
        birth = None
    identifiers = []
    prepared = prepare(golden)
    if prepared["identifier_valid"]:
        compact = "".join(ch for ch in str(golden["identifier"]).upper() if ch.isalnum())
        scheme = Identifier.Scheme.NIE if compact[0] in "XYZ" else Identifier.Scheme.DNI
        identifiers.append(IdentifierInput(scheme=scheme, value=compact))
    profile = {
        "given_name": golden["given_name"],
        "family_name_1": golden["family_name_1"],
        "family_name_2": golden.get("family_name_2") or "",
        "birth_date": birth,
    }
    return PartyInput(
        profile=profile, identifiers=identifiers, contact_points=_contact_inputs(golden)
    )


def model_rows(
    records: Sequence[dict[str, Any]], parties: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows the model compares: every record in scope and every active person party."""
    return [
        {"unique_id": _record_node(record["id"]), "origin": "record", **prepare(record)}
        for record in records
    ] + [
        {"unique_id": _party_node(party["id"]), "origin": "party", **prepare(party)}
        for party in parties
    ]


def cluster(
    rows: Sequence[dict[str, Any]],
    records: Sequence[dict[str, Any]],
    pairs: Sequence[linkage.Pair],
) -> tuple[linkage.Clusters, dict[str, tuple[str, float]], list[linkage.Pair]]:
    """The links under the rules, whichever engine scored ``pairs``: the clusters, how each
    node was decided (rule or model, with its score) and the links refused for joining two
    parties."""
    clusters = linkage.Clusters()
    for row in rows:
        valid = row["identifier_number"] if row["identifier_valid"] else ""
        party = row["unique_id"][2:] if row["origin"] == "party" else None
        clusters.add(row["unique_id"], party=party, identifier=valid)
    for record in records:
        if record["party_id"] is not None:
            node = _party_node(record["party_id"])
            clusters.add(node, party=str(record["party_id"]))
            clusters.join(_record_node(record["id"]), node)
    decided: dict[str, tuple[str, float]] = {}
    for left, right in linkage.rule_pairs(rows):
        if not clusters.join(left, right):
            for node in (left, right):
                decided.setdefault(node, ("rule", 1.0))
    refused: list[linkage.Pair] = []
    for pair in pairs:
        if pair.probability < linkage.LINK_THRESHOLD:
            continue
        problem = clusters.join(pair.left, pair.right)
        if problem == "parties":
            refused.append(pair)
        elif not problem:
            for node in (pair.left, pair.right):
                decided.setdefault(node, ("model", pair.probability))

    return clusters, decided, refused


def identity_match(
    *,
    actor: Actor,
    agencies: Sequence[str] = (),
    stage: Callable[[str], None] = lambda _name: None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items,
    backend: linkage.Backend = "duckdb",
    spark: SparkOptions | None = None,
) -> MatchSummary:
    """Train a new model version and link every unlinked source record of ``agencies`` (all
    when empty) to exactly one party; uncertain pairs are stored for review. ``backend`` is
    the engine that trains and scores (``spark``: where ``spark`` says); clustering and the
    writes are the same whichever it is."""
    if backend not in linkage.BACKENDS:
        raise ValidationFailed(
            {"backend": _("Unknown matching engine: %(name)s.") % {"name": backend}}
        )
    known = Agency.objects.filter(code__in=agencies).values_list("code", flat=True)
    unknown = set(agencies) - set(known)
    if unknown:
        raise ValidationFailed(
            {"agencies": _("Unknown agency: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    stage("load")
    records = load_records(agencies)
    pending = [record for record in records if record["party_id"] is None]
    if not pending:
        return MatchSummary(len(records), len(records), 0, 0, 0, 0, None)
    rows = model_rows(records, load_parties())
    present = {row["unique_id"] for row in rows}
    labels = [
        pair
        for pair in training_labels(agencies=agencies)
        if pair[0] in present and pair[1] in present
    ]
    try:
        scored = linkage.train_and_score(
            linkage.rows_table(rows), labels=labels, stage=stage, backend=backend, spark=spark
        )
    except SparkUnavailable as error:
        raise ValidationFailed(
            {
                "backend": _(
                    "Matching on Spark needs pyspark, which is not installed: install "
                    "Ventanilla with its spark extra (pip install 'ventanilla[spark]')."
                )
            }
        ) from error

    stage("cluster")
    clusters, decided, refused = cluster(rows, records, scored.pairs)

    stage("write")
    with page_cache(settings.VENTANILLA_MATCH_CACHE_MB), transaction.atomic():
        latest = MatchModel.objects.aggregate(latest=Max("version"))["latest"] or 0
        model = MatchModel.objects.create(
            version=latest + 1,
            settings=scored.model,
            link_threshold=linkage.LINK_THRESHOLD,
            review_threshold=linkage.REVIEW_THRESHOLD,
            trained_on=len(rows),
        )
        by_label = {"rule": "rule", "model": f"model v{model.version}"}
        members: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in pending:
            members[clusters.find(_record_node(record["id"]))].append(record)
        counts = {"rule": 0, "model": 0, "new": 0, "unlinked": 0}
        changed: list[_Link] = []

        def link(group: list[dict[str, Any]], party_id: str) -> None:
            for record in group:
                how, score = decided.get(_record_node(record["id"]), ("model", None))
                counts[how] += 1
                changed.append(_Link(record["id"], party_id, score, by_label[how]))

        creating: list[tuple[str, list[dict[str, Any]], PartyInput]] = []
        for root, group in progress(sorted(members.items())):
            party_id = clusters.components[root].party
            if party_id is not None:
                link(group, party_id)
            elif (wanted := _new_party(group)) is None:
                counts["unlinked"] += len(group)
            else:
                creating.append((root, group, wanted))
        # New parties are registered in bulk, in the clusters' order: an identifier held by a
        # party matching does not see (merged or erased), or by an earlier new party, is left
        # off the party; the record keeps it.
        for start in range(0, len(creating), _BATCH):
            chunk = creating[start : start + _BATCH]
            made = party_create_many(
                actor=actor, parties=[wanted for *_, wanted in chunk], leave_off_held=True
            )
            for (root, group, _wanted), party in zip(chunk, made, strict=True):
                clusters.add(root, party=str(party.pk))
                counts["new"] += 1
                link(group, str(party.pk))
        _write_links(changed)
        reviews = _store_reviews(model, scored.pairs, refused, clusters, pending)
        audit_record(
            actor=actor,
            action=Action.IDENTITY_MATCH,
            object_type="match_model",
            object_id=model.pk,
            detail={
                "agencies": sorted(agencies),
                "version": model.version,
                "records": len(records),
                "linked_by_rule": counts["rule"],
                "linked_by_model": counts["model"],
                "new_parties": counts["new"],
                "reviews": reviews,
                "labels": len(labels),
            },
        )
    return MatchSummary(
        records=len(records),
        already_linked=len(records) - len(pending),
        linked_by_rule=counts["rule"],
        linked_by_model=counts["model"],
        new_parties=counts["new"],
        reviews=reviews,
        model_version=model.version,
        unlinked=counts["unlinked"],
        labels=len(labels),
    )


class _Link(NamedTuple):
    record_id: Any
    party_id: Any
    match_score: float | None
    decided_by: str


def _write_links(changed: list[_Link]) -> None:
    """Each record's party, score and decision: one parameterised UPDATE by primary key run
    for all of them (``bulk_update``'s CASE over thousands of ids grows with the square of the
    batch and took most of a large match)."""
    table = connection.ops.quote_name(SourceRecord._meta.db_table)
    id_field = SourceRecord._meta.pk
    assert id_field is not None  # noqa: S101 - every model has one
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy, looked up again on each use
    rows = [
        (
            id_field.get_db_prep_value(record.party_id, db),
            record.match_score,
            record.decided_by,
            id_field.get_db_prep_value(record.record_id, db),
        )
        for record in changed
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH * 10):
            cursor.executemany(
                f"UPDATE {table} SET party_id = %s, match_score = %s, decided_by = %s "  # noqa: S608 - the table's name from the model
                "WHERE id = %s",
                rows[start : start + _BATCH * 10],
            )


def _store_reviews(
    model: MatchModel,
    pairs: list[linkage.Pair],
    refused: list[linkage.Pair],
    clusters: linkage.Clusters,
    pending: list[dict[str, Any]],
) -> int:
    """Pairs in the review band (and links refused for joining two parties) that involve a
    record decided now and that clustering left apart; a pair is stored once, ever."""
    new_nodes = {_record_node(record["id"]) for record in pending}
    wanted: dict[tuple[str, str], linkage.Pair] = {}
    candidates = [pair for pair in pairs if pair.probability < linkage.LINK_THRESHOLD] + refused
    for pair in candidates:
        if pair.left not in new_nodes and pair.right not in new_nodes:
            continue
        if clusters.same(pair.left, pair.right) or clusters.conflict(pair.left, pair.right) == (
            "identifier"
        ):
            continue
        left, right = sorted((pair.left, pair.right))
        if left.startswith("p:"):
            left, right = right, left
        wanted.setdefault((left, right), pair)
    if not wanted:
        return 0
    reviews = []
    for (left, right), pair in wanted.items():
        counterpart = (
            {"party_id": right[2:]} if right.startswith("p:") else {"other_record_id": right[2:]}
        )
        reviews.append(
            MatchReview(
                record_id=left[2:],
                model=model,
                probability=pair.probability,
                comparisons=pair.comparisons,
                **counterpart,
            )
        )
    before = MatchReview.objects.count()
    MatchReview.objects.bulk_create(reviews, batch_size=_BATCH, ignore_conflicts=True)
    return MatchReview.objects.count() - before
