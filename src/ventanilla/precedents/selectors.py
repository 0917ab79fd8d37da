"""The resolved cases most like a case in hand, and how they were resolved.

Candidates are, of the most recent resolved or closed cases of the same service, those the
actor may read (``cases.selectors.visible_cases``, the rule of the work queues). They are ranked
by the cosine similarity of their descriptions' TF-IDF vectors (accents and case folded, words
and word pairs), with a small bonus for the same district. Fitting the vectoriser is the slow
part, so each process keeps one per service, adds the cases resolved since with the words it
knows, and fits it again after ``INDEX_SECONDS``. The list shown is a reading of other people's
cases, recorded like a page of the queue: one ``case.list`` audit entry with the ids it showed.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Max, Q
from sklearn.feature_extraction.text import TfidfVectorizer

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.cases.models import Case, CaseEvent, CaseStatus
from ventanilla.cases.selectors import visible_cases
from ventanilla.classifier.learning import STOPWORDS, normalise
from ventanilla.core.text import fold

# How many of the service's most recent resolved cases are compared: enough for a year of most
# services in a town, few enough to rank in a few milliseconds.
CANDIDATES = 2_000
# Below this cosine two descriptions share little more than the service's everyday words.
MIN_SIMILARITY = 0.25
# At or above this, staff are told "very similar".
VERY_SIMILAR = 0.6
# The same district breaks near-ties (the same street's lamp, the same bar's noise); it never
# lifts a case over the threshold on its own.
DISTRICT_BONUS = 0.05
# A fitted vectoriser is trusted this long at most, so texts changed since (a description
# redacted after its retention period) leave the process's memory soon.
INDEX_SECONDS = 600
# From this many candidates on, words in more than half of them are left out.
COMMON_FROM = 50
RESOLUTION_CHARS = 300
RESOLVED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
# Words of two letters or more, on text already folded to lower-case ASCII.
WORDS = r"\b[a-z0-9]{2,}\b"


@dataclass(frozen=True)
class Precedent:
    """One resolved case like the one in hand, as staff are shown it: no person named."""

    case_id: Any
    reference: str
    similarity: float  # cosine of the descriptions, 0 to 1
    opened_at: datetime
    resolved_at: datetime | None
    district: str
    # What the office said when it resolved the case (the resolve note, else the last public
    # reply before it), with names, contacts and identity numbers masked.
    resolution: str

    @property
    def days(self) -> int | None:
        if self.resolved_at is None:
            return None
        return max(0, (self.resolved_at - self.opened_at).days)

    @property
    def very_similar(self) -> bool:
        return self.similarity >= VERY_SIMILAR


@dataclass
class _Index:
    """The service's candidates vectorised, kept in the process."""

    latest: datetime | None
    # The opening date of the oldest candidate when the service has more than ``CANDIDATES``:
    # a case opened before it cannot become one; None when every resolved case is one.
    oldest: datetime | None
    built: float
    pks: list[Any]
    districts: Any  # numpy array of the candidates' districts, in the rows' order
    vectoriser: TfidfVectorizer | None
    # Sparse matrices, one L2-normalised row per candidate: the fitted ones, then those added.
    parts: list[Any]


_INDEXES: dict[Any, _Index] = {}
_LOCK = threading.Lock()


def _resolved_of(service_id: Any) -> Any:
    # Cases joined to another as duplicates were closed, not resolved: they teach nothing.
    return Case.objects.filter(
        service_id=service_id, status__in=RESOLVED_STATUSES, duplicate_of__isnull=True
    )


def _finished(resolved_at: datetime | None, closed_at: datetime | None) -> datetime | None:
    return resolved_at or closed_at


def _latest(times: list[tuple[datetime | None, datetime | None]]) -> datetime | None:
    """The latest resolving or closing time: it moves whenever a case joins the candidates."""
    found = [t for pair in times for t in pair if t is not None]
    return max(found) if found else None


def _build(service_id: Any) -> _Index:
    rows = list(
        _resolved_of(service_id)
        .order_by("-opened_at", "-id")
        .values_list("pk", "description", "district", "resolved_at", "closed_at", "opened_at")[
            :CANDIDATES
        ]
    )
    latest = _latest([(r[3], r[4]) for r in rows])
    oldest = rows[-1][5] if len(rows) == CANDIDATES else None
    vectoriser = TfidfVectorizer(
        preprocessor=normalise,
        ngram_range=(1, 2),
        sublinear_tf=True,
        stop_words=sorted(STOPWORDS),
        # Greetings and the service's own name are in most descriptions: they say nothing. A
        # service with few cases keeps every word, or two of three alike would share none.
        max_df=0.5 if len(rows) >= COMMON_FROM else 1.0,
        token_pattern=WORDS,
        dtype=np.float32,
    )
    try:
        matrix = vectoriser.fit_transform([r[1] for r in rows])
    except ValueError:  # no words at all (no candidates, or only empty descriptions)
        return _Index(latest, oldest, time.monotonic(), [], np.array([]), None, [])
    return _Index(
        latest=latest,
        oldest=oldest,
        built=time.monotonic(),
        pks=[r[0] for r in rows],
        districts=np.array([r[2] for r in rows], dtype=object),
        vectoriser=vectoriser,
        parts=[matrix],
    )


