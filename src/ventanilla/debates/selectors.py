"""Reads of debates and comments: the debates open now, one debate, a thread as the viewer may
see it (a hidden comment's text only to its author, with the reason and the way to appeal), and
the moderators' queue: reported comments, most reported first, and appeals waiting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import NotFound
from ventanilla.debates.models import Appeal, Comment, Debate, Report
from ventanilla.debates.subjects import Subject, subject_of

QUEUE_LIMIT = 100


def debates_open() -> QuerySet[Debate]:
    """The debates taking comments now, newest first, each with its number of comments shown."""
    now = timezone.now()
    return (
        Debate.objects.filter(opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("agency")
        .order_by("-opens_at", "title")
    )


def debates_of_actor(*, actor: Actor) -> list[Debate]:
    """The debates of the agencies the member of staff moderates, open ones first, each with
    its number of comments (``comments``) and whether it takes comments now (``taking``)."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    rows = Debate.objects.select_related("agency")
    if not actor.sees_everything:
        rows = rows.filter(agency_id__in=list(actor.agency_ids))
    debates = list(rows.order_by("-opens_at", "title")[:QUEUE_LIMIT])
    counts = dict(
        Comment.objects.filter(subject__in=[f"debate:{d.pk}" for d in debates])
        .values_list("subject")
        .annotate(n=Count("pk"))
    )
    now = timezone.now()
    for debate in debates:
        debate.comments = counts.get(f"debate:{debate.pk}", 0)  # type: ignore[attr-defined]
        debate.taking = debate.is_open(now)  # type: ignore[attr-defined]
        debate.scheduled = debate.opens_at > now  # type: ignore[attr-defined]
    debates.sort(key=lambda d: not d.taking)  # type: ignore[attr-defined]
    return debates


def debate_published(*, debate_id: Any) -> Debate:
    """A debate whose opening has come (open or closed since)."""
    debate = (
        Debate.objects.filter(pk=debate_id, opens_at__lte=timezone.now())
        .select_related("agency")
        .first()
    )
    if debate is None:
        raise NotFound(_("No such debate, or it is not open yet."))
    return debate


def public_name(comment: Comment) -> str:
    """How an author is shown to the public: given name and the initial of the surname."""
    author = comment.author
    initial = f" {author.family_name_1[:1]}." if author.family_name_1 else ""
    return f"{author.given_name}{initial}".strip() or author.display_name


@dataclass
class Entry:
    """One comment as the viewer may see it; ``body`` is empty when it is hidden from them."""

    id: str
    depth: int
    author: str
    created_at: datetime
    body: str
    hidden: bool
    reason: str
    mine: bool
    # The author's appeal: "" when none, else the appeal's status and its label.
    appeal_status: str = ""
    appeal_label: str = ""
    replies: list[Entry] = field(default_factory=list)

    @property
    def may_appeal(self) -> bool:
        return self.mine and self.hidden and not self.appeal_status


@dataclass
class Thread:
    """What the comments include (``portal/_comments.html``) needs: the tree, whether the
    viewer is a signed-in citizen, whether the subject takes comments now, and the reasons a
    report may give, in the viewer's language."""

    subject: str
    comments: list[Entry]
    count: int
    signed_in: bool = False
    open: bool = False
    reasons: list[tuple[str, str]] = field(default_factory=list)


