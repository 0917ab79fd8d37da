"""The analysts' dashboard, /console/analytics/: figures from the warehouse, never a person.
Each figure is a chart (drawn in the browser by the vendored ECharts from the figures the page
carries as JSON), a table with the same figures for screen readers, and a CSV download, all
small-cell suppressed; cases by district are also drawn on a map of the districts' boundaries
(/console/analytics/districts.geojson). Beside it, /console/analytics/alerts/: the emerging
problems found each night."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import duckdb
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.analytics.models import Alert
from ventanilla.analytics.selectors import alerts_since
from ventanilla.interactions.models import Interaction
from ventanilla.warehouse.boundaries import BoundariesUnreadable, district_boundaries
from ventanilla.warehouse.build import edition
from ventanilla.warehouse.dashboard import (
    FIGURES,
    PERIODS,
    Figure,
    Filters,
    Row,
    Trend,
    choices,
    code_names,
    dashboard,
    trend,
)
from ventanilla.warehouse.segments import SegmentFigures, segment_figures
from ventanilla.web.console.views import staff_view

TITLES = {
    "channels": gettext_lazy("Contacts by channel"),
    "outcomes": gettext_lazy("How contacts ended"),
    "repeats": gettext_lazy("Repeat contacts"),
    "districts": gettext_lazy("Cases opened by district"),
    "services": gettext_lazy("Cases opened by service (top 10)"),
    "life_events": gettext_lazy("Cases opened by life event (top 10)"),
    "backlog": gettext_lazy("Open cases by age"),
    "deadlines": gettext_lazy("Cases closed within their deadline"),
    "resolution": gettext_lazy("Time to resolve by service (top 10)"),
    "satisfaction": gettext_lazy("Satisfaction by channel"),
    "satisfaction_services": gettext_lazy("Satisfaction by service (top 10)"),
}
HEADINGS = {
    "channels": gettext_lazy("Channel"),
    "outcomes": gettext_lazy("Outcome"),
    "repeats": gettext_lazy("Contact"),
    "districts": gettext_lazy("District"),
    "services": gettext_lazy("Service"),
    "life_events": gettext_lazy("Life event"),
    "backlog": gettext_lazy("Age"),
    "deadlines": gettext_lazy("Closed"),
    "resolution": gettext_lazy("Service"),
    "satisfaction": gettext_lazy("Channel"),
    "satisfaction_services": gettext_lazy("Service"),
}
# The figures that give a measure beside each count: its column's heading.
MEASURES = {
    "resolution": gettext_lazy("Median days to close"),
    "satisfaction": gettext_lazy("Mean score (1 to 5)"),
    "satisfaction_services": gettext_lazy("Mean score (1 to 5)"),
}
# Figures counted today, with no earlier period to compare.
UNDATED = frozenset({"backlog"})


def _labels() -> dict[str, str]:
    return {
        "none": _("Not recorded"),
        "0-29": _("Under 30 days"),
        "30-89": _("30 to 89 days"),
        "90-364": _("90 to 364 days"),
        "365+": _("A year or more"),
        "on_time": _("Within the deadline"),
        "late": _("After the deadline"),
        "first": _("The first about that service in 30 days"),
        "repeat": _("Again about the same service within 30 days"),
        **{f"outcome:{code}": str(label) for code, label in Interaction.Outcome.choices},
    }


def _filters(request: HttpRequest, offered: dict[str, list[tuple[str, str]]]) -> Filters:
    """The filters asked for; anything not offered falls back to its default."""
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    agency = request.GET.get("agency", "")
    channel = request.GET.get("channel", "")
    service = request.GET.get("service", "")
    segment = request.GET.get("segment", "")
    return Filters(
        days=days if days in PERIODS else 30,
        agency=agency if agency in dict(offered["agencies"]) else "",
        channel=channel if channel in dict(offered["channels"]) else "",
        service=service if service in dict(offered["services"]) else "",
        segment=int(segment) if segment in dict(offered["segments"]) else 0,
    )


def _segment_words(
    found: SegmentFigures, total: int, services: dict[str, str]
) -> dict[str, object]:
    """One segment as the page says it: its name, a short summary and its figures in words;
    a segment of fewer people than the small-cell threshold is named but not described."""
    threshold = settings.VENTANILLA_SMALL_CELL_THRESHOLD
    name = _("Segment %(n)s") % {"n": found.segment}
    if found.people < threshold:
        return {
            "key": str(found.segment),
            "name": name,
            "summary": _("fewer than %(n)s people") % {"n": threshold},
            "shown": False,
        }
    if found.organisations >= 0.5:
        summary = _("Mostly organisations")
    elif found.median_birth_year is not None:
        summary = _("People born around %(year)s") % {"year": found.median_birth_year}
    else:
        summary = _("People")
    lines = [
        _("%(people)s members, %(share)s%% of everyone in the warehouse.")
        % {"people": found.people, "share": round(100 * found.people / total) if total else 0},
        _(
            "%(contacts)s contacts each on average; %(assisted)s%% of them by phone, at a desk "
            "or on another channel where staff attend."
        )
        % {
            "contacts": f"{found.contacts_per_person:.1f}",
            "assisted": round(100 * found.assisted),
        },
    ]
    if found.services:
        lines.append(
            _("They ask for these more than everyone else: %(services)s.")
            % {"services": ", ".join(services.get(code, code) for code in found.services)}
        )
    return {
        "key": str(found.segment),
        "name": name,
        "summary": summary,
        "lines": lines,
        "shown": True,
    }


def _segments(con: duckdb.DuckDBPyConnection, language: str) -> list[dict[str, object]]:
    found = segment_figures(con)
    total = sum(item.people for item in found)
    services = code_names(con, "dim_service", "service_code", language)
    return [_segment_words(item, total, services) for item in found]


@staff_view
def segments(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The segments of the population, each in words and numbers: never a person."""
    require(actor, Scope.ANALYTICS_READ)
    path = Path(settings.VENTANILLA_WAREHOUSE_PATH)
    context: dict[str, object] = {
        "built": False,
        "hour": f"{settings.VENTANILLA_WAREHOUSE_HOUR:02d}",
        "segments": [],
    }
    if path.exists():
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return render(request, "console/segments.html", context)
        try:
            context.update(built=True, segments=_segments(con, _language()))
        finally:
            con.close()
    return render(request, "console/segments.html", context)