def _latest_since(service_id: Any, oldest: datetime | None) -> datetime | None:
    """When a case that could be a candidate was last resolved or closed: one query, which
    reads the service's index from ``oldest`` on (about ``CANDIDATES`` rows, however old the
    service)."""
    cases = _resolved_of(service_id)
    if oldest is not None:
        cases = cases.filter(opened_at__gte=oldest)
    found = cases.aggregate(resolved=Max("resolved_at"), closed=Max("closed_at"))
    return _latest([(found["resolved"], found["closed"])])


def _index_for(service_id: Any) -> _Index:
    """The service's vectors: the cases resolved or closed since they were made are added with
    the vocabulary already fitted (a few rows, a millisecond); all are fitted again after
    ``INDEX_SECONDS``, or when the vectoriser knows no words yet."""
    with _LOCK:
        index = _INDEXES.get(service_id)
    if index is not None and time.monotonic() - index.built < INDEX_SECONDS:
        latest = _latest_since(service_id, index.oldest)
        if latest is None or (index.latest is not None and index.latest >= latest):
            return index
        if index.vectoriser is not None and index.latest is not None:
            return _with_newly_resolved(service_id, index)
    index = _build(service_id)
    with _LOCK:
        _INDEXES[service_id] = index
    return index


def _with_newly_resolved(service_id: Any, index: _Index) -> _Index:
    """``index`` and the cases resolved or closed after its latest; a case resolved again gets a
    second row, the newer, which ``_ranked`` reads first."""
    assert index.vectoriser is not None and index.latest is not None  # noqa: S101 - checked above
    cases = _resolved_of(service_id).filter(
        Q(resolved_at__gt=index.latest) | Q(closed_at__gt=index.latest)
    )
    if index.oldest is not None:
        cases = cases.filter(opened_at__gte=index.oldest)
    rows = list(cases.values_list("pk", "description", "district", "resolved_at", "closed_at"))
    if not rows:  # the newer time was of a case no longer resolved
        return index
    latest = _latest([(index.latest, None), *((r[3], r[4]) for r in rows)])
    grown = _Index(
        latest=latest,
        oldest=index.oldest,
        built=index.built,  # the vocabulary's age: it is fitted again on time
        pks=[*index.pks, *(r[0] for r in rows)],
        districts=np.concatenate([index.districts, np.array([r[2] for r in rows], dtype=object)]),
        vectoriser=index.vectoriser,
        parts=[*index.parts, index.vectoriser.transform([r[1] for r in rows])],
    )
    with _LOCK:
        _INDEXES[service_id] = grown
    return grown


def forget_indexes() -> None:
    """Drop every vectoriser kept in this process (tests, and after a bulk change)."""
    with _LOCK:
        _INDEXES.clear()


def _ranked(index: _Index, case: Case) -> list[tuple[float, float, Any]]:
    """(score, similarity, id) of the candidates above ``MIN_SIMILARITY``, best first."""
    if index.vectoriser is None:
        return []
    text = normalise(case.description)
    if not text:
        return []
    query = index.vectoriser.transform([text]).T
    cosines = np.concatenate([(part @ query).toarray().ravel() for part in index.parts])
    rows = np.nonzero(cosines >= MIN_SIMILARITY)[0]
    scores = cosines[rows].astype(np.float64)
    if case.district:
        scores = scores + DISTRICT_BONUS * (index.districts[rows] == case.district)
    order = np.argsort(-scores, kind="stable")
    # A case resolved again since the vectors were fitted has two rows: its newer text counts.
    newest = {pk: row for row, pk in enumerate(index.pks)}
    return [
        (float(scores[k]), float(cosines[rows[k]]), index.pks[rows[k]])
        for k in order
        if index.pks[rows[k]] != case.pk and newest[index.pks[rows[k]]] == rows[k]
    ]


