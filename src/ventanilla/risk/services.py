"""Writes of the deadline-risk room: training a new version of the tree and scoring the open
cases with it.

What a case is judged by is what is known the day it opens: its service, department, channel and
priority, the month, the days it is given, and how many of its department's cases were open then
(the backlog it joins). Nothing about the person. A case's outcome is known when it is closed
(late if closed after its due date) or when it is still open past its due date (late already);
cancelled cases say nothing about the office's pace and are left out. Open cases within their
due date are the ones scored.

The backlog at each opening is counted in one pass over the cases sorted by time, per department:
the cases opened before, less those closed before."""

from __future__ import annotations

import bisect
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ventanilla.cases.models import Case, CaseStatus
from ventanilla.risk import tree as trees
from ventanilla.risk.models import CaseRisk, RiskModel

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
# The share of the known cases, the newest, that the evaluation keeps out of its training.
HELD_OUT = 0.2
# Cases to know before a tree is worth training.
FEWEST_CASES = 200


class NotEnoughCases(Exception):
    """Too few cases with a known outcome to learn from."""


def _rows() -> Iterator[tuple[Any, ...]]:
    fields = (
        "pk",
        "service_id",
        "department_id",
        "channel_id",
        "priority",
        "status",
        "opened_at",
        "due_date",
        "closed_at",
        "is_open",
    )
    yield from Case.objects.order_by().values_list(*fields).iterator(chunk_size=20_000)


def case_features(
    *,
    service: Any,
    department: Any,
    channel: str,
    priority: str,
    opened_at: datetime,
    due_date: date,
    backlog: int,
) -> dict[str, Any]:
    opened_on = timezone.localdate(opened_at)
    return {
        "service": str(service),
        "department": str(department),
        "channel": str(channel),
        "priority": str(priority),
        "month": str(opened_on.month),
        "days_allowed": (due_date - opened_on).days,
        "backlog": backlog,
    }


