"""Notices and news in the console: the list of those of the staff member's agencies and the
form that writes, changes and publishes one (staff who edit the citizens' messages may)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.notices.models import Notice, Topic
from ventanilla.notices.selectors import agencies_of_actor, notice_of_actor, notices_of_actor
from ventanilla.notices.services import NoticeInput, notice_create, notice_update
from ventanilla.web.console.views import staff_view

FIELDS = ("title_es", "title_en", "body_es", "body_en", "district", "topic", "kind", "agency")
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


@staff_view
def notice_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = list(notices_of_actor(actor=actor)[:200])
    now = timezone.now()
    context = {"rows": [(notice, notice.is_published(now)) for notice in rows]}
    return render(request, "console/notices.html", context)


def _moment(value: str, field: str, errors: dict[str, str]) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors[field] = _("Enter a date and time.")
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _shown(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime(MOMENT_FORMAT) if moment else ""


def _input(post: QueryDict, errors: dict[str, str]) -> NoticeInput:
    return NoticeInput(
        agency_code=post.get("agency", ""),
        topic=post.get("topic", ""),
        kind=post.get("kind", Notice.Kind.NOTICE),
        title_es=post.get("title_es", ""),
        title_en=post.get("title_en", ""),
        body_es=post.get("body_es", ""),
        body_en=post.get("body_en", ""),
        district=post.get("district", ""),
        publish_from=_moment(post.get("publish_from", ""), "publish_from", errors),
        publish_until=_moment(post.get("publish_until", ""), "publish_until", errors),
    )


@require_http_methods(["GET", "POST"])
@staff_view
def notice_edit(request: HttpRequest, actor: Actor, notice_id: UUID | None = None) -> HttpResponse:
    """Write a new notice, or change one of the actor's agencies' notices."""
    require(actor, Scope.CATALOG_MANAGE)
    notice: Notice | None = None
    if notice_id is not None:
        try:
            notice = notice_of_actor(actor=actor, notice_id=notice_id)
        except NotFound as missing:
            raise Http404(_("No such notice.")) from missing
    agencies = agencies_of_actor(actor=actor)
    values: dict[str, Any] = {
        "agency": notice.agency.code if notice else (agencies[0].code if agencies else ""),
        "topic": notice.topic if notice else "",
        "kind": notice.kind if notice else Notice.Kind.NOTICE,
        **{name: getattr(notice, name) for name in FIELDS[:5] if notice},
        "publish_from": _shown(notice.publish_from) if notice else "",
        "publish_until": _shown(notice.publish_until) if notice else "",
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        values["publish_from"] = request.POST.get("publish_from", "")
        values["publish_until"] = request.POST.get("publish_until", "")
        data = _input(request.POST, errors)
        if not errors:
            try:
                if notice is None:
                    notice_create(actor=actor, data=data)
                else:
                    notice_update(actor=actor, notice_id=notice.pk, data=data)
            except ValidationFailed as failure:
                errors = failure.errors
            except NotFound as missing:
                raise Http404(missing.message) from missing
            else:
                messages.success(request, _("The notice was saved."))
                return redirect("console:notices")
        status = 422
    context = {
        "notice": notice,
        "values": values,
        "errors": errors,
        "agencies": agencies,
        "topics": Topic.choices,
        "kinds": Notice.Kind.choices,
    }
    return render(request, "console/notice_edit.html", context, status=status)
