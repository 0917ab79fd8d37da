"""From complaints to participation, /console/loops/: a supervisor picks the complaints about one
service (in one district, over some days) — from the case queue or from an emerging problem —
sees how many cases and people they are (counts, never names), and invites everyone behind them
to an open consultation. Each loop's page shows how those cases are going and takes the outcome,
which is told to the same people."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.analytics.models import Alert
from ventanilla.cases.selectors import visible_cases
from ventanilla.catalog.models import PublicService
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.loops.selectors import (
    complaints,
    loop_get,
    loop_progress,
    loops_of_actor,
    progress_of,
    targets_open,
)
from ventanilla.loops.services import (
    Cluster,
    cluster_checked,
    cluster_of_alert,
    loop_open,
    loop_outcome,
)
from ventanilla.web.console.views import staff_view


@staff_view
def loop_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "console/loops.html", {"loops": loops_of_actor(actor=actor)})


def _date(raw: str) -> date | None:
    try:
        return parse_date(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _districts(actor: Actor) -> list[str]:
    since = timezone.localdate() - timedelta(days=366)
    found = (
        visible_cases(actor)
        .filter(opened_at__date__gte=since)
        .exclude(district="")
        .values_list("district", flat=True)
        .distinct()
    )
    return sorted(found)


@staff_view
def loop_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The form: the complaints, what they amount to, and the consultation to invite them to."""
    require(actor, Scope.PARTICIPATION_MANAGE)
    source = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    alert = None
    alert_id = source.get("alert", "")
    if alert_id:
        try:
            alert = Alert.objects.select_related("service").filter(pk=UUID(alert_id)).first()
        except ValueError:
            alert = None
    values: dict[str, Any] = {
        "service": source.get("service", ""),
        "district": source.get("district", ""),
        "since": source.get("since", "") or (today - timedelta(days=29)).isoformat(),
        "until": source.get("until", "") or today.isoformat(),
        "survey": source.get("survey", ""),
        "alert": str(alert.pk) if alert else "",
    }
    if alert is not None and request.method == "GET":
        from_alert = cluster_of_alert(alert)
        values |= {
            "service": from_alert.service.code,
            "district": from_alert.district,
            "since": from_alert.since.isoformat(),
            "until": from_alert.until.isoformat(),
        }
    errors: dict[str, str] = {}
    cluster: Cluster | None = None
    if values["service"]:
        try:
            cluster = cluster_checked(
                service_code=values["service"],
                district=values["district"],
                since=_date(values["since"]),
                until=_date(values["until"]),
            )
        except ValidationFailed as failure:
            errors = failure.errors
    status = 200
    if request.method == "POST" and cluster is not None and not errors:
        try:
            kind, _sep, target_id = values["survey"].partition(":")
            loop = loop_open(
                actor=actor,
                cluster=cluster,
                survey_id=target_id if kind == "survey" else None,
                proposal_id=target_id if kind == "proposal" else None,
                project_id=target_id if kind == "project" else None,
                alert_id=values["alert"] or None,
            )
        except ValidationFailed as failure:
            errors = failure.errors
        else:
            messages.success(
                request,
                _("%(told)d of the %(people)d people who complained have been told.")
                % {"told": loop.told, "people": loop.people},
            )
            return redirect("console:loop", loop_id=loop.pk)
    if request.method == "POST":
        status = 422
    preview = None
    if cluster is not None:
        preview = progress_of(
            complaints(
                actor=actor,
                service=cluster.service,
                district=cluster.district,
                since=cluster.since,
                until=cluster.until,
            )
        )
    context = {
        "values": values,
        "errors": errors,
        "alert": alert,
        "preview": preview,
        "cluster": cluster,
        # In the reader's language, A to Z.
        "services": sorted(
            PublicService.objects.filter(active=True), key=lambda service: service.name.lower()
        ),
        "districts": _districts(actor),
        "targets": targets_open(actor=actor),
        "today": today,
    }
    return render(request, "console/loop_new.html", context, status=status)


@staff_view
def loop_detail(request: HttpRequest, actor: Actor, loop_id: UUID) -> HttpResponse:
    try:
        loop = loop_get(actor=actor, loop_id=loop_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    errors: dict[str, str] = {}
    values = {"outcome_es": "", "outcome_en": ""}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            loop = loop_outcome(actor=actor, loop_id=loop.pk, **values)
        except ValidationFailed as failure:
            errors = failure.errors
            status = 422
        except Conflict as clash:
            errors = {"outcome_es": clash.message}
            status = 409
        else:
            messages.success(
                request,
                _("The outcome has been told to %(told)d people.") % {"told": loop.outcome_told},
            )
            return redirect("console:loop", loop_id=loop.pk)
    context = {
        "loop": loop,
        "progress": loop_progress(loop),
        "values": values,
        "errors": errors,
    }
    return render(request, "console/loop.html", context, status=status)
