"""Reads of the catalogue: public information, no personal data — the services, their
holidays for deadlines, and the knowledge base front-line staff answer from."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.catalog.models import (
    Agency,
    Channel,
    Holiday,
    KnowledgeArticle,
    LifeEvent,
    PublicService,
)
from ventanilla.core.errors import NotFound
from ventanilla.core.i18n import current_language, localized
from ventanilla.core.statements import db_value, exists, fields_of
from ventanilla.core.text import fold, tokens

T = TypeVar("T")


def channels() -> QuerySet[Channel]:
    return Channel.objects.order_by("code")


def service_catalogue() -> list[dict[str, object]]:
    services = (
        PublicService.objects.filter(active=True)
        .select_related("department", "competent_agency")
        .prefetch_related("channels", "life_events")
        .order_by("code")
    )
    return [
        {
            "code": s.code,
            "name": s.name,
            "description": localized(s, "description"),
            "department": s.department.code if s.department else None,
            "competent_agency": s.competent_agency.code,
            "competent_agency_name": s.competent_agency.name,
            "deadline_days": s.deadline_days,
            "channels": [c.code for c in s.channels.all()],
            "life_events": [e.code for e in s.life_events.all()],
            "cost": localized(s, "cost"),
            "cost_amount": s.cost_amount,
            "output": localized(s, "output"),
            "evidence": [
                {"code": str(item.get("code", "")), "name": localized_item(item, "name")}
                for item in s.evidence
                if isinstance(item, dict)
            ],
            "input_schema": s.input_schema,
        }
        for s in services
    ]


def localized_item(item: dict[str, object], field: str) -> str:
    """``item["<field>_<lang>"]`` of a JSON entry (evidence), falling back to Spanish."""
    value = item.get(f"{field}_{current_language()}") or item.get(f"{field}_es") or ""
    return str(value)


_KINDS = [kind for kind, _label in LifeEvent.Kind.choices]


def _event_order(event: LifeEvent) -> tuple[int, int, str]:
    """Life events before business events; within each, the editors' order (``position``, the
    order of a life in the demo town), then the name in the reader's language."""
    return (_KINDS.index(event.kind), event.position, fold(event.name))


# --- The public catalogue, kept per process -----------------------------------------------

# Every visit to the portal's front page, its search and its list of services read the whole
# catalogue and sorted it again, while it changes a few times a month. Each process keeps what
# it read for CATALOGUE_TTL seconds; a change saved in a process forgets it there at once (the
# signals in apps.py), in the others within CATALOGUE_TTL. What is kept is shared: callers read
# it and never change it.
CATALOGUE_TTL = 60.0
_catalogue_cache: dict[str, tuple[float, int, Any]] = {}
_catalogue_serial = [0]


def _kept(name: str, build: Callable[[], T]) -> tuple[int, T]:
    """What ``build`` returns, kept under ``name``, and the edition it belongs to: a number
    that changes whenever the catalogue is read again."""
    now = time.monotonic()
    cached = _catalogue_cache.get(name)
    if cached is not None and cached[0] > now:
        return cached[1], cached[2]
    value = build()
    with _holiday_lock:
        _catalogue_serial[0] += 1
        _catalogue_cache[name] = (now + CATALOGUE_TTL, _catalogue_serial[0], value)
        return _catalogue_serial[0], value


def agency_tree() -> list[tuple[str, str]]:
    """Every agency's id and path (``ayto/urbanismo``), kept a minute like the catalogue: what
    lies below an agency is asked on every request of staff and API keys."""
    return _kept("agencies", _agency_rows)[1]


def _agency_rows() -> list[tuple[str, str]]:
    return [(str(pk), path) for pk, path in Agency.objects.values_list("id", "path")]


def forget_catalogue(**_signal: Any) -> None:
    """Drop this process's kept catalogue (after a change, and between tests)."""
    with _holiday_lock:
        _catalogue_cache.clear()
    word_matches.cache_clear()


def _life_events_with_services() -> list[tuple[LifeEvent, list[PublicService]]]:
    events = sorted(LifeEvent.objects.prefetch_related("services__department"), key=_event_order)
    return [
        (event, sorted((s for s in event.services.all() if s.active), key=lambda s: fold(s.name)))
        for event in events
    ]


def life_events_with_services() -> list[tuple[LifeEvent, list[PublicService]]]:
    """Life events in the portal's order, each with its active services by name: two queries,
    then kept for a minute (in each language: the order of names is the reader's)."""
    return _kept(f"events-{current_language()}", _life_events_with_services)[1]


def catalogue_edition() -> tuple[int, int]:
    """Numbers that change whenever the kept life events or services are read again: what is
    drawn from them (the front page's list, the list of services) may be kept as long as they
    stay the same."""
    return (
        _kept(f"events-{current_language()}", _life_events_with_services)[0],
        _kept("services", _active_services)[0],
    )


