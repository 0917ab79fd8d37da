"""The language each member of staff reads the console in, remembered for what is written to them
while away (an emerging problem by email): their browser's at sign-in, and whatever they choose
with the language switch afterwards. Citizens' language is their party's, kept elsewhere."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ventanilla.access.services import staff_language_note


def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        staff_language_note(user_id=user.pk, language=get_language() or "")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in member of staff the choice remembered."""
    response = set_language(request)
    if request.user.is_authenticated:
        staff_language_note(user_id=request.user.pk, language=request.POST.get("language", ""))
    return response


def connect() -> None:
    """Listen to sign-ins (called once, when the app is ready)."""
    user_logged_in.connect(_signed_in, dispatch_uid="ventanilla.language.signed_in")