def _csv(figure: Figure) -> HttpResponse:
    hidden = _("fewer than %(n)s people") % {"n": settings.VENTANILLA_SMALL_CELL_THRESHOLD}
    out = io.StringIO()
    writer = csv.writer(out)
    header = [str(HEADINGS[figure.key]), _("This period")]
    if figure.key not in UNDATED:
        header.append(_("Previous period"))
    if figure.key in MEASURES:
        header.append(str(MEASURES[figure.key]))
    writer.writerow(header)
    for row in figure.rows:
        line: list[object] = [row.label, hidden if row.count is None else row.count]
        if figure.key not in UNDATED:
            line.append(hidden if row.previous is None else row.previous)
        if figure.key in MEASURES:
            measure = _measure(figure.key, row)
            line.append("" if measure is None else f"{measure:.2f}")
        writer.writerow(line)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{figure.key}.csv"'
    return response


def _fewer() -> str:
    """What a chart or the map says of a hidden cell."""
    return _("fewer than %(n)s") % {"n": settings.VENTANILLA_SMALL_CELL_THRESHOLD}


def _measure(key: str, row: Row) -> float | None:
    """The measure a figure gives beside a row's count: the time to close in days (the
    warehouse keeps hours), the mean score as it is."""
    if key == "resolution":
        return None if row.median is None else row.median / 24
    return row.mean


def _buckets(found: Trend) -> list[str]:
    """The weeks or months of the trend as the reader says them; one that began before the
    period (so counts only its last days) says from when."""
    labels = []
    for bucket in found.buckets:
        first = date.fromisoformat(bucket if found.by == "week" else f"{bucket}-01")
        if first < found.start:
            shown = date_format(found.start, "j M" if found.by == "week" else "j M Y")
            labels.append(_("From %(day)s") % {"day": shown})
        elif found.by == "week":
            labels.append(_("Week of %(day)s") % {"day": date_format(first, "j M")})
        else:
            labels.append(date_format(first, "M Y"))
    return labels


def _trend_chart(found: Trend) -> dict[str, object]:
    """Contacts by channel, week by week or month by month, as the stacked bars draw them."""
    return {
        "drawn": any(v is not None for _name, values in found.lines for v in values),
        "kind": "stack",
        "labels": _buckets(found),
        "lines": [{"name": name, "values": values} for name, values in found.lines],
        "hidden": _fewer(),
    }