def known_cases(
    today: date | None = None,
) -> tuple[list[dict[str, Any]], list[bool | None], list[Any], list[datetime]]:
    """Every case but the cancelled: its features, whether it was late (None while unknown),
    its id and when it opened, oldest first."""
    today = today or timezone.localdate()
    cases = [row for row in _rows() if row[5] != CaseStatus.CANCELLED]
    cases.sort(key=lambda row: (row[6], str(row[0])))
    closings: dict[Any, list[datetime]] = defaultdict(list)
    for row in cases:
        if row[8] is not None:
            closings[row[2]].append(row[8])
    for moments in closings.values():
        moments.sort()
    opened: dict[Any, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []
    outcomes: list[bool | None] = []
    for _pk, service, department, channel, priority, _status, at, due, closed, is_open in cases:
        # A case closed before it opened (a date mistyped) is not allowed to make it negative.
        backlog = max(0, opened[department] - bisect.bisect_right(closings[department], at))
        opened[department] += 1
        rows.append(
            case_features(
                service=service,
                department=department,
                channel=channel,
                priority=priority,
                opened_at=at,
                due_date=due,
                backlog=backlog,
            )
        )
        if is_open:
            outcomes.append(True if due < today else None)
        else:
            outcomes.append(closed is not None and timezone.localdate(closed) > due)
    ids = [row[0] for row in cases]
    return rows, outcomes, ids, [row[6] for row in cases]


def _scores(flags: list[bool], late: list[bool]) -> dict[str, float | int]:
    flagged = sum(flags)
    hits = sum(1 for flag, was in zip(flags, late, strict=True) if flag and was)
    actual = sum(late)
    precision = hits / flagged if flagged else 0.0
    recall = hits / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    right = sum(1 for flag, was in zip(flags, late, strict=True) if flag == was)
    return {
        "flagged": flagged,
        "hits": hits,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round(right / len(late), 4) if late else 0.0,
    }


def _auc(late: list[bool], shares: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    if len(set(late)) < 2:
        return 0.5
    return round(float(roc_auc_score(late, shares)), 4)


def _evaluate(
    rows: list[dict[str, Any]], late: list[bool], *, depth: int, min_leaf: int, threshold: float
) -> dict[str, Any]:
    """Train on the oldest cases, try on the newest: the tree, and beside it flagging by the
    service's own share of late cases (the rule of thumb a supervisor would use)."""
    cut = int(len(rows) * (1 - HELD_OUT))
    train, test = rows[:cut], rows[cut:]
    train_late, test_late = late[:cut], late[cut:]
    tree = trees.fit(train, train_late, depth=depth, min_leaf=min(min_leaf, max(1, cut // 20)))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, was in zip(train, train_late, strict=True):
        counts[row["service"]][0] += 1
        counts[row["service"]][1] += int(was)
    base = sum(train_late) / len(train_late) if train_late else 0.0

    def service_share(row: dict[str, Any]) -> float:
        seen, late_seen = counts.get(row["service"], (0, 0))
        return late_seen / seen if seen else base

    tree_shares = [trees.share_of(tree, trees.leaf_of(tree, row)) for row in test]
    service_shares = [service_share(row) for row in test]
    by_tree = [share >= threshold for share in tree_shares]
    by_service = [share >= threshold for share in service_shares]
    return {
        # How well each orders the cases from likeliest late to least, whatever the threshold:
        # 0.5 is a coin, 1 is perfect.
        "tree_auc": _auc(test_late, tree_shares),
        "by_service_auc": _auc(test_late, service_shares),
        "trained_on": len(train),
        "tested_on": len(test),
        "late_share": round(sum(test_late) / len(test_late), 4) if test_late else 0.0,
        "tree": _scores(by_tree, test_late),
        "by_service": _scores(by_service, test_late),
        "none": _scores([False] * len(test), test_late),
    }


def risk_train(
    *,
    depth: int | None = None,
    threshold: float | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> RiskModel:
    """Train a new version on every case whose outcome is known, evaluate it on the newest
    fifth kept out, keep it, and score the open cases with it."""
    depth = depth or settings.VENTANILLA_DEADLINE_RISK_DEPTH
    threshold = settings.VENTANILLA_DEADLINE_RISK_THRESHOLD if threshold is None else threshold
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    now = timezone.now()
    say("Reading the cases…")
    rows, outcomes, ids, _opened = known_cases(today)
    known = [(row, was) for row, was in zip(rows, outcomes, strict=True) if was is not None]
    if len(known) < FEWEST_CASES:
        raise NotEnoughCases(
            f"{len(known)} cases have a known outcome; {FEWEST_CASES} are needed to learn from."
        )
    known_rows = [row for row, _was in known]
    known_late = [bool(was) for _row, was in known]
    # No rule may speak of fewer cases than a published figure may.
    min_leaf = max(settings.VENTANILLA_SMALL_CELL_THRESHOLD, len(known) // 200)
    say(f"{len(known):,} cases with a known outcome, {sum(known_late):,} late. Evaluating…")
    evaluation = _evaluate(
        known_rows, known_late, depth=depth, min_leaf=min_leaf, threshold=threshold
    )
    say("Training on all of them…")
    tree = trees.fit(known_rows, known_late, depth=depth, min_leaf=min_leaf)
    with transaction.atomic():
        last = RiskModel.objects.aggregate(last=Max("version"))["last"] or 0
        model = RiskModel.objects.create(
            version=last + 1,
            trained_at=now,
            cases=len(known),
            late=sum(known_late),
            threshold=threshold,
            depth=depth,
            min_leaf=min_leaf,
            tree=tree,
            rules=trees.rules_of(tree),
            evaluation=evaluation,
            seconds=0.0,
        )
        scored = _score(model, rows, outcomes, ids, now)
        model.seconds = time.perf_counter() - started
        model.save(update_fields=["seconds", "updated_at"])
    say(f"Version {model.version}: {scored:,} open cases scored.")
    log.info(
        "Deadline-risk model v%d: %d cases, %d open cases scored in %.1f s.",
        model.version,
        model.cases,
        scored,
        model.seconds,
    )
    return model


def _score(
    model: RiskModel,
    rows: list[dict[str, Any]],
    outcomes: list[bool | None],
    ids: list[Any],
    now: datetime,
) -> int:
    """Replace the scores with the model's for the open cases still within their due date (of
    a service, department, channel and priority it has seen)."""
    CaseRisk.objects.all().delete()
    batch: list[CaseRisk] = []
    total = 0
    for row, was, pk in zip(rows, outcomes, ids, strict=True):
        if was is not None or not trees.knows(model.tree, row):
            continue
        leaf = trees.leaf_of(model.tree, row)
        share = trees.share_of(model.tree, leaf)
        batch.append(
            CaseRisk(
                case_id=pk,
                model=model,
                leaf=leaf,
                share=share,
                flagged=share >= model.threshold,
                scored_at=now,
            )
        )
        if len(batch) >= 5_000:
            CaseRisk.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    CaseRisk.objects.bulk_create(batch)
    return total + len(batch)