# --- Holidays -------------------------------------------------------------------------------

# Opening a case computes a due date, hundreds of times a second at peak; holidays change a few
# times a year. Each process keeps an agency's holidays for a few minutes, and `holiday_ensure`
# forgets them at once in the process that changes them (other processes within HOLIDAY_TTL).
HOLIDAY_TTL = 300.0
_holiday_cache: dict[str, tuple[float, frozenset[date]]] = {}
_holiday_lock = threading.Lock()


def _ancestor_paths(path: str) -> list[str]:
    """'villanueva/ayto/urbanismo' -> the paths of villanueva, ayto and urbanismo."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def holidays_for(agency: Agency) -> frozenset[date]:
    """The days off of ``agency``: its own holidays and those of every agency above it (national,
    regional, local), never those of its siblings. One query, then cached per process."""
    now = time.monotonic()
    cached = _holiday_cache.get(agency.path)
    if cached is not None and cached[0] > now:
        return cached[1]
    days = frozenset(
        Holiday.objects.filter(agency__path__in=_ancestor_paths(agency.path)).values_list(
            "date", flat=True
        )
    )
    with _holiday_lock:
        _holiday_cache[agency.path] = (now + HOLIDAY_TTL, days)
    return days


_agency_paths: dict[str, str] = {}


def holidays_for_agency_id(agency_id: object) -> frozenset[date]:
    """``holidays_for`` by the agency's id; its path is remembered, so a warm call reads
    nothing from the database."""
    key = str(agency_id)
    path = _agency_paths.get(key)
    if path is None:
        path = Agency.objects.filter(pk=key).values_list("path", flat=True).first() or ""
        with _holiday_lock:
            _agency_paths[key] = path
    return holidays_for(Agency(path=path)) if path else frozenset()


CHANNELS_TTL = 60.0
_channel_cache: dict[str, tuple[float, frozenset[str]]] = {}


def channel_codes() -> frozenset[str]:
    """The codes of the contact channels; kept per process for ``CHANNELS_TTL`` seconds (they
    are built in and change only with a release)."""
    cached = _channel_cache.get("codes")
    if cached is not None and time.monotonic() - cached[0] < CHANNELS_TTL:
        return cached[1]
    codes = frozenset(Channel.objects.values_list("code", flat=True))
    _channel_cache["codes"] = (time.monotonic(), codes)
    return codes


def forget_holidays() -> None:
    """Drop this process's cached holidays (after a change, and between tests)."""
    with _holiday_lock:
        _holiday_cache.clear()
        _agency_paths.clear()
        _channel_cache.clear()
    forget_catalogue()


# --- Knowledge base -------------------------------------------------------------------------

# Words too common to tell articles apart; a question in plain words ("¿cómo pido el
# certificado?") should rank by "pido" and "certificado", not by "el".
STOP_WORDS = frozenset(
    "a al como con cual de del el en es la las lo los me mi mis o para por que se si su sus "
    "un una y yo an and are as at be by can do for from how i in is it my of on or the to what "
    "when where who with".split()
)
# Where a word is found counts for this much: a match in the title says more than one in the body.
TITLE_WEIGHT, KEYWORD_WEIGHT, BODY_WEIGHT = 3, 2, 1


@dataclass(frozen=True)
class ArticleHit:
    code: str
    title: str
    body: str
    keywords: str
    services: list[str]
    linked_to_service: bool
    score: int


def _matches(query_token: str, words: set[str]) -> bool:
    # Prefixes from three letters on, so "empadron" finds "empadronamiento" and "certificados".
    if len(query_token) < 3:
        return query_token in words
    return any(word.startswith(query_token) for word in words)


def knowledge_search(
    *, actor: Actor, query: str, service_code: str | None = None, limit: int = 10
) -> list[ArticleHit]:
    """Active articles that answer ``query`` — words of the title, keywords or body in Spanish or
    English, accent- and case-insensitive, prefixes from three letters — best first; those linked
    to ``service_code`` come before all others. An empty query lists the service's articles (or
    all, by title). Two queries whatever the size of the answer."""
    require(actor, Scope.CATALOG_READ)
    limit = max(1, min(limit, 50))
    wanted = [t for t in tokens(query) if t not in STOP_WORDS]
    articles = list(
        KnowledgeArticle.objects.filter(active=True).prefetch_related("services").order_by("code")
    )
    hits: list[tuple[int, int, int, str, KnowledgeArticle, list[str]]] = []
    for article in articles:
        codes = sorted(s.code for s in article.services.all())
        linked = service_code is not None and service_code in codes
        if wanted:
            title = set(tokens(f"{article.title_es} {article.title_en}"))
            keywords = set(tokens(article.keywords))
            body = set(tokens(f"{article.body_es} {article.body_en}"))
            matched = 0
            score = 0
            for token in wanted:
                weight = (
                    TITLE_WEIGHT * _matches(token, title)
                    + KEYWORD_WEIGHT * _matches(token, keywords)
                    + BODY_WEIGHT * _matches(token, body)
                )
                if weight:
                    matched += 1
                    score += weight
            if not matched:
                continue
        elif service_code is not None and not linked:
            continue
        else:
            matched = score = 0
        hits.append((-int(linked), -matched, -score, article.title, article, codes))
    hits.sort(key=lambda hit: hit[:4])
    return [
        ArticleHit(
            code=article.code,
            title=article.title,
            body=article.body,
            keywords=article.keywords,
            services=codes,
            linked_to_service=linked == -1,
            score=-score,
        )
        for linked, _matched, score, _title, article, codes in hits[:limit]
    ]


