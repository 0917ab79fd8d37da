"""The emails waiting for a person: the ones routing could not place, with files that were
refused, or that could not be read at all. Each is opened where it was recorded (the person's
record, the case) or, as received, in a mail program; then marked as dealt with."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor
from ventanilla.core.errors import NotFound
from ventanilla.mail.selectors import message_as_received, messages_for_person
from ventanilla.mail.services import message_dealt_with
from ventanilla.web.console.views import staff_view


@staff_view
def mail_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "console/mail.html", {"waiting": messages_for_person(actor)})


@staff_view
def mail_raw(request: HttpRequest, actor: Actor, message_id: UUID) -> HttpResponse:
    try:
        message = message_as_received(actor=actor, message_id=message_id)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = (
        f'attachment; filename="email-{message.created_at:%Y%m%d-%H%M%S}.eml"'
    )
    return response


@require_POST
@staff_view
def mail_done(request: HttpRequest, actor: Actor, message_id: UUID) -> HttpResponse:
    try:
        message_dealt_with(actor=actor, message_id=message_id)
    except NotFound as missing:
        messages.info(request, missing.message)
    else:
        messages.success(request, _("The email left the list."))
    return redirect("console:mail")