def _chart(figure: Figure, compared: bool) -> dict[str, object]:
    """A figure as its chart draws it: a hidden cell is labelled so and drawn as no bar; a figure
    whose every cell is hidden is not drawn at all (its table says so)."""
    hidden = _fewer()
    if figure.key in MEASURES:  # the measure is what the chart shows, the count is in the table
        measures = [_measure(figure.key, row) for row in figure.rows]
        now = [None if m is None else round(m, 1) for m in measures]
        before = None
        names = [str(MEASURES[figure.key]), ""]
    else:
        now = [row.count for row in figure.rows]
        before = [row.previous for row in figure.rows] if compared else None
        names = [_("This period"), _("Previous period")]
    return {
        "drawn": any(v is not None for v in now + (before or [])),
        "kind": "bar",
        "labels": [
            row.label if row.count is not None else f"{row.label} ({hidden})" for row in figure.rows
        ],
        "now": now,
        "before": before,
        "names": names,
    }


def _map(figure: Figure) -> dict[str, object]:
    """Cases by district as the map draws them, or why there is no map. A district of the file
    with no case in the period is a zero; one whose figure is hidden is drawn as no figure."""
    try:
        boundaries = district_boundaries(Path(settings.VENTANILLA_DISTRICTS_GEOJSON))
    except BoundariesUnreadable as problem:
        return {"shown": False, "problem": str(problem)}
    except OSError:
        return {"shown": False, "problem": _("The file of district boundaries cannot be read.")}
    if boundaries is None:
        return {"shown": False, "problem": None}
    counts = {row.label: row.count for row in figure.rows}
    not_recorded = _labels()["none"]
    on_map = set(boundaries.names)
    return {
        "shown": True,
        "kind": "map",
        "url": reverse("console:districts-geojson"),
        "areas": [{"name": name, "value": counts.get(name, 0)} for name in boundaries.names],
        # The colour scale runs to the busiest district drawn, not to the cases with none.
        "top": max([counts.get(name) or 0 for name in boundaries.names] + [1]),
        "names": {
            "value": _("Cases opened"),
            "hidden": _fewer(),
        },
        "outside": [label for label in counts if label not in on_map and label != not_recorded],
    }


