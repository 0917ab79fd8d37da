"""The resolved cases most like a case in hand, and how they were resolved.

Candidates are the most recent resolved or closed cases of the same service that the actor may
read (``cases.selectors.visible_cases``, the rule of the work queues). They are ranked by the
cosine similarity of their descriptions' TF-IDF vectors (accents and case folded, words and word
pairs), with a small bonus for the same district. Fitting the vectoriser is the slow part, so each
process keeps one per service and fits it again when a case of the service was resolved since,
or after ``INDEX_SECONDS``. The list shown is a reading of other people's cases, recorded like a
page of the queue: one ``case.list`` audit entry with the ids it showed.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ventanilla.access.actors import Actor
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
    built: float
    rows: dict[Any, int]
    districts: list[str]
    vectoriser: TfidfVectorizer | None
    matrix: Any  # scipy sparse, one L2-normalised row per candidate


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


def _build(service_id: Any, latest: datetime | None) -> _Index:
    rows = list(
        _resolved_of(service_id)
        .order_by("-opened_at", "-id")
        .values_list("pk", "description", "district", "resolved_at", "closed_at")[:CANDIDATES]
    )
    built_latest = _latest([(r[3], r[4]) for r in rows])
    if latest is not None and (built_latest is None or built_latest < latest):
        built_latest = latest
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
        return _Index(built_latest, time.monotonic(), {}, [], None, None)
    return _Index(
        latest=built_latest,
        built=time.monotonic(),
        rows={r[0]: i for i, r in enumerate(rows)},
        districts=[r[2] for r in rows],
        vectoriser=vectoriser,
        matrix=matrix,
    )


def _index_for(service_id: Any, latest: datetime | None) -> _Index:
    with _LOCK:
        index = _INDEXES.get(service_id)
    fresh = (
        index is not None
        and time.monotonic() - index.built < INDEX_SECONDS
        and (latest is None or (index.latest is not None and index.latest >= latest))
    )
    if index is None or not fresh:
        index = _build(service_id, latest)
        with _LOCK:
            _INDEXES[service_id] = index
    return index


def forget_indexes() -> None:
    """Drop every vectoriser kept in this process (tests, and after a bulk change)."""
    with _LOCK:
        _INDEXES.clear()


def similar_resolved(*, actor: Actor, case: Case, limit: int = 5) -> list[Precedent]:
    """The resolved cases of ``case``'s service most like it, most similar first, among the
    ``CANDIDATES`` most recent the actor may read. Read after ``case_get``."""
    candidates = list(
        visible_cases(actor)
        .filter(service_id=case.service_id, status__in=RESOLVED_STATUSES, duplicate_of__isnull=True)
        .exclude(pk=case.pk)
        .order_by("-opened_at", "-id")
        .values_list("pk", "resolved_at", "closed_at")[:CANDIDATES]
    )
    ranked: list[tuple[float, float, Any]] = []
    text = normalise(case.description)
    if candidates and text:
        index = _index_for(case.service_id, _latest([(r[1], r[2]) for r in candidates]))
        if index.vectoriser is not None:
            query = index.vectoriser.transform([text])
            cosines = (index.matrix @ query.T).toarray().ravel()
            for pk, _resolved, _closed in candidates:
                row = index.rows.get(pk)
                if row is None or cosines[row] < MIN_SIMILARITY:
                    continue
                similarity = float(cosines[row])
                bonus = (
                    DISTRICT_BONUS
                    if case.district and index.districts[row] == case.district
                    else 0.0
                )
                ranked.append((similarity + bonus, similarity, pk))
    ranked.sort(key=lambda r: r[0], reverse=True)
    top = ranked[:limit]
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
_PHONE = re.compile(r"(?<![\w])\+?\d[\d .-]{7,}\d(?![\w])")
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
