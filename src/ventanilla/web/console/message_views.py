"""The citizens' messages, edited by supervisors and administrators in the console: what a
citizen is told when a case opens, waits for them, is resolved, closes…, in each language, by
email and SMS; with a preview as the citizen would read it. And the messages that could not be
delivered, which they may send again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.notifications.models import NotificationTemplate
from ventanilla.notifications.templates import (
    PLACEHOLDERS,
    template_errors,
    template_preview,
    template_update,
    templates_list,
)
from ventanilla.notifications.undelivered import (
    notification_resend,
    notifications_failed,
    outbox_health,
)
from ventanilla.web.console.views import staff_view


@staff_view
def message_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "console/messages.html", {"templates": templates_list(actor=actor)})


@require_http_methods(["GET", "POST"])
@staff_view
def message_edit(request: HttpRequest, actor: Actor, template_id: str) -> HttpResponse:
    require(actor, Scope.CATALOG_MANAGE)
    template = NotificationTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404(_("No such message."))
    subject, body, active = template.subject, template.body, template.active
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        active = request.POST.get("active") == "on"
        if "save" in request.POST:
            try:
                template_update(
                    actor=actor,
                    template_id=template.pk,
                    subject=subject,
                    body=body,
                    active=active,
                )
            except ValidationFailed as failure:
                errors, status = failure.errors, 422
            except NotFound as missing:
                raise Http404(missing.message) from missing
            else:
                messages.success(request, _("The message was saved."))
                return redirect("console:messages")
        else:
            # The preview says what saving would refuse, in the same words, before anyone saves.
            errors = template_errors(template.medium, subject, body)
    context: dict[str, Any] = {
        "template": template,
        "subject": subject,
        "body": body,
        "active": active,
        "errors": errors,
        "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS],
        "preview": template_preview(template, subject, body),
    }
    return render(request, "console/message_edit.html", context, status=status)


@staff_view
def message_undelivered(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The messages given up after days of retrying, with what went wrong, to send again; and a
    warning when the outbox is not draining at all."""
    context = {
        "failed": notifications_failed(actor=actor),
        "health": outbox_health(),
        "give_up_days": settings.VENTANILLA_NOTIFICATION_GIVE_UP_DAYS,
    }
    return render(request, "console/messages_undelivered.html", context)


@require_POST
@staff_view
def message_resend(request: HttpRequest, actor: Actor, notification_id: UUID) -> HttpResponse:
    try:
        notification_resend(actor=actor, notification_id=notification_id)
    except NotFound as missing:
        messages.info(request, missing.message)
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("console:messages-undelivered")