@staff_view
def districts_geojson(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The districts' boundaries the dashboards' map is drawn on: shapes, never a person."""
    require(actor, Scope.ANALYTICS_READ)
    try:
        boundaries = district_boundaries(Path(settings.VENTANILLA_DISTRICTS_GEOJSON))
    except (BoundariesUnreadable, OSError) as problem:
        raise Http404(_("There is no map of the districts.")) from problem
    if boundaries is None:
        raise Http404(_("There is no map of the districts."))
    return HttpResponse(boundaries.content, content_type="application/geo+json")


def _share(figure: Figure, label: str) -> int | None:
    """The percentage of a figure's total in the row ``label``; None where a cell is hidden
    (the share could then help work it out) or there is nothing to divide."""
    if not figure.total or any(row.count is None for row in figure.rows):
        return None
    count = next((row.count for row in figure.rows if row.label == label), 0) or 0
    return round(100 * count / figure.total)


ALERT_PERIODS = (7, 30, 90)
RECENT_ALERT_DAYS = 7


def _alert_rows(alerts: list[Alert], language: str) -> list[dict[str, object]]:
    """Each alert as the page says it: the service's name in the reader's language."""
    return [
        {
            "id": alert.pk,
            "day": alert.day,
            "service": (alert.service.name_en or alert.service.name_es)
            if language == "en"
            else alert.service.name_es,
            "district": alert.district,
            "observed": alert.observed,
            "expected": alert.expected,
            "times": alert.observed / alert.expected if alert.expected else None,
        }
        for alert in alerts
    ]


def _language() -> str:
    return "en" if (get_language() or "es").startswith("en") else "es"


@staff_view
def alerts(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The emerging problems of the last days, newest first: counts, never a person."""
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in ALERT_PERIODS else 30
    since = timezone.localdate() - timedelta(days=days)
    found = list(alerts_since(actor=actor, since=since))
    return render(
        request,
        "console/alerts.html",
        {
            "alerts": _alert_rows(found, _language()),
            "days": days,
            "periods": ALERT_PERIODS,
            "hour": f"{settings.VENTANILLA_ALERT_HOUR:02d}",
            "minimum": settings.VENTANILLA_ALERT_MIN_COUNT,
            "may_invite": actor.can(Scope.PARTICIPATION_MANAGE),
        },
    )


T = TypeVar("T")
# How long figures read from the warehouse are kept: a build makes them stale at once (they are
# kept by its edition), so this only bounds what an unused filter's figures hold in the cache.
KEPT_SECONDS = 24 * 3600


def _kept(con: duckdb.DuckDBPyConnection, read: Callable[[], T], *asked: object) -> T:
    """What ``read`` gives, kept until the next build: the figures of a filter already asked for
    (a reload, a CSV download, another manager's same view) come back without a query. They are
    aggregates, small cells already hidden, so nothing kept names a person."""
    found_edition = edition(con)
    if found_edition is None:
        return read()
    # The threshold too: figures kept under another would hide other cells.
    threshold = settings.VENTANILLA_SMALL_CELL_THRESHOLD
    key = (
        "analytics:" + hashlib.sha256(repr((found_edition, threshold, *asked)).encode()).hexdigest()
    )
    kept: T | None = cache.get(key)
    if kept is None:
        kept = read()
        cache.set(key, kept, KEPT_SECONDS)
    return kept


@staff_view
def analytics(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The dashboard, or how the warehouse comes to be when it is not built yet."""
    require(actor, Scope.ANALYTICS_READ)
    path = Path(settings.VENTANILLA_WAREHOUSE_PATH)
    recent = alerts_since(
        actor=actor, since=timezone.localdate() - timedelta(days=RECENT_ALERT_DAYS)
    ).count()
    context: dict[str, object] = {
        "recent_alerts": recent,
        "recent_days": RECENT_ALERT_DAYS,
        "built": False,
        "hour": f"{settings.VENTANILLA_WAREHOUSE_HOUR:02d}",
        "periods": PERIODS,
        "threshold": settings.VENTANILLA_SMALL_CELL_THRESHOLD,
    }
    if not path.exists():
        return render(request, "console/analytics.html", context)
    language = _language()
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return render(request, "console/analytics.html", context)
    try:
        con.execute("SET enable_progress_bar = false")
        today = timezone.localdate()

        def offer() -> dict[str, list[tuple[str, str]]]:
            found = choices(con, language)
            found["segments"] = [
                (str(item["key"]), f"{item['name']}: {item['summary']}")
                for item in _segments(con, language)
                if item["shown"]
            ]
            return found

        offered = _kept(con, offer, "offered", language)
        filters = _filters(request, offered)
        figures, contacts = _kept(
            con,
            lambda: (
                dashboard(con, filters, language=language, labels=_labels(), today=today),
                trend(con, filters, language=language, today=today),
            ),
            "figures",
            language,
            today,
            filters,
        )
    finally:
        con.close()
    if request.GET.get("format") == "csv":
        figure = figures.get(request.GET.get("figure", ""))
        if figure is None:
            raise Http404(_("There is no such figure."))
        return _csv(figure)
    deadlines = figures["deadlines"]
    on_time = next((r.count for r in deadlines.rows if r.label == _labels()["on_time"]), None)
    rate = (
        round(100 * on_time / deadlines.total) if on_time is not None and deadlines.total else None
    )
    outcomes = figures["outcomes"]
    answered = next(
        (r.count for r in outcomes.rows if r.label == _labels()["outcome:answered"]), None
    )
    recorded = sum(r.count or 0 for r in outcomes.rows if r.label != _labels()["none"])
    hidden = any(r.count is None for r in outcomes.rows if r.label != _labels()["none"])
    first_contact = (
        round(100 * answered / recorded)
        if answered is not None and recorded and not hidden
        else None
    )
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("figure", None)
    context.update(
        built=True,
        filters=filters,
        offered=offered,
        figures=[
            {
                "key": key,
                "title": TITLES[key],
                "heading": HEADINGS[key],
                "figure": figures[key],
                "chart": _chart(figures[key], compared=key not in UNDATED),
                "measure": MEASURES.get(key),
                "compared": key not in UNDATED,
                "values": [
                    {"row": row, "measure": _measure(key, row)} for row in figures[key].rows
                ],
                "chart_id": f"chart-{key}",
                "csv": f"?{query.urlencode()}&format=csv&figure={key}"
                if query
                else f"?format=csv&figure={key}",
            }
            for key in FIGURES
        ],
        deadline_rate=rate,
        first_contact_rate=first_contact,
        repeat_rate=_share(figures["repeats"], _labels()["repeat"]),
        trend=contacts,
        trend_chart=_trend_chart(contacts),
        trend_rows=[
            {"label": label, "values": [values[n] for _name, values in contacts.lines]}
            for n, label in enumerate(_buckets(contacts))
        ],
        district_map=_map(figures["districts"]),
    )
    return render(request, "console/analytics.html", context)