def similar_resolved(*, actor: Actor, case: Case, limit: int = 5) -> list[Precedent]:
    """The resolved cases of ``case``'s service most like it, most similar first: of the
    service's ``CANDIDATES`` most recent, those the actor may read. Read after ``case_get``."""
    require(actor, Scope.CASES_READ)
    ranked = _ranked(_index_for(case.service_id), case) if case.description.strip() else []
    # Who may read which case is the queues' rule (``visible_cases``), asked of the best ranked
    # only, a few at first and more when the reader may not read enough of them; the status is
    # asked again, since a case may have been reopened since the vectors were made.
    top: list[tuple[float, float, Any]] = []
    start, size = 0, max(limit * 10, 50)
    while len(top) < limit and start < len(ranked):
        batch = ranked[start : start + size]
        readable = set(
            visible_cases(actor)
            .filter(
                pk__in=[pk for _score, _similarity, pk in batch],
                status__in=RESOLVED_STATUSES,
                duplicate_of__isnull=True,
            )
            .values_list("pk", flat=True)
        )
        top += [row for row in batch if row[2] in readable][: limit - len(top)]
        start, size = start + size, 500
    found = _described(top)
    audit_record(
        actor=actor,
        action=Action.CASE_LIST,
        detail={"similar_to": str(case.pk), "shown": [str(p.case_id) for p in found]},
    )
    return found


def _described(top: list[tuple[float, float, Any]]) -> list[Precedent]:
    """The chosen cases with their dates and resolution, in two queries whatever their number."""
    if not top:
        return []
    ids = [pk for _score, _similarity, pk in top]
    cases = {
        row[0]: row
        for row in Case.objects.filter(pk__in=ids).values_list(
            "pk",
            "reference",
            "opened_at",
            "resolved_at",
            "closed_at",
            "district",
            "party__given_name",
            "party__family_name_1",
            "party__family_name_2",
            "party__legal_name",
        )
    }
    events: dict[Any, list[CaseEvent]] = {}
    for event in (
        CaseEvent.objects.filter(
            case_id__in=ids, kind__in=[CaseEvent.Kind.TRANSITION, CaseEvent.Kind.REPLY]
        )
        .only("case_id", "kind", "action", "to_status", "text", "public", "occurred_at")
        .order_by("occurred_at", "created_at")
    ):
        events.setdefault(event.case_id, []).append(event)
    found = []
    for _score, similarity, pk in top:
        row = cases.get(pk)
        if row is None:  # gone since it was ranked
            continue
        names = row[6:10]
        found.append(
            Precedent(
                case_id=pk,
                reference=row[1],
                similarity=round(similarity, 3),
                opened_at=row[2],
                resolved_at=_finished(row[3], row[4]),
                district=row[5],
                resolution=masked(resolution_of(events.get(pk, [])), names),
            )
        )
    return found


def resolution_of(events: list[CaseEvent]) -> str:
    """The note of the last step that resolved the case, else the last public reply before it
    (before the end, when no step resolved it: cases brought in from elsewhere)."""
    steps = [
        position
        for position, event in enumerate(events)
        if event.kind == CaseEvent.Kind.TRANSITION and event.action in ("resolve", "close")
    ]
    resolves = [p for p in steps if events[p].action == "resolve"]
    if resolves and events[resolves[-1]].text.strip():
        return events[resolves[-1]].text.strip()
    end = resolves[-1] if resolves else (steps[-1] if steps else len(events))
    for event in reversed(events[:end]):
        if event.kind == CaseEvent.Kind.REPLY and event.public and event.text.strip():
            return event.text.strip()
    return ""


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine digits or more, spaced or not; not the tail of a case reference (AY-2026-000123).
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d .-]{7,}\d(?![\w-])")
_IDENTITY_NUMBER = re.compile(r"\b[XYZxyz]?\d{7,8}[-\s]?[A-Za-z]\b")
_WORD = re.compile(r"\w+")
MASK = "…"


def masked(text: str, names: tuple[str, ...] | Any) -> str:
    """``text`` shortened, with e-mail addresses, phone and identity numbers and the words of the
    case's party's name (``names``) replaced by an ellipsis: staff read how another person's
    case ended, not who that person is."""
    text = _EMAIL.sub(MASK, text)
    text = _IDENTITY_NUMBER.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    hidden = {word for name in names if name for word in fold(name).split() if len(word) > 2}
    if hidden:
        text = _WORD.sub(lambda m: MASK if fold(m.group(0)) in hidden else m.group(0), text)
    text = " ".join(text.split())
    if len(text) > RESOLUTION_CHARS:
        text = text[: RESOLUTION_CHARS - 1].rstrip() + "…"
    return text