def knowledge_article(*, actor: Actor, code: str) -> ArticleHit:
    """One active article by its code, in the active language, with the services it is for."""
    require(actor, Scope.CATALOG_READ)
    article = (
        KnowledgeArticle.objects.filter(active=True, code=code).prefetch_related("services").first()
    )
    if article is None:
        raise NotFound(_("No such article."))
    return ArticleHit(
        code=article.code,
        title=article.title,
        body=article.body,
        keywords=article.keywords,
        services=sorted(s.code for s in article.services.all()),
        linked_to_service=False,
        score=0,
    )


# --- What a citizen can ask for (portal) ---------------------------------------------------


def requestable_services() -> list[PublicService]:
    """Active services a citizen can ask for on the web, by name in the reader's language."""
    services = _kept("services", _active_services)[1]
    return sorted(services, key=lambda s: s.name)


def _active_services() -> list[PublicService]:
    return list(PublicService.objects.filter(active=True).select_related("department"))


def requestable_service(*, code: str) -> PublicService:
    """An active service by its code, from the catalogue kept a minute (read afresh when it is
    not there: one made a moment ago). Opening a case reads it again, so one closed meanwhile
    still takes no request."""
    kept = _kept("services", _active_services)[1]
    service = next((s for s in kept if s.code == code), None)
    if service is None:
        service = PublicService.objects.filter(code=code, active=True).first()
    if service is None:
        raise NotFound(_("Unknown service."))
    return service


# Every case opened reads it: statements written once.
_UNCHANGED = """
SELECT 1 FROM catalog_publicservice AS service
WHERE service.id = %s AND service.active AND service.updated_at = %s AND {department}
"""
_SAME_DEPARTMENT = _UNCHANGED.format(
    department="service.department_id = %s AND EXISTS ("
    "SELECT 1 FROM catalog_agency AS department "
    "WHERE department.id = service.department_id AND department.updated_at = %s)"
)
_NO_DEPARTMENT = _UNCHANGED.format(department="service.department_id IS NULL")


_SERVICE_FIELDS = fields_of(PublicService, "id", "updated_at", "department")


def _unchanged(kept: PublicService) -> bool:
    """Whether the kept service, and its department, stand in the database as they were kept."""
    pk, updated_at, department_id = _SERVICE_FIELDS
    params = [db_value(pk, kept.pk), db_value(updated_at, kept.updated_at)]
    department = kept.department
    if department is None:
        return exists(_NO_DEPARTMENT, params)
    params += [db_value(department_id, department.pk), db_value(updated_at, department.updated_at)]
    return exists(_SAME_DEPARTMENT, params)


def service_to_open(code: str) -> PublicService | None:
    """The active service ``code`` with its department, as it stands now, for opening a case:
    the kept one when one short query shows neither it nor its department changed since it was
    kept (every save moves ``updated_at``), else read afresh, and the kept catalogue forgotten
    so the next reading takes the change. None when there is no such active service."""
    kept = next((s for s in _kept("services", _active_services)[1] if s.code == code), None)
    if kept is not None:
        if _unchanged(kept):
            return kept
        forget_catalogue()
    return PublicService.objects.filter(code=code, active=True).select_related("department").first()


def life_events_by_kind() -> list[tuple[str, list[LifeEvent]]]:
    """Life events and business events, each group in the portal's order (kept a minute)."""
    events = [event for event, _services in life_events_with_services()]
    groups = []
    for kind, label in LifeEvent.Kind.choices:
        chosen = [e for e in events if e.kind == kind]
        if chosen:
            groups.append((str(label), chosen))
    return groups


def life_event_with_services(*, code: str) -> tuple[LifeEvent, list[PublicService]]:
    event = LifeEvent.objects.filter(code=code).first()
    if event is None:
        raise NotFound(_("Unknown life event."))
    services = sorted(
        event.services.filter(active=True).select_related("department"), key=lambda s: s.name
    )
    return event, services