def thread_of(*, subject: str, viewer: Actor | None) -> Thread:
    """The comments on ``subject`` as a tree, oldest first at each level: one query for the
    comments, one for what the subject is."""
    party_id = str(viewer.party_id) if viewer is not None and viewer.is_citizen else None
    rows = (
        Comment.objects.filter(subject=subject)
        .select_related("author", "appeal")
        .order_by("created_at", "id")
    )
    entries: dict[Any, Entry] = {}
    roots: list[Entry] = []
    for comment in rows:
        mine = party_id is not None and str(comment.author_id) == party_id
        appeal: Appeal | None = getattr(comment, "appeal", None)
        entry = Entry(
            id=str(comment.pk),
            depth=comment.depth,
            author=public_name(comment),
            created_at=comment.created_at,
            body=comment.body if (mine or not comment.is_hidden) else "",
            hidden=comment.is_hidden,
            reason=comment.hidden_reason if comment.is_hidden else "",
            mine=mine,
            appeal_status=appeal.status if appeal is not None and mine else "",
            appeal_label=str(appeal.get_status_display()) if appeal is not None and mine else "",
        )
        entries[comment.pk] = entry
        parent = entries.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent is not None else roots).append(entry)
    where = subject_of(subject)
    return Thread(
        subject=subject,
        comments=roots,
        count=len(entries),
        signed_in=party_id is not None,
        open=where is not None and where.open,
        reasons=[(value, str(label)) for value, label in Report.Reason.choices],
    )


@dataclass
class Reported:
    comment: Comment
    where: Subject
    count: int
    # (reason in words, how many gave it), most given first.
    reasons: list[tuple[str, int]]
    details: list[str]


@dataclass
class Waiting:
    appeal: Appeal
    where: Subject


@dataclass
class Queue:
    reported: list[Reported]
    appeals: list[Waiting]


def _first_moderated(
    queryset: Any, key_of: Callable[[Any], str], actor: Actor, where: dict[str, Subject | None]
) -> list[tuple[Any, Subject]]:
    """The first QUEUE_LIMIT items of ``queryset`` whose subject lies in the actor's agencies,
    read a page at a time: another agency's busy thread must not fill the page and hide this
    moderator's own. ``where`` keeps the subjects already resolved."""
    found: list[tuple[Any, Subject]] = []
    start = 0
    while len(found) < QUEUE_LIMIT:
        page = list(queryset[start : start + QUEUE_LIMIT])
        for item in page:
            key = key_of(item)
            if key not in where:
                where[key] = subject_of(key)
            subject = where[key]
            if subject is not None and actor.sees_agency(subject.agency_id):
                found.append((item, subject))
        if len(page) < QUEUE_LIMIT:
            break
        start += QUEUE_LIMIT
    return found[:QUEUE_LIMIT]


def moderation_queue(*, actor: Actor) -> Queue:
    """What waits for the actor's moderation, in the agencies they work for: visible comments
    with reports, most reported first, and pending appeals, oldest first."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    where: dict[str, Subject | None] = {}
    comments = _first_moderated(
        Comment.objects.filter(status=Comment.Status.VISIBLE)
        # A comment shown again after an appeal comes back only with reports made since its
        # hiding: the ones before were decided.
        .annotate(
            reported=Count(
                "reports",
                filter=Q(hidden_at__isnull=True) | Q(reports__created_at__gt=F("hidden_at")),
            )
        )
        .filter(reported__gt=0)
        .select_related("author")
        .prefetch_related(Prefetch("reports", queryset=Report.objects.order_by("created_at")))
        .order_by("-reported", "created_at", "pk"),
        lambda comment: comment.subject,
        actor,
        where,
    )
    appeals = _first_moderated(
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .select_related("comment__author")
        .order_by("created_at", "pk"),
        lambda appeal: appeal.comment.subject,
        actor,
        where,
    )

    reported: list[Reported] = []
    for comment, subject in comments:
        reports = [
            report
            for report in comment.reports.all()
            if comment.hidden_at is None or report.created_at > comment.hidden_at
        ]
        reasons = Counter(str(report.get_reason_display()) for report in reports)
        reported.append(
            Reported(
                comment=comment,
                where=subject,
                count=len(reports),
                reasons=reasons.most_common(),
                details=[report.text for report in reports if report.text],
            )
        )
    waiting = [Waiting(appeal=appeal, where=subject) for appeal, subject in appeals]
    return Queue(reported=reported, appeals=waiting)