# --- Finding a service (portal search) --------------------------------------------------------

# A word in a name says more than one in a description.
NAME_WEIGHT, DESCRIPTION_WEIGHT = 3, 1
SEARCH_LIMIT = 12


@dataclass(frozen=True)
class CatalogueHits:
    """What a search of the portal found: life events and services, best first."""

    query: str
    events: list[LifeEvent]
    services: list[PublicService]

    @property
    def empty(self) -> bool:
        return not self.events and not self.services


def _typos_allowed(token: str) -> int:
    # Short words would match too much with a typo ("obra" and "obta"); long ones bear two.
    if len(token) < 5:
        return 0
    return 1 if len(token) < 9 else 2


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b`` counting a swap of two neighbours as one edit
    (optimal string alignment), given up once above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=65536)
def word_matches(token: str, word: str) -> bool:
    """Whether a typed ``token`` finds ``word`` (both folded): the same word, the start of it
    from three letters on ("empadron"), or either of those with a typo or two in long words
    ("empadronamento", "licencia obras")."""
    if token == word or (len(token) >= 3 and word.startswith(token)):
        return True
    allowed = _typos_allowed(token)
    if not allowed:
        return False
    if _distance(token, word, allowed) <= allowed:
        return True
    # A typo in a word not finished yet: "empadornam" is the start of "empadronamiento".
    return len(word) > len(token) >= 5 and _distance(token, word[: len(token)], allowed) <= allowed


def _score(
    wanted: list[str], name_words: frozenset[str], description_words: frozenset[str]
) -> tuple[int, int]:
    """How many of the words typed are found, and how well (names weigh more)."""
    matched = score = 0
    for token in wanted:
        weight = NAME_WEIGHT * any(word_matches(token, w) for w in name_words)
        if not weight:
            weight = DESCRIPTION_WEIGHT * any(word_matches(token, w) for w in description_words)
        if weight:
            matched += 1
            score += weight
    return matched, score


Searchable = tuple[frozenset[str], frozenset[str], str, T]


@dataclass(frozen=True)
class _Corpus:
    """The catalogue as search reads it in one language: each item's words, ready to match."""

    events: list[Searchable[LifeEvent]]
    services: list[Searchable[PublicService]]


def _words(name: str, description: str) -> tuple[frozenset[str], frozenset[str], str]:
    return frozenset(tokens(name)), frozenset(tokens(description)) - STOP_WORDS, fold(name)


def _search_corpus(language: str) -> _Corpus:
    events = LifeEvent.objects.annotate(
        service_count=Count("services", filter=Q(services__active=True))
    )
    services = PublicService.objects.filter(active=True).select_related("department")
    with override(language):
        return _Corpus(
            events=[(*_words(e.name, getattr(e, f"description_{language}")), e) for e in events],
            services=[
                (*_words(s.name, getattr(s, f"description_{language}")), s) for s in services
            ],
        )


def catalogue_search(*, query: str, limit: int = SEARCH_LIMIT) -> CatalogueHits:
    """Life events and active services whose name or description, in the reader's language,
    hold the words typed — whatever the accents and capitals, from the start of a word, with a
    typo tolerated in words of five letters or more. Items holding every word come first (by
    how well they match, then by name); when none holds them all, those holding the most. Two
    queries: the catalogue is small and public, and matching is done here, the same on every
    database."""
    wanted = [t for t in tokens(query[:200]) if t not in STOP_WORDS][:8]
    if not wanted:
        return CatalogueHits(query=query, events=[], services=[])
    language = current_language()
    corpus = _kept(f"corpus-{language}", lambda: _search_corpus(language))[1]
    scored_events = [(*_score(wanted, n, d), folded, e) for n, d, folded, e in corpus.events]
    scored_services = [(*_score(wanted, n, d), folded, s) for n, d, folded, s in corpus.services]
    best = max([e[0] for e in scored_events] + [s[0] for s in scored_services], default=0)
    if not best:
        return CatalogueHits(query=query, events=[], services=[])
    found_events = sorted(
        (entry for entry in scored_events if entry[0] == best), key=lambda e: (-e[1], e[2])
    )
    found_services = sorted(
        (entry for entry in scored_services if entry[0] == best), key=lambda e: (-e[1], e[2])
    )
    return CatalogueHits(
        query=query,
        events=[entry[3] for entry in found_events[:limit]],
        services=[entry[3] for entry in found_services[:limit]],
    )


def is_jurisdiction(code: str) -> bool:
    """Whether ``code`` names an administration at the top of the agency tree: the
    jurisdictions an Open311 client may name."""
    return Agency.objects.filter(code=code, parent__isnull=True).exists()
